from .urls_documents import urlpatterns as documents_urlpatterns
from .urls_events import urlpatterns as events_urlpatterns
from .urls_registry import urlpatterns as registry_urlpatterns
from .urls_review import urlpatterns as review_urlpatterns
from .urls_transfer import urlpatterns as transfer_urlpatterns

app_name = "households"

urlpatterns = [
    *registry_urlpatterns,
    *events_urlpatterns,
    *review_urlpatterns,
    *transfer_urlpatterns,
    *documents_urlpatterns,
]
