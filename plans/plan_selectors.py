"""Scoped reads of exit plans and their actions: the only way views read them.

A plan is visible with its household (``households_for``); a committee
member also sees the plans in which they own an action, so they can report
on it even when the household is assigned to someone else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from communes.models import WARD_ROLES, Membership
from communes.permissions import Action, can_view_names, require, unit_ids_with
from communes.selectors import today
from communes.succession import SuccessionGraph
from households.models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Cause,
    Household,
    Indicator,
    PovertyStatus,
)
from households.selectors import households_for

from .models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ActionTemplate,
    ExitPlan,
    PlanAction,
    TargetKind,
)
from .proposals import ProposedAction, propose_actions

#: Statuses that get an exit plan.
PLAN_STATUSES = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)


# --- Scope ---------------------------------------------------------------------


def _own_actions_q(user, prefix: str = "") -> Q:
    units = unit_ids_with(user, Action.UPDATE_OWN_ACTIONS)
    own = Q(**{f"{prefix}responsible": user})
    if units is not None:
        own &= Q(**{f"{prefix}plan__household__unit_id__in": units})
    return own


def plans_for(user) -> QuerySet[ExitPlan]:
    """Plans of the households ``user`` sees, and those where they own an action."""
    if not user.is_authenticated:
        return ExitPlan.objects.none()
    own = PlanAction.objects.filter(_own_actions_q(user)).values("plan_id")
    return ExitPlan.objects.filter(Q(household__in=households_for(user)) | Q(pk__in=own))


def actions_for(user) -> QuerySet[PlanAction]:
    """Actions of the households ``user`` sees, and the actions they own."""
    if not user.is_authenticated:
        return PlanAction.objects.none()
    return PlanAction.objects.filter(
        Q(plan__household__in=households_for(user)) | _own_actions_q(user)
    )


def get_plan_or_404(user, pk: int, *, named: bool = False) -> ExitPlan:
    """The plan ``pk`` in scope, else 404; ``named``: 403 without the right to names."""
    plan = (
        plans_for(user)
        .select_related("household__unit", "household__head", "household__assigned_to", "based_on")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    if named:
        require(can_view_names(user, plan.household.unit))
    return plan


def get_action_or_404(user, pk: int, *, named: bool = False) -> PlanAction:
    """As ``get_plan_or_404``, for one action."""
    action = (
        actions_for(user)
        .select_related(
            "plan__household__unit",
            "plan__household__head",
            "plan__based_on",
            "responsible",
            "support_type",
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    if named:
        require(can_view_names(user, action.plan.household.unit))
    return action


def household_visible(user, household: Household) -> bool:
    return households_for(user).filter(pk=household.pk).exists()


# --- Basis of a plan -----------------------------------------------------------


def plan_basis(household: Household) -> Assessment | None:
    """The household's latest recognised decision (with a decided status).

    A plan is made from it only when that status is poor or near-poor: a
    household that has since exited gets no plan from an older decision.
    """
    return (
        Assessment.objects.filter(household=household, status=AssessmentStatus.RECOGNISED)
        .exclude(recorded_status="")
        .select_related("round__standard")
        .prefetch_related(
            Prefetch("deprivations", queryset=Indicator.objects.order_by("order", "code")),
            Prefetch("causes", queryset=AssessmentCause.objects.order_by("-is_primary", "code")),
        )
        .order_by("-year", "-pk")
        .first()
    )


def can_have_plan(household: Household) -> bool:
    """Whether the household's latest recognised decision is poor or near-poor (one query)."""
    latest = (
        Assessment.objects.filter(household=household, status=AssessmentStatus.RECOGNISED)
        .exclude(recorded_status="")
        .order_by("-year", "-pk")
        .values_list("recorded_status", flat=True)
        .first()
    )
    return latest in PLAN_STATUSES


def is_plan_basis(assessment: Assessment | None) -> bool:
    return assessment is not None and assessment.recorded_status in PLAN_STATUSES


@dataclass(frozen=True)
class Target:
    """A deprived indicator or a cause an action may address."""

    kind: str
    code: str
    label: str
    is_primary: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"


def assessment_targets(assessment: Assessment | None) -> list[Target]:
    """Deprived indicators (in the standard's order), then causes (primary first).

    Reads the assessment's ``deprivations`` and ``causes`` (prefetched by
    ``plan_basis``; two queries otherwise).
    """
    if assessment is None:
        return []
    targets = [
        Target(TargetKind.INDICATOR, indicator.code, indicator.name)
        for indicator in sorted(assessment.deprivations.all(), key=lambda i: (i.order, i.code))
    ]
    causes = sorted(assessment.causes.all(), key=lambda c: (not c.is_primary, c.code))
    targets += [
        Target(TargetKind.CAUSE, cause.code, cause.get_code_display(), cause.is_primary)
        for cause in causes
    ]
    return targets


