"""Reads for the submissions of yearly results: who submitted, who is late.

A fixed number of queries whatever the number of units: one per reporting
line to compute its scope, plus the units, rounds and submissions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404

from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with
from communes.selectors import unit_scope_ids
from communes.succession import SuccessionGraph

from .models import ReportingLine, ResultSubmission, ReviewRound, SubmissionStatus


@dataclass
class SubmissionRow:
    unit: AdministrativeUnit
    submission: ResultSubmission | None
    line: ReportingLine | None
    deadline: datetime.date | None
    state: str  # submitted | submitted_late | returned | late | pending | no_line

    @property
    def is_late(self) -> bool:
        return self.state in ("late", "submitted_late")


def lines_with_scopes(on: datetime.date) -> list[tuple[ReportingLine, set[int]]]:
    """Reporting lines valid on ``on``, latest start first, each with the units it covers."""
    graph = SuccessionGraph.load()
    lines = [line for line in ReportingLine.objects.select_related("upper") if line.is_valid_on(on)]
    lines.sort(key=lambda li: li.valid_from or datetime.date.min, reverse=True)
    return [(line, unit_scope_ids(line.upper_id, graph)) for line in lines]


def line_for(unit_id: int, lines: list[tuple[ReportingLine, set[int]]]) -> ReportingLine | None:
    return next((line for line, scope in lines if unit_id in scope), None)


def _state(submission, deadline, today) -> str:
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        if deadline and submission.submitted_at.date() > deadline:
            return "submitted_late"
        return "submitted"
    if deadline and today > deadline:
        return "late"
    if submission is not None:
        return "returned"
    return "pending"


def submission_overview(user, year: int, today: datetime.date) -> list[SubmissionRow]:
    """Every ward/commune in ``user``'s scope that reports ``year``, with its submission.

    The units reporting a year: those existing on 31/12 of the year, and any
    other that ran a review that year or submitted for it.
    """
    scope = unit_ids_with(user, Action.VIEW_SUBMISSIONS)
    year_end = datetime.date(year, 12, 31)
    submissions = {
        s.unit_id: s
        for s in ResultSubmission.objects.filter(year=year).select_related(
            "submitted_by", "returned_by", "upper"
        )
    }
    reviewed = set(ReviewRound.objects.filter(year=year).values_list("unit_id", flat=True))
    units = AdministrativeUnit.objects.grassroots()
    if scope is not None:
        units = units.filter(pk__in=scope)
    units = [
        u
        for u in units.order_by("name")
        if u.is_valid_on(year_end) or u.pk in reviewed or u.pk in submissions
    ]
    lines = lines_with_scopes(year_end)
    rows = []
    for unit in units:
        line = line_for(unit.pk, lines)
        deadline = line.deadline_for(year) if line else None
        submission = submissions.get(unit.pk)
        state = _state(submission, deadline, today) if line else "no_line"
        rows.append(SubmissionRow(unit, submission, line, deadline, state))
    return rows


def get_submission_or_404(user, pk: int) -> ResultSubmission:
    scope = unit_ids_with(user, Action.VIEW_SUBMISSIONS)
    submissions = ResultSubmission.objects.select_related(
        "unit", "upper", "submitted_by", "returned_by"
    )
    if scope is not None:
        submissions = submissions.filter(unit_id__in=scope)
    submission = submissions.filter(pk=pk).first()
    if submission is None:
        raise Http404
    return submission
