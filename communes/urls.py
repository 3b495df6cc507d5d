from django.urls import path

from . import views

app_name = "communes"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:ward_pk>/villages/new/", views.village_create, name="village_create"),
    path("villages/<int:pk>/edit/", views.village_edit, name="village_edit"),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path(
        "committees/<int:committee_pk>/members/new/",
        views.membership_add,
        name="membership_add",
    ),
    path("memberships/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path(
        "memberships/<int:pk>/names-grant/",
        views.names_grant_request,
        name="names_grant_request",
    ),
    path("names-grants/", views.names_grant_list, name="names_grant_list"),
    path("names-grants/<int:pk>/", views.names_grant_decide, name="names_grant_decide"),
    path(
        "memberships/<int:pk>/sessions/end/",
        views.membership_sessions_end,
        name="membership_sessions_end",
    ),
    path("accounts/sessions/", views.session_list, name="session_list"),
    path("access-log/", views.access_log, name="access_log"),
]
