"""The annual report of the poverty review (TT 07/2021 Phụ lục VII style): pure reads.

``annual_report(year=Y)`` computes, per grassroots unit valid on 31 December
of Y and for the city (or ward) whose report it is, the figures of the form
the wards send up (DOMAIN.md, "Reports the wards send up"):

- *start* of Y is the recognised list at the end of Y−1, *end* of Y the
  recognised list at the end of Y; a household's status and transition in a
  year are read from ``households.HouseholdYear`` (the one place that decides
  them, ``households.household_years``: the last recognised assessment of the
  year, a regular-round decision made after the periodic one superseding it;
  no decision means *out*, and a listed household without one an *other
  decrease*);
- the default report counts the lists as made (the standard that makes the
  lists: provincial where a ``ListMakingStandard`` says so) and reports the
  national classification beside it (``national``); ``standard=`` chooses the
  national, provincial or comparison view instead;
- ``end = start − decreases + increases`` holds in every row;
- rates are over all resident households (``UnitHouseholdCount``): the start
  rate over Y−1's count (the list was made against it), the end rate over Y's.

Units change (the 2025 reform): every assessment counts in the report unit it
belongs to on 31/12/Y: its own unit if still valid, else the unit(s) it became
(``UnitSuccession`` followed forward); for a split unit, the household's
current unit when it is one of the candidates, else the first candidate (by
code). Each household is counted once, in one row: the unit of its end-of-year
assessment, or of its start-of-year one when it has none. The unit mapping is
computed in Python over unit ids; the rows are aggregated in the database by a
fixed number of grouped queries, independent of the number of units and
households.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Count,
    F,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import (
    AdministrativeUnit,
    Area,
    UnitHouseholdCount,
    UnitKind,
)
from communes.selectors import unit_scope_ids
from communes.succession import SuccessionGraph, UnitDates
from communes.unit_loading import REFORM_2025, parts_outside_the_city
from households.models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Household,
    HouseholdYear,
    Indicator,
    Member,
    PovertyStandard,
    ReviewKind,
    ReviewRound,
    StandardLevel,
)
from households.models.standards import latest_in_force
from households.models.years import LeftBy
from households.transitions import NEAR_POOR, POOR, Transition
from plans.models import ActionStatus, PlanAction, SupportRecord

CITY_CODE = "193"
LISTED = (POOR, NEAR_POOR)
_CENT = Decimal("0.01")


def rate_pct(part: int | Decimal, total: int | Decimal | None) -> float | None:
    """``part`` as a percentage of ``total``, rounded half-up to 2 decimals (None if no total)."""
    if not total:
        return None
    value = Decimal(part) * 100 / Decimal(total)
    return float(value.quantize(_CENT, rounding=ROUND_HALF_UP))


# --- Rows --------------------------------------------------------------------------


@dataclass
class Block:
    """One list's flows in a year: the poor block or the near-poor block of a row."""

    #: ``poor`` or ``near_poor``: the name of the other list's keys depends on it.
    kind: str
    start: int = 0
    exited: int = 0
    to_other: int = 0
    #: Left the list without a decision (moved, died, merged, not re-reviewed): khác giảm.
    other_decrease: int = 0
    #: Of ``other_decrease``: moved to another ward, merged into another household.
    moved_out: int = 0
    merged_away: int = 0
    new: int = 0
    re_entered: int = 0
    from_other: int = 0
    #: Came onto this unit's list without its decision (moved in while listed): khác tăng.
    other_increase: int = 0
    end: int = 0
    end_people: int = 0
    end_ethnic_minority: int = 0

    @property
    def decreases(self) -> int:
        return self.exited + self.to_other + self.other_decrease

    @property
    def increases(self) -> int:
        return self.new + self.re_entered + self.from_other + self.other_increase

    def add(self, other: Block) -> None:
        for name in _BLOCK_COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self, start_households, end_households) -> dict:
        other = "near_poor" if self.kind == POOR else "poor"
        return {
            "start": self.start,
            "start_rate_pct": rate_pct(self.start, start_households),
            "exited": self.exited,
            f"to_{other}": self.to_other,
            "new": self.new,
            "re_entered": self.re_entered,
            f"from_{other}": self.from_other,
            "other_decrease": self.other_decrease,
            "other_increase": self.other_increase,
            "other_decrease_moved_out": self.moved_out,
            "other_decrease_merged_away": self.merged_away,
            "end": self.end,
            "end_rate_pct": rate_pct(self.end, end_households),
            "end_people": self.end_people,
            "end_ethnic_minority": self.end_ethnic_minority,
        }


