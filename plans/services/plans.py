"""Writes to exit plans and their actions.

Every service checks the actor's right (``PermissionDenied``), validates
(``ValidationError`` keyed by the form field names), writes in one
transaction and attributes the history record to the actor. Edits of a
plan or an action carry the ``version`` the form was rendered with; a stale
one raises ``StaleEdit`` and saves nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communes.models import WARD_ROLES
from communes.permissions import require
from communes.selectors import today, user_scope
from households.models import Household
from households.services.common import claim_version, with_actor

from ..models import ActionStatus, ExitPlan, PlanAction, SupportType
from ..permissions import can_manage_plans, can_update_action
from ..plan_selectors import (
    assessment_targets,
    is_plan_basis,
    plan_basis,
    plan_start,
    proposals_for,
)

#: Plan fields an edit may change.
PLAN_FIELDS = ("start_year", "end_year", "target_exit_year", "notes")
#: Action fields a manager's edit may change (status has its own service).
ACTION_FIELDS = (
    "target_kind",
    "target_code",
    "description",
    "support_type",
    "responsible",
    "responsibility",
    "due_date",
)
#: Plans are made for the current standard's era; earlier years are typos.
FIRST_PLAN_YEAR = 2016
#: How far ahead a plan may reach.
MAX_PLAN_YEARS = 10


def _check_unknown(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")


# --- Validation ----------------------------------------------------------------


def _check_years(plan: ExitPlan) -> None:
    errors = {}
    if not FIRST_PLAN_YEAR <= plan.start_year <= today().year + 1:
        errors["start_year"] = _("Enter a year between %(first)s and %(last)s.") % {
            "first": FIRST_PLAN_YEAR,
            "last": today().year + 1,
        }
    elif plan.end_year < plan.start_year:
        errors["end_year"] = _("The plan cannot end before it starts.")
    elif plan.end_year > plan.start_year + MAX_PLAN_YEARS:
        errors["end_year"] = _("A plan covers at most %(n)s years.") % {"n": MAX_PLAN_YEARS}
    elif not plan.start_year <= plan.target_exit_year <= plan.end_year:
        errors["target_exit_year"] = _("The target exit year must lie within the plan's years.")
    if errors:
        raise ValidationError(errors)
    clash = ExitPlan.objects.filter(household_id=plan.household_id, start_year=plan.start_year)
    if plan.pk:
        clash = clash.exclude(pk=plan.pk)
    if clash.exists():
        raise ValidationError(
            {
                "start_year": _("This household already has a plan starting in %(year)s.")
                % {"year": plan.start_year}
            }
        )


def _check_target(plan: ExitPlan, target_kind: str, target_code: str) -> None:
    """The action must address a deprivation or a cause found by the plan's assessment."""
    allowed = {(t.kind, t.code) for t in assessment_targets(plan.based_on)}
    if (target_kind, target_code) not in allowed:
        raise ValidationError(
            {
                "target_code": _(
                    "Choose a deprived indicator or a cause of poverty recorded in the "
                    "assessment this plan is based on."
                )
            }
        )


def _check_responsible(household: Household, responsible) -> None:
    """Only members of the household's ward committee (or of the committee of a
    predecessor or successor ward) can own an action."""
    if responsible is None:
        return
    scope = user_scope(responsible)
    ward_role = bool(scope.roles_for(household.unit_id) & set(WARD_ROLES))
    if not (responsible.is_active and scope.covers(household.unit_id) and ward_role):
        raise ValidationError(
            {"responsible": _("Only members of this ward's committee can be responsible.")}
        )


def _validate_action(action: PlanAction) -> None:
    action.description = action.description.strip()
    action.full_clean(exclude=["plan"], validate_unique=False, validate_constraints=False)


