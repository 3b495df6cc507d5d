"""Submitting a ward's yearly results upward, the lock, and sending them back.

``ensure_results_open`` is the one lock check: every service that writes
review results of a unit and year calls it before saving (the review
services in their save path, the village meetings here). While a unit's
results of a year are submitted, nothing of them changes until the level
above sends them back with a reason (kept in the submission's history).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.permissions import require
from communes.selectors import today

from ..models import (
    Assessment,
    AssessmentStatus,
    PovertyStatus,
    ReportingLine,
    ResultSubmission,
    ReviewRound,
    SubmissionStatus,
)
from ..permissions import can_reopen_results, can_submit_results
from ..submission_selectors import line_for, lines_with_scopes
from .common import claim_version, with_actor

UNDECIDED = (
    AssessmentStatus.LISTED,
    AssessmentStatus.SURVEYED,
    AssessmentStatus.AGREED,
    AssessmentStatus.POSTED,
)


def ensure_results_open(*, unit_id: int, year: int) -> None:
    """Raise ``ValidationError`` if ``unit_id``'s results of ``year`` are submitted (locked)."""
    submission = (
        ResultSubmission.objects.filter(
            unit_id=unit_id, year=year, status=SubmissionStatus.SUBMITTED
        )
        .select_related("unit", "upper")
        .first()
    )
    if submission is not None:
        raise ValidationError(
            _(
                "The %(year)s results of %(unit)s were submitted to %(upper)s on %(date)s and "
                "are locked: ask %(upper)s to send them back before changing them."
            )
            % {
                "year": year,
                "unit": submission.unit.name,
                "upper": submission.upper.name,
                "date": timezone.localtime(submission.submitted_at).strftime("%d/%m/%Y"),
            }
        )


def reporting_line_for(unit: AdministrativeUnit, on: datetime.date) -> ReportingLine | None:
    """The line valid on ``on`` whose upper unit's scope covers ``unit`` (None: not set up).

    When several match, the one with the latest start wins (a later period's
    routing overrides an open-ended default).
    """
    return line_for(unit.pk, lines_with_scopes(on))


def undecided_count(unit: AdministrativeUnit, year: int) -> int:
    return Assessment.objects.filter(round__unit=unit, year=year, status__in=UNDECIDED).count()


def result_summary(unit: AdministrativeUnit, year: int) -> dict:
    """Households of the unit's ``year`` review: recognised per status, and refused."""
    recognised = Q(status=AssessmentStatus.RECOGNISED)
    listed = [PovertyStatus.POOR, PovertyStatus.NEAR_POOR]
    return Assessment.objects.filter(round__unit=unit, year=year).aggregate(
        poor=Count("pk", filter=recognised & Q(recorded_status=PovertyStatus.POOR)),
        near_poor=Count("pk", filter=recognised & Q(recorded_status=PovertyStatus.NEAR_POOR)),
        not_listed=Count("pk", filter=recognised & ~Q(recorded_status__in=listed)),
        refused=Count("pk", filter=Q(status=AssessmentStatus.REFUSED)),
    )


@transaction.atomic
def results_submit(
    *, actor, unit: AdministrativeUnit, year: int, note: str = "", version: int | None = None
) -> ResultSubmission:
    """Submit ``unit``'s decided results of ``year`` to the level above; they lock.

    Refused while any assessment of the year is undecided, when no review of
    the year exists, when no reporting line covers the unit, or when the
    results are already submitted. A submission that was sent back is
    submitted again (same row, its history keeps every step).
    """
    require(can_submit_results(actor, unit))
    if not ReviewRound.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(
            {"year": _("%(unit)s has no review of %(year)s.") % {"unit": unit.name, "year": year}}
        )
    pending = undecided_count(unit, year)
    if pending:
        raise ValidationError(
            {
                "year": _(
                    "%(count)s households of the %(year)s review are not decided yet: decide "
                    "them before submitting."
                )
                % {"count": pending, "year": year}
            }
        )
    day = today()
    line = reporting_line_for(unit, day)
    if line is None:
        raise ValidationError(
            {
                "year": _(
                    "No level above is set up for %(unit)s on %(date)s: an administrator adds a "
                    "reporting line."
                )
                % {"unit": unit.name, "date": day.strftime("%d/%m/%Y")}
            }
        )
    submission = ResultSubmission.objects.select_for_update().filter(unit=unit, year=year).first()
    if submission is not None and submission.is_locked:
        raise ValidationError({"year": _("These results are already submitted.")})
    if submission is None:
        submission = ResultSubmission(unit=unit, year=year)
    else:
        claim_version(submission, version)
    submission.upper = line.upper
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = actor
    submission.note = (note or "").strip()
    submission.summary = result_summary(unit, year)
    with_actor(submission, actor)
    submission.save()
    return submission


@transaction.atomic
def results_reopen(
    *, actor, submission: ResultSubmission, reason: str, version: int | None = None
) -> ResultSubmission:
    """The level above sends submitted results back to the ward, with a reason; they unlock."""
    require(can_reopen_results(actor, submission.unit))
    if not submission.is_locked:
        raise ValidationError({"reason": _("These results are not submitted.")})
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the results are sent back.")})
    claim_version(submission, version)
    submission.status = SubmissionStatus.RETURNED
    submission.returned_at = timezone.now()
    submission.returned_by = actor
    submission.return_reason = reason.strip()
    with_actor(submission, actor)
    submission.save()
    return submission
