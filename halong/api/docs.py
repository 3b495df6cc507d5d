"""The OpenAPI schema (English) and Swagger UI served from the vendored sidecar.

Swagger UI's start-up script comes from the same view as a separate file
(``?script``): the CSP allows no inline script or style.
"""

from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class ApiSchema(SpectacularAPIView):
    """The schema, always in English (labels list the Vietnamese ones)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().get(request, *args, **kwargs)
            # Render inside the override: labels are lazy.
            response = self.finalize_response(request, response, *args, **kwargs)
            response.render()
        return response


class ApiDocs(SpectacularSwaggerSplitView):
    """Swagger UI for people signed in to the app (others go to the login page)."""

    template_name = "api/swagger_ui.html"
    title = "Hạ Long poverty reduction API"
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
