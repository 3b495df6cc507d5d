"""Forms of the household events. They parse input; ``services.events`` checks the rules."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communes.forms import DateInput
from communes.models import AdministrativeUnit

from ..models import EventKind, HeadChangeReason, Household, HouseholdTransfer, Member
from .registry import MemberForm, UnitChoiceField, VillageChoiceField


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} ({obj.birth_year}, {obj.get_relation_display()})"


class MembersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} ({obj.birth_year}, {obj.get_relation_display()})"


def _date_field(label=None) -> forms.DateField:
    return forms.DateField(label=label or _("Date"), widget=DateInput(), initial=timezone.localdate)


class EventForm(forms.Form):
    """Base of the event forms: the household's current members and its version."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.current = household.members.filter(left_on__isnull=True).order_by("birth_year", "pk")
        self.fields["version"].initial = household.version


class SplitForm(EventForm):
    members = MembersChoiceField(
        label=_("Members who leave to form the new household"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    new_head = MemberChoiceField(
        label=_("Head of the new household"), queryset=Member.objects.none()
    )
    remaining_head = MemberChoiceField(
        label=_("New head of this household"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("Only when the current head leaves with the new household."),
    )
    code = forms.CharField(label=_("Code of the new household"), max_length=30)
    village = VillageChoiceField(
        label=_("Village / residential group of the new household"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        help_text=_("Empty: the same as this household's."),
    )
    address = forms.CharField(
        label=_("Address of the new household"),
        max_length=300,
        required=False,
        help_text=_("Empty: the same as this household's."),
    )
    on = _date_field(_("Split on"))

    field_order = ["members", "new_head", "remaining_head", "code", "village", "address", "on"]

    def __init__(self, *args, villages: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("members", "new_head", "remaining_head"):
            self.fields[name].queryset = self.current
        self.fields["village"].queryset = villages


class MergeForm(EventForm):
    other_code = forms.CharField(
        label=_("Code of the household that joins this one"),
        max_length=30,
        help_text=_("A household of the same ward; it is closed after the merge."),
    )
    on = _date_field(_("Merged on"))

    def other(self) -> Household | None:
        code = self.cleaned_data["other_code"].strip()
        return (
            Household.objects.select_related("unit", "head")
            .filter(unit=self.household.unit, code__iexact=code)
            .first()
        )


class HeadChangeForm(EventForm):
    new_head = MemberChoiceField(label=_("New head"), queryset=Member.objects.none())
    reason = forms.ChoiceField(label=_("Reason"), choices=HeadChangeReason.choices)
    on = _date_field()
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. the death certificate's number, the family's agreement."),
    )

    field_order = ["new_head", "reason", "on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_head"].queryset = self.current.exclude(pk=self.household.head_id)


class MemberLeavingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(k.value, k.label) for k in (EventKind.MEMBER_DIED, EventKind.MEMBER_MOVED_OUT)],
        widget=forms.RadioSelect,
    )
    on = _date_field()
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class MemberJoiningForm(MemberForm):
    """A birth (the date is the date of birth) or a person who joined."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[(k.value, k.label) for k in (EventKind.MEMBER_BORN, EventKind.MEMBER_JOINED)],
        widget=forms.RadioSelect,
    )
    on = _date_field(_("Date of birth or of joining"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["kind", "on", "full_name", "sex", "birth_year"])
        self.fields["birth_year"].required = False
        self.fields["birth_year"].help_text = _("Not needed for a birth: taken from the date.")
        del self.fields["birth_date"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == EventKind.MEMBER_JOINED and not data.get("birth_year"):
            self.add_error("birth_year", _("Enter the year of birth."))
        return data

    def event_data(self) -> dict:
        data = self.member_data()
        if data.get("kind") == EventKind.MEMBER_BORN:
            data.pop("birth_year", None)
        return data


class TransferForm(forms.Form):
    to_unit = UnitChoiceField(
        label=_("Receiving ward / commune"), queryset=AdministrativeUnit.objects.none()
    )
    moving_on = _date_field(_("The family moves on"))
    reason = forms.CharField(
        label=_("Reason for the move"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units


class TransferAcceptForm(forms.Form):
    code = forms.CharField(
        label=_("Household code in this ward"),
        max_length=30,
        help_text=_("Unique within the ward or commune."),
    )
    village = VillageChoiceField(
        label=_("Village / residential group"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
    )

    def __init__(self, *args, transfer: HouseholdTransfer, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["code"].initial = transfer.household.code


class TransferRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal"), widget=forms.Textarea(attrs={"rows": 3})
    )