_BLOCK_COUNTS = (
    "start",
    "exited",
    "to_other",
    "other_decrease",
    "moved_out",
    "merged_away",
    "new",
    "re_entered",
    "from_other",
    "other_increase",
    "end",
    "end_people",
    "end_ethnic_minority",
)


@dataclass
class Row:
    """One line of the report: a unit, an urban/rural subtotal or the total."""

    code: str
    name: str
    area: str
    unit_id: int | None = None
    #: All resident households in Y (the end-rate denominator); 0 when not entered.
    total_households: int = 0
    #: Resident households in Y−1 (the start-rate denominator). Decimal: a split
    #: unit's count is shared equally among its successors.
    start_households: Decimal = Decimal(0)
    poor: Block = field(default_factory=lambda: Block(POOR))
    near_poor: Block = field(default_factory=lambda: Block(NEAR_POOR))
    #: ``{"poor": Counter(code → households), "near_poor": ...}`` at the end of Y.
    deprivations: dict[str, Counter] = field(
        default_factory=lambda: {POOR: Counter(), NEAR_POOR: Counter()}
    )
    #: Cause code → end poor and near-poor households naming it (every cause, not only primary).
    causes: Counter = field(default_factory=Counter)
    #: Current members of the end poor and near-poor households, and those with a valid card.
    members: int = 0
    members_insured: int = 0
    #: Support type code → ``{"count", "vnd"}``; funding source → ``{"count", "vnd"}``.
    support: dict[str, dict[str, int]] = field(default_factory=dict)
    support_by_source: dict[str, dict[str, int]] = field(default_factory=dict)
    plan_actions_done: int = 0
    plan_actions_overdue: int = 0
    #: At a change of standard: the end lists under the previous standard
    #: (``{"poor": n, "near_poor": n}``), for comparison; ``None`` otherwise.
    comparison: dict[str, int] | None = None
    #: The end lists under the national standard (``{"poor": n, "near_poor": n}``),
    #: reported beside the lists of the report's standard.
    national: dict[str, int] | None = None
    #: Parts of the unit outside the city's records (communes of other former
    #: districts it took in on 1/7/2025): the row covers only its former city part.
    outside_parts: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """The footnote of the official form for a unit covered only in part."""
        if not self.outside_parts:
            return ""
        return (
            "Từ ngày 01/7/2025, số liệu chỉ gồm phần địa bàn thuộc thành phố Hạ Long cũ; "
            f"không gồm phần sáp nhập từ {', '.join(self.outside_parts)}."
        )

    @property
    def health_insurance_coverage_pct(self) -> float | None:
        return rate_pct(self.members_insured, self.members)

    def block(self, status: str) -> Block:
        return self.poor if status == POOR else self.near_poor

    def add(self, other: Row) -> None:
        """Add ``other``'s counts to this row (subtotals and totals)."""
        self.total_households += other.total_households
        self.start_households += other.start_households
        self.poor.add(other.poor)
        self.near_poor.add(other.near_poor)
        for status in LISTED:
            self.deprivations[status].update(other.deprivations[status])
        self.causes.update(other.causes)
        self.members += other.members
        self.members_insured += other.members_insured
        _add_money(self.support, other.support)
        _add_money(self.support_by_source, other.support_by_source)
        self.plan_actions_done += other.plan_actions_done
        self.plan_actions_overdue += other.plan_actions_overdue
        if other.comparison is not None:
            mine = self.comparison or {POOR: 0, NEAR_POOR: 0}
            self.comparison = {k: mine[k] + other.comparison[k] for k in (POOR, NEAR_POOR)}
        if other.national is not None:
            mine = self.national or {POOR: 0, NEAR_POOR: 0}
            self.national = {k: mine[k] + other.national[k] for k in (POOR, NEAR_POOR)}

    def as_json(self) -> dict:
        start_households = self.start_households
        return {
            "code": self.code,
            "name": self.name,
            "area": self.area,
            "total_households": self.total_households,
            "start_households": int(start_households.quantize(Decimal(1), ROUND_HALF_UP)),
            "poor": self.poor.as_json(start_households, self.total_households),
            "near_poor": self.near_poor.as_json(start_households, self.total_households),
            "deprivations": {
                status: dict(sorted(c.items())) for status, c in self.deprivations.items()
            },
            "causes": dict(sorted(self.causes.items())),
            "health_insurance_coverage_pct": self.health_insurance_coverage_pct,
            "health_insurance": {"members": self.members, "insured": self.members_insured},
            "support": {k: dict(v) for k, v in sorted(self.support.items())},
            "support_by_source": {k: dict(v) for k, v in sorted(self.support_by_source.items())},
            "plan_actions": {
                "done": self.plan_actions_done,
                "overdue": self.plan_actions_overdue,
            },
            "comparison": dict(self.comparison) if self.comparison is not None else None,
            "national": dict(self.national) if self.national is not None else None,
            "note": self.note,
            "outside_parts": list(self.outside_parts),
        }


