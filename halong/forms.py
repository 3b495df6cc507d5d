"""Forms of the city-level pages: the annual report's filter."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit
from households.models import PovertyStandard

#: The first year the register holds results for (the 2015 review: start of 2016).
FIRST_REPORT_YEAR = 2015


class ReportUnitField(forms.ModelChoiceField):
    """Units labelled with their kind, and the end date of a former unit."""

    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        label = f"{obj.name} ({obj.get_kind_display().lower()})"
        if obj.valid_to:
            until = date_format(obj.valid_to, "SHORT_DATE_FORMAT")
            label = _("%(label)s, until %(date)s") % {"label": label, "date": until}
        return label


class StandardField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PovertyStandard) -> str:
        return f"{obj.code} ({obj.period})"


class ReportForm(forms.Form):
    """Year, unit and (optionally) standard of the annual report; GET parameters."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    unit = ReportUnitField(label=_("Unit"), queryset=AdministrativeUnit.objects.none())
    standard = StandardField(
        label=_("Poverty standard"),
        queryset=PovertyStandard.objects.order_by("first_year", "level", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("National standard in force that year"),
    )

    def __init__(self, *args, units: QuerySet[AdministrativeUnit], last_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["year"].choices = [
            (year, str(year)) for year in range(last_year, FIRST_REPORT_YEAR - 1, -1)
        ]

    def clean(self):
        cleaned = super().clean()
        standard, year = cleaned.get("standard"), cleaned.get("year")
        if standard is not None and year is not None and not standard.applies_in(year):
            self.add_error(
                "standard",
                _("%(code)s applies from %(first)s to %(last)s, not in %(year)s.")
                % {
                    "code": standard.code,
                    "first": standard.first_year,
                    "last": standard.last_year,
                    "year": year,
                },
            )
        return cleaned


class ReportDownloadForm(ReportForm):
    FORMATS = (("xlsx", "Excel (.xlsx)"), ("json", "JSON"))

    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)
