"""Which state share of a health insurance card applies: pure rules, no ORM.

Luật BHYT and its decrees give the state's share by group (100 % for poor
households and children under 6, at least 70 % for near-poor ones, at least
30 % for farming households of average living standard); a province may top
it up. A person in several groups is paid under the group with the highest
share (the law's rule: one card, the most favourable group).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

#: ``InsuranceGroup`` values (``plans.models``).
POOR = "poor"
NEAR_POOR = "near_poor"
AVERAGE_FARMING = "average_farming"
CHILD_UNDER_6 = "child_under_6"

#: Household status (``PovertyStatus``) → the group it puts its members in.
GROUP_OF_STATUS = {"poor": POOR, "near_poor": NEAR_POOR, "average": AVERAGE_FARMING}

CHILD_AGE_LIMIT = 6


@dataclass(frozen=True)
class Share:
    group: str
    share_pct: int
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    level: str = "national"

    def in_force(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def groups_of(*, household_status: str | None, age: int | None) -> set[str]:
    """The supported groups a person is in, from the household's list and their age."""
    groups = set()
    if household_status in GROUP_OF_STATUS:
        groups.add(GROUP_OF_STATUS[household_status])
    if age is not None and 0 <= age < CHILD_AGE_LIMIT:
        groups.add(CHILD_UNDER_6)
    return groups


def share_of(group: str, shares: Iterable[Share], day: datetime.date) -> int | None:
    """The state's share for ``group`` on ``day``: the highest of the rows in force
    (a provincial top-up above the national share wins)."""
    values = [s.share_pct for s in shares if s.group == group and s.in_force(day)]
    return max(values) if values else None


def highest_group(
    groups: Iterable[str], shares: Iterable[Share], day: datetime.date
) -> tuple[str, int] | None:
    """The group with the highest share on ``day`` and that share (ties: the first in
    ``groups`` sorted by name, so the answer is stable)."""
    shares = list(shares)
    best = None
    for group in sorted(groups):
        share = share_of(group, shares, day)
        if share is not None and (best is None or share > best[1]):
            best = (group, share)
    return best
