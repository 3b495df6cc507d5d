"""The full report set of the review (TT 07/2021/TT-BLĐTBXH, Phụ lục VII): pure reads.

``report_set(year=Y, root=unit, standard=...)`` computes, per grassroots unit of
the root's scope valid on 31/12/Y (the rows of the annual report), for a ward,
the city or the province:

- the households *and people* of the poor and near-poor lists: start, every
  decrease (exited, to the other list, other decrease) and increase (new,
  re-entered, from the other list, other increase), end, with rates; the
  people sheet adds the change in size of the households that stay on the
  same list, so that it balances too;
- the deprivations and the causes of the end lists, poor and near-poor apart;
- the children's block of the end lists (children under 16 without a valid
  health-insurance card, aged 3–15 and not at school, households deprived in
  nutrition: a child's malnutrition is not recorded per member, only the
  survey's nutrition indicator is);
- the flows of the households of four groups (ethnic minority, no working
  capacity, revolutionary merit, female head), which balance like the lists;
- the named list of the end lists with their members, each household marked
  new, re-entered, from the other list, other increase or continuing.

Every household's yearly decided classification comes from ONE adapter,
``household_years``; it is the only function that reads how a household was
classified in a year (today through the annual report's own queries), so
the source of that classification can change in one place. The rows, the
denominators and the standard are the annual report's (``annual_report``):
the households sheet of the set equals the annual report's blocks.

Household groups (ethnic minority, no working capacity, merit, female head)
and school attendance are the register's current facts, not their value in Y:
the register keeps no yearly copy of them.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import translation

from communes.models import (
    GRASSROOTS_KINDS,
    AdministrativeUnit,
    UnitHouseholdCount,
)
from communes.succession import SuccessionGraph
from households.models import (
    Assessment,
    AssessmentCause,
    Household,
    Indicator,
    Member,
    PovertyStandard,
    Relation,
    Sex,
)
from households.models import HouseholdYear as StoredHouseholdYear
from households.transitions import NEAR_POOR, POOR, Transition

from . import reports as annual
from .reports import LISTED, Report, annual_report, rate_pct

#: The columns of a list's flows, in the order of the forms.
DECREASES = ("exited", "to_other", "other_decrease")
INCREASES = ("new", "re_entered", "from_other", "other_increase")
FLOW_COLUMNS = ("start", *DECREASES, *INCREASES, "end")

#: Household groups broken down by the forms: key → household attribute test.
GROUPS = ("ethnic_minority", "no_working_capacity", "merit", "female_head")
#: A child is under 16 (Luật Trẻ em 2016); school age for the B2 indicator: 3–15.
CHILD_AGE_LIMIT = 16
SCHOOL_AGE_FIRST = 3
#: The indicator of the B2 survey that records malnourished children.
NUTRITION_INDICATOR = "nutrition"
CHILDREN_COLUMNS = ("children", "no_insurance", "out_of_school", "nutrition_households")
#: How a household came onto the end list (``continuing``: on the same list at the start).
MARKS = ("new", "re_entered", "from_other", "other_increase", "continuing")
_ID_BATCH = 2000


# --- The adapter: each household's decided classification in a year -------------------


@dataclass(frozen=True)
class HouseholdYear:
    """One household on a list at the start or at the end of Y, as the report counts it.

    ``start``/``end``: ``poor``, ``near_poor`` or ``None`` (out); ``start_unit``
    and ``end_unit``: the report unit (row id) where it counts then, ``None``
    when outside the report. ``moves``: the flow columns it adds to, as
    ``(unit id, list, column)``, column one of ``DECREASES``/``INCREASES``.
    ``assessment_id``: its decision of Y (``None``: no decision in Y).
    """

    household_id: int
    start: str | None
    end: str | None
    start_unit: int | None
    end_unit: int | None
    start_people: int
    end_people: int
    assessment_id: int | None
    moves: tuple[tuple[int, str, str], ...]


def household_years(
    *,
    year: int,
    unit_ids: Iterable[int],
    standard: PovertyStandard | None,
    view: str | None = None,
) -> list[HouseholdYear]:
    """Every household on a list at the start or the end of ``year`` in the report units
    ``unit_ids``, classified under ``standard``.

    The one place the report set reads yearly decided classifications: the stored
    ``households.HouseholdYear`` rows (status, previous status and transition under
    the report's view, units of this year and the year before), carried to the
    report units as the annual report carries them, so the two agree row by row.
    ``view``: the annual report's (``Report.view``); by default the one of ``standard``
    (``None``: the standard that made the lists).
    """
    unit_ids = set(unit_ids)
    if not unit_ids:
        return []
    if view is None:
        view = "list" if standard is None else annual._view(standard, year)
    day = datetime.date(year, 12, 31)
    mapping = annual._UnitMap(unit_ids, day, SuccessionGraph.load())
    mapping.load()
    decided = list(annual._decided_in_year(year, mapping.candidate_ids, view))
    previous_people = dict(
        StoredHouseholdYear.objects.filter(
            year=year - 1, household_id__in=[d["hh"] for d in decided]
        ).values_list("household_id", "assessment__member_count")
    )
    found = []
    for d in decided:
        # The annual report's rule (``halong.reports._count_flow``), one household at a time.
        prev, cur = _listed(d["prev"]), _listed(d["cur"])
        household_unit = d["hu"]
        row_unit = mapping.resolve(d["u"], household_unit)
        start_unit = row_unit
        if prev and d["pu"] is not None:
            start_unit = mapping.resolve(d["pu"], household_unit)
        moves: list[tuple[int, str, str]] = []
        if prev and start_unit != row_unit:
            if start_unit is not None:
                moves.append((start_unit, prev, "other_decrease"))
            if cur and row_unit is not None:
                moves.append((row_unit, cur, "other_increase"))
        elif row_unit is not None:
            if d["kind"] == Transition.OTHER_DECREASE:
                moves.append((row_unit, prev, "other_decrease"))
            else:
                moves.extend(
                    (row_unit, status_, column)
                    for status_, column in annual._TRANSITION_EFFECTS.get(d["kind"], ())
                )
        start = prev if prev and start_unit is not None else None
        end = cur if cur and row_unit is not None else None
        if start is None and end is None:
            continue
        found.append(
            HouseholdYear(
                household_id=d["hh"],
                start=start,
                end=end,
                start_unit=start_unit if start else None,
                end_unit=row_unit if end else None,
                start_people=previous_people.get(d["hh"]) or 0,
                end_people=d["mc"] or 0,
                assessment_id=d["a_id"],
                moves=tuple(moves),
            )
        )
    return found


def _listed(value: str | None) -> str | None:
    return value if value in LISTED else None


# --- Figures ------------------------------------------------------------------------


@dataclass
class Flows:
    """A list's start, decreases, increases and end (households or people)."""

    start: int = 0
    exited: int = 0
    to_other: int = 0
    other_decrease: int = 0
    new: int = 0
    re_entered: int = 0
    from_other: int = 0
    other_increase: int = 0
    #: People only: the change in size of the households on the same list at both ends.
    size_change: int = 0
    end: int = 0

    @property
    def decreases(self) -> int:
        return sum(getattr(self, c) for c in DECREASES)

    @property
    def increases(self) -> int:
        return sum(getattr(self, c) for c in INCREASES)

    @property
    def balances(self) -> bool:
        """start − decreases + increases (+ size change) = end."""
        return self.start - self.decreases + self.increases + self.size_change == self.end

    def add(self, other: Flows) -> None:
        for name in (*FLOW_COLUMNS, "size_change"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _pair(factory):
    return field(default_factory=lambda: {POOR: factory(), NEAR_POOR: factory()})


@dataclass
class NamedMember:
    full_name: str
    relation: str
    birth_year: int
    sex: str
    ethnicity: str


@dataclass
class NamedHousehold:
    """A household of an end list, for the named list."""

    household_id: int
    code: str
    head_name: str
    address: str
    village: str
    status: str
    mark: str
    people: int
    members: list[NamedMember] = field(default_factory=list)


@dataclass
class UnitFigures:
    """One row of every sheet: a unit, an urban/rural subtotal or the total."""

    code: str
    name: str
    area: str
    unit_id: int | None = None
    note: str = ""
    total_households: int = 0
    start_households: Decimal = Decimal(0)
    #: Resident people of Y and Y−1 where entered (``UnitHouseholdCount.people``), else None.
    total_people: int | None = None
    start_people_total: Decimal | None = None
    households: dict[str, Flows] = _pair(Flows)
    people: dict[str, Flows] = _pair(Flows)
    deprivations: dict[str, Counter] = _pair(Counter)
    causes: dict[str, Counter] = _pair(Counter)
    children: dict[str, Counter] = _pair(Counter)
    groups: dict[str, dict[str, Flows]] = field(
        default_factory=lambda: {g: {POOR: Flows(), NEAR_POOR: Flows()} for g in GROUPS}
    )
    named: list[NamedHousehold] = field(default_factory=list)

    def add(self, other: UnitFigures) -> None:
        self.total_households += other.total_households
        self.start_households += other.start_households
        self.total_people = _add_optional(self.total_people, other.total_people)
        self.start_people_total = _add_optional(self.start_people_total, other.start_people_total)
        for status in LISTED:
            self.households[status].add(other.households[status])
            self.people[status].add(other.people[status])
            self.deprivations[status].update(other.deprivations[status])
            self.causes[status].update(other.causes[status])
            self.children[status].update(other.children[status])
            for group in GROUPS:
                self.groups[group][status].add(other.groups[group][status])

    def start_rate(self, status: str) -> float | None:
        return rate_pct(self.households[status].start, self.start_households)

    def end_rate(self, status: str) -> float | None:
        return rate_pct(self.households[status].end, self.total_households)

    def people_start_rate(self, status: str) -> float | None:
        return rate_pct(self.people[status].start, self.start_people_total)

    def people_end_rate(self, status: str) -> float | None:
        return rate_pct(self.people[status].end, self.total_people)


def _add_optional(mine, other):
    if other is None:
        return mine
    return other if mine is None else mine + other


@dataclass
class ReportSet:
    year: int
    standard: str
    standard_name: str
    root_code: str
    root_name: str
    root_kind: str
    as_of: datetime.date | None
    compares_standards: bool
    start_standard: str
    units: list[UnitFigures]
    groups: dict[str, UnitFigures]
    total: UnitFigures
    #: ``(code, name)`` of the standard's indicators, in catalogue order.
    indicators: list[tuple[str, str]]
    #: The named list is part of the set for a ward or commune (signed by its chair).
    has_named_list: bool = True

    def all_rows(self) -> Iterator[UnitFigures]:
        yield from self.units
        yield from self.groups.values()
        yield self.total


def report_set(
    *,
    year: int,
    root: AdministrativeUnit | None = None,
    standard: PovertyStandard | None = None,
    named_list: bool | None = None,
) -> ReportSet:
    """The report set of ``root`` (default the city) for ``year`` under ``standard``
    (default as ``annual_report``). ``named_list``: include the named list
    (default: when ``root`` is a ward or commune)."""
    report = annual_report(year=year, root=root, standard=standard)
    root = root or annual._default_root()
    if standard is None and report.standard:
        standard = PovertyStandard.objects.get(code=report.standard)
    if named_list is None:
        named_list = root.kind in GRASSROOTS_KINDS
    rows = {r.unit_id: _unit_figures(r) for r in report.units}
    _count_people_denominators(rows, year)
    years = household_years(year=year, unit_ids=rows, standard=standard, view=report.view)
    _count_flows(rows, years)
    households = _households({y.household_id for y in years})
    _count_groups(rows, years, households)
    end_listed = [y for y in years if y.end is not None]
    _count_end_lists(rows, end_listed, year, report.as_of or datetime.date(year, 12, 31))
    if named_list:
        # The form's wording (relations, sexes) is Vietnamese whatever the interface.
        with translation.override("vi"):
            _named_list(rows, end_listed, households, year)
    return _assemble(report, rows, standard, root, named_list)


def _unit_figures(row) -> UnitFigures:
    return UnitFigures(
        code=row.code,
        name=row.name,
        area=row.area,
        unit_id=row.unit_id,
        note=row.note,
        total_households=row.total_households,
        start_households=row.start_households,
    )


def _assemble(report: Report, rows, standard, root, named_list) -> ReportSet:
    units = list(rows.values())
    groups = {
        area: UnitFigures(code="", name=group.name, area=area)
        for area, group in report.groups.items()
    }
    total = UnitFigures(code=report.root_code, name=report.root_name, area="")
    for unit_row in units:
        groups.setdefault(unit_row.area, UnitFigures(code="", name=unit_row.area, area="")).add(
            unit_row
        )
        total.add(unit_row)
    indicators = (
        list(Indicator.objects.filter(standard=standard).values_list("code", "name"))
        if standard is not None
        else []
    )
    return ReportSet(
        year=report.year,
        standard=report.standard,
        standard_name=report.standard_name,
        root_code=report.root_code,
        root_name=report.root_name,
        root_kind=root.kind,
        as_of=report.as_of,
        compares_standards=report.compares_standards,
        start_standard=report.start_standard,
        units=units,
        groups=groups,
        total=total,
        indicators=indicators,
        has_named_list=named_list,
    )


def _count_people_denominators(rows: dict[int, UnitFigures], year: int) -> None:
    """Resident people of Y and Y−1, where entered, carried to the report units as the
    annual report carries resident households (a split unit's shared equally)."""
    mapping = annual._UnitMap(set(rows), datetime.date(year, 12, 31), SuccessionGraph.load())
    mapping.load()
    counts = UnitHouseholdCount.objects.filter(
        unit_id__in=mapping.candidate_ids, year__in=(year - 1, year), people__isnull=False
    ).values_list("unit_id", "year", "people")
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for unit_id, count_year, people in counts:
        unit = mapping.units.get(unit_id)
        if unit is None or not unit.is_valid_on(datetime.date(count_year, 12, 31)):
            continue
        for target, share in mapping.shares(unit_id):
            totals[(target, count_year)] += people * share
    for unit_id, row in rows.items():
        end = totals.get((unit_id, year))
        row.total_people = None if end is None else int(end.quantize(Decimal(1), ROUND_HALF_UP))
        row.start_people_total = totals.get((unit_id, year - 1))


def _count_flows(rows: dict[int, UnitFigures], years: list[HouseholdYear]) -> None:
    """Households and people of each list: start, moves, end; the people's size change."""
    for y in years:
        if y.start is not None:
            rows[y.start_unit].households[y.start].start += 1
            rows[y.start_unit].people[y.start].start += y.start_people
        if y.end is not None:
            rows[y.end_unit].households[y.end].end += 1
            rows[y.end_unit].people[y.end].end += y.end_people
        for unit_id, status, column in y.moves:
            people = y.start_people if column in DECREASES else y.end_people
            households, persons = rows[unit_id].households[status], rows[unit_id].people[status]
            setattr(households, column, getattr(households, column) + 1)
            setattr(persons, column, getattr(persons, column) + people)
        if _continuing(y):
            rows[y.end_unit].people[y.end].size_change += y.end_people - y.start_people


def _continuing(y: HouseholdYear) -> bool:
    return y.start is not None and y.start == y.end and y.start_unit == y.end_unit


@dataclass(frozen=True)
class _HouseholdFacts:
    code: str
    address: str
    village: str
    head_name: str
    groups: frozenset[str]


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(ids)
    for first in range(0, len(ids), _ID_BATCH):
        yield ids[first : first + _ID_BATCH]


def _households(ids: set[int]) -> dict[int, _HouseholdFacts]:
    """The register's facts of the households counted (in batches of ``_ID_BATCH``)."""
    facts = {}
    for batch in _batches(ids):
        rows = Household.objects.filter(pk__in=batch).values_list(
            "pk",
            "code",
            "address",
            "village__name",
            "head__full_name",
            "head__sex",
            "is_ethnic_minority",
            "no_working_capacity",
            "has_revolutionary_merit",
        )
        for pk, code, address, village, head, sex, minority, no_work, merit in rows:
            groups = {
                "ethnic_minority": minority,
                "no_working_capacity": no_work,
                "merit": merit,
                "female_head": sex == Sex.FEMALE,
            }
            facts[pk] = _HouseholdFacts(
                code=code,
                address=address,
                village=village or "",
                head_name=head or "",
                groups=frozenset(g for g, yes in groups.items() if yes),
            )
    return facts


def _count_groups(rows, years: list[HouseholdYear], households) -> None:
    """The households' flows again, for each group the household belongs to."""
    for y in years:
        facts = households.get(y.household_id)
        for group in facts.groups if facts else ():
            if y.start is not None:
                rows[y.start_unit].groups[group][y.start].start += 1
            if y.end is not None:
                rows[y.end_unit].groups[group][y.end].end += 1
            for unit_id, status, column in y.moves:
                flows = rows[unit_id].groups[group][status]
                setattr(flows, column, getattr(flows, column) + 1)


def _count_end_lists(rows, end_listed: list[HouseholdYear], year: int, as_of: datetime.date):
    """Deprivations, causes and children of the households on the end lists."""
    by_assessment = {y.assessment_id: y for y in end_listed}
    through = Assessment.deprivations.through
    day = datetime.date(year, 12, 31)
    for batch in _batches(by_assessment):
        for assessment_id, code in through.objects.filter(assessment_id__in=batch).values_list(
            "assessment_id", "indicator__code"
        ):
            y = by_assessment[assessment_id]
            rows[y.end_unit].deprivations[y.end][code] += 1
            if code == NUTRITION_INDICATOR:
                rows[y.end_unit].children[y.end]["nutrition_households"] += 1
        for assessment_id, code in AssessmentCause.objects.filter(
            assessment_id__in=batch
        ).values_list("assessment_id", "code"):
            y = by_assessment[assessment_id]
            rows[y.end_unit].causes[y.end][code] += 1
    by_household = {y.household_id: y for y in end_listed}
    for batch in _batches(by_household):
        members = Member.objects.filter(household_id__in=batch).filter(_member_on(day))
        for member in members.only(
            "household_id",
            "birth_year",
            "birth_date",
            "health_insurance_number",
            "health_insurance_expiry",
            "school_level",
        ):
            age = member.age_on(day)
            if age >= CHILD_AGE_LIMIT:
                continue
            y = by_household[member.household_id]
            children = rows[y.end_unit].children[y.end]
            children["children"] += 1
            if not member.has_valid_health_insurance(as_of):
                children["no_insurance"] += 1
            if age >= SCHOOL_AGE_FIRST and not member.school_level:
                children["out_of_school"] += 1


def _member_on(day: datetime.date) -> Q:
    """Members of the household on ``day`` (joined by then, not yet left)."""
    return (Q(joined_on__isnull=True) | Q(joined_on__lte=day)) & (
        Q(left_on__isnull=True) | Q(left_on__gt=day)
    )


def _mark(y: HouseholdYear) -> str:
    for unit_id, status, column in y.moves:
        if unit_id == y.end_unit and status == y.end and column in INCREASES:
            return column
    return "continuing"


def _named_list(rows, end_listed: list[HouseholdYear], households, year: int) -> None:
    """The end lists by name, with the members of each household on 31/12/Y."""
    day = datetime.date(year, 12, 31)
    by_household = {y.household_id: y for y in end_listed}
    members: dict[int, list[NamedMember]] = defaultdict(list)
    for batch in _batches(by_household):
        found = Member.objects.filter(household_id__in=batch).filter(_member_on(day))
        # The head first, then by age, as on the certificate.
        for member in sorted(
            found, key=lambda m: (m.relation != Relation.HEAD, m.birth_year, m.pk)
        ):
            members[member.household_id].append(
                NamedMember(
                    full_name=member.full_name,
                    relation=str(member.get_relation_display()),
                    birth_year=member.birth_year,
                    sex=str(member.get_sex_display()),
                    ethnicity=member.ethnicity,
                )
            )
    for y in end_listed:
        facts = households.get(y.household_id)
        if facts is None:
            continue
        rows[y.end_unit].named.append(
            NamedHousehold(
                household_id=y.household_id,
                code=facts.code,
                head_name=facts.head_name,
                address=facts.address,
                village=facts.village,
                status=y.end,
                mark=_mark(y),
                people=y.end_people,
                members=members.get(y.household_id, []),
            )
        )
    for row in rows.values():
        row.named.sort(key=lambda h: (h.status != POOR, h.village, h.code))