def target_label(targets: list[Target], kind: str, code: str) -> str:
    for target in targets:
        if target.kind == kind and target.code == code:
            return target.label
    if kind == TargetKind.CAUSE and code in Cause.values:
        return Cause(code).label
    return code


def proposals_for(assessment: Assessment, start: datetime.date) -> list[ProposedAction]:
    """The action templates' proposals for ``assessment`` (one query for the templates)."""
    targets = assessment_targets(assessment)
    return propose_actions(
        deprived_codes=[t.code for t in targets if t.kind == TargetKind.INDICATOR],
        causes=[t.code for t in targets if t.kind == TargetKind.CAUSE],
        templates=list(ActionTemplate.objects.all()),
        start=start,
    )


def plan_start(start_year: int, day: datetime.date | None = None) -> datetime.date:
    """Due dates count from today, or from 1 January of a plan starting later."""
    day = day or today()
    return max(day, datetime.date(start_year, 1, 1))


# --- Actions and progress --------------------------------------------------------


def plan_actions(plan: ExitPlan) -> list[PlanAction]:
    """The plan's actions by due date, with responsible member and support type (one query)."""
    actions = list(
        plan.actions.select_related("responsible", "support_type").order_by("due_date", "pk")
    )
    for action in actions:
        action.plan = plan
    return actions


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    dropped: int
    open: int
    overdue: int

    @property
    def counted(self) -> int:
        """Actions that count towards progress: all but the dropped ones."""
        return self.total - self.dropped

    @property
    def pct_done(self) -> int:
        """Done actions as a whole percentage of the actions not dropped."""
        return round(100 * self.done / self.counted) if self.counted else 0


def progress_of(actions: list[PlanAction], day: datetime.date | None = None) -> Progress:
    day = day or today()
    statuses = [a.status for a in actions]
    return Progress(
        total=len(actions),
        done=statuses.count(ActionStatus.DONE),
        dropped=statuses.count(ActionStatus.DROPPED),
        open=sum(s in OPEN_ACTION_STATUSES for s in statuses),
        overdue=sum(a.is_overdue_on(day) for a in actions),
    )


def _progress_counts(day: datetime.date) -> dict:
    is_open = Q(actions__status__in=OPEN_ACTION_STATUSES)
    return {
        "n_total": Count("actions"),
        "n_done": Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
        "n_dropped": Count("actions", filter=Q(actions__status=ActionStatus.DROPPED)),
        "n_open": Count("actions", filter=is_open),
        "n_overdue": Count("actions", filter=is_open & Q(actions__due_date__lt=day)),
    }


def _progress_from(row) -> Progress:
    return Progress(
        total=row.n_total,
        done=row.n_done,
        dropped=row.n_dropped,
        open=row.n_open,
        overdue=row.n_overdue,
    )


def plan_progress(plan: ExitPlan, day: datetime.date | None = None) -> Progress:
    """Progress of one plan, counted in the database (one query)."""
    row = ExitPlan.objects.filter(pk=plan.pk).annotate(**_progress_counts(day or today())).get()
    return _progress_from(row)


def household_plans(household: Household, day: datetime.date | None = None) -> list[ExitPlan]:
    """The household's plans, newest first, each with ``progress`` (one query)."""
    plans = list(
        ExitPlan.objects.filter(household=household)
        .annotate(**_progress_counts(day or today()))
        .order_by("-start_year", "-pk")
    )
    for plan in plans:
        plan.progress = _progress_from(plan)
    return plans


# --- Who can be responsible ------------------------------------------------------


def responsible_candidates(
    household: Household, day: datetime.date | None = None, keep: int | None = None
):
    """Users with an active ward role in a committee whose scope covers the household's
    unit: its own committee, or the committee of a unit it became. ``keep``: a user
    to list anyway (an action's current owner who has since left)."""
    members = (
        Membership.objects.active_on(day or today())
        .filter(
            committee__unit_id__in=SuccessionGraph.load().lineage([household.unit_id]),
            role__in=WARD_ROLES,
        )
        .values("user_id")
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=members, is_active=True) | Q(pk=keep))
        .order_by("first_name", "last_name", "username")
    )
