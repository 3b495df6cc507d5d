"""The succession graph of administrative units: loaded once, walked in Python.

A ``UnitSuccession`` says that a predecessor became (all or, for a split,
part of) a successor on a date (the 2025 reform, the Yết Kiêu merger).
Everything that follows those links — who may see which records, which unit
a record of an abolished unit counts in, where a household of an abolished
unit moves, which existing household a row of an old unit's file means —
asks a ``SuccessionGraph`` instead of walking the table itself.

``SuccessionGraph.load()`` reads every link with the dates and codes of the
units on both ends in one query; the graph is small (a few hundred links for
the province) and is loaded per operation, not cached across requests, so a
change of the units is seen at once. Dates of units outside any link are read
on demand (``ensure_units``, one query for many ids).
"""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .models import AdministrativeUnit, UnitSuccession

#: Why a unit has no single successor (``single_successor_on``).
SPLIT = "split"
NO_SUCCESSOR = "none"


@dataclass(frozen=True)
class UnitDates:
    """The part of a unit the graph needs: its code and when it existed."""

    pk: int
    code: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def is_valid_on(self, day: datetime.date) -> bool:
        """As ``AdministrativeUnit.is_valid_on`` (``valid_to`` is exclusive)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day
        )


@dataclass(frozen=True)
class Link:
    predecessor_id: int
    successor_id: int
    #: Only part of the predecessor went to the successor (a split).
    partial: bool = False


class SuccessionGraph:
    """Forward and backward look-ups over unit successions, and "which unit on this date"."""

    def __init__(self, links: Iterable[Link], units: Iterable[UnitDates] = ()):
        self.units: dict[int, UnitDates] = {u.pk: u for u in units}
        self._out: dict[int, list[Link]] = defaultdict(list)
        self._in: dict[int, list[Link]] = defaultdict(list)
        for link in links:
            self._out[link.predecessor_id].append(link)
            self._in[link.successor_id].append(link)
        # Successors and predecessors in code order, so "the first candidate"
        # of a split is the same wherever it is asked.
        for lists, end in ((self._out, "successor_id"), (self._in, "predecessor_id")):
            for unit_links in lists.values():
                unit_links.sort(key=lambda link, end=end: self._order(getattr(link, end)))
        self._on: dict[tuple, list[int]] = {}

    @classmethod
    def load(cls) -> SuccessionGraph:
        """Every succession with the dates of the units on both ends (one query)."""
        links, units = [], {}
        rows = UnitSuccession.objects.order_by().values_list(
            "partial",
            "predecessor_id",
            "predecessor__code",
            "predecessor__valid_from",
            "predecessor__valid_to",
            "successor_id",
            "successor__code",
            "successor__valid_from",
            "successor__valid_to",
        )
        for partial, *ends in rows:
            before, after = UnitDates(*ends[:4]), UnitDates(*ends[4:])
            units[before.pk], units[after.pk] = before, after
            links.append(Link(before.pk, after.pk, partial))
        return cls(links, units.values())

    def _order(self, unit_id: int):
        unit = self.units.get(unit_id)
        return (unit.code if unit else "", unit_id)

    def ensure_units(self, unit_ids: Iterable[int]) -> None:
        """Read the dates of the units among ``unit_ids`` not known yet (at most one query)."""
        missing = set(unit_ids) - self.units.keys()
        if not missing:
            return
        for values in AdministrativeUnit.objects.filter(pk__in=missing).values_list(
            "pk", "code", "valid_from", "valid_to"
        ):
            self.units[values[0]] = UnitDates(*values)

    # --- one step ----------------------------------------------------------------

    def successors(self, unit_id: int) -> list[int]:
        """The units ``unit_id`` became directly, by code."""
        return [link.successor_id for link in self._out.get(unit_id, ())]

    def predecessors(self, unit_id: int) -> list[int]:
        """The units that became ``unit_id`` directly, by code."""
        return [link.predecessor_id for link in self._in.get(unit_id, ())]

    def links_from(self, unit_id: int) -> list[Link]:
        return list(self._out.get(unit_id, ()))

    def is_successor(self, predecessor_id: int, successor_id: int) -> bool:
        """Whether ``predecessor_id`` became (part of) ``successor_id`` directly."""
        return successor_id in self.successors(predecessor_id)

    # --- transitive -------------------------------------------------------------

    def _reach(self, start_ids: Iterable[int], step) -> set[int]:
        found: set[int] = set()
        stack = list(start_ids)
        while stack:
            for nxt in step(stack.pop()):
                if nxt not in found:
                    found.add(nxt)
                    stack.append(nxt)
        return found

    def all_successors(self, unit_ids: Iterable[int]) -> set[int]:
        """Every unit reachable forward from ``unit_ids`` (not the start units themselves,
        unless a cycle leads back to them)."""
        return self._reach(unit_ids, self.successors)

    def all_predecessors(self, unit_ids: Iterable[int]) -> set[int]:
        """Every unit that became one of ``unit_ids``, transitively."""
        return self._reach(unit_ids, self.predecessors)

    def forward_order(self, unit_id: int) -> Iterator[int]:
        """``unit_id``, then the units it became, nearest first (breadth-first, each once)."""
        seen, queue = {unit_id}, deque([unit_id])
        while queue:
            current = queue.popleft()
            yield current
            for nxt in self.successors(current):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)

    def lineage(self, unit_ids: Iterable[int]) -> set[int]:
        """``unit_ids`` and every unit they became, transitively."""
        start = set(unit_ids)
        return start | self.all_successors(start)

    # --- on a date ----------------------------------------------------------------

    def units_on(
        self, unit_id: int, day: datetime.date, within: frozenset[int] | None = None
    ) -> list[int]:
        """The units valid on ``day`` that ``unit_id`` is or became, first candidate first.

        A unit valid on ``day`` is its own answer; an abolished one answers with
        what its successors answer (a split gives several units, by code); a unit
        abolished without successor, or not yet existing, gives ``[]``. With
        ``within``, only units among those are followed (a report that knows
        its units and what they succeeded).
        """
        key = (unit_id, day, within)
        if key not in self._on:
            self._on[key] = self._units_on(unit_id, day, within, frozenset())
        return self._on[key]

    def _units_on(self, unit_id, day, within, seen: frozenset[int]) -> list[int]:
        if unit_id in seen or (within is not None and unit_id not in within):
            return []
        self.ensure_units([unit_id])
        unit = self.units.get(unit_id)
        if unit is None:
            return []
        if unit.is_valid_on(day):
            return [unit_id]
        found: list[int] = []
        for successor in self.successors(unit_id):
            for target in self._units_on(successor, day, within, seen | {unit_id}):
                if target not in found:
                    found.append(target)
        return found

    def single_successor_on(self, unit_id: int, day: datetime.date) -> tuple[int | None, str]:
        """Follow whole (non-partial) successions from ``unit_id`` while the unit has
        ended on or before ``day``.

        Returns ``(unit id, "")``, or ``(None, SPLIT)`` when the way forks or is
        partial, or ``(None, NO_SUCCESSOR)`` when it ends (or loops).
        """
        self.ensure_units([unit_id])
        current, seen = unit_id, {unit_id}
        while (unit := self.units.get(current)) and unit.valid_to is not None:
            if unit.valid_to > day:
                break
            links = self.links_from(current)
            if not links:
                return None, NO_SUCCESSOR
            if len(links) > 1 or links[0].partial:
                return None, SPLIT
            current = links[0].successor_id
            if current in seen:
                return None, NO_SUCCESSOR
            seen.add(current)
        return current, ""
