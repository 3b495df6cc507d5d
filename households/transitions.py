"""Year-on-year transitions between poverty classifications (DOMAIN.md, Classifications).

Pure functions, no ORM: callers pass the statuses (``PovertyStatus`` values) they read.

A household is *on the lists* in a year when its decided status is ``poor`` or
``near_poor``; it is *out* when the status is ``average``, ``not_poor`` or ``None``
(no recognised record that year). Transitions compare two consecutive years:

=============  ==============  ==============================================
previous       current         transition
=============  ==============  ==============================================
poor           poor            ``stayed_poor``
poor           near_poor       ``poor_to_near_poor``
poor           out             ``exited`` (thoát nghèo, above the near-poor band)
near_poor      near_poor       ``stayed_near_poor``
near_poor      poor            ``near_poor_to_poor``
near_poor      out             ``near_poor_exited`` (thoát cận nghèo)
out            poor            ``new_poor`` / ``re_poor``
out            near_poor       ``new_near_poor`` / ``re_near_poor``
out            out             ``None``
=============  ==============  ==============================================

Re-entry (tái nghèo / tái cận nghèo) versus new (phát sinh): a household coming
from *out* re-enters when it was on either list (poor or near-poor) in any year
before the previous year (``ever``); the transition is named after the list it
re-enters. A household that was poor, left both lists, and comes back near-poor
is therefore ``re_near_poor``: it is not a household the committee never knew.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

POOR = "poor"
NEAR_POOR = "near_poor"
LISTED = frozenset({POOR, NEAR_POOR})


class Transition(models.TextChoices):
    EXITED = "exited", _("Exited poverty")
    POOR_TO_NEAR_POOR = "poor_to_near_poor", _("Poor to near-poor")
    NEAR_POOR_EXITED = "near_poor_exited", _("Exited near-poverty")
    NEAR_POOR_TO_POOR = "near_poor_to_poor", _("Near-poor to poor")
    NEW_POOR = "new_poor", _("Newly poor")
    NEW_NEAR_POOR = "new_near_poor", _("Newly near-poor")
    RE_POOR = "re_poor", _("Fell back into poverty")
    RE_NEAR_POOR = "re_near_poor", _("Fell back into near-poverty")
    STAYED_POOR = "stayed_poor", _("Stayed poor")
    STAYED_NEAR_POOR = "stayed_near_poor", _("Stayed near-poor")
    #: On a list the year before, no decision this year (moved, died, merged, not
    #: re-reviewed): khác giảm. A household leaves a list only by a decision.
    OTHER_DECREASE = "other_decrease", _("Left the list without a decision (other decrease)")


def listed(status: str | None) -> str | None:
    """``poor``/``near_poor`` unchanged; every other status (or ``None``) is out: ``None``."""
    return status if status in LISTED else None


_WITHIN_LISTS = {
    (POOR, POOR): Transition.STAYED_POOR,
    (POOR, NEAR_POOR): Transition.POOR_TO_NEAR_POOR,
    (POOR, None): Transition.EXITED,
    (NEAR_POOR, NEAR_POOR): Transition.STAYED_NEAR_POOR,
    (NEAR_POOR, POOR): Transition.NEAR_POOR_TO_POOR,
    (NEAR_POOR, None): Transition.NEAR_POOR_EXITED,
}


def transition(
    previous: str | None,
    current: str | None,
    *,
    ever: frozenset[str] = frozenset(),
    decided: bool = True,
) -> str | None:
    """The transition from ``previous`` (last year's status) to ``current`` (this year's).

    ``ever`` holds the statuses the household had in any year *before* the
    previous year; it only matters when the household comes from out.
    ``decided=False``: there was no decision this year; a listed household then
    left its list without one (``other_decrease``), it did not exit. Returns
    ``None`` when the household is out in both years.
    """
    before, now = listed(previous), listed(current)
    if before is not None and not decided:
        return Transition.OTHER_DECREASE.value
    if before is not None:
        return _WITHIN_LISTS[(before, now)].value
    if now is None:
        return None
    returning = bool(LISTED & frozenset(ever))
    if now == POOR:
        return (Transition.RE_POOR if returning else Transition.NEW_POOR).value
    return (Transition.RE_NEAR_POOR if returning else Transition.NEW_NEAR_POOR).value


@dataclass(frozen=True, slots=True)
class YearStatus:
    """A household's decided status in a review year and how it got there."""

    year: int
    status: str | None
    transition: str | None
    assessment_id: int | None


def yearly_statuses(
    recognised: Iterable[tuple[int, str, int]], *, until: int | None = None
) -> list[YearStatus]:
    """One ``YearStatus`` per year, from the first recognised year to the last (or ``until``).

    ``recognised`` holds ``(year, recorded_status, assessment_id)`` of one
    household's RECOGNISED assessments, in any order. The rule is the one of
    ``households.household_years.compute_years`` (the stored ``HouseholdYear``
    rows), national view: the status of a year is its last recognised
    assessment (by id: a regular-round decision made after the periodic one
    supersedes it); a year without one is *out*, and a listed household that
    has none left its list without a decision (``other_decrease``). ``until``
    extends the series with such out years.
    """
    from .household_years import Decision, compute_years

    decisions = [
        Decision(assessment_id=pk, year=year, unit_id=0, national=status)
        for year, status, pk in recognised
    ]
    rows = compute_years(0, decisions)
    if not rows:
        return []
    last = max(d.year for d in decisions)
    if until is not None:
        last = max(last, until)
    result = [
        YearStatus(
            year=row.year,
            status=row.national_status or None,
            transition=row.national_transition or None,
            assessment_id=row.assessment_id,
        )
        for row in rows
        if row.year <= last
    ]
    for year in range(rows[-1].year + 1, last + 1):
        result.append(YearStatus(year=year, status=None, transition=None, assessment_id=None))
    return result


def count_transitions(
    pairs: Iterable[tuple[str | None, str | None] | tuple[str | None, str | None, frozenset[str]]],
) -> dict[str, int]:
    """Count transitions over ``(previous, current)`` or ``(previous, current, ever)`` tuples.

    Every ``Transition`` value is a key (zero when absent); out → out pairs are
    not counted.
    """
    counts = dict.fromkeys(Transition.values, 0)
    for pair in pairs:
        previous, current, *rest = pair
        ever = rest[0] if rest else frozenset()
        kind = transition(previous, current, ever=ever)
        if kind is not None:
            counts[kind] += 1
    return counts