def _add_money(into: dict[str, dict[str, int]], other: dict[str, dict[str, int]]) -> None:
    for key, value in other.items():
        slot = into.setdefault(key, {"count": 0, "vnd": 0})
        slot["count"] += value["count"]
        slot["vnd"] += value["vnd"]


@dataclass
class Report:
    year: int
    #: Code of the poverty standard the statuses come from ("" when none is in force).
    standard: str
    units: list[Row]
    total: Row
    groups: dict[str, Row]
    root_code: str = ""
    root_name: str = ""
    standard_name: str = ""
    #: The day BHYT cards and overdue actions are judged on (31/12/Y, or today).
    as_of: datetime.date | None = None
    #: The standard of the start-of-year lists (the review of Y − 1).
    start_standard: str = ""
    #: At a change of standard: the standard in force during Y under which the
    #: end lists are also counted (``Row.comparison``).
    comparison_standard: str = ""
    #: The ``HouseholdYear`` view counted: ``list`` (the standard that makes the
    #: lists, the default), ``national``, ``provincial`` or ``comparison``.
    view: str = "list"
    #: For the default report: the level of the standard that made the lists.
    list_level: str = ""

    @property
    def decided_by(self) -> str:
        """Which standard decided the lists counted, as the report and page say it."""
        if not self.standard:
            return ""
        if self.view == "list":
            return _("Lists made under %(standard)s (the standard that makes the lists)") % {
                "standard": self.standard_name or self.standard
            }
        return _("Counted under %(standard)s (not necessarily the standard of the lists)") % {
            "standard": self.standard_name or self.standard
        }

    @property
    def compares_standards(self) -> bool:
        """Start and end lists were made under two standards: the flows are not progress."""
        return bool(self.start_standard and self.standard) and self.start_standard != self.standard

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "standard": self.standard,
            "standard_name": self.standard_name,
            "start_standard": self.start_standard,
            "compares_standards": self.compares_standards,
            "comparison_standard": self.comparison_standard or None,
            "view": self.view,
            "list_level": self.list_level or None,
            "decided_by": str(self.decided_by),
            "root": {"code": self.root_code, "name": self.root_name},
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "units": [row.as_json() for row in self.units],
            "groups": {area: row.as_json() for area, row in self.groups.items()},
            "total": self.total.as_json(),
        }


# --- Units ---------------------------------------------------------------------------


class _UnitMap:
    """Which report unit an assessment made in a unit counts in, on 31/12 of the year."""

    def __init__(self, report_ids: set[int], day: datetime.date, graph: SuccessionGraph):
        self.report_ids = report_ids
        self.day = day
        self.graph = graph
        # Every unit whose records can end up in a report unit: the report units
        # and, transitively, what they succeeded.
        self.candidate_ids = frozenset(report_ids | graph.all_predecessors(report_ids))
        self.units: dict[int, UnitDates] = {}

    def load(self) -> None:
        self.graph.ensure_units(self.candidate_ids)
        self.units = {
            pk: self.graph.units[pk] for pk in self.candidate_ids if pk in self.graph.units
        }

    def targets(self, unit_id: int) -> list[int]:
        """Units valid on the day that ``unit_id`` is or became (first candidate first)."""
        return self.graph.units_on(unit_id, self.day, within=self.candidate_ids)

    def resolve(self, unit_id: int, household_unit_id: int | None = None) -> int | None:
        """The report unit for a record of ``unit_id`` (a split: the household's current unit)."""
        targets = self.targets(unit_id)
        if not targets:
            return None
        target = household_unit_id if household_unit_id in targets else targets[0]
        return target if target in self.report_ids else None

    def shares(self, unit_id: int) -> list[tuple[int, Decimal]]:
        """``(report unit, share)`` of a unit's territory, split equally for a split unit."""
        targets = self.targets(unit_id)
        share = Decimal(1) / len(targets) if targets else Decimal(0)
        return [(t, share) for t in targets if t in self.report_ids]


