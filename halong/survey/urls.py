from django.urls import path

from . import views

app_name = "survey"

urlpatterns = [
    path("survey/", views.survey_app, name="app"),
    path("survey/sw.js", views.service_worker, name="service_worker"),
    path("survey/manifest.webmanifest", views.manifest, name="manifest"),
    path("survey/session/", views.session, name="session"),
]
