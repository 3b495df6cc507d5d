"""Pages of exit plans: create from proposals, plan page, action edit and status."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communes.forms import add_service_errors
from communes.history import change_history, merged
from communes.permissions import require
from communes.selectors import today
from households.selectors import get_household_or_404

from ..forms.plans import (
    ActionForm,
    ActionStatusForm,
    PlanEditForm,
    PlanForm,
    action_initial,
    plan_initial,
    status_initial,
)
from ..models import ActionStatus, ExitPlan, PlanAction, Responsibility, SupportType
from ..permissions import can_manage_plans, can_record_support, can_update_action
from ..plan_selectors import (
    assessment_targets,
    get_action_or_404,
    get_plan_or_404,
    household_visible,
    is_plan_basis,
    plan_actions,
    plan_basis,
    plan_start,
    progress_of,
    proposals_for,
    responsible_candidates,
    target_label,
)
from ..proposals import add_months
from ..services import plans as services

#: Default due date of an action added by hand.
DEFAULT_DUE_MONTHS = 6


def _proposal_rows(form: PlanForm, proposals, targets) -> list[dict]:
    """Each proposal with its checkbox and display labels (one query for support types)."""
    types = SupportType.objects.in_bulk()
    return [
        {
            "checkbox": checkbox,
            "proposal": proposal,
            "target": target_label(targets, proposal.target_kind, proposal.target_code),
            "support_type": types.get(proposal.support_type_id),
            "responsibility": Responsibility(proposal.responsibility).label,
        }
        for checkbox, proposal in zip(form["accept"].subwidgets, proposals, strict=True)
    ]


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = get_household_or_404(request.user, household_pk)
    require(can_manage_plans(request.user, household))
    basis = plan_basis(household)
    eligible = is_plan_basis(basis)
    year = today().year
    proposals = proposals_for(basis, plan_start(year)) if eligible else []
    initial = {"start_year": year, "end_year": year + 1, "target_exit_year": year + 1}
    form = PlanForm(request.POST or None, proposal_count=len(proposals), initial=initial)
    if form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Exit plan created."))
            return redirect(plan)
    targets = assessment_targets(basis) if eligible else []
    context = {"household": household, "basis": basis, "eligible": eligible, "form": form}
    context |= {"targets": targets, "rows": _proposal_rows(form, proposals, targets)}
    return render(request, "plans/plan_form.html", context)


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_or_404(request.user, pk)
    require(can_manage_plans(request.user, plan.household))
    form = PlanEditForm(request.POST or None, initial=plan_initial(plan))
    if form.is_valid():
        try:
            services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Exit plan saved."))
            return redirect(plan)
    context = {"household": plan.household, "plan": plan, "form": form}
    return render(request, "plans/plan_form.html", context)


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_or_404(request.user, pk, named=True)
    day = today()
    actions = plan_actions(plan)
    targets = assessment_targets(plan.based_on)
    for action in actions:
        action.target_label = target_label(targets, action.target_kind, action.target_code)
        action.is_overdue = action.is_overdue_on(day)
        action.can_update = can_update_action(request.user, action)
    context = {
        "plan": plan,
        "household": plan.household,
        "actions": actions,
        "targets": targets,
        "progress": progress_of(actions, day),
        "can_manage": can_manage_plans(request.user, plan.household),
        "household_visible": household_visible(request.user, plan.household),
        "history": plan_history(plan),
    }
    return render(request, "plans/plan_detail.html", context)


def plan_history(plan: ExitPlan) -> list:
    """Changes of the plan and of its actions, newest first."""
    return merged(
        change_history(
            ExitPlan,
            ExitPlan.history.filter(id=plan.pk),
            record_label=lambda row: _("Exit plan"),
        ),
        change_history(
            PlanAction,
            PlanAction.history.filter(plan_id=plan.pk),
            record_label=lambda row: row.description,
        ),
    )


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_or_404(request.user, pk)
    household = plan.household
    require(can_manage_plans(request.user, household))
    form = ActionForm(
        request.POST or None,
        targets=assessment_targets(plan.based_on),
        candidates=responsible_candidates(household),
        with_version=False,
        initial={
            "responsible": household.assigned_to_id,
            "due_date": add_months(today(), DEFAULT_DUE_MONTHS),
        },
    )
    if form.is_valid():
        try:
            services.action_add(actor=request.user, plan=plan, **form.action_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action added."))
            return redirect(plan)
    context = {"plan": plan, "household": household, "form": form}
    return render(request, "plans/action_form.html", context)


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_or_404(request.user, pk)
    plan = action.plan
    require(can_manage_plans(request.user, plan.household))
    form = ActionForm(
        request.POST or None,
        targets=assessment_targets(plan.based_on),
        candidates=responsible_candidates(plan.household, keep=action.responsible_id),
        with_version=True,
        initial=action_initial(action),
    )
    if form.is_valid():
        try:
            services.action_update(
                actor=request.user,
                action=action,
                version=form.cleaned_data["version"],
                **form.action_data(),
            )
        except ValidationError as error:
            # A StaleEdit lands at the top; the posted values stay in the form.
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action saved."))
            return redirect(plan)
    context = {"plan": plan, "household": plan.household, "action": action, "form": form}
    return render(request, "plans/action_form.html", context)


def _offers_support_record(user, action: PlanAction) -> bool:
    """A support action just done, with nothing in the ledger for it yet (issue 23)."""
    return (
        action.status == ActionStatus.DONE
        and action.support_type_id is not None
        and can_record_support(user, action.plan.household)
        and not action.support_records.exists()
    )


@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_or_404(request.user, pk)
    require(can_update_action(request.user, action))
    form = ActionStatusForm(request.POST or None, initial=status_initial(action))
    if form.is_valid():
        try:
            services.action_set_status(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Action updated: %(status)s.") % {"status": action.get_status_display()}
            )
            if _offers_support_record(request.user, action):
                messages.info(
                    request,
                    _(
                        "Record the support this action stands for: the form is filled in from "
                        "the action. Cancel if it was recorded elsewhere."
                    ),
                )
                url = reverse("plans:support_create", args=[action.plan.household_id])
                return redirect(f"{url}?action={action.pk}")
            return redirect(action.plan)
    targets = assessment_targets(action.plan.based_on)
    context = {
        "plan": action.plan,
        "household": action.plan.household,
        "action": action,
        "target": target_label(targets, action.target_kind, action.target_code),
        "form": form,
    }
    return render(request, "plans/action_status.html", context)
