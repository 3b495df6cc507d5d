from django.urls import path

from .views import followup

urlpatterns = [
    path("followup/", followup.followup_list, name="followup_list"),
    path(
        "households/<int:household_pk>/followup/check/",
        followup.followup_check,
        name="followup_check",
    ),
]
