"""The one place that decides a household's status and transition in a review year.

``compute_years`` is pure: from one household's recognised decisions it
derives one ``YearRow`` per review year, under each way of counting (a
*view*):

- ``national``: the decided status (``Assessment.recorded_status``) where the
  national standard makes the list, else the national classification;
- ``provincial``: the provincial classification, else the decision (years
  before the provincial standard applied, so that its first year has a
  start-of-year list);
- ``comparison``: the classification under the comparison standard of a
  change year, else the decision;
- ``list``: the status under the standard that makes the list: the
  provincial view for a decision whose list year a ``ListMakingStandard`` of
  its round's provincial standard covers, else the national view.

The decision of a year is the last recognised assessment of the year (by
id: a regular-round decision made after the periodic one supersedes it).
A year without a decision is *out*. Rows run from the first decided year to
the last, plus the year after when the household was listed in its last
decided year (it left the list without a decision: ``other_decrease``).
Transitions follow ``households.transitions.transition``; "ever" counts only
decided statuses, never an overruled one.

A year without a decision names why, where a household event says it: the
household moved to another ward or was merged into another (``left_by``).

``sync_household_years`` stores the rows of some households (replacing what
changed), inside the caller's transaction; ``check_household_years`` compares
the stored rows with a recomputation.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields

from django.db import transaction

from .models import (
    Assessment,
    AssessmentStatus,
    EventKind,
    HouseholdEvent,
    ReviewKind,
    StandardLevel,
)
from .models.years import HouseholdYear, LeftBy, ListMakingStandard
from .transitions import LISTED, transition

VIEWS = ("national", "provincial", "comparison", "list")


@dataclass(frozen=True, slots=True)
class Decision:
    """One recognised assessment, reduced to what decides a year."""

    assessment_id: int
    year: int
    unit_id: int
    national: str
    provincial: str = ""
    comparison: str = ""
    #: The provincial standard makes the list of this decision.
    provincial_decides: bool = False

    def status(self, view: str) -> str:
        if view == "national":
            return self.national
        if view == "provincial":
            return self.provincial or self.national
        if view == "comparison":
            return self.comparison or self.national
        return self.status("provincial") if self.provincial_decides else self.national


@dataclass(frozen=True, slots=True)
class YearRow:
    """One stored ``HouseholdYear`` row (the model's columns, ids for foreign keys)."""

    household_id: int
    year: int
    assessment_id: int | None
    unit_id: int
    previous_unit_id: int | None
    list_level: str
    national_status: str
    national_previous: str
    national_transition: str
    provincial_status: str
    provincial_previous: str
    provincial_transition: str
    comparison_status: str
    comparison_previous: str
    comparison_transition: str
    status: str
    previous: str
    transition: str
    ever_listed: bool
    left_by: str = ""


_ROW_FIELDS = tuple(f.name for f in fields(YearRow))


def _prefix(view: str) -> str:
    return "" if view == "list" else f"{view}_"


def compute_years(
    household_id: int,
    decisions: Iterable[Decision],
    departures: Iterable[tuple[str, datetime.date]] = (),
) -> list[YearRow]:
    """The rows of one household (see module doc); ``decisions`` in any order.

    ``departures``: ``(LeftBy value, date)`` of the household's moves to another
    ward and its merge into another household. A year without a decision names
    the first of them dated in that year or the year before (``left_by``).
    """
    departures = sorted(departures, key=lambda d: d[1])
    by_year: dict[int, Decision] = {}
    for decision in sorted(decisions, key=lambda d: (d.year, d.assessment_id)):
        by_year[decision.year] = decision
    if not by_year:
        return []
    first, last = min(by_year), max(by_year)
    if any(by_year[last].status(view) in LISTED for view in VIEWS):
        last += 1
    rows: list[YearRow] = []
    previous: dict[str, str] = dict.fromkeys(VIEWS, "")
    ever: dict[str, set[str]] = {view: set() for view in VIEWS}
    unit_id: int | None = None
    ever_listed = False
    for year in range(first, last + 1):
        decision = by_year.get(year)
        previous_unit_id = unit_id
        if decision is not None:
            unit_id = decision.unit_id
        values: dict[str, object] = {}
        for view in VIEWS:
            status = decision.status(view) if decision is not None else ""
            kind = transition(
                previous[view] or None,
                status or None,
                ever=frozenset(ever[view]),
                decided=decision is not None,
            )
            prefix = _prefix(view)
            values[f"{prefix}status"] = status
            values[f"{prefix}previous"] = previous[view] if previous[view] in LISTED else ""
            values[f"{prefix}transition"] = kind or ""
            # ``ever`` lags one year behind: the previous year is passed separately.
            if previous[view]:
                ever[view].add(previous[view])
            previous[view] = status
        ever_listed = ever_listed or values["status"] in LISTED
        rows.append(
            YearRow(
                household_id=household_id,
                year=year,
                assessment_id=decision.assessment_id if decision is not None else None,
                unit_id=unit_id,
                previous_unit_id=previous_unit_id,
                list_level=(
                    StandardLevel.PROVINCIAL
                    if decision is not None and decision.provincial_decides
                    else StandardLevel.NATIONAL
                ),
                ever_listed=ever_listed,
                left_by=_left_by(departures, year) if decision is None else "",
                **values,
            )
        )
    return rows


def _left_by(departures, year: int) -> str:
    return next((kind for kind, day in departures if year - 1 <= day.year <= year), "")


# --- Reading the decisions ----------------------------------------------------------


def list_year(year: int, kind: str) -> int:
    """The year of the lists a decision makes: a periodic review of Y decides Y + 1's."""
    return year + 1 if kind == ReviewKind.PERIODIC else year


class ListMaking:
    """The ``ListMakingStandard`` settings, read once."""

    def __init__(self, settings: Sequence[ListMakingStandard] | None = None):
        self.settings = list(ListMakingStandard.objects.all() if settings is None else settings)

    def provincial_decides(self, provincial_standard_id: int | None, list_year: int) -> bool:
        return provincial_standard_id is not None and any(
            s.standard_id == provincial_standard_id and s.covers(list_year) for s in self.settings
        )

    def for_year(self, list_year: int) -> ListMakingStandard | None:
        """The setting covering ``list_year``, if any (the first by year)."""
        return next((s for s in self.settings if s.covers(list_year)), None)


_DECISION_COLUMNS = (
    "pk",
    "household_id",
    "year",
    "unit_id",
    "recorded_status",
    "national_status",
    "provincial_status",
    "comparison_status",
    "round__kind",
    "round__provincial_standard_id",
)


def decisions_of(household_ids: Iterable[int] | None, making: ListMaking | None = None):
    """``{household id: [Decision]}`` of the recognised assessments (all households: None)."""
    making = making or ListMaking()
    queryset = Assessment.objects.filter(status=AssessmentStatus.RECOGNISED).exclude(
        recorded_status=""
    )
    if household_ids is not None:
        queryset = queryset.filter(household_id__in=list(household_ids))
    found: dict[int, list[Decision]] = defaultdict(list)
    for values in queryset.values_list(*_DECISION_COLUMNS).order_by().iterator(chunk_size=5000):
        found[values[1]].append(decision_from(values, making.provincial_decides))
    return found


def decision_from(values: Sequence, provincial_decides) -> Decision:
    """A ``Decision`` from the ``_DECISION_COLUMNS`` of one assessment.

    Where the provincial standard makes the list, the decision (``recorded_status``)
    is the provincial status and the national view is the national classification;
    records decided before the setting existed (``recorded_status`` national) read
    the same way through ``provincial_status``.
    """
    pk, _household, year, unit, recorded, national, provincial, comparison, kind, std = values
    decides = provincial_decides(std, list_year(year, kind))
    return Decision(
        assessment_id=pk,
        year=year,
        unit_id=unit,
        national=(national or recorded) if decides else recorded,
        provincial=provincial or (recorded if decides else ""),
        comparison=comparison,
        provincial_decides=decides,
    )


def assessment_list_status(assessment: Assessment, making: ListMaking | None = None) -> str:
    """The status ``assessment`` puts the household on the lists with: its provincial
    classification where the provincial standard makes the list, else the national."""
    review_round = assessment.round
    decides = (making or ListMaking()).provincial_decides(
        review_round.provincial_standard_id, list_year(review_round.year, review_round.kind)
    )
    if decides and assessment.provincial_status:
        return assessment.provincial_status
    return assessment.national_status


_DEPARTURES = {EventKind.MOVED_WARD: LeftBy.MOVED_OUT, EventKind.MERGED_INTO: LeftBy.MERGED_AWAY}


def departures_of(household_ids: Iterable[int] | None):
    """``{household id: [(LeftBy value, date)]}`` from the household events."""
    queryset = HouseholdEvent.objects.filter(kind__in=list(_DEPARTURES))
    if household_ids is not None:
        queryset = queryset.filter(household_id__in=list(household_ids))
    found: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
    for household, kind, day in queryset.values_list("household_id", "kind", "occurred_on"):
        found[household].append((_DEPARTURES[kind].value, day))
    return found


def recompute(household_ids: Iterable[int] | None = None) -> dict[tuple[int, int], YearRow]:
    """``{(household id, year): row}`` computed from the decisions and the events."""
    rows = {}
    departures = departures_of(household_ids)
    for household_id, decisions in decisions_of(household_ids).items():
        for row in compute_years(household_id, decisions, departures.get(household_id, ())):
            rows[(household_id, row.year)] = row
    return rows


def _stored(household_ids: Iterable[int] | None, year: int | None = None):
    queryset = HouseholdYear.objects.all()
    if household_ids is not None:
        queryset = queryset.filter(household_id__in=list(household_ids))
    if year is not None:
        queryset = queryset.filter(year=year)
    return {
        (values["household_id"], values["year"]): (values.pop("pk"), YearRow(**values))
        for values in queryset.values("pk", *_ROW_FIELDS).order_by().iterator(chunk_size=5000)
    }


def _write(stored, computed, year: int | None = None) -> tuple[int, int]:
    """Replace the stored rows that differ from ``computed``: (written, deleted)."""
    if year is not None:
        computed = {key: row for key, row in computed.items() if key[1] == year}
    stale = [pk for key, (pk, row) in stored.items() if computed.get(key) != row]
    if stale:
        HouseholdYear.objects.filter(pk__in=stale).delete()
    kept = {key for key, (_pk, row) in stored.items() if computed.get(key) == row}
    new = [HouseholdYear(**asdict(row)) for key, row in computed.items() if key not in kept]
    HouseholdYear.objects.bulk_create(new, batch_size=1000)
    return len(new), len(stale)


@transaction.atomic
def sync_household_years(*, household_ids: Iterable[int]) -> int:
    """Store the rows of ``household_ids`` from their decisions now; returns rows written.

    Called in the transaction of every write that changes a decision.
    """
    ids = sorted(set(household_ids))
    if not ids:
        return 0
    written, _deleted = _write(_stored(ids), recompute(ids))
    return written


@dataclass(frozen=True)
class Difference:
    household_id: int
    year: int
    stored: YearRow | None
    computed: YearRow | None


def check_household_years(*, year: int | None = None) -> list[Difference]:
    """Stored rows that differ from a recomputation of every household (empty: all equal)."""
    computed = recompute()
    if year is not None:
        computed = {key: row for key, row in computed.items() if key[1] == year}
    stored = {key: row for key, (_pk, row) in _stored(None, year).items()}
    return [
        Difference(key[0], key[1], stored.get(key), computed.get(key))
        for key in sorted(set(stored) | set(computed))
        if stored.get(key) != computed.get(key)
    ]


@transaction.atomic
def rebuild_household_years(*, year: int | None = None) -> tuple[int, int]:
    """Recompute every household's rows (of ``year`` only, if given): (written, deleted)."""
    return _write(_stored(None, year), recompute(), year)
