"""Forms of the support ledger. They parse input; the services validate the rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from communes.forms import DateInput, model_field
from communes.models import AdministrativeUnit
from communes.text import fold
from households.models import Household, Member

from ..models import (
    FundingSource,
    InsuranceGroup,
    LoanStatus,
    PlanAction,
    SupportProgramme,
    SupportRecord,
    SupportType,
)


def _model_field(name: str, **kwargs) -> forms.Field:
    return model_field(SupportRecord, name, **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} ({obj.birth_year})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return obj.name


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SupportProgramme) -> str:
        mark = "" if obj.confirmed else f" ({_('unconfirmed')})"
        return f"{obj.support_type.name}: {obj.name}{mark}"


class SupportForm(forms.Form):
    """One support record for one household; ``conflict_reason`` appears on a conflict."""

    support_type = forms.ModelChoiceField(
        label=_("Support type"), queryset=SupportType.objects.order_by("order", "code")
    )
    member = MemberChoiceField(
        label=_("Member"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("For personal benefits: health insurance, tuition, study costs, training."),
    )
    given_on = _model_field("given_on", widget=DateInput())
    amount = forms.IntegerField(
        label=_("Amount (VND)"),
        required=False,
        help_text=_("Leave blank to use the default amount in force on that date."),
    )
    support_programme = ProgrammeChoiceField(
        label=_("Programme"),
        queryset=SupportProgramme.objects.select_related("support_type").order_by(
            "support_type__order", "order"
        ),
        required=False,
        help_text=_(
            "Loans: the VBSP programme (loans of different programmes may run at once). "
            "Housing: the programme whose decision sets the amount."
        ),
    )
    insurance_group = forms.ChoiceField(
        label=_("Insurance group"),
        choices=[("", _("The highest group the member is in")), *InsuranceGroup.choices],
        required=False,
        help_text=_("Health insurance cards: the group and the state's share are recorded."),
    )
    quantity = _model_field("quantity")
    period_start = _model_field("period_start", widget=DateInput())
    period_end = _model_field("period_end", widget=DateInput())
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=[("", "---------"), *FundingSource.choices]
    )
    programme = _model_field("programme")
    provider = _model_field("provider")
    legal_basis = _model_field("legal_basis")
    action = forms.ModelChoiceField(
        label=_("Plan action fulfilled"), queryset=PlanAction.objects.none(), required=False
    )
    loan_rate_pct = _model_field("loan_rate_pct")
    loan_term_months = _model_field("loan_term_months")
    loan_status = forms.ChoiceField(
        label=_("Repayment status"),
        choices=[("", "---------"), *LoanStatus.choices],
        required=False,
    )
    notes = _model_field("notes", widget=forms.Textarea(attrs={"rows": 2}))
    conflict_reason = forms.CharField(
        label=_("Reason to proceed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why this is not the same benefit twice (e.g. a second child, a replacement card)."
        ),
    )

    eligibility_reason = forms.CharField(
        label=_("Reason despite the household's list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. a social policy household named by the decision."),
    )

    LOAN_FIELDS = ("loan_rate_pct", "loan_term_months", "loan_status")
    REASON_FIELDS = ("conflict_reason", "eligibility_reason")

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["member"].queryset = household.members.filter(left_on__isnull=True).order_by(
            "birth_year", "pk"
        )
        self.fields["action"].queryset = PlanAction.objects.filter(
            plan__household=household
        ).select_related("plan")
        #: Records the last submission conflicted with (shown in a warning box).
        self.conflicts: list[SupportRecord] = []
        self.not_eligible = False

    def show_conflicts(self, records: list[SupportRecord]) -> None:
        self.conflicts = records
        self.fields["conflict_reason"].required = True

    def show_not_eligible(self) -> None:
        self.not_eligible = True
        self.fields["eligibility_reason"].required = True

    @property
    def shows_reason(self) -> bool:
        return bool(self.conflicts or self.data.get("conflict_reason"))

    @property
    def shows_eligibility_reason(self) -> bool:
        return bool(self.not_eligible or self.data.get("eligibility_reason"))

    def main_fields(self):
        skip = {*self.LOAN_FIELDS, *self.REASON_FIELDS}
        return [self[name] for name in self.fields if name not in skip]

    def loan_fields(self):
        return [self[name] for name in self.LOAN_FIELDS]


def support_initial(household: Household, action: PlanAction | None, today) -> dict:
    initial = {"given_on": today}
    if action is not None:
        initial |= {"action": action.pk, "support_type": action.support_type_id}
        # Support given as the action was done: on the day it was done.
        if action.completed_on:
            initial["given_on"] = action.completed_on
    return initial


class SupportFilterForm(forms.Form):
    """GET filters of the ledger; ``filter()`` applies them."""

    q = forms.CharField(
        label=_("Household"),
        required=False,
        max_length=100,
        help_text=_("Household code, or a member's name; accents are optional."),
    )
    unit = UnitChoiceField(
        label=_("Ward / commune"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("Any ward / commune"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    support_type = forms.ModelChoiceField(
        label=_("Support type"),
        queryset=SupportType.objects.order_by("order", "code"),
        required=False,
        empty_label=_("Any type"),
    )
    funding_source = forms.ChoiceField(
        label=_("Funding source"),
        choices=[("", _("Any source")), *FundingSource.choices],
        required=False,
    )

    def __init__(self, *args, units: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filter(self, records: QuerySet[SupportRecord]) -> QuerySet[SupportRecord]:
        if not self.is_valid():
            return records
        data = self.cleaned_data
        query = data["q"].strip()
        if query and fold(query):
            records = records.filter(
                Q(household__code__iexact=query) | Q(household__search_text__contains=fold(query))
            )
        if data["unit"]:
            records = records.filter(household__unit=data["unit"])
        if data["year"]:
            records = records.filter(given_on__year=data["year"])
        if data["support_type"]:
            records = records.filter(support_type=data["support_type"])
        if data["funding_source"]:
            records = records.filter(funding_source=data["funding_source"])
        return records

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)

    @property
    def chosen_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_valid() else None


class LoanStatusForm(forms.Form):
    loan_status = forms.ChoiceField(label=_("Repayment status"), choices=LoanStatus.choices)
