"""Forms of the city-level pages: the annual report's filter."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit
from households.models import PovertyStandard

from .reports import report_units

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
        empty_label=_("The standard that made that year's lists"),
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
        unit = cleaned.get("unit")
        if unit is not None and year is not None and _ended_before_end_of(unit, year):
            self.add_error("year", _former_unit_message(unit))
        if standard is not None and year is not None and not standard.can_report(year):
            self.add_error(
                "standard",
                _(
                    "%(code)s is in force from %(first)s to %(last)s (the reviews of "
                    "%(review_first)s–%(review_last)s): it has no figures for %(year)s."
                )
                % {
                    "code": standard.code,
                    "first": standard.first_year,
                    "last": standard.last_year,
                    "review_first": standard.first_review_year,
                    "review_last": standard.last_review_year,
                    "year": year,
                },
            )
        return cleaned


def _ended_before_end_of(unit: AdministrativeUnit, year: int) -> bool:
    """``unit`` ended before 31/12/``year`` and no unit of its scope is left to report.

    A report's rows are the units valid on 31/12 of its year. The former city
    still reports through the wards created from its wards; a former ward whose
    territory went to new wards has no row left.
    """
    if unit.valid_to is None or unit.valid_to > datetime.date(year, 12, 31):
        return False
    return not report_units(unit, year)


def _former_unit_message(unit: AdministrativeUnit) -> str:
    successors = sorted(
        {s.successor.name for s in unit.successions_out.select_related("successor")}
    )
    values = {
        "unit": unit.name,
        "date": date_format(unit.valid_to, "SHORT_DATE_FORMAT"),
        # valid_to is the first day without the unit: it was valid on 31/12 of the year before.
        "last": unit.valid_to.year - 1,
        "successors": ", ".join(successors),
    }
    if successors:
        return (
            _(
                "%(unit)s ceased to exist on %(date)s: its last annual report is for "
                "%(last)s. From then on its households are reported by %(successors)s; "
                "choose that unit."
            )
            % values
        )
    return (
        _("%(unit)s ceased to exist on %(date)s: its last annual report is for %(last)s.") % values
    )


class ReportDownloadForm(ReportForm):
    FORMATS = (("xlsx", "Excel (.xlsx)"), ("json", "JSON"))

    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)


class ReportSetDownloadForm(ReportForm):
    """The report set's filters and its file format."""

    FORMATS = (("xlsx", "Excel (.xlsx)"), ("pdf", "PDF"))

    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)