def _after_reform(unit: AdministrativeUnit) -> bool:
    return unit.valid_from is not None and unit.valid_from >= REFORM_2025


def _default_root() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(kind=UnitKind.CITY, code=CITY_CODE)


def report_units(
    root: AdministrativeUnit, year: int, graph: SuccessionGraph | None = None
) -> list[AdministrativeUnit]:
    """Grassroots units in ``root``'s scope valid on 31/12/``year``, urban first, by code."""
    ids = unit_scope_ids(root.pk, graph)
    units = AdministrativeUnit.objects.grassroots().valid_on(datetime.date(year, 12, 31))
    return sorted(units.filter(pk__in=ids), key=lambda u: (u.area != Area.URBAN, u.code, u.pk))


# --- Queries -------------------------------------------------------------------------


#: The ``HouseholdYear`` columns of each way of counting (``households.household_years``).
_VIEW_PREFIX = {
    "list": "",
    "national": "national_",
    "provincial": "provincial_",
    "comparison": "comparison_",
}


def _view(standard: PovertyStandard | None, year: int) -> str:
    """The ``HouseholdYear`` view a report under ``standard`` reads.

    Provincial: the provincial classification, falling back to the national
    decision where the household has none (years before the provincial standard
    applied, so that the first provincial year has a start-of-year list). A
    national standard in force during ``year`` that its periodic review replaced
    (NĐ 07 in 2026): the comparison classification, falling back to the
    decision (regular reviews of the year used it).
    """
    if standard is not None and standard.level == StandardLevel.PROVINCIAL:
        return "provincial"
    if _is_comparison(standard, year):
        return "comparison"
    return "national"


def _is_comparison(standard: PovertyStandard | None, year: int | None) -> bool:
    return (
        standard is not None
        and year is not None
        and standard.level == StandardLevel.NATIONAL
        and standard.applies_in(year)
        and not standard.applies_to_review(year)
    )


class _Standards:
    """Every standard, read once: the report picks its own and the comparison's in Python."""

    def __init__(self):
        self.all = list(PovertyStandard.objects.all())

    def in_force(self, year: int, level: str = StandardLevel.NATIONAL):
        return latest_in_force(self.all, year, level)

    def of_review(self, year: int, level: str = StandardLevel.NATIONAL):
        return self.in_force(year + 1, level)


def _standards_making_lists(standards: _Standards, unit_ids: set[int], year: int):
    """The standards that made the end and the start lists of ``year`` in ``unit_ids``.

    A periodic round of Y makes the lists of Y + 1 under its provincial standard
    where a ``ListMakingStandard`` of that standard covers Y + 1 (the rule of
    ``households.household_years``); otherwise under the national standard of
    the review. One query for both years.
    """
    provincial = dict(
        ReviewRound.objects.filter(unit_id__in=unit_ids, kind=ReviewKind.PERIODIC)
        .filter(
            Q(
                year=year,
                provincial_standard__list_making_periods__first_year__lte=year + 1,
                provincial_standard__list_making_periods__last_year__gte=year + 1,
            )
            | Q(
                year=year - 1,
                provincial_standard__list_making_periods__first_year__lte=year,
                provincial_standard__list_making_periods__last_year__gte=year,
            )
        )
        .values_list("year", "provincial_standard_id")
        .distinct()
        .order_by()
    )
    by_pk = {s.pk: s for s in standards.all}

    def making(review_year: int):
        if review_year in provincial:
            return by_pk.get(provincial[review_year])
        return standards.of_review(review_year)

    return making(year), making(year - 1)


def _recognised():
    return Assessment.objects.filter(status=AssessmentStatus.RECOGNISED)


