from django.urls import path

from .views import plans as views

urlpatterns = [
    path(
        "households/<int:household_pk>/plans/new/",
        views.plan_create,
        name="plan_create",
    ),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
]