# --- Plans -------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor,
    household: Household,
    start_year: int,
    end_year: int,
    target_exit_year: int,
    notes: str = "",
    accept: list[int] | None = None,
) -> ExitPlan:
    """A plan from the household's latest recognised decision, with the accepted
    proposals (indexes into ``proposals_for``; ``None``: all) as its actions, owned
    by the member the household is assigned to."""
    require(can_manage_plans(actor, household))
    basis = plan_basis(household)
    if not is_plan_basis(basis):
        raise ValidationError(
            _(
                "Only poor and near-poor households get an exit plan: this household's "
                "latest recognised decision does not classify it as poor or near-poor."
            )
        )
    plan = ExitPlan(
        household=household,
        based_on=basis,
        start_year=start_year,
        end_year=end_year,
        target_exit_year=target_exit_year,
        notes=notes.strip(),
        created_by=actor,
    )
    _check_years(plan)
    proposals = proposals_for(basis, plan_start(start_year))
    chosen = range(len(proposals)) if accept is None else sorted(set(accept))
    if any(not 0 <= index < len(proposals) for index in chosen):
        raise ValidationError({"accept": _("Choose among the proposed actions.")})
    with_actor(plan, actor).save()
    for index in chosen:
        proposal = proposals[index]
        action = PlanAction(
            plan=plan,
            target_kind=proposal.target_kind,
            target_code=proposal.target_code,
            description=proposal.description,
            support_type_id=proposal.support_type_id,
            responsibility=proposal.responsibility,
            responsible=household.assigned_to,
            due_date=proposal.due_date,
        )
        with_actor(action, actor).save()
    return plan


@transaction.atomic
def plan_update(*, actor, plan: ExitPlan, version: int | None, **fields) -> ExitPlan:
    """Change the plan's years or notes."""
    require(can_manage_plans(actor, plan.household))
    _check_unknown(fields, PLAN_FIELDS)
    try:
        for name, value in fields.items():
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
        _check_years(plan)
        claim_version(plan, version)
    except ValidationError:
        plan.refresh_from_db()
        raise
    with_actor(plan, actor).save()
    return plan


# --- Actions -------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    actor,
    plan: ExitPlan,
    target_kind: str,
    target_code: str,
    description: str,
    support_type: SupportType | None,
    responsibility: str,
    responsible,
    due_date: datetime.date,
) -> PlanAction:
    """An action addressing one of the plan's deprivations or causes."""
    household = plan.household
    require(can_manage_plans(actor, household))
    _check_target(plan, target_kind, target_code)
    _check_responsible(household, responsible)
    action = PlanAction(
        plan=plan,
        target_kind=target_kind,
        target_code=target_code,
        description=description,
        support_type=support_type,
        responsibility=responsibility,
        responsible=responsible,
        due_date=due_date,
    )
    _validate_action(action)
    with_actor(action, actor).save()
    return action


@transaction.atomic
def action_update(*, actor, action: PlanAction, version: int | None, **fields) -> PlanAction:
    """Change what an action is, who owns it and when it is due (heads and officers)."""
    household = action.plan.household
    require(can_manage_plans(actor, household))
    _check_unknown(fields, ACTION_FIELDS)
    try:
        old_responsible = action.responsible_id
        for name, value in fields.items():
            setattr(action, name, value)
        _check_target(action.plan, action.target_kind, action.target_code)
        if action.responsible_id != old_responsible:
            _check_responsible(household, action.responsible)
        _validate_action(action)
        claim_version(action, version)
    except ValidationError:
        action.refresh_from_db()
        raise
    with_actor(action, actor).save()
    return action


@transaction.atomic
def action_set_status(
    *,
    actor,
    action: PlanAction,
    version: int | None,
    status: str,
    outcome: str = "",
    dropped_reason: str = "",
    completed_on: datetime.date | None = None,
) -> PlanAction:
    """Report on an action: the responsible member, or a head or officer.

    Done records the day (default today); dropped needs the reason.
    """
    require(can_update_action(actor, action))
    dropped_reason = dropped_reason.strip()
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == ActionStatus.DROPPED and not dropped_reason:
        raise ValidationError({"dropped_reason": _("Give the reason for dropping the action.")})
    if status == ActionStatus.DONE:
        completed_on = completed_on or today()
        if completed_on > today():
            raise ValidationError(
                {"completed_on": _("The day it was done cannot be in the future.")}
            )
    else:
        completed_on = None
    try:
        claim_version(action, version)
    except ValidationError:
        action.refresh_from_db()
        raise
    action.status = status
    action.outcome = outcome.strip()
    action.dropped_reason = dropped_reason if status == ActionStatus.DROPPED else ""
    action.completed_on = completed_on
    with_actor(action, actor).save()
    return action
