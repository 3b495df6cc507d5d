"""Scoped reads of case responsibility: who owns which household and action.

A *case* is a household assigned to a committee member
(``Household.assigned_to``); the member also owns plan actions
(``PlanAction.responsible``). Every read here is scoped through
``households_for``; each function runs a fixed number of queries whatever
the amount of data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, When
from django.http import Http404

from communes.models import WARD_ROLES, AdministrativeUnit, Membership, Role
from communes.selectors import today as current_day
from households.models import Assessment, AssessmentStatus, Household, PovertyStatus
from households.selectors import households_for

from .models import OPEN_ACTION_STATUSES, PlanAction
from .plan_selectors import actions_for

User = get_user_model()

#: The statuses a case list offers: households still to be brought out of poverty.
CASE_STATUSES = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)

_ROLE_ORDER = Case(
    When(role=Role.WARD_HEAD, then=0),
    When(role=Role.WARD_OFFICER, then=1),
    default=2,
    output_field=IntegerField(),
)


def with_latest_status(households: QuerySet[Household]) -> QuerySet[Household]:
    """Annotate ``recorded_status`` and ``status_year``: the latest recognised decision."""
    latest = (
        Assessment.objects.filter(household=OuterRef("pk"), status=AssessmentStatus.RECOGNISED)
        .exclude(recorded_status="")
        .order_by("-year", "-pk")
    )
    return households.annotate(
        recorded_status=Subquery(latest.values("recorded_status")[:1]),
        status_year=Subquery(latest.values("year")[:1]),
    )


def _open_actions_of(user) -> QuerySet[PlanAction]:
    return PlanAction.objects.filter(responsible=user, status__in=OPEN_ACTION_STATUSES)


# --- My cases ---------------------------------------------------------------------


def my_cases(user, today: datetime.date) -> list[Household]:
    """The households assigned to ``user`` that ``user`` may see, most urgent first.

    Each household carries ``recorded_status``/``status_year``,
    ``open_action_count``, ``overdue_action_count`` and ``open_actions``:
    the user's open actions on it by due date (so the overdue ones come
    first), each with ``is_overdue``. Order: households with overdue actions
    (earliest due first), then with other open actions, then the rest.
    Two queries.
    """
    mine = Q(plans__actions__responsible=user, plans__actions__status__in=OPEN_ACTION_STATUSES)
    overdue = mine & Q(plans__actions__due_date__lt=today)
    households = list(
        with_latest_status(households_for(user).filter(assigned_to=user))
        .select_related("unit", "village", "head")
        .annotate(
            open_action_count=Count("plans__actions", filter=mine),
            overdue_action_count=Count("plans__actions", filter=overdue),
            first_due=Min("plans__actions__due_date", filter=mine),
        )
        .annotate(
            urgency=Case(
                When(overdue_action_count__gt=0, then=0),
                When(open_action_count__gt=0, then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", "first_due", "code", "pk")
    )
    by_household: dict[int, list[PlanAction]] = {h.pk: [] for h in households}
    actions = (
        _open_actions_of(user)
        .filter(plan__household_id__in=by_household)
        .select_related("plan")
        .order_by("due_date", "pk")
    )
    for action in actions:
        action.is_overdue = action.is_overdue_on(today)
        by_household[action.plan.household_id].append(action)
    for household in households:
        household.open_actions = by_household[household.pk]
    return households


def my_actions(user) -> QuerySet[PlanAction]:
    """Plan actions ``user`` is responsible for, in units where they hold a ward role.

    A member sees the actions they own even on households assigned to
    someone else (the same rule as ``plan_selectors.actions_for``).
    """
    return (
        actions_for(user)
        .filter(responsible=user)
        .select_related("plan__household__head", "plan__household__unit")
        .order_by("due_date", "pk")
    )


def my_other_open_actions(user, today: datetime.date) -> list[PlanAction]:
    """Open actions of ``user`` on households *not* assigned to them."""
    actions = list(
        my_actions(user)
        .filter(status__in=OPEN_ACTION_STATUSES)
        .exclude(plan__household__assigned_to=user)
    )
    for action in actions:
        action.is_overdue = action.is_overdue_on(today)
    return actions


# --- Members of a ward -------------------------------------------------------------


def _ward_memberships(unit: AdministrativeUnit, on: datetime.date) -> QuerySet[Membership]:
    return Membership.objects.active_on(on).filter(committee__unit=unit, role__in=WARD_ROLES)


def assignable_members(unit: AdministrativeUnit, on: datetime.date | None = None) -> QuerySet:
    """Active users holding an active ward role in the committee of ``unit``."""
    memberships = _ward_memberships(unit, on or current_day())
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by(
        "last_name", "first_name", "username"
    )


def is_assignable(user, unit: AdministrativeUnit, on: datetime.date | None = None) -> bool:
    return assignable_members(unit, on).filter(pk=user.pk).exists()


@dataclass(frozen=True)
class MemberLoad:
    user: object
    role: str
    role_label: str
    cases: int
    open_actions: int
    overdue_actions: int


def member_load(unit: AdministrativeUnit, today: datetime.date) -> list[MemberLoad]:
    """Each active ward-role member of ``unit``'s committee with their load in ``unit``.

    Cases: households of ``unit`` assigned to them; open and overdue actions:
    their actions on households of ``unit``. Counted in the database, two
    queries whatever the number of members.
    """
    memberships = (
        _ward_memberships(unit, today)
        .select_related("user")
        .annotate(
            role_rank=_ROLE_ORDER,
            cases=Count(
                "user__assigned_households", filter=Q(user__assigned_households__unit=unit)
            ),
        )
        .order_by("role_rank", "user__last_name", "user__first_name", "user__username")
    )
    memberships = list(memberships)
    counts = {
        row["responsible"]: row
        for row in PlanAction.objects.filter(
            responsible__in=[m.user_id for m in memberships],
            status__in=OPEN_ACTION_STATUSES,
            plan__household__unit=unit,
        )
        .values("responsible")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    }
    loads, seen = [], set()
    for membership in memberships:
        if membership.user_id in seen:  # two active memberships: show the higher role once
            continue
        seen.add(membership.user_id)
        row = counts.get(membership.user_id, {})
        loads.append(
            MemberLoad(
                user=membership.user,
                role=membership.role,
                role_label=membership.get_role_display(),
                cases=membership.cases,
                open_actions=row.get("open", 0),
                overdue_actions=row.get("overdue", 0),
            )
        )
    return loads


# --- Assignment ---------------------------------------------------------------------


def case_candidates(user, unit: AdministrativeUnit) -> QuerySet[Household]:
    """Households of ``unit`` (visible to ``user``) whose latest recognised status
    is poor or near-poor, with head, village and assignee."""
    return (
        with_latest_status(households_for(user).filter(unit=unit))
        .filter(recorded_status__in=CASE_STATUSES)
        .select_related("village", "head", "assigned_to")
    )


def unassigned_case_count(unit: AdministrativeUnit) -> int:
    """Poor and near-poor households of ``unit`` that nobody owns (one query)."""
    return (
        with_latest_status(Household.objects.filter(unit=unit, assigned_to__isnull=True))
        .filter(recorded_status__in=CASE_STATUSES)
        .count()
    )


def visible_households_or_404(user, ids: Iterable[int]) -> list[Household]:
    """The households ``ids``, all of them visible to ``user``, else 404."""
    wanted = set(ids)
    households = list(
        households_for(user).filter(pk__in=wanted).select_related("unit").order_by("pk")
    )
    if len(households) != len(wanted):
        raise Http404
    return households
