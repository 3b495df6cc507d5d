"""When two support records are the same benefit twice: pure logic, no ORM.

The functions take any objects with the attributes of a ``SupportRecord``
(``household_id``, ``member_id``, ``support_type_id``, ``given_on``,
``period_start``, ``period_end``, ``amount``, ``funding_source`` and the
``covered_from``/``covered_until`` dates, and ``support_programme_id``) and
any rule with ``scope``, ``window``, ``years``, ``per_programme`` and
``active`` (a ``DuplicateRule``), so they can be tested and reused without
the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

HOUSEHOLD = "household"
MEMBER = "member"
QUARTER = "quarter"
YEAR = "year"
SCHOOL_YEAR = "school_year"
YEARS = "years"
OVERLAP = "overlap"

#: A school year runs from September to August.
SCHOOL_YEAR_FIRST_MONTH = 9


def _covered_from(record) -> datetime.date:
    return getattr(record, "covered_from", None) or record.period_start or record.given_on


def _covered_until(record) -> datetime.date:
    return getattr(record, "covered_until", None) or record.period_end or _covered_from(record)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved by ``years`` (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def school_year_of(day: datetime.date) -> int:
    """The calendar year in which the school year of ``day`` started."""
    return day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1


def _same_beneficiary(a, b, scope: str) -> bool:
    """Same household; for a per-member rule also the same member.

    A personal benefit recorded without a member cannot be told apart from
    the members' ones, so it is compared per household.
    """
    if scope == MEMBER and a.member_id is not None and b.member_id is not None:
        return a.member_id == b.member_id
    return a.household_id == b.household_id


def _in_same_window(a, b, rule) -> bool:
    start_a, start_b = _covered_from(a), _covered_from(b)
    if rule.window == QUARTER:
        return (start_a.year, (start_a.month - 1) // 3) == (start_b.year, (start_b.month - 1) // 3)
    if rule.window == YEAR:
        return start_a.year == start_b.year
    if rule.window == SCHOOL_YEAR:
        return school_year_of(start_a) == school_year_of(start_b)
    if rule.window == YEARS:
        earlier, later = sorted((start_a, start_b))
        return later < add_years(earlier, rule.years or 1)
    if rule.window == OVERLAP:
        return start_a <= _covered_until(b) and start_b <= _covered_until(a)
    raise ValueError(f"Unknown duplicate window: {rule.window}")


def _programme(record):
    return getattr(record, "support_programme_id", None)


def _is_same(a, b) -> bool:
    """The same record (compared with itself, e.g. in a report)."""
    return a is b or (getattr(a, "pk", None) is not None and a.pk == getattr(b, "pk", None))


def in_conflict(a, b, rule) -> bool:
    """Whether records ``a`` and ``b`` break ``rule`` (both of its support type)."""
    if rule is None or not rule.active or _is_same(a, b):
        return False
    if a.support_type_id != b.support_type_id:
        return False
    if getattr(rule, "per_programme", False) and _programme(a) != _programme(b):
        # Loans of different VBSP programmes may run at the same time.
        return False
    return _same_beneficiary(a, b, rule.scope) and _in_same_window(a, b, rule)


def conflicts(new, existing: Iterable, rule) -> list:
    """The records of ``existing`` that ``new`` conflicts with under ``rule``."""
    return [record for record in existing if in_conflict(new, record, rule)]


def is_exact_duplicate(a, b) -> bool:
    """Same household, member, type, date, period, amount and source: entered twice."""
    fields = (
        "household_id",
        "member_id",
        "support_type_id",
        "given_on",
        "period_start",
        "period_end",
        "amount",
        "funding_source",
    )
    return not _is_same(a, b) and all(getattr(a, f) == getattr(b, f) for f in fields)


def _horizon(record, rule) -> datetime.date | None:
    """Earliest ``covered_from`` of an earlier record that may still conflict
    with ``record`` (``None``: any, for periods that may be long)."""
    start = _covered_from(record)
    if rule.window in (QUARTER, YEAR, SCHOOL_YEAR):
        return start - datetime.timedelta(days=366)
    if rule.window == YEARS:
        return add_years(start, -(rule.years or 1))
    return None


def conflicting_pairs(records: Sequence[Any], rule) -> list[tuple[Any, Any]]:
    """Every ``(earlier, later)`` pair of ``records`` in conflict under ``rule``.

    ``records`` are one household's records of one support type. They are
    sorted by the start of the period they cover, and each is compared only
    with the earlier ones that are still within the rule's reach, so a long
    history costs little more than a short one.
    """
    if rule is None or not rule.active:
        return []
    ordered = sorted(records, key=lambda r: (_covered_from(r), getattr(r, "pk", 0) or 0))
    pairs = []
    for index, later in enumerate(ordered):
        horizon = _horizon(later, rule)
        for earlier in reversed(ordered[:index]):
            if horizon is not None and _covered_from(earlier) < horizon:
                break
            if in_conflict(later, earlier, rule):
                pairs.append((earlier, later))
    return pairs
