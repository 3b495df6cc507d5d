"""Writes of the village meeting records (the minutes' facts besides the votes)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.permissions import require

from ..models import Assessment, ReviewRound, VillageMeeting
from ..permissions import can_run_review
from .common import with_actor
from .submissions import ensure_results_open


@transaction.atomic
def meeting_record(
    *,
    actor,
    review_round: ReviewRound,
    village: AdministrativeUnit | None,
    held_on: datetime.date,
    chair: str,
    secretary: str,
    attendee_count: int,
    attendee_names: str = "",
    place: str = "",
    chair_title: str = "",
    assessments: Sequence[Assessment] = (),
    notes: str = "",
) -> VillageMeeting:
    """Record one village meeting of ``review_round`` and the households it discussed.

    The votes per household are recorded by the review's meeting step on
    each assessment; this keeps the minutes' other facts. All or nothing.
    """
    require(can_run_review(actor, review_round.unit))
    ensure_results_open(unit_id=review_round.unit_id, year=review_round.year)
    errors: dict[str, str] = {}
    if village is not None and village.parent_id != review_round.unit_id:
        errors["village"] = _("The village must belong to %(unit)s.") % {
            "unit": review_round.unit.name
        }
    if not (chair or "").strip():
        errors["chair"] = _("Enter who chaired the meeting.")
    if not (secretary or "").strip():
        errors["secretary"] = _("Enter the secretary of the meeting.")
    names = [line.strip() for line in (attendee_names or "").splitlines() if line.strip()]
    if attendee_count is None or attendee_count < 1:
        errors["attendee_count"] = _("At least one person attends a meeting.")
    elif len(names) > attendee_count:
        errors["attendee_count"] = _(
            "%(names)s attendees are listed by name but the count says %(count)s."
        ) % {"names": len(names), "count": attendee_count}
    outside = [a for a in assessments if a.round_id != review_round.pk]
    if outside:
        errors["assessments"] = _("Not in this review: %(households)s.") % {
            "households": ", ".join(str(a.household) for a in outside)
        }
    elif attendee_count:
        over = [
            a
            for a in assessments
            if a.meeting_attendees is not None and a.meeting_attendees > attendee_count
        ]
        if over:
            errors["assessments"] = _(
                "The vote on %(households)s counts more attendees than the meeting had."
            ) % {"households": ", ".join(str(a.household) for a in over)}
    if errors:
        raise ValidationError(errors)
    meeting = VillageMeeting(
        round=review_round,
        village=village,
        held_on=held_on,
        place=(place or "").strip(),
        chair=chair.strip(),
        chair_title=(chair_title or "").strip(),
        secretary=secretary.strip(),
        attendee_count=attendee_count,
        attendee_names="\n".join(names),
        notes=(notes or "").strip(),
        recorded_by=actor,
    )
    with_actor(meeting, actor)
    meeting.save()
    meeting.assessments.set(assessments)
    return meeting
