"""The work list on the home page: what a ward officer, head or member has to do next.

Four kinds of item, each linking to the record (issue 23):

- my plan actions that are overdue or due within ``DUE_SOON_DAYS``;
- households waiting at each step of the open review rounds of the wards
  where the user runs or decides the review;
- poor and near-poor households nobody is assigned to, in the wards where
  the user assigns cases;
- regular-review applications overdue or near their decision deadline.

A fixed number of queries per ward in the user's scope (a ward user has one
or two wards); city roles get the dashboard without a work list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse

from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with
from households.models import Assessment, AssessmentStatus, ReviewKind, ReviewRound
from households.review_selectors import UNDECIDED, deadline_state
from plans.case_selectors import my_actions, unassigned_case_count
from plans.models import OPEN_ACTION_STATUSES, PlanAction

#: An action due within this many days is "due soon".
DUE_SOON_DAYS = 14
#: Items of one kind shown on the page (the counts cover them all).
SHOWN = 8
#: Steps at which a household waits for someone in the ward to act.
WAITING_STEPS = (
    AssessmentStatus.LISTED,
    AssessmentStatus.SURVEYED,
    AssessmentStatus.AGREED,
    AssessmentStatus.POSTED,
)


@dataclass
class StepCount:
    review_round: ReviewRound
    status: str
    label: str
    count: int

    @property
    def url(self) -> str:
        return f"{self.review_round.get_absolute_url()}#step-{self.status}"


@dataclass
class Unassigned:
    unit: AdministrativeUnit
    count: int

    @property
    def url(self) -> str:
        return reverse("plans:case_assign", args=[self.unit.pk]) + "?assigned=none"


@dataclass
class WorkList:
    overdue_actions: list[PlanAction] = field(default_factory=list)
    overdue_action_count: int = 0
    due_soon_actions: list[PlanAction] = field(default_factory=list)
    due_soon_action_count: int = 0
    review_steps: list[StepCount] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    applications: list[Assessment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.overdue_action_count
            + self.due_soon_action_count
            + sum(s.count for s in self.review_steps)
            + sum(u.count for u in self.unassigned)
            + len(self.applications)
        )

    @property
    def is_empty(self) -> bool:
        return self.total == 0


def _ward_ids(user, action: Action) -> list[int]:
    ids = unit_ids_with(user, action)
    return [] if ids is None else sorted(ids)


def work_list(user, day: datetime.date) -> WorkList:
    """The work list of ``user`` on ``day``."""
    work = WorkList()
    open_actions = my_actions(user).filter(status__in=OPEN_ACTION_STATUSES)
    overdue = open_actions.filter(due_date__lt=day)
    due_soon = open_actions.filter(
        due_date__gte=day, due_date__lte=day + datetime.timedelta(days=DUE_SOON_DAYS)
    )
    work.overdue_actions = list(overdue[:SHOWN])
    work.overdue_action_count = (
        overdue.count() if len(work.overdue_actions) == SHOWN else len(work.overdue_actions)
    )
    work.due_soon_actions = list(due_soon[:SHOWN])
    work.due_soon_action_count = (
        due_soon.count() if len(work.due_soon_actions) == SHOWN else len(work.due_soon_actions)
    )

    reviewing = sorted(
        set(_ward_ids(user, Action.RUN_REVIEW)) | set(_ward_ids(user, Action.DECIDE_REVIEW))
    )
    if reviewing:
        rounds = {
            r.pk: r
            for r in ReviewRound.objects.filter(
                unit_id__in=reviewing, closed_on__isnull=True
            ).select_related("unit")
        }
        waiting = (
            Assessment.objects.filter(round_id__in=rounds, status__in=WAITING_STEPS)
            .values("round_id", "status")
            .annotate(n=Count("pk"))
            .order_by("round_id", "status")
        )
        labels = dict(AssessmentStatus.choices)
        order = {status: k for k, status in enumerate(WAITING_STEPS)}
        steps = [
            StepCount(rounds[row["round_id"]], row["status"], labels[row["status"]], row["n"])
            for row in waiting
        ]
        steps.sort(key=lambda s: (-s.review_round.year, s.review_round.unit.name, order[s.status]))
        work.review_steps = steps

        regular = (
            Assessment.objects.filter(
                round__unit_id__in=reviewing,
                round__kind=ReviewKind.REGULAR,
                status__in=UNDECIDED,
                application_date__isnull=False,
            )
            .select_related("household__head", "round__unit")
            .order_by("application_date", "pk")
        )
        pressing = []
        for assessment in regular:
            state = deadline_state(assessment, day)
            if state:
                assessment.deadline_state = state
                pressing.append(assessment)
        work.applications = pressing

    assigning = _ward_ids(user, Action.ASSIGN_CASES)
    for unit in AdministrativeUnit.objects.filter(pk__in=assigning).order_by("name"):
        count = unassigned_case_count(unit)
        if count:
            work.unassigned.append(Unassigned(unit, count))
    return work