def annual_report(
    *,
    year: int,
    units: list[AdministrativeUnit] | None = None,
    root: AdministrativeUnit | None = None,
    standard: PovertyStandard | None = None,
) -> Report:
    """The annual report of ``root`` (default: the city) for ``year`` (see module doc).

    ``units``: the rows (default: grassroots units of ``root``'s scope valid on
    31/12/``year``). ``standard``: default the national standard of ``year``'s
    periodic review (in force for ``year`` + 1); a provincial standard reads
    ``Assessment.provincial_status``. At a change of standard the end lists are
    also counted under the standard in force during ``year`` (``Row.comparison``).
    """
    root = root or _default_root()
    standards = _Standards()
    graph = SuccessionGraph.load()
    if units is None:
        units = report_units(root, year, graph)
    day = datetime.date(year, 12, 31)
    mapping = _UnitMap({u.pk for u in units}, day, graph)
    if standard is None:
        view = "list"
        standard, start = _standards_making_lists(standards, mapping.candidate_ids, year)
    elif standard.level == StandardLevel.PROVINCIAL:
        view = "provincial"
        start = standards.of_review(year - 1, StandardLevel.PROVINCIAL)
    else:
        view = _view(standard, year)
        start = standard if view == "comparison" else standards.of_review(year - 1)
    comparison = None
    national = standard is not None and standard.level == StandardLevel.NATIONAL
    if national and view != "comparison":
        current = standards.in_force(year)
        comparison = current if current not in (None, standard) else None
    if comparison is not None and not (
        _recognised().filter(year=year).exclude(comparison_status="").exists()
    ):
        comparison = None  # a year recorded before comparisons were kept (2021)
    as_of = min(day, timezone.localdate())

    outside = parts_outside_the_city()
    rows = {
        u.pk: Row(
            code=u.code,
            name=u.name,
            area=u.area,
            unit_id=u.pk,
            outside_parts=outside.get(u.code, ()) if _after_reform(u) else (),
        )
        for u in units
    }
    mapping.load()

    if rows:  # a root with no unit valid at the end of the year reports nothing
        if comparison is not None:
            _count_comparison(rows, mapping, year)
        _count_denominators(rows, mapping, year)
        _count_flows_and_end_lists(rows, mapping, year, view, as_of)
        _count_support(rows, mapping, year)
        _count_plan_actions(rows, mapping, year, as_of)

    unit_rows = list(rows.values())
    groups = {
        Area.URBAN.value: Row(code="", name=str(Area.URBAN.label), area=Area.URBAN),
        Area.RURAL.value: Row(code="", name=str(Area.RURAL.label), area=Area.RURAL),
    }
    total = Row(code=root.code, name=root.name, area="")
    for summary in (*groups.values(), total):
        if comparison is not None:
            summary.comparison = {POOR: 0, NEAR_POOR: 0}
        if rows:
            summary.national = {POOR: 0, NEAR_POOR: 0}
    for row in unit_rows:
        groups.setdefault(row.area, Row(code="", name=row.area, area=row.area)).add(row)
        total.add(row)
    return Report(
        year=year,
        standard=standard.code if standard else "",
        standard_name=standard.name if standard else "",
        units=unit_rows,
        total=total,
        groups=groups,
        root_code=root.code,
        root_name=root.name,
        as_of=as_of,
        start_standard=start.code if start else "",
        comparison_standard=comparison.code if comparison else "",
        view=view,
        list_level=standard.level if standard is not None and view == "list" else "",
    )


