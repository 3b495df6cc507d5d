"""Forms of exit plans and their actions. They parse input; the services validate."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communes.forms import DateInput, model_field

from ..models import ActionStatus, ExitPlan, PlanAction, SupportType, TargetKind
from ..plan_selectors import Target


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


# --- Plans -----------------------------------------------------------------------


class PlanForm(forms.Form):
    """A new plan: its years, notes and which proposed actions to accept."""

    start_year = model_field(ExitPlan, "start_year")
    end_year = model_field(ExitPlan, "end_year")
    target_exit_year = model_field(ExitPlan, "target_exit_year")
    notes = model_field(ExitPlan, "notes", widget=forms.Textarea(attrs={"rows": 3}))
    accept = forms.TypedMultipleChoiceField(
        label=_("Proposed actions"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick what does not fit; you can edit and add actions once the plan exists."),
    )

    def __init__(self, *args, proposal_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(i, str(i)) for i in range(proposal_count)]
        self.fields["accept"].choices = choices
        if not self.is_bound:
            self.initial.setdefault("accept", [i for i, _label in choices])


class PlanEditForm(forms.Form):
    start_year = model_field(ExitPlan, "start_year")
    end_year = model_field(ExitPlan, "end_year")
    target_exit_year = model_field(ExitPlan, "target_exit_year")
    notes = model_field(ExitPlan, "notes", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


def plan_initial(plan: ExitPlan) -> dict:
    return {
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "target_exit_year": plan.target_exit_year,
        "notes": plan.notes,
        "version": plan.version,
    }


# --- Actions ------------------------------------------------------------------------


class ActionForm(forms.Form):
    """What an action is, who owns it and when it is due.

    ``target_code`` carries "kind:code" ("indicator:housing_quality"); the
    choices are the plan assessment's deprivations and causes.
    """

    target_code = forms.ChoiceField(label=_("Addresses"))
    description = model_field(PlanAction, "description")
    support_type = forms.ModelChoiceField(
        label=_("Support type"), queryset=SupportType.objects.all(), required=False
    )
    responsibility = model_field(PlanAction, "responsibility")
    responsible = UserChoiceField(
        label=_("Responsible committee member"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        help_text=_("A member of this ward's steering committee."),
    )
    due_date = model_field(PlanAction, "due_date", widget=DateInput())

    def __init__(
        self, *args, targets: list[Target], candidates: QuerySet, with_version: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        groups = {TargetKind.INDICATOR: [], TargetKind.CAUSE: []}
        for target in targets:
            groups[target.kind].append((target.key, target.label))
        self.fields["target_code"].choices = [
            ("", "---------"),
            *((TargetKind(kind).label, options) for kind, options in groups.items() if options),
        ]
        self.fields["responsible"].queryset = candidates
        if with_version:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)

    def action_data(self) -> dict:
        """Cleaned data in the services' terms (target split into kind and code)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["target_kind"], _sep, data["target_code"] = data["target_code"].partition(":")
        return data


def action_initial(action: PlanAction) -> dict:
    return {
        "target_code": f"{action.target_kind}:{action.target_code}",
        "description": action.description,
        "support_type": action.support_type_id,
        "responsibility": action.responsibility,
        "responsible": action.responsible_id,
        "due_date": action.due_date,
        "version": action.version,
    }


class ActionStatusForm(forms.Form):
    # "Status" alone is a household's classification ("Phân loại") in Vietnamese.
    status = forms.ChoiceField(
        label=pgettext_lazy("plan action progress", "Status"),
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
    )
    completed_on = model_field(
        PlanAction,
        "completed_on",
        widget=DateInput(),
        help_text=_("When done: the day it was done (default today)."),
    )
    outcome = model_field(
        PlanAction,
        "outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was achieved, e.g. the card number or the amount of the loan."),
    )
    dropped_reason = model_field(
        PlanAction,
        "dropped_reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the action is dropped."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def status_initial(action: PlanAction) -> dict:
    return {
        "status": action.status,
        "completed_on": action.completed_on,
        "outcome": action.outcome,
        "dropped_reason": action.dropped_reason,
        "version": action.version,
    }
