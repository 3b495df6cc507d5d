from django.urls import path

from .views import conflicts
from .views import registry as views

urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/citizen-id/", views.member_citizen_id, name="member_citizen_id"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("members/<int:pk>/move/", views.member_move, name="member_move"),
    path("members/<int:pk>/make-head/", views.household_set_head, name="household_set_head"),
    path("citizen-id-conflicts/", conflicts.conflict_list, name="id_conflict_list"),
    path(
        "citizen-id-conflicts/<int:pk>/resolve/",
        conflicts.conflict_resolve,
        name="id_conflict_resolve",
    ),
]
