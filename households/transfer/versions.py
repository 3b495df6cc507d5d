"""Versions of the records an import matched, so no edit made meanwhile is lost.

The planner reads the register without locks. Before anything is written the
import locks the rows it matched (households, their current members, their
assessments of the file's years) with ``SELECT … FOR UPDATE`` and compares
what it finds with what it read, and with what the preview showed. A
household changed in between (edited, a member added, changed or gone, a
review result changed) is a problem of that household's row: nothing is
saved, and the officer previews the file again.

A household's state is summed up in one short token: its version, the
``updated_at`` of each current member (members carry no version of their
own) and the version of each assessment of the file's years.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import Assessment, Household, Member
from .bulk import BATCH

#: household pk → token; what the preview showed (JSON-safe: keys are strings).
Snapshot = dict[str, str]


def _token(version: int, members, assessments) -> str:
    parts = [str(version)]
    parts += [f"m{pk}:{updated.isoformat()}" for pk, updated in sorted(members)]
    parts += [f"a{pk}:{v}" for pk, v in sorted(assessments)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _years(planner) -> set[int]:
    return {year for (_unit, year) in getattr(planner, "round_keys", set())}


def _matched(planner) -> list:
    return [p for p in planner.households.values() if not p.is_new]


def read_snapshot(planner) -> Snapshot:
    """Tokens of the matched households as the planner read them (call before writing:
    the writer bumps versions in memory)."""
    years = _years(planner)
    snapshot = {}
    for plan in _matched(planner):
        household = plan.household
        members = [(m.pk, m.updated_at) for m in planner.current_members.get(household.pk, [])]
        assessments = [
            (a.pk, a.version)
            for year in years
            for a in planner.assessments_of.get((household.pk, year), [])
        ]
        snapshot[str(household.pk)] = _token(household.version, members, assessments)
    return snapshot


def locked_snapshot(planner) -> Snapshot:
    """Lock the matched rows (in primary-key order) and return their current tokens."""
    years = _years(planner)
    ids = sorted(p.household.pk for p in _matched(planner))
    snapshot = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        versions = dict(
            Household.objects.select_for_update()
            .filter(pk__in=batch)
            .order_by("pk")
            .values_list("pk", "version")
        )
        members = defaultdict(list)
        for household_id, pk, updated in (
            Member.objects.select_for_update()
            .filter(household_id__in=batch, left_on__isnull=True)
            .order_by("pk")
            .values_list("household_id", "pk", "updated_at")
        ):
            members[household_id].append((pk, updated))
        assessments = defaultdict(list)
        if years:
            for household_id, pk, version in (
                Assessment.objects.select_for_update()
                .filter(household_id__in=batch, year__in=years)
                .order_by("pk")
                .values_list("household_id", "pk", "version")
            ):
                assessments[household_id].append((pk, version))
        for pk in batch:
            if pk in versions:
                snapshot[str(pk)] = _token(versions[pk], members[pk], assessments[pk])
    return snapshot


def _changed_by(household: Household) -> str:
    """ "by X at T" from the newest history record of the household or its members."""
    records = [
        household.history.order_by("-history_date").select_related("history_user").first(),
        Member.history.filter(household_id=household.pk)
        .order_by("-history_date")
        .select_related("history_user")
        .first(),
    ]
    last = max((r for r in records if r is not None), key=lambda r: r.history_date, default=None)
    if last is None:
        return ""
    who = last.history_user
    return _(" (last change by %(who)s at %(when)s)") % {
        "who": (who.get_full_name() or who.username) if who else _("another user"),
        "when": date_format(timezone.localtime(last.history_date), "SHORT_DATETIME_FORMAT"),
    }


def check_unchanged(planner, expected: Snapshot | None) -> None:
    """Lock the matched rows; each household changed since it was read (or since the
    preview ``expected``) becomes a problem of its row."""
    read = read_snapshot(planner)
    now = locked_snapshot(planner)
    for plan in _matched(planner):
        key = str(plan.household.pk)
        if now.get(key) == read[key] and (expected is None or expected.get(key) == read[key]):
            continue
        if now.get(key) != read[key]:
            message = _(
                "Household %(code)s was changed by someone else while this file was being "
                "imported%(who)s. Nothing was saved: preview the file again."
            )
        else:
            message = _(
                "Household %(code)s was changed after this file was previewed%(who)s. "
                "Nothing was saved: preview the file again to see what it would change now."
            )
        planner.cell_problem(
            plan.row,
            "household_code",
            message % {"code": plan.household.code, "who": _changed_by(plan.household)},
        )
