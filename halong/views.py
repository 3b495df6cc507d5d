from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from communes.selectors import user_scope


def home(request: HttpRequest) -> HttpResponse:
    """The user's committees, roles and units."""
    scope = user_scope(request.user)
    context = {"memberships": scope.memberships, "everything": scope.everything}
    return render(request, "home.html", context)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
