"""Proposed plan actions from a household's deprivations and causes (no ORM).

The committee analyses each household's deprived indicators and causes of
poverty; the action templates (catalogue data, editable in the admin) say
what usually fixes each one. ``propose_actions`` turns the two into a
checklist the officer accepts or unticks when creating an exit plan.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

INDICATOR = "indicator"
CAUSE = "cause"


class TemplateLike(Protocol):
    """What ``propose_actions`` reads of an ``ActionTemplate``."""

    target_kind: str
    target_code: str
    description: str
    support_type_id: int | None
    responsibility: str
    due_in_months: int
    order: int


@dataclass(frozen=True)
class ProposedAction:
    target_kind: str
    target_code: str
    description: str
    support_type_id: int | None
    responsibility: str
    due_date: datetime.date


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` calendar months on; the day is clamped to the
    month's end (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(code for code in codes if code))


def propose_actions(
    *,
    deprived_codes: list[str],
    causes: list[str],
    templates: list[TemplateLike],
    start: datetime.date,
) -> list[ProposedAction]:
    """One proposal per template matching a deprived indicator or a cause.

    Order: indicators in the order given (the standard's order), then causes
    in the order given (primary cause first); templates of one target by
    their ``order``. Duplicate codes count once. Due dates are ``start``
    plus the template's ``due_in_months``.
    """
    by_target: dict[tuple[str, str], list[TemplateLike]] = {}
    for template in sorted(templates, key=lambda t: (t.order, t.description)):
        by_target.setdefault((template.target_kind, template.target_code), []).append(template)
    targets = [(INDICATOR, code) for code in _unique(deprived_codes)]
    targets += [(CAUSE, code) for code in _unique(causes)]
    return [
        ProposedAction(
            target_kind=kind,
            target_code=code,
            description=template.description,
            support_type_id=template.support_type_id,
            responsibility=template.responsibility,
            due_date=add_months(start, template.due_in_months),
        )
        for kind, code in targets
        for template in by_target.get((kind, code), [])
    ]
