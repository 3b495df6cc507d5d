from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("reminders/", views.reminder_list, name="reminder_list"),
    path("reminders/<int:pk>/", views.reminder_open, name="reminder_open"),
    path("reminders/mark/", views.reminder_mark, name="reminder_mark"),
]
