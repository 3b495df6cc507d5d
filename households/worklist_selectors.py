"""Reads of the offline field survey: open rounds, villages and a village's worklist.

The phone downloads a worklist once and surveys offline; everything it needs
to show the survey page's questions (the standard's indicators with their
help texts, the members' facts, the suggestions the survey page makes) comes
from here, scoped exactly like the pages: only rounds of units where the
user runs the review, only households the user may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with

from .models import Assessment, AssessmentStatus, Household, Indicator, Member, ReviewRound
from .selectors import assessments_for, rounds_for
from .suggest import suggest_deprivations

#: Steps at which the survey can still be (re)recorded (the service's rule).
SURVEYABLE = (AssessmentStatus.LISTED, AssessmentStatus.SURVEYED)


def survey_rounds_for(user) -> QuerySet[ReviewRound]:
    """Open rounds of the units where ``user`` runs the review."""
    rounds = rounds_for(user).filter(closed_on__isnull=True)
    allowed = unit_ids_with(user, Action.RUN_REVIEW)
    return rounds if allowed is None else rounds.filter(unit_id__in=allowed)


def round_villages(user, review_round: ReviewRound) -> list[dict]:
    """The villages of a round's households the user sees, with how many are surveyable."""
    rows = (
        assessments_for(user)
        .filter(round=review_round, household__village__isnull=False)
        .values("household__village")
        .annotate(households=Count("pk"), to_survey=Count("pk", filter=Q(status__in=SURVEYABLE)))
    )
    counts = {row["household__village"]: row for row in rows}
    villages = AdministrativeUnit.objects.filter(pk__in=counts).order_by("code")
    return [
        {
            "id": village.pk,
            "code": village.code,
            "name": village.name,
            "households": counts[village.pk]["households"],
            "to_survey": counts[village.pk]["to_survey"],
        }
        for village in villages
    ]


@dataclass
class WorklistEntry:
    assessment: Assessment
    household: Household
    members: list[Member]
    last_assessment: Assessment | None
    suggestions: dict[str, str] = field(default_factory=dict)


def worklist(
    user, review_round: ReviewRound, village: AdministrativeUnit, on: datetime.date
) -> list[WorklistEntry]:
    """The assessments of ``review_round`` in ``village`` that can still be surveyed.

    Each with its household, current members (ages on ``on``), the household's
    previous assessment and the deprivations its members' facts suggest on
    ``on`` (as the survey page suggests them). A fixed number of queries.
    """
    previous = Assessment.objects.filter(
        household=OuterRef("household_id"), year__lt=OuterRef("year")
    )
    assessments = list(
        assessments_for(user)
        .filter(round=review_round, household__village=village, status__in=SURVEYABLE)
        .select_related("household__head", "household__unit", "household__village")
        .prefetch_related(
            "deprivations",
            "causes",
            Prefetch(
                "household__members",
                queryset=Member.objects.filter(left_on__isnull=True).order_by("birth_year", "pk"),
                to_attr="current_members",
            ),
        )
        .annotate(
            previous_id=Subquery(previous.order_by("-year", "-pk").values("pk")[:1]),
        )
        .order_by("household__code", "pk")
    )
    last = Assessment.objects.in_bulk([a.previous_id for a in assessments if a.previous_id])
    codes = set(review_round.standard.indicators.values_list("code", flat=True))
    entries = []
    for assessment in assessments:
        household = assessment.household
        members = household.current_members
        entries.append(
            WorklistEntry(
                assessment=assessment,
                household=household,
                members=members,
                last_assessment=last.get(assessment.previous_id),
                suggestions=suggest_deprivations(
                    members,
                    on=on,
                    indicator_codes=codes,
                    rule_type=review_round.standard.rule_type,
                ),
            )
        )
    return entries


def standard_indicators(review_round: ReviewRound) -> list[Indicator]:
    return list(review_round.standard.indicators.order_by("order", "code"))
