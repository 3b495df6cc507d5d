"""Reads for the yearly review: household timelines, round pages, deadlines.

Views and templates read review data through these functions only; each
one runs a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from .models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Household,
    Indicator,
    PovertyStatus,
    ReviewKind,
    ReviewRound,
    StandardLevel,
)
from .models.years import HouseholdYear
from .rules import b_score
from .transitions import Transition

#: Steps at which an application is still waiting for the chair's decision.
UNDECIDED = (
    AssessmentStatus.LISTED,
    AssessmentStatus.SURVEYED,
    AssessmentStatus.AGREED,
    AssessmentStatus.POSTED,
)
#: Days before the deadline from which an application is shown as "due soon".
DEADLINE_WARNING_DAYS = 3


@dataclass(frozen=True)
class TimelineRow:
    """One assessment of a household, as the timeline shows it."""

    assessment: Assessment
    year: int
    kind: str
    kind_label: str
    step: str
    step_label: str
    national_status: str
    provincial_status: str
    b_score: int | None
    deprivations: list[Indicator] = field(default_factory=list)
    causes: list[AssessmentCause] = field(default_factory=list)
    transition: str | None = None
    #: The decision that stands in its year: the status on the list and the level of
    #: the standard that made the list (``HouseholdYear``); empty otherwise.
    list_status: str = ""
    list_level: str = ""

    @property
    def list_label(self) -> str:
        return PovertyStatus(self.list_status).label if self.list_status else ""

    @property
    def list_level_label(self) -> str:
        return StandardLevel(self.list_level).label if self.list_level else ""

    @property
    def transition_label(self) -> str:
        return Transition(self.transition).label if self.transition else ""

    @property
    def national_label(self) -> str:
        return PovertyStatus(self.national_status).label if self.national_status else ""

    @property
    def provincial_label(self) -> str:
        return PovertyStatus(self.provincial_status).label if self.provincial_status else ""

    @property
    def is_recognised(self) -> bool:
        return self.step == AssessmentStatus.RECOGNISED


def _with_details(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Assessments with round, standards, deprivations and causes: three queries."""
    return assessments.select_related(
        "round__standard", "round__provincial_standard", "unit"
    ).prefetch_related(
        Prefetch("deprivations", queryset=Indicator.objects.order_by("order", "code")),
        Prefetch("causes", queryset=AssessmentCause.objects.order_by("-is_primary", "code")),
    )


def household_timeline(household: Household) -> list[TimelineRow]:
    """Every assessment of ``household``, newest first, with its year-on-year transition.

    The transition is the one of the decision that stands in its year, read
    from ``HouseholdYear`` (the list-making standard's status against the year
    before); undecided, refused and overruled assessments carry none. Three queries.
    """
    decided = HouseholdYear.objects.filter(assessment=OuterRef("pk"))
    assessments = list(
        _with_details(Assessment.objects.filter(household=household))
        .annotate(
            year_transition=Subquery(decided.values("transition")[:1]),
            year_status=Subquery(decided.values("status")[:1]),
            year_list_level=Subquery(decided.values("list_level")[:1]),
        )
        .order_by("-year", "-pk")
    )
    rows = []
    for a in assessments:
        deprivations = list(a.deprivations.all())
        surveyed = a.surveyed_on is not None or bool(a.national_status)
        rows.append(
            TimelineRow(
                assessment=a,
                year=a.year,
                kind=a.round.kind,
                kind_label=a.round.get_kind_display(),
                step=a.status,
                step_label=a.get_status_display(),
                national_status=a.national_status,
                provincial_status=a.provincial_status,
                b_score=(
                    b_score(len(deprivations), a.round.standard.points_per_indicator)
                    if surveyed
                    else None
                ),
                deprivations=deprivations,
                causes=list(a.causes.all()),
                transition=a.year_transition or None,
                list_status=a.year_status or "",
                list_level=a.year_list_level or "",
            )
        )
    return rows


def assessment_with_details(assessment_id: int) -> Assessment:
    """One assessment with everything its page shows (household, head, standards, M2M)."""
    return _with_details(
        Assessment.objects.select_related("household__head", "household__village")
    ).get(pk=assessment_id)


@dataclass
class RoundStep:
    """The assessments of a round at one workflow step."""

    status: str
    label: str
    assessments: list[Assessment]

    @property
    def count(self) -> int:
        return len(self.assessments)


def round_overview(review_round: ReviewRound) -> list[RoundStep]:
    """The round's assessments grouped by workflow step, in workflow order. One query."""
    assessments = (
        Assessment.objects.filter(round=review_round)
        .select_related("household__head", "household__village")
        .order_by("household__code", "pk")
    )
    by_step: dict[str, list[Assessment]] = {s: [] for s in AssessmentStatus.values}
    for a in assessments:
        by_step[a.status].append(a)
    return [
        RoundStep(status=s, label=AssessmentStatus(s).label, assessments=by_step[s])
        for s in AssessmentStatus.values
    ]


def overdue_applications(
    unit_ids: Iterable[int] | None, today: datetime.date
) -> QuerySet[Assessment]:
    """Regular-round applications not decided yet whose 15-day deadline has passed.

    The deadline runs from the start of the monthly review that takes the
    application up (``Assessment.decision_deadline``). ``unit_ids`` ``None``
    means every unit (city level).
    """
    from .models.review import last_application_overdue_on

    overdue = Assessment.objects.filter(
        round__kind=ReviewKind.REGULAR,
        status__in=UNDECIDED,
        application_date__isnull=False,
        application_date__lte=last_application_overdue_on(today),
    )
    if unit_ids is not None:
        overdue = overdue.filter(round__unit_id__in=list(unit_ids))
    return overdue.select_related("household__head", "round__unit").order_by("application_date")


def deadline_state(assessment: Assessment, today: datetime.date) -> str | None:
    """``"overdue"``, ``"due_soon"`` or ``None`` for an undecided regular application."""
    deadline = assessment.decision_deadline
    if deadline is None or assessment.status not in UNDECIDED:
        return None
    if deadline < today:
        return "overdue"
    if (deadline - today).days <= DEADLINE_WARNING_DAYS:
        return "due_soon"
    return None


def open_rounds_of(unit_id: int) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.filter(unit_id=unit_id, closed_on__isnull=True).select_related(
        "standard", "provincial_standard"
    )
