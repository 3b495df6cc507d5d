"""Forms of the follow-up after exit. They parse input; the service validates the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communes.forms import DateInput
from households.models import Indicator

from ..followup import FollowUp, Risk
from ..models import SupportRecord


class FollowUpFilterForm(forms.Form):
    """GET filters of the follow-up list; ``filter()`` applies them to the computed list."""

    village = forms.TypedChoiceField(
        label=_("Village"), required=False, coerce=int, empty_value=None
    )
    risk = forms.ChoiceField(
        label=_("Warning"), choices=[("", _("Any")), *Risk.choices], required=False
    )
    assigned = forms.TypedChoiceField(
        label=_("Committee member"), required=False, coerce=int, empty_value=None
    )
    due = forms.BooleanField(label=_("Check of this year not done"), required=False)

    def __init__(self, *args, followups: list[FollowUp], **kwargs):
        super().__init__(*args, **kwargs)
        villages = {f.household.village for f in followups if f.household.village_id}
        self.fields["village"].choices = [
            ("", _("Any village")),
            *((v.pk, v.name) for v in sorted(villages, key=lambda v: v.name)),
        ]
        members = {f.household.assigned_to for f in followups if f.household.assigned_to_id}
        self.fields["assigned"].choices = [
            ("", _("Anyone")),
            *(
                (m.pk, m.get_full_name() or m.username)
                for m in sorted(members, key=lambda m: m.get_full_name() or m.username)
            ),
        ]

    def filter(self, followups: list[FollowUp]) -> list[FollowUp]:
        if not self.is_valid():
            return followups
        data = self.cleaned_data
        if data["village"]:
            followups = [f for f in followups if f.household.village_id == data["village"]]
        if data["risk"]:
            followups = [f for f in followups if f.risk == data["risk"]]
        if data["assigned"]:
            followups = [f for f in followups if f.household.assigned_to_id == data["assigned"]]
        if data["due"]:
            followups = [f for f in followups if f.check_due]
        return followups


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return obj.name


class SupportChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SupportRecord) -> str:
        who = f" – {obj.member.full_name}" if obj.member_id else ""
        return f"{obj.support_type.name}{who} ({obj.covered_from:%d/%m/%Y}–{obj.covered_until:%d/%m/%Y})"


class FollowUpCheckForm(forms.Form):
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput())
    income_per_capita = forms.IntegerField(
        label=_("Income per person per month (VND)"), min_value=0
    )
    deprivations = IndicatorChoiceField(
        label=_("Deprivations found at the check"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Marked “before exit”: the deprivations of its last decision on the list."),
    )
    serious_illness = forms.BooleanField(
        label=_("A member is seriously ill or had an accident"), required=False
    )
    job_loss = forms.BooleanField(label=_("A member lost their job or main income"), required=False)
    running_support = SupportChoiceField(
        label=_("Support still running"),
        queryset=SupportRecord.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, followup: FollowUp, support: list[SupportRecord], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deprivations"].queryset = Indicator.objects.filter(
            standard_id=followup.exit.round.standard_id
        ).order_by("order", "code")
        self.fields["running_support"].queryset = SupportRecord.objects.filter(
            pk__in=[r.pk for r in support]
        ).select_related("support_type", "member")
        listed = followup.listed_before
        self.had_before = {i.pk for i in listed.deprivations.all()} if listed else set()
