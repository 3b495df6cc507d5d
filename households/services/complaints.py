"""Complaints received during the posting and their re-verification (QĐ 24/2021, step 4).

A complaint is recorded while the result is posted (the assessment at the
step "posted", received within the posting period or on the working day after
it). It is settled by a re-verification (phúc tra) with its result: not
upheld (the result stands) or upheld (the assessment goes back for a
re-survey and a new meeting). The chair's decision waits for every complaint
of the assessment to be settled (``unsettled_complaints``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communes.permissions import require
from communes.text import clean_name

from ..models import AssessmentStatus, Complaint, ComplaintChannel, ComplaintOutcome
from ..models.review import Assessment
from ..permissions import can_run_review
from .common import claim_version, with_actor
from .submissions import ensure_results_open


def unsettled_complaints(assessment: Assessment):
    return Complaint.objects.filter(assessment=assessment, settled_on__isnull=True)


@transaction.atomic
def complaint_record(
    *,
    actor,
    assessment: Assessment,
    received_on: datetime.date | None,
    complainant: str,
    channel: str,
    content: str,
) -> Complaint:
    """Record a complaint about ``assessment``'s posted result."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require(can_run_review(actor, assessment.unit))
    ensure_results_open(unit_id=assessment.round.unit_id, year=assessment.year)
    errors: dict[str, str] = {}
    if assessment.status != AssessmentStatus.POSTED:
        errors["received_on"] = _(
            "Complaints are recorded while the result is posted; this assessment is at the "
            "step “%(step)s”."
        ) % {"step": assessment.get_status_display()}
    elif received_on is None:
        errors["received_on"] = _("Enter the day the complaint was received.")
    elif received_on < assessment.posted_from:
        errors["received_on"] = _(
            "The posting started on %(date)s: a complaint comes after it."
        ) % {"date": assessment.posted_from.strftime("%d/%m/%Y")}
    complainant = clean_name(complainant)
    if not complainant:
        errors["complainant"] = _("Enter who made the complaint.")
    if channel not in ComplaintChannel.values:
        errors["channel"] = _("Choose how the complaint was received.")
    if not (content or "").strip():
        errors["content"] = _("Write what the complaint says.")
    if errors:
        raise ValidationError(errors)
    complaint = Complaint(
        assessment=assessment,
        received_on=received_on,
        complainant=complainant,
        channel=channel,
        content=content.strip(),
        recorded_by=actor,
    )
    with_actor(complaint, actor)
    complaint.save()
    return complaint


@transaction.atomic
def complaint_settle(
    *,
    actor,
    complaint: Complaint,
    version: int | None,
    rechecked_on: datetime.date | None,
    recheck_result: str,
    outcome: str,
) -> Complaint:
    """Record the re-verification (phúc tra) and settle the complaint.

    Upheld: the assessment is sent back for a re-survey (its meeting and
    posting must be repeated), through the review's own send-back step.
    """
    from .review import assessment_send_back

    complaint = (
        Complaint.objects.select_for_update().select_related("assessment").get(pk=complaint.pk)
    )
    assessment = complaint.assessment
    require(can_run_review(actor, assessment.unit))
    ensure_results_open(unit_id=assessment.round.unit_id, year=assessment.year)
    errors: dict[str, str] = {}
    if complaint.is_settled:
        errors["outcome"] = _("This complaint is already settled.")
    if rechecked_on is None:
        errors["rechecked_on"] = _("Enter the day of the re-verification.")
    elif rechecked_on < complaint.received_on:
        errors["rechecked_on"] = _("The re-verification comes after the complaint (%(date)s).") % {
            "date": complaint.received_on.strftime("%d/%m/%Y")
        }
    if not (recheck_result or "").strip():
        errors["recheck_result"] = _("Write what the re-verification found.")
    if outcome not in ComplaintOutcome.values:
        errors["outcome"] = _("Choose whether the complaint is upheld.")
    if errors:
        raise ValidationError(errors)
    claim_version(complaint, version)
    complaint.rechecked_on = rechecked_on
    complaint.recheck_result = recheck_result.strip()
    complaint.outcome = outcome
    complaint.settled_on = rechecked_on
    with_actor(complaint, actor)
    complaint.save()
    if outcome == ComplaintOutcome.UPHELD and assessment.status == AssessmentStatus.POSTED:
        assessment_send_back(
            actor=actor,
            assessment=assessment,
            version=assessment.version,
            reason=_("Complaint of %(who)s upheld after re-verification: %(result)s")
            % {"who": complaint.complainant, "result": complaint.recheck_result},
        )
    return complaint
