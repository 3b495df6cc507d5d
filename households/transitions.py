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
    household's RECOGNISED assessments, in any order. The status of a year is
    the last recognised assessment of that year (ordered by year, then id: a
    regular-round decision made after the periodic one supersedes it).

    A year with no recognised record counts as *out* (status ``None``): the
    periodic review re-lists every current poor and near-poor household each
    year, so a household missing from a year's decisions was not on that
    year's lists. It left them without a decision, an *other decrease*
    (``other_decrease``), not an exit. ``until`` extends the series with such
    out years, so that a household that silently disappeared shows it.

    The first year has no baseline: its transition is computed from out (so
    ``new_poor``/``new_near_poor``); a report over the earliest year of the data
    should not count it as an increase.
    """
    by_year: dict[int, tuple[str, int]] = {}
    for year, status, assessment_id in sorted(recognised, key=lambda r: (r[0], r[2])):
        by_year[year] = (status, assessment_id)
    if not by_year:
        return []
    first = min(by_year)
    last = max(by_year) if until is None else max(max(by_year), until)

    result: list[YearStatus] = []
    ever: set[str] = set()
    previous: str | None = None
    for year in range(first, last + 1):
        status, assessment_id = by_year.get(year, (None, None))
        result.append(
            YearStatus(
                year=year,
                status=status,
                transition=transition(
                    previous, status, ever=frozenset(ever), decided=year in by_year
                ),
                assessment_id=assessment_id,
            )
        )
        # ``ever`` lags one year behind: the previous year is passed separately.
        if previous is not None:
            ever.add(previous)
        previous = status
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
