"""The upload form of the household import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit

from ..transfer.reading import FileRefused, check_upload
from .registry import UnitChoiceField


class ImportUploadForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Ward / commune"),
        queryset=AdministrativeUnit.objects.none(),
        help_text=_("Every row must belong to this ward or commune (or a unit it took over)."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Excel workbook (.xlsx) with a sheet of households and an optional sheet "
            "“members”, or a CSV file (UTF-8) of households."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, units: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload.name, upload.size)
        except FileRefused as error:
            raise ValidationError(str(error)) from error
        return upload
