from .urls_cases import urlpatterns as case_urlpatterns
from .urls_followup import urlpatterns as followup_urlpatterns
from .urls_plans import urlpatterns as plan_urlpatterns
from .urls_support import urlpatterns as support_urlpatterns

app_name = "plans"

urlpatterns = [*plan_urlpatterns, *case_urlpatterns, *support_urlpatterns, *followup_urlpatterns]
