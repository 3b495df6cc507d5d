from django.urls import path

from .views import agency
from .views import support as views

urlpatterns = [
    path("support/", views.support_list, name="support_list"),
    path("support/duplicates/", views.duplicate_report, name="duplicate_report"),
    path("support/<int:pk>/", views.support_detail, name="support_detail"),
    path("support/<int:pk>/loan-status/", views.support_loan_status, name="support_loan_status"),
    path("lists/", agency.agency_list_index, name="agency_lists"),
    path("lists/<slug:kind>/", agency.agency_list, name="agency_list"),
    path("lists/<slug:kind>/export/", agency.agency_list_export, name="agency_list_export"),
    path(
        "households/<int:household_pk>/support/new/",
        views.support_create,
        name="support_create",
    ),
]
