from django.urls import path

from .views import documents as views

urlpatterns = [
    path(
        "assessments/<int:pk>/print/survey/",
        views.assessment_survey_form,
        name="assessment_survey_form",
    ),
    path(
        "assessments/<int:pk>/print/certificate/",
        views.assessment_certificate_document,
        name="assessment_certificate_document",
    ),
    path(
        "assessments/<int:pk>/print/refusal/",
        views.assessment_refusal_letter,
        name="assessment_refusal_letter",
    ),
    path("reviews/<int:pk>/documents/", views.round_documents, name="round_documents"),
    path("reviews/<int:pk>/print/posting/", views.round_posting_list, name="round_posting_list"),
    path("reviews/<int:pk>/print/decision/", views.round_decision, name="round_decision"),
    path("reviews/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/print/", views.meeting_minutes, name="meeting_minutes"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/submit/", views.submission_submit, name="submission_submit"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/return/", views.submission_return, name="submission_return"),
]
