from .urls_registry import urlpatterns as registry_urlpatterns
from .urls_review import urlpatterns as review_urlpatterns

app_name = "households"

urlpatterns = [*registry_urlpatterns, *review_urlpatterns]
