"""Household events of the demo (``seed_demo``), entered through the event services as
the demo's officers would: in Hạ Long a grown-up son leaves with his children to found his
own household (split) and an elderly household moves in with another (merge); a household
of Bãi Cháy moves to Hạ Long, proposed by Bãi Cháy's officer and accepted by Hạ Long's
head. All in 2026, after the 2025 decisions, so the 2015–2025 figures do not change.

Idempotent: each event is skipped when the demo already holds one of its kind.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef

from communes.models import AdministrativeUnit
from communes.selectors import villages_of

from .demo import CODE_PREFIX
from .models import (
    Assessment,
    AssessmentStatus,
    EventKind,
    Household,
    HouseholdEvent,
    HouseholdTransfer,
    Relation,
    TransferStatus,
)
from .services import events

HA_LONG, BAI_CHAY = "6688", "6673"
SPLIT_ON = datetime.date(2026, 5, 4)
MERGE_ON = datetime.date(2026, 6, 15)
MOVE_ON = datetime.date(2026, 8, 1)
#: Code of the household founded by the split.
SPLIT_CODE = f"{CODE_PREFIX}T0001"


@dataclass
class EventSummary:
    created: bool
    split: str = ""
    merge: str = ""
    move: str = ""


def _ward(code: str, day: datetime.date) -> AdministrativeUnit | None:
    return AdministrativeUnit.objects.grassroots().valid_on(day).filter(code=code).first()


def _free(unit: AdministrativeUnit):
    """Open households of ``unit`` with no move pending and no undecided assessment."""
    undecided = Assessment.objects.filter(household=OuterRef("pk")).exclude(
        status__in=(AssessmentStatus.RECOGNISED, AssessmentStatus.REFUSED)
    )
    pending = HouseholdTransfer.objects.filter(
        household=OuterRef("pk"), status=TransferStatus.PROPOSED
    )
    return (
        Household.objects.filter(unit=unit, closed_on__isnull=True, code__startswith=CODE_PREFIX)
        .exclude(Exists(undecided))
        .exclude(Exists(pending))
        .select_related("unit", "head")
        .order_by("code")
    )


def seed_household_events(*, today: datetime.date, stdout: TextIO | None = None) -> EventSummary:
    """Add the demo's split, merge and move (see module doc) when missing."""
    ha_long, bai_chay = _ward(HA_LONG, today), _ward(BAI_CHAY, today)
    if ha_long is None or bai_chay is None or today < MOVE_ON:
        return EventSummary(created=False)
    users = {u.username: u for u in get_user_model().objects.filter(username__contains=".")}
    officer, head = users.get("halong.officer"), users.get("halong.head")
    sender = users.get("baichay.officer")
    if officer is None or head is None or sender is None:
        return EventSummary(created=False)
    summary = EventSummary(created=False)
    with transaction.atomic():
        summary.split = _split(officer, ha_long)
        summary.merge = _merge(officer, ha_long)
        summary.move = _move(sender, head, bai_chay, ha_long)
    summary.created = bool(summary.split or summary.merge or summary.move)
    return summary


def _split(officer, ha_long) -> str:
    if Household.objects.filter(unit=ha_long, code=SPLIT_CODE).exists():
        return ""
    for household in _free(ha_long)[:400]:
        members = list(household.members.filter(left_on__isnull=True).order_by("birth_year"))
        son = next(
            (m for m in members if m.relation == Relation.CHILD and m.age_on(SPLIT_ON) >= 22),
            None,
        )
        if son is None:
            continue
        # His children (the head's grandchildren) go with him.
        leaving = [son, *(m for m in members if m.relation == Relation.GRANDCHILD)]
        if len(members) - len(leaving) < 2:
            continue
        events.household_split(
            actor=officer,
            household=household,
            members=leaving,
            new_head=son,
            code=SPLIT_CODE,
            village=household.village,
            on=SPLIT_ON,
        )
        return f"{household.code} → {SPLIT_CODE}"
    return ""


def _merge(officer, ha_long) -> str:
    if HouseholdEvent.objects.filter(kind=EventKind.MERGE, household__unit=ha_long).exists():
        return ""
    households = list(_free(ha_long).exclude(code=SPLIT_CODE)[:400])
    small = [h for h in households if h.members.filter(left_on__isnull=True).count() <= 2]
    for other in small:
        keeper = next(
            (
                h
                for h in households
                if h.pk != other.pk and h.village_id == other.village_id and h not in small
            ),
            None,
        )
        if keeper is None:
            continue
        events.household_merge(actor=officer, household=keeper, other=other, on=MERGE_ON)
        return f"{other.code} → {keeper.code}"
    return ""


def _move(sender, head, bai_chay, ha_long) -> str:
    if HouseholdTransfer.objects.filter(
        from_unit=bai_chay, to_unit=ha_long, status=TransferStatus.ACCEPTED
    ).exists():
        return ""
    taken = set(Household.objects.filter(unit=ha_long).values_list("code", flat=True))
    late = Assessment.objects.filter(
        household=OuterRef("pk"), status=AssessmentStatus.RECOGNISED, decision_date__gte=MOVE_ON
    )
    for household in _free(bai_chay).exclude(Exists(late))[:200]:
        if household.code in taken or events.transfer_blockers(household):
            continue
        transfer = events.transfer_propose(
            actor=sender,
            household=household,
            to_unit=ha_long,
            moving_on=MOVE_ON,
            reason="Chuyển đến ở gần nơi làm việc mới (demo)",
        )
        events.transfer_accept(
            actor=head,
            transfer=transfer,
            code=household.code,
            village=villages_of(ha_long).first(),
        )
        return f"{household.code} ({bai_chay.name} → {ha_long.name})"
    return ""
