"""Import and export of households and review results (Excel / CSV)."""

from django.urls import path

from .views import transfer as views

urlpatterns = [
    path("households/import/", views.import_upload, name="import_upload"),
    path("households/import/template/<str:code>/", views.import_template, name="import_template"),
    path("households/import/<str:token>/", views.import_preview, name="import_preview"),
    path("households/export/", views.household_export, name="household_export"),
    path("reviews/<int:pk>/export/", views.round_export, name="round_export"),
]
