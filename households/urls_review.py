from django.urls import path

from .views import review as views

urlpatterns = [
    path("reviews/", views.round_list, name="round_list"),
    path("reviews/new/", views.round_create, name="round_create"),
    path("reviews/<int:pk>/", views.round_detail, name="round_detail"),
    path(
        "reviews/<int:pk>/list-households/",
        views.round_list_households,
        name="round_list_households",
    ),
    path("reviews/<int:pk>/bulk/", views.round_bulk, name="round_bulk"),
    path("reviews/<int:pk>/standards/", views.round_standards, name="round_standards"),
    path(
        "households/<int:household_pk>/assessments/new/",
        views.assessment_create,
        name="assessment_create",
    ),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/survey/", views.assessment_survey, name="assessment_survey"),
    path("assessments/<int:pk>/meeting/", views.assessment_meeting, name="assessment_meeting"),
    path("assessments/<int:pk>/post/", views.assessment_post, name="assessment_post"),
    path("assessments/<int:pk>/decide/", views.assessment_decide, name="assessment_decide"),
    path(
        "assessments/<int:pk>/send-back/",
        views.assessment_send_back,
        name="assessment_send_back",
    ),
    path(
        "assessments/<int:pk>/complaints/new/",
        views.complaint_create,
        name="complaint_create",
    ),
    path("complaints/<int:pk>/settle/", views.complaint_settle, name="complaint_settle"),
    path(
        "assessments/<int:pk>/certificate/",
        views.assessment_certificate,
        name="assessment_certificate",
    ),
]
