from django.urls import path

from .views import events as views

urlpatterns = [
    path("households/<int:pk>/split/", views.event_split, name="event_split"),
    path("households/<int:pk>/merge/", views.event_merge, name="event_merge"),
    path("households/<int:pk>/change-head/", views.event_head, name="event_head"),
    path(
        "households/<int:pk>/birth-or-joining/",
        views.event_member_joining,
        name="event_member_joining",
    ),
    path(
        "members/<int:pk>/death-or-moving-out/",
        views.event_member_leaving,
        name="event_member_leaving",
    ),
    path("households/<int:pk>/move-ward/", views.transfer_propose, name="transfer_propose"),
    path("transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/refuse/", views.transfer_refuse, name="transfer_refuse"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
]
