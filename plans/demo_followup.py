"""Follow-up checks of the demo (``seed_demo``): a few households of Hạ Long that left
the lists by the 2024 or 2025 decisions get their check of the demo's year, entered
through the service by Hạ Long's officer, with facts that put them at each level of the
warning score; they are assigned to Hạ Long's member login first, so the member's
follow-up list shows them. Idempotent: nothing is written when Hạ Long has a check."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from communes.models import AdministrativeUnit
from households.models import Household, Indicator

from .followup import followups_of, running_support
from .models import FollowUpCheck
from .services.cases import case_assign
from .services.followup import followup_check_record

HA_LONG = "6688"
#: (income per person per month, deprivation codes found, serious illness, job loss)
CHECKS = (
    (3_800_000, (), False, False),
    (2_400_000, (), False, True),
    (3_100_000, (), True, False),
    (4_200_000, ("health_insurance",), False, False),
    (2_500_000, ("housing_quality", "sanitation"), False, False),
)


@dataclass
class FollowUpSummary:
    created: bool
    followed: int = 0
    checks: int = 0


def seed_followup(*, today: datetime.date) -> FollowUpSummary:
    ha_long = AdministrativeUnit.objects.grassroots().valid_on(today).filter(code=HA_LONG).first()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=("halong.officer", "halong.head", "halong.member")
        )
    }
    if ha_long is None or len(users) < 3:
        return FollowUpSummary(created=False)
    households = Household.objects.filter(unit=ha_long)
    followups = followups_of(households, today)
    summary = FollowUpSummary(created=False, followed=len(followups))
    if FollowUpCheck.objects.filter(household__unit=ha_long).exists():
        summary.checks = FollowUpCheck.objects.filter(household__unit=ha_long).count()
        return summary
    due = sorted((f for f in followups if f.check_due), key=lambda f: f.household.code)
    chosen = due[: len(CHECKS)]
    if not chosen:
        return summary
    checked_on = min(today, datetime.date(today.year, 11, 20))
    with transaction.atomic():
        case_assign(
            actor=users["halong.head"],
            households=[f.household for f in chosen],
            member=users["halong.member"],
            move_open_actions=False,
        )
        for followup, (income, codes, ill, job) in zip(chosen, CHECKS, strict=False):
            followup_check_record(
                actor=users["halong.officer"],
                household=followup.household,
                checked_on=checked_on,
                income_per_capita=income,
                deprivations=Indicator.objects.filter(
                    standard_id=followup.exit.round.standard_id, code__in=codes
                ),
                serious_illness=ill,
                job_loss=job,
                running_support=running_support(followup.household, checked_on),
                notes="Kiểm tra hằng năm (demo)",
            )
            summary.checks += 1
    summary.created = True
    return summary