def _count_comparison(rows: dict[int, Row], mapping: _UnitMap, year: int) -> None:
    """The end lists of Y under the comparison standard, per report unit (one query)."""
    for row in rows.values():
        row.comparison = {POOR: 0, NEAR_POOR: 0}
    listed = (
        HouseholdYear.objects.filter(
            year=year,
            unit_id__in=mapping.candidate_ids,
            assessment__isnull=False,
            comparison_status__in=LISTED,
        )
        .values("unit_id", household_unit=F("household__unit_id"), s=F("comparison_status"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for g in listed:
        row = rows.get(mapping.resolve(g["unit_id"], g["household_unit"]))
        if row is not None:
            row.comparison[g["s"]] += g["n"]


def _count_denominators(rows: dict[int, Row], mapping: _UnitMap, year: int) -> None:
    """Resident households of Y (end) and Y−1 (start), carried over to the report units.

    A year's count belongs to the units that existed on 31 December of that
    year (a count entered for a unit that did not exist then is ignored, so
    nothing is counted twice); it is carried to the unit(s) it became, a split
    unit's shared equally among its successors.
    """
    counts = UnitHouseholdCount.objects.filter(
        unit_id__in=mapping.candidate_ids, year__in=(year - 1, year)
    ).values_list("unit_id", "year", "households")
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for unit_id, count_year, households in counts:
        unit = mapping.units.get(unit_id)
        if unit is None or not unit.is_valid_on(datetime.date(count_year, 12, 31)):
            continue
        for target, share in mapping.shares(unit_id):
            totals[(target, count_year)] += households * share
    for unit_id, row in rows.items():
        end = totals.get((unit_id, year), Decimal(0))
        row.total_households = int(end.quantize(Decimal(1), ROUND_HALF_UP))
        row.start_households = totals.get((unit_id, year - 1), Decimal(0))


def _decided_in_year(year: int, candidates: set[int], view: str):
    """The ``HouseholdYear`` rows of ``year`` on a list (under ``view``) in ``year`` − 1 or
    ``year``, made or started in ``candidates``: one row per household, with its
    units, start and end status, stored transition, people and ethnic minority."""
    prefix = _VIEW_PREFIX[view]
    return (
        HouseholdYear.objects.filter(year=year)
        .filter(Q(unit_id__in=candidates) | Q(previous_unit_id__in=candidates))
        .filter(Q(**{f"{prefix}status__in": LISTED}) | Q(**{f"{prefix}previous__in": LISTED}))
        .values(
            a_id=F("assessment_id"),
            hh=F("household_id"),
            u=F("unit_id"),
            hu=F("household__unit_id"),
            mc=F("assessment__member_count"),
            em=F("household__is_ethnic_minority"),
            cur=F(f"{prefix}status"),
            prev=F(f"{prefix}previous"),
            kind=F(f"{prefix}transition"),
            pu=F("previous_unit_id"),
            lb=F("left_by"),
        )
        .order_by()
    )


def _national_end(year: int, candidates: set[int]):
    """The end lists of ``year`` under the national standard, per unit (beside the lists)."""
    return (
        HouseholdYear.objects.filter(
            year=year,
            unit_id__in=candidates,
            assessment__isnull=False,
            national_status__in=LISTED,
        )
        .values(u=F("unit_id"), hu=F("household__unit_id"), s=F("national_status"))
        .annotate(n=Count("pk"))
        .order_by()
    )


#: One statement over the households' decided years of Y (``decided``, the
#: ``HouseholdYear`` rows computed once): the flows grouped by unit, start/end
#: status and stored transition; for those on a list at the end of Y their
#: deprivations, causes and members with a valid health card; and the end lists
#: under the national standard. Every branch has the same columns: kind, unit,
#: household unit, status, prev, transition, code, a, b, c, unit of the start.
_FLOWS_AND_END_LISTS_SQL = """
WITH decided AS MATERIALIZED ({decided})
SELECT 'flow', d.u, d.hu, d.cur, d.prev, d.kind, d.lb,
       COUNT(*), SUM(d.mc),
       SUM(CASE WHEN d.em THEN 1 ELSE 0 END), d.pu
FROM decided d
GROUP BY d.u, d.hu, d.cur, d.prev, d.kind, d.lb, d.pu
UNION ALL
SELECT 'deprivation', d.u, d.hu, d.cur, NULL, NULL, i.code,
       COUNT(*), NULL, NULL, NULL
FROM decided d
JOIN {deprivations} x ON x.assessment_id = d.a_id
JOIN {indicator} i ON i.id = x.indicator_id
WHERE d.cur IN (%s, %s)
GROUP BY d.u, d.hu, d.cur, i.code
UNION ALL
SELECT 'cause', d.u, d.hu, NULL, NULL, NULL, c.code,
       COUNT(*), NULL, NULL, NULL
FROM decided d
JOIN {cause} c ON c.assessment_id = d.a_id
WHERE d.cur IN (%s, %s)
GROUP BY d.u, d.hu, c.code
UNION ALL
SELECT 'members', d.u, d.hu, NULL, NULL, NULL, NULL,
       COUNT(CASE WHEN m.left_on IS NULL THEN m.id END),
       COUNT(
           CASE WHEN m.left_on IS NULL
                 AND NOT (m.health_insurance_number = '' AND m.health_insurance_number IS NOT NULL)
                 AND (m.health_insurance_expiry IS NULL OR m.health_insurance_expiry >= %s)
           THEN m.id END
       ),
       NULL, NULL
FROM decided d
LEFT JOIN {member} m ON m.household_id = d.hh
WHERE d.cur IN (%s, %s)
GROUP BY d.u, d.hu
UNION ALL
SELECT 'national', n.u, n.hu, n.s, NULL, NULL, NULL, n.n, NULL, NULL, NULL
FROM ({national}) n
"""


def _count_flows_and_end_lists(
    rows: dict[int, Row], mapping: _UnitMap, year: int, view: str, day: datetime.date
) -> None:
    """Start, decreases, increases and end of both lists (the stored ``HouseholdYear``
    transitions under ``view``), the deprivations, causes and health insurance of
    the end lists, and the end lists under the national standard (one statement).

    The households listed at the start of Y with no decision in Y have a row of Y
    too (``other_decrease``), so one read of the table covers every flow.
    """
    decided_sql, decided_params = _decided_in_year(
        year, mapping.candidate_ids, view
    ).query.sql_with_params()
    national_sql, national_params = _national_end(
        year, mapping.candidate_ids
    ).query.sql_with_params()
    sql = _FLOWS_AND_END_LISTS_SQL.format(
        decided=decided_sql,
        deprivations=_table(Assessment.deprivations.through),
        indicator=_table(Indicator),
        cause=_table(AssessmentCause),
        member=_table(Member),
        national=national_sql,
    )
    params = (*decided_params, *LISTED, *LISTED, day, *LISTED, *national_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()
    for row in rows.values():
        row.national = {POOR: 0, NEAR_POOR: 0}
    for kind, unit_id, household_unit_id, cur, prev, change, code, a, b, c, prev_unit in groups:
        row = rows.get(mapping.resolve(unit_id, household_unit_id))
        if kind == "flow":
            flow = (cur, prev, change, code)
            _count_flow(rows, mapping, row, household_unit_id, flow, prev_unit, a, b, c)
            continue
        if row is None:
            continue
        if kind == "deprivation":
            row.deprivations[cur][code] += a
        elif kind == "cause":
            row.causes[code] += a
        elif kind == "national":
            row.national[cur] += a
        else:
            row.members += a
            row.members_insured += b


def _count_flow(rows, mapping, row, household_unit_id, flow, prev_unit, n, people, em):
    """One group of households: start in the row of its unit the year before, end in the
    row of its decision of Y, the flow between them the stored transition.

    A household on a list at the start of Y in one row and decided in another
    (it moved while listed) is an *other decrease* of the first row (one that
    moved out) and, if it is still listed, an *other increase* of the second:
    each row's start stays the end of its previous year, and each row balances.
    A household without a decision in Y is an *other decrease*, of those that
    moved out or merged away when its events say so (``HouseholdYear.left_by``).
    """
    cur, prev, change, left_by = flow
    prev, cur = _listed(prev), _listed(cur)
    start_row = row
    if prev and prev_unit is not None:
        start_row = rows.get(mapping.resolve(prev_unit, household_unit_id))
    if prev and start_row is not None:
        start_row.block(prev).start += n
    if cur and row is not None:
        block = row.block(cur)
        block.end += n
        block.end_people += people or 0
        block.end_ethnic_minority += em or 0
    if prev and start_row is not row:
        if start_row is not None:
            start_row.block(prev).other_decrease += n
            start_row.block(prev).moved_out += n
        if cur and row is not None:
            row.block(cur).other_increase += n
        return
    if row is None:
        return
    if change == Transition.OTHER_DECREASE:
        block = row.block(prev)
        block.other_decrease += n
        if left_by == LeftBy.MOVED_OUT:
            block.moved_out += n
        elif left_by == LeftBy.MERGED_AWAY:
            block.merged_away += n
    else:
        _apply_transition(row, change, n)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _listed(value: str | None) -> str | None:
    return value if value in LISTED else None


_TRANSITION_EFFECTS: dict[str, tuple[tuple[str, str], ...]] = {
    Transition.EXITED: ((POOR, "exited"),),
    Transition.POOR_TO_NEAR_POOR: ((POOR, "to_other"), (NEAR_POOR, "from_other")),
    Transition.NEAR_POOR_EXITED: ((NEAR_POOR, "exited"),),
    Transition.NEAR_POOR_TO_POOR: ((NEAR_POOR, "to_other"), (POOR, "from_other")),
    Transition.NEW_POOR: ((POOR, "new"),),
    Transition.NEW_NEAR_POOR: ((NEAR_POOR, "new"),),
    Transition.RE_POOR: ((POOR, "re_entered"),),
    Transition.RE_NEAR_POOR: ((NEAR_POOR, "re_entered"),),
}


def _apply_transition(row: Row, kind: str | None, n: int) -> None:
    for status, column in _TRANSITION_EFFECTS.get(kind, ()):
        block = row.block(status)
        setattr(block, column, getattr(block, column) + n)


#: Support given in Y, grouped by the unit of its household as of Y: each
#: household given support looks up its unit once (``located``), however many
#: records it has, instead of one look-up per record.
_SUPPORT_SQL = """
WITH located AS MATERIALIZED (
    SELECT hh.id, hh.unit_id,
           COALESCE(
               (SELECT a.unit_id FROM {assessment} a
                WHERE a.household_id = hh.id AND a.year <= %s
                ORDER BY a.year DESC, a.id DESC
                LIMIT 1),
               hh.unit_id
           ) AS at_unit
    FROM {household} hh
    WHERE hh.id IN (
        SELECT g.household_id FROM {support} g WHERE g.given_on >= %s AND g.given_on <= %s
    )
)
SELECT l.at_unit, l.unit_id, t.code, s.funding_source, COUNT(*), SUM(s.amount)
FROM {support} s
JOIN located l ON l.id = s.household_id
JOIN {support_type} t ON t.id = s.support_type_id
WHERE s.given_on >= %s AND s.given_on <= %s
GROUP BY l.at_unit, l.unit_id, t.code, s.funding_source
"""


def _count_support(rows, mapping: _UnitMap, year: int) -> None:
    """Support given in ``year`` to households of the unit, by type and by funding source.

    Grouped by the household's unit as of ``year``: the unit of its latest
    assessment up to then (any status), else its current unit. Units outside
    ``mapping.candidate_ids`` resolve to no row and are dropped here.
    """
    sql = _SUPPORT_SQL.format(
        support=_table(SupportRecord),
        assessment=_table(Assessment),
        household=_table(Household),
        support_type=_table(SupportRecord.support_type.field.related_model),
    )
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    params = (year, first, last, first, last)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()
    for at_unit, household_unit_id, code, source, count, vnd in groups:
        row = rows.get(mapping.resolve(at_unit, household_unit_id))
        if row is None:
            continue
        money = {"count": int(count), "vnd": int(vnd or 0)}
        _add_money(row.support, {code: money})
        _add_money(row.support_by_source, {source: money})


#: Plan actions counted per household first (``actions``), then each household's
#: unit as of Y looked up once, as for support. The household's current unit is
#: a look-up by primary key: a join would hash the whole household table for a
#: few thousand households (support, with more households, keeps the join).
_PLAN_ACTIONS_SQL = """
WITH actions AS MATERIALIZED ({actions}),
located AS MATERIALIZED (
    SELECT x.done, x.overdue,
           (SELECT a.unit_id FROM {assessment} a
            WHERE a.household_id = x.household_id AND a.year <= %s
            ORDER BY a.year DESC, a.id DESC
            LIMIT 1) AS assessed_unit,
           (SELECT hh.unit_id FROM {household} hh WHERE hh.id = x.household_id) AS unit_id
    FROM actions x
)
SELECT COALESCE(l.assessed_unit, l.unit_id), l.unit_id, SUM(l.done), SUM(l.overdue)
FROM located l
GROUP BY COALESCE(l.assessed_unit, l.unit_id), l.unit_id
"""


def _count_plan_actions(rows, mapping: _UnitMap, year: int, day: datetime.date) -> None:
    """Actions done in ``year``, and actions open and past due on ``day`` (31/12 or today),
    grouped by the household's unit as of ``year`` (as for support).

    An action finished after ``day`` was still open then; dropped actions are
    never overdue.
    """
    done = Q(
        status=ActionStatus.DONE,
        completed_on__gte=datetime.date(year, 1, 1),
        completed_on__lte=datetime.date(year, 12, 31),
    )
    overdue = (
        ~Q(status=ActionStatus.DROPPED)
        & Q(due_date__lt=day)
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=day))
    )
    per_household = (
        PlanAction.objects.filter(done | overdue)
        .values(household_id=F("plan__household_id"))
        .annotate(done=Count("pk", filter=done), overdue=Count("pk", filter=overdue))
        .order_by()
    )
    actions_sql, params = per_household.query.sql_with_params()
    sql = _PLAN_ACTIONS_SQL.format(
        actions=actions_sql, assessment=_table(Assessment), household=_table(Household)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, year))
        groups = cursor.fetchall()
    for at_unit, household_unit_id, done_count, overdue_count in groups:
        row = rows.get(mapping.resolve(at_unit, household_unit_id))
        if row is not None:
            row.plan_actions_done += int(done_count)
            row.plan_actions_overdue += int(overdue_count)
