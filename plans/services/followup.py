"""Writes of the follow-up after exit: the yearly check (``plans.followup``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.permissions import require
from communes.services import with_actor
from households.models import Household

from ..followup import household_followup
from ..models import FollowUpCheck
from ..permissions import can_record_followup


@transaction.atomic
def followup_check_record(
    *,
    actor,
    household: Household,
    checked_on: datetime.date,
    income_per_capita: int | None,
    deprivations=(),
    serious_illness: bool = False,
    job_loss: bool = False,
    running_support=(),
    notes: str = "",
) -> FollowUpCheck:
    """Record ``household``'s follow-up check of the year of ``checked_on``.

    Refused (``ValidationError`` naming the field, nothing saved) when the
    household is not on the follow-up list that day, the year is the exit's
    own year or already checked, the date is in the future, the income is
    missing or negative, an indicator is not one of the exit decision's
    standard, or a support record is another household's.
    """
    Household.objects.select_for_update().filter(pk=household.pk).first()
    require(can_record_followup(actor, household))
    if checked_on is None:
        raise ValidationError({"checked_on": _("Enter the date.")})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("The date cannot be in the future.")})
    followup = household_followup(household, checked_on)
    if followup is None:
        raise ValidationError(
            {
                "checked_on": _(
                    "Household %(code)s is not on the follow-up list on this day: it did not "
                    "leave the poor or near-poor list by a decision in the last years, or it "
                    "is back on a list."
                )
                % {"code": household.code}
            }
        )
    year = checked_on.year
    if year <= followup.exit.year:
        raise ValidationError(
            {
                "checked_on": _(
                    "The household left the list in %(year)s: the yearly checks start the "
                    "year after."
                )
                % {"year": followup.exit.year}
            }
        )
    if FollowUpCheck.objects.filter(household=household, year=year).exists():
        raise ValidationError(
            {"checked_on": _("The check of %(year)s is already recorded.") % {"year": year}}
        )
    if income_per_capita is None:
        raise ValidationError({"income_per_capita": _("Enter the income per person per month.")})
    if income_per_capita < 0:
        raise ValidationError({"income_per_capita": _("The income cannot be negative.")})
    deprivations = list(deprivations)
    standard_id = followup.exit.round.standard_id
    if any(i.standard_id != standard_id for i in deprivations):
        raise ValidationError(
            {
                "deprivations": _(
                    "Choose indicators of the standard of the exit decision (%(code)s)."
                )
                % {"code": followup.exit.round.standard.code}
            }
        )
    running_support = list(running_support)
    if any(r.household_id != household.pk for r in running_support):
        raise ValidationError({"running_support": _("Choose support records of this household.")})
    check = FollowUpCheck(
        household=household,
        exit_assessment=followup.exit,
        year=year,
        checked_on=checked_on,
        checked_by=actor,
        income_per_capita=income_per_capita,
        serious_illness=serious_illness,
        job_loss=job_loss,
        notes=notes.strip(),
    )
    with_actor(check, actor).save()
    check.deprivations.set(deprivations)
    check.running_support.set(running_support)
    return check
