"""Forms of case assignment. They parse input; the services validate the rules."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from communes.forms import NaturalOrderChoiceField
from communes.models import AdministrativeUnit
from households.models import Household, PovertyStatus

from ..case_selectors import CASE_STATUSES

UNASSIGNED = "none"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class CaseFilterForm(forms.Form):
    """GET filters of the assignment list; ``filter()`` applies them."""

    village = NaturalOrderChoiceField(
        label=_("Village"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("Any village"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("Poor and near-poor")),
            *((value, label) for value, label in PovertyStatus.choices if value in CASE_STATUSES),
        ],
        required=False,
    )
    assigned = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args, villages: QuerySet[AdministrativeUnit], members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda village: village.name
        self.fields["assigned"].choices = [
            ("", _("Anyone or nobody")),
            (UNASSIGNED, _("Nobody (unassigned)")),
            *((str(m.pk), m.get_full_name() or m.username) for m in members),
        ]

    def filter(self, households: QuerySet[Household]) -> QuerySet[Household]:
        if not self.is_valid():
            return households
        data = self.cleaned_data
        if data["village"]:
            households = households.filter(village=data["village"])
        if data["status"]:
            households = households.filter(recorded_status=data["status"])
        if data["assigned"] == UNASSIGNED:
            households = households.filter(assigned_to__isnull=True)
        elif data["assigned"]:
            households = households.filter(assigned_to_id=int(data["assigned"]))
        return households

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class IdListField(forms.Field):
    """A list of record ids (ticked checkboxes); the view resolves them in scope,
    so an id of another ward's record is a 404, not a form error."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Choose households from the list.")}

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if not all(str(v).isdigit() for v in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({int(v) for v in value})


class CaseAssignForm(forms.Form):
    """The ticked households and the member who takes them.

    Removing an assignment is its own button (``unassign``), so that a
    forgotten choice of member never unassigns households by accident.
    """

    households = IdListField(
        label=_("Households"), error_messages={"required": _("Tick at least one household.")}
    )
    member = MemberChoiceField(
        label=_("Assign to"),
        queryset=None,
        required=False,
        empty_label=_("Choose a member"),
    )
    move_open_actions = forms.BooleanField(
        label=_("Hand over the previous member's open plan actions too"),
        required=False,
        initial=True,
    )
    unassign = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, members: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members

    def clean(self):
        data = super().clean()
        if data.get("unassign"):
            data["member"] = None
        elif not data.get("member") and "member" not in self.errors:
            self.add_error("member", _("Choose the member who takes the ticked households."))
        return data
