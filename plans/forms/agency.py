"""The filters of the lists for other agencies (one form, the fields each list needs)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communes.selectors import today

from .. import agency_lists as lists

YEARS = range(2016, 2032)


class AgencyListForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(q, str(q)) for q in range(1, 5)], required=False
    )
    change = forms.ChoiceField(
        label=_("Change"), choices=[("", _("All")), *lists.CHANGES.items()], required=False
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[
            ("", _("All")),
            *[(level.value, level.label) for level in lists.PUPIL_LEVELS],
        ],
        required=False,
    )
    exit = forms.ChoiceField(
        label=_("Result"), choices=[("", _("All")), *lists.EXITS.items()], required=False
    )

    #: The fields each list uses (the others are removed).
    FIELDS = {
        lists.BHYT: ("unit", "year", "change"),
        lists.ELECTRICITY: ("unit", "year", "quarter"),
        lists.SCHOOL: ("unit", "year", "level"),
        lists.EXITED: ("unit", "year", "exit"),
    }

    def __init__(self, data=None, *, kind: str, units, **kwargs):
        super().__init__(data, **kwargs)
        self.kind = kind
        for name in list(self.fields):
            if name not in self.FIELDS[kind]:
                del self.fields[name]
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("All units I may see")
        self.fields["year"].choices = [(y, str(y)) for y in YEARS]
        if kind == lists.SCHOOL:
            self.fields["year"].label = _("School year from")
            self.fields["year"].choices = [(y, f"{y}–{y + 1}") for y in YEARS]

    def defaults(self) -> dict:
        day = today()
        school_year = day.year if day.month >= 9 else day.year - 1
        return {
            "unit": None,
            "year": school_year if self.kind == lists.SCHOOL else day.year,
            "quarter": (day.month - 1) // 3 + 1,
            "change": "",
            "level": "",
            "exit": "",
        }

    def choice(self) -> dict:
        """The filters chosen (defaults for blank or invalid ones)."""
        chosen = self.defaults()
        if self.is_bound and self.is_valid():
            chosen.update({k: v for k, v in self.cleaned_data.items() if v not in ("", None)})
        return chosen


def build_list(user, kind: str, chosen: dict) -> lists.AgencyList:
    unit = chosen["unit"]
    if kind == lists.BHYT:
        return lists.bhyt_list(user, year=chosen["year"], unit=unit, change=chosen["change"])
    if kind == lists.ELECTRICITY:
        return lists.electricity_list(
            user, year=chosen["year"], quarter=chosen["quarter"], unit=unit
        )
    if kind == lists.SCHOOL:
        return lists.school_list(user, school_year=chosen["year"], unit=unit, level=chosen["level"])
    return lists.exited_list(user, year=chosen["year"], unit=unit, kind=chosen["exit"])
