"""Import and export of households and review results (Excel / CSV)."""

urlpatterns = []
