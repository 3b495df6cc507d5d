"""Selectors of the steering committees' dashboard: trend, targets, units, gaps.

Pure reads. Every figure comes from the *decided* year of a household,
``households.HouseholdYear`` (the one place that decides it: the last
recognised assessment of the year, a regular-round decision made after the
periodic one superseding it), and counts the status on the list, i.e. under
the standard that makes the list (provincial where a ``ListMakingStandard``
says so, else national); each point says which standard that was. Rates are
over the resident households of ``communes.UnitHouseholdCount``.

The number of queries does not depend on the number of units or years: each
figure is one grouped query, never a query per unit or per year.

Targets (DOMAIN.md, targets 2021-2025): poor households −25 % a year and
near-poor −10 % a year, compounding from the base year of the standard's
period (the first review under the standard: 2021 for ND07-2022); 100 % of
the people of poor and near-poor households hold a health-insurance card.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

from communes.models import (
    CITY_ROLES,
    UPPER_KINDS,
    AdministrativeUnit,
    Role,
    UnitHouseholdCount,
    UnitKind,
)
from communes.permissions import ROLE_ACTIONS, Action, get_unit_or_404, has_perm
from communes.selectors import today, unit_scope_ids, user_scope
from households.models import (
    Assessment,
    Indicator,
    Member,
    PovertyStandard,
    PovertyStatus,
    ReviewKind,
    StandardLevel,
)
from households.models.standards import latest_in_force
from households.models.years import HouseholdYear
from households.signals import register_bulk_changed
from plans.models import ActionTemplate, SupportRecord, TargetKind

#: The chart starts with the first full year of the 2016-2020 programme.
FIRST_TREND_YEAR = 2016
#: Yearly cut in poor households, as a share (DOMAIN.md: −25 % per year).
POOR_YEARLY_CUT = 0.25
#: Yearly cut in near-poor households (−10 % per year).
NEAR_POOR_YEARLY_CUT = 0.10
#: Health-insurance coverage target of people in poor and near-poor households.
HEALTH_INSURANCE_TARGET_PCT = 100.0
#: A five-year programme: targets run from the base year to base + 4 at most.
PROGRAMME_YEARS = 5

LISTED = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)
CITY_KIND = "city"
WARD_KIND = "ward"


# --- Who sees which dashboard --------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """The unit a dashboard is about and the units its figures cover.

    ``kind`` is ``"city"`` (city roles, per-unit table shown) or ``"ward"``.
    ``unit_ids`` is ``None`` for "every unit" (a superuser without committee).
    """

    kind: str
    root: AdministrativeUnit | None
    unit_ids: frozenset[int] | None

    @property
    def is_city(self) -> bool:
        return self.kind == CITY_KIND


def _first_membership_unit(user, roles) -> AdministrativeUnit | None:
    for membership in user_scope(user).memberships:
        if membership.role in roles:
            return membership.committee.unit
    return None


def dashboard_scope(user) -> DashboardScope | None:
    """The dashboard ``user`` gets on the home page, or ``None`` (simple home).

    City roles see their city committee's unit; ward heads and officers their
    committee's ward (with its predecessors, as ``unit_scope_ids`` covers);
    members and users without a committee get no dashboard.
    """
    scope = user_scope(user)
    if scope.everything:
        return DashboardScope(kind=CITY_KIND, root=None, unit_ids=None)
    city = _first_membership_unit(user, CITY_ROLES)
    if city is not None:
        return DashboardScope(CITY_KIND, city, frozenset(unit_scope_ids(city.pk)))
    ward = _first_membership_unit(user, (Role.WARD_HEAD, Role.WARD_OFFICER))
    if ward is not None:
        return DashboardScope(WARD_KIND, ward, frozenset(unit_scope_ids(ward.pk)))
    return None


# --- Report access (the report page and its downloads) ---------------------------


def may_see_reports(user) -> bool:
    """Whether ``user`` may open the reports: the ``VIEW_REPORTS`` action of the
    permission table (``docs/permissions.md``)."""
    return has_perm(user, Action.VIEW_REPORTS)


def report_units_for(user) -> QuerySet[AdministrativeUnit]:
    """Units ``user`` may run the annual report for, the broadest first.

    City roles: their city and every ward or commune in their scope; ward
    heads: their own ward only (not its villages or predecessors).
    """
    scope = user_scope(user)
    units = AdministrativeUnit.objects.all()
    if not scope.everything:
        reporting = [m for m in scope.memberships if Action.VIEW_REPORTS in ROLE_ACTIONS[m.role]]
        own = {m.committee.unit_id for m in reporting}
        wards_of_city = units.none()
        if any(m.committee.is_city_level for m in reporting):
            wards_of_city = scope.filter_units(units.grassroots())
        units = units.filter(pk__in=own) | wards_of_city
    else:
        units = units.exclude(kind=UnitKind.VILLAGE)
    upper_first = Case(When(kind__in=UPPER_KINDS, then=0), default=1)
    return units.order_by(upper_first, F("valid_to").desc(nulls_first=True), "name")


def report_unit_or_error(user, pk) -> AdministrativeUnit:
    """The unit ``pk`` for a report: 404 outside the scope, 403 when not allowed.

    ``PermissionDenied`` also for users who may not see reports at all.
    """
    if not may_see_reports(user):
        raise PermissionDenied
    unit = get_unit_or_404(user, pk)
    if not report_units_for(user).filter(pk=unit.pk).exists():
        raise PermissionDenied
    return unit


# --- Figures -------------------------------------------------------------------


def decided_years(unit_ids: frozenset[int] | None) -> QuerySet[HouseholdYear]:
    """Each household's decided year (the years with a decision), in the units ``unit_ids``."""
    queryset = HouseholdYear.objects.filter(assessment__isnull=False)
    if unit_ids is not None:
        queryset = queryset.filter(unit_id__in=unit_ids)
    return queryset


def _rate(count: int | None, households: int | None) -> float | None:
    if count is None or not households:
        return None
    return 100.0 * count / households


def _change_pct(now: int | None, before: int | None) -> float | None:
    if now is None or not before:
        return None
    return 100.0 * (now - before) / before


@dataclass(frozen=True)
class YearPoint:
    """Poor and near-poor households at the end of one review year."""

    year: int
    poor: int
    near_poor: int
    households: int | None
    standard: str | None
    #: At a change of standard (the review of the year decided under a new
    #: one): the same households under the standard in force during the year.
    comparison_standard: str | None = None
    comparison_poor: int | None = None
    comparison_near_poor: int | None = None
    #: The standard that made the year's lists (the provincial one where it decides).
    list_standard: str | None = None

    @property
    def poor_rate_pct(self) -> float | None:
        return _rate(self.poor, self.households)

    @property
    def near_poor_rate_pct(self) -> float | None:
        return _rate(self.near_poor, self.households)

    @property
    def list_standard_is_national(self) -> bool:
        return self.list_standard == self.standard


def all_standards() -> list[PovertyStandard]:
    """Every standard, read once: national for the targets, provincial for the lists."""
    return list(PovertyStandard.objects.all())


def national_standards() -> list[PovertyStandard]:
    return list(PovertyStandard.objects.filter(level=StandardLevel.NATIONAL))


def standard_for(year: int, standards: list[PovertyStandard]) -> PovertyStandard | None:
    """The national standard of the periodic review of ``year`` (in force for ``year`` + 1)."""
    return latest_in_force(standards, year + 1)


def trend(
    unit_ids: frozenset[int] | None,
    standards: list[PovertyStandard],
    *,
    first_year: int = FIRST_TREND_YEAR,
) -> list[YearPoint]:
    """One point per year with recognised results, from ``first_year`` on (two queries).

    The counts are of the lists (``HouseholdYear.status``); at a change of
    standard the comparison counts are of ``HouseholdYear.comparison_status``.
    """
    counts: dict[int, dict[str, int]] = {}
    compared: dict[int, dict[str, int]] = {}
    years_compared: set[int] = set()
    provincial_years: set[int] = set()
    rows = (
        decided_years(unit_ids)
        .filter(year__gte=first_year)
        .filter(Q(status__in=LISTED) | Q(comparison_status__in=LISTED))
        .values(
            "year",
            "status",
            "comparison_status",
            "list_level",
            kind=F("assessment__round__kind"),
            compared=F("assessment__comparison_status"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = list(rows)
    # A year counts once its periodic review has decisions: the regular decisions of
    # the current year alone are not its lists yet.
    periodic_years = [r["year"] for r in rows if r["kind"] == ReviewKind.PERIODIC]
    last_year = max(periodic_years, default=None)
    rows = [r for r in rows if last_year is None or r["year"] <= last_year]
    for row in rows:
        year, status, comparison = row["year"], row["status"], row["comparison_status"]
        if row["list_level"] == StandardLevel.PROVINCIAL and status in LISTED:
            provincial_years.add(year)
        if status in LISTED:
            by_status = counts.setdefault(year, {})
            by_status[status] = by_status.get(status, 0) + row["n"]
        else:
            counts.setdefault(year, {})
        if row["compared"]:
            years_compared.add(year)
        # Decisions without a comparison (regular reviews) were made under the old
        # standard: their comparison status is the decision.
        before = comparison
        if before in LISTED:
            by_before = compared.setdefault(year, {})
            by_before[before] = by_before.get(before, 0) + row["n"]
    if not counts:
        return []
    households = UnitHouseholdCount.objects.filter(year__gte=first_year)
    if unit_ids is not None:
        households = households.filter(unit_id__in=unit_ids)
    totals = dict(
        households.values("year").annotate(total=Sum("households")).values_list("year", "total")
    )
    points = []
    for year in range(min(counts), max(counts) + 1):
        standard = standard_for(year, standards)
        by_status = counts.get(year, {})
        in_force = latest_in_force(standards, year)
        comparison = None
        if year in years_compared and in_force is not None and in_force != standard:
            comparison = in_force
        by_before = compared.get(year, {})
        provincial = latest_in_force(standards, year + 1, StandardLevel.PROVINCIAL)
        makes_list = provincial if year in provincial_years and provincial else standard
        points.append(
            YearPoint(
                year=year,
                poor=by_status.get(PovertyStatus.POOR, 0),
                near_poor=by_status.get(PovertyStatus.NEAR_POOR, 0),
                households=totals.get(year),
                standard=standard.code if standard else None,
                comparison_standard=comparison.code if comparison else None,
                comparison_poor=by_before.get(PovertyStatus.POOR, 0) if comparison else None,
                comparison_near_poor=(
                    by_before.get(PovertyStatus.NEAR_POOR, 0) if comparison else None
                ),
                list_standard=makes_list.code if makes_list else None,
            )
        )
    return points


@dataclass(frozen=True)
class KeyFigure:
    """Households on one list in the latest year, against the year before."""

    label: str
    count: int
    rate_pct: float | None
    previous: int | None
    previous_rate_pct: float | None
    #: At a change of standard: the same year's count under the previous standard.
    comparison: int | None = None
    comparison_standard: str | None = None

    @property
    def jump(self) -> int | None:
        """How much the change of standard alone adds (new count − count under the old one)."""
        return None if self.comparison is None else self.count - self.comparison

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.count - self.previous

    @property
    def change_pct(self) -> float | None:
        return _change_pct(self.count, self.previous)

    @property
    def rate_change_points(self) -> float | None:
        if self.rate_pct is None or self.previous_rate_pct is None:
            return None
        return self.rate_pct - self.previous_rate_pct


def key_figures(points: list[YearPoint]) -> list[KeyFigure]:
    """Poor and near-poor households of the last point, compared with the one before.

    The year before only counts under the same standard: across a change of
    standard the lists are not comparable (62 poor in 2020 became 380 in 2021).
    """
    if not points:
        return []
    latest = points[-1]
    previous = points[-2] if len(points) > 1 else None
    if previous is not None and previous.standard != latest.standard:
        previous = None
    return [
        KeyFigure(
            _("Poor households"),
            latest.poor,
            latest.poor_rate_pct,
            previous.poor if previous else None,
            previous.poor_rate_pct if previous else None,
            comparison=latest.comparison_poor,
            comparison_standard=latest.comparison_standard,
        ),
        KeyFigure(
            _("Near-poor households"),
            latest.near_poor,
            latest.near_poor_rate_pct,
            previous.near_poor if previous else None,
            previous.near_poor_rate_pct if previous else None,
            comparison=latest.comparison_near_poor,
            comparison_standard=latest.comparison_standard,
        ),
    ]


def compound_target(base: float, yearly_cut: float, years: int) -> float:
    """``base`` after ``years`` yearly cuts of ``yearly_cut``: base × (1 − cut)^years."""
    return base * (1 - yearly_cut) ** years


@dataclass(frozen=True)
class Target:
    """One target of the programme for the latest year: achieved against target."""

    label: str
    achieved: float | None
    target: float | None
    #: ``True`` when lower is better (household counts), ``False`` for coverage.
    lower_is_better: bool = True
    #: The figures are percentages (coverage), not household counts.
    is_pct: bool = False

    @property
    def goal(self) -> float | None:
        """The target as shown: whole households (half up), or the percentage."""
        if self.target is None or self.is_pct:
            return self.target
        return math.floor(self.target + 0.5)

    @property
    def on_track(self) -> bool | None:
        """Achieved at or better than the goal as shown (56.25 households: 56 is on track)."""
        if self.achieved is None or self.goal is None:
            return None
        if self.lower_is_better:
            return self.achieved <= self.goal
        return self.achieved >= self.goal


@dataclass(frozen=True)
class TargetPlan:
    """The programme period of a standard: base year, target end, standard's end."""

    standard: str
    base_year: int
    end_year: int
    standard_last_year: int
    base_poor: int
    base_near_poor: int

    def poor_target(self, year: int) -> float:
        return compound_target(self.base_poor, POOR_YEARLY_CUT, year - self.base_year)

    def near_poor_target(self, year: int) -> float:
        return compound_target(self.base_near_poor, NEAR_POOR_YEARLY_CUT, year - self.base_year)


def target_plan(points: list[YearPoint], standards: list[PovertyStandard]) -> TargetPlan | None:
    """The period of the latest point's standard, based on its first year's results."""
    if not points:
        return None
    standard = next((s for s in standards if s.code == points[-1].standard), None)
    if standard is None:
        return None
    base = next((p for p in points if p.year == standard.first_review_year), None)
    if base is None:
        return None
    return TargetPlan(
        standard=standard.code,
        base_year=base.year,
        end_year=min(standard.last_review_year, base.year + PROGRAMME_YEARS - 1),
        standard_last_year=standard.last_review_year,
        base_poor=base.poor,
        base_near_poor=base.near_poor,
    )


@dataclass(frozen=True)
class Coverage:
    people: int
    insured: int

    @property
    def pct(self) -> float | None:
        return _rate(self.insured, self.people)


def health_insurance_coverage(unit_ids: frozenset[int] | None, year: int) -> Coverage:
    """People of households poor or near-poor at the end of ``year`` with a valid card.

    Cards are valid on 31 December of ``year`` (or today, for the current
    year); members who had left by then are not counted. One query.
    """
    day = min(datetime.date(year, 12, 31), today())
    listed = decided_years(unit_ids).filter(year=year, status__in=LISTED)
    valid_card = ~Q(health_insurance_number="") & (
        Q(health_insurance_expiry__isnull=True) | Q(health_insurance_expiry__gte=day)
    )
    figures = Member.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=day),
        household_id__in=Subquery(listed.values("household_id")),
    ).aggregate(people=Count("pk"), insured=Count("pk", filter=valid_card))
    return Coverage(people=figures["people"], insured=figures["insured"])


def targets(
    points: list[YearPoint], plan: TargetPlan | None, coverage: Coverage | None
) -> list[Target]:
    """Achieved against target for the latest year (see the module doc)."""
    if not points:
        return []
    latest = points[-1]
    in_period = plan is not None and plan.base_year <= latest.year
    result = [
        Target(
            _("Poor households (−25 % a year)"),
            latest.poor,
            plan.poor_target(latest.year) if in_period else None,
        ),
        Target(
            _("Near-poor households (−10 % a year)"),
            latest.near_poor,
            plan.near_poor_target(latest.year) if in_period else None,
        ),
    ]
    if coverage is not None:
        result.append(
            Target(
                _("Health-insurance coverage, poor and near-poor people"),
                coverage.pct,
                HEALTH_INSURANCE_TARGET_PCT if coverage.people else None,
                lower_is_better=False,
                is_pct=True,
            )
        )
    return result


def projection(points: list[YearPoint], until: int) -> dict[str, list] | None:
    """Continue the last year-on-year change of each list to ``until``.

    ``None`` when there is no previous year under the same standard or
    ``until`` is not after the latest year.
    """
    if len(points) < 2 or until <= points[-1].year:
        return None
    latest, previous = points[-1], points[-2]
    if previous.standard != latest.standard:
        return None
    years = list(range(latest.year, until + 1))
    series = {"years": years}
    for key in ("poor", "near_poor"):
        now, before = getattr(latest, key), getattr(previous, key)
        ratio = now / before if before else None
        series[key] = [
            round(now * ratio ** (year - latest.year), 1) if ratio is not None else None
            for year in years
        ]
    return series


def chart_data(points: list[YearPoint], plan: TargetPlan | None) -> dict:
    """What ``static/js/dashboard.js`` draws: labels, series, target and projection."""
    if not points:
        return {}
    last = points[-1].year
    until = plan.standard_last_year if plan else last
    projected = projection(points, until)
    years = list(range(points[0].year, max(last, until) + 1))
    by_year = {p.year: p for p in points}

    def aligned(values: dict[int, float]) -> list:
        return [values.get(year) for year in years]

    changes = [
        {"year": p.year, "standard": p.standard}
        for before, p in zip(points, points[1:], strict=False)
        if p.standard != before.standard
    ]
    # The jump at a change of standard: the year's lists under the previous one.
    comparisons = [
        {
            "year": p.year,
            "standard": p.comparison_standard,
            "poor": p.comparison_poor,
            "near_poor": p.comparison_near_poor,
        }
        for p in points
        if p.comparison_standard
    ]
    data = {
        "years": years,
        "poor": aligned({y: p.poor for y, p in by_year.items()}),
        "near_poor": aligned({y: p.near_poor for y, p in by_year.items()}),
        "standard_changes": changes,
        "standard_comparisons": comparisons,
        "labels": {
            "poor": str(_("Poor households")),
            "near_poor": str(_("Near-poor households")),
            "poor_target": str(_("Target, poor (−25 %/year)")),
            "near_poor_target": str(_("Target, near-poor (−10 %/year)")),
            "poor_projection": str(_("Projection, poor (at the current rate)")),
            "near_poor_projection": str(_("Projection, near-poor (at the current rate)")),
            "standard_change": str(_("New standard")),
            "households": str(_("Households")),
        },
    }
    if plan is not None:
        target_years = range(plan.base_year, plan.end_year + 1)
        data["poor_target"] = aligned({y: round(plan.poor_target(y), 1) for y in target_years})
        data["near_poor_target"] = aligned(
            {y: round(plan.near_poor_target(y), 1) for y in target_years}
        )
    if projected is not None:
        for key in ("poor", "near_poor"):
            data[f"{key}_projection"] = aligned(
                dict(zip(projected["years"], projected[key], strict=True))
            )
    return data


# --- Per-unit table ----------------------------------------------------------------


@dataclass
class UnitRow:
    unit: AdministrativeUnit
    households: int | None = None
    poor: int = 0
    near_poor: int = 0
    previous_poor: int | None = None
    previous_near_poor: int | None = None
    #: The unit did not exist the year before: compared with the same households' status.
    compared_by_household: bool = False

    @property
    def poor_rate_pct(self) -> float | None:
        return _rate(self.poor, self.households)

    @property
    def near_poor_rate_pct(self) -> float | None:
        return _rate(self.near_poor, self.households)

    @property
    def poor_change(self) -> int | None:
        return None if self.previous_poor is None else self.poor - self.previous_poor

    @property
    def near_poor_change(self) -> int | None:
        return None if self.previous_near_poor is None else self.near_poor - self.previous_near_poor


def unit_rows(unit_ids: frozenset[int] | None, year: int) -> list[UnitRow]:
    """Wards and communes with results or a household count in ``year`` (four queries).

    The change compares with the year before. A unit created since (the 2025
    reform) has no figures of its own that year; it is compared with the
    status its households had then, wherever they were registered.
    """
    previous_year = year - 1
    grouped = (
        decided_years(unit_ids)
        .filter(year__in=(previous_year, year), status__in=LISTED)
        .values("year", "unit_id", "household__unit_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = UnitHouseholdCount.objects.filter(year=year)
    if unit_ids is not None:
        counts = counts.filter(unit_id__in=unit_ids)
    households = dict(counts.values_list("unit_id", "households"))
    current: dict[tuple[int, str], int] = {}
    before_by_unit: dict[tuple[int, str], int] = {}
    before_by_household_unit: dict[tuple[int, str], int] = {}
    for r in grouped:
        status = r["status"]
        if r["year"] == year:
            key = (r["unit_id"], status)
            current[key] = current.get(key, 0) + r["n"]
        else:
            key = (r["unit_id"], status)
            before_by_unit[key] = before_by_unit.get(key, 0) + r["n"]
            key = (r["household__unit_id"], status)
            before_by_household_unit[key] = before_by_household_unit.get(key, 0) + r["n"]
    has_previous = bool(before_by_unit)
    current_ids = {unit_id for unit_id, _status in current} | set(households)
    units = AdministrativeUnit.objects.grassroots().filter(pk__in=current_ids).order_by("name")
    rows = []
    for unit in units:
        existed_before = unit.valid_from is None or unit.valid_from.year <= previous_year
        before = before_by_unit if existed_before else before_by_household_unit
        rows.append(
            UnitRow(
                unit=unit,
                households=households.get(unit.pk),
                poor=current.get((unit.pk, PovertyStatus.POOR), 0),
                near_poor=current.get((unit.pk, PovertyStatus.NEAR_POOR), 0),
                previous_poor=before.get((unit.pk, PovertyStatus.POOR), 0)
                if has_previous
                else None,
                previous_near_poor=before.get((unit.pk, PovertyStatus.NEAR_POOR), 0)
                if has_previous
                else None,
                compared_by_household=has_previous and not existed_before,
            )
        )
    return rows


# --- Deprivation gap --------------------------------------------------------------


@dataclass
class GapRow:
    code: str
    name: str
    deprived: int = 0
    supported: int = 0
    support_types: list[str] = field(default_factory=list)

    @property
    def supported_pct(self) -> float | None:
        return _rate(self.supported, self.deprived)

    @property
    def gap(self) -> int:
        return self.deprived - self.supported


def deprivation_gaps(
    unit_ids: frozenset[int] | None, year: int, standard_code: str | None
) -> list[GapRow]:
    """Per indicator: listed households deprived at the end of ``year``, and how many of
    them got a matching support in ``year`` (three queries).

    The matching support types are those of the indicator's action templates
    (``plans.ActionTemplate``, target kind "indicator").
    """
    indicators = list(
        Indicator.objects.filter(standard__code=standard_code).order_by("order", "code")
    )
    if not indicators:
        return []
    support_names: dict[str, list[str]] = {}
    templates = (
        ActionTemplate.objects.filter(target_kind=TargetKind.INDICATOR, support_type__isnull=False)
        .select_related("support_type")
        .order_by("target_code", "order")
    )
    for template in templates:
        names = support_names.setdefault(template.target_code, [])
        if template.support_type.name not in names:
            names.append(template.support_type.name)

    listed = decided_years(unit_ids).filter(year=year, status__in=LISTED)
    matching_types = ActionTemplate.objects.filter(
        target_kind=TargetKind.INDICATOR, target_code=OuterRef(OuterRef("indicator__code"))
    ).values("support_type_id")
    got_support = SupportRecord.objects.filter(
        household_id=OuterRef("assessment__household_id"),
        given_on__gte=datetime.date(year, 1, 1),
        given_on__lte=datetime.date(year, 12, 31),
        support_type_id__in=Subquery(matching_types),
    )
    through = Assessment.deprivations.through
    figures = {
        row["indicator__code"]: row
        for row in through.objects.filter(
            assessment__in=Subquery(listed.values("assessment_id")),
            indicator__standard__code=standard_code,
        )
        .values("indicator__code")
        .annotate(
            deprived=Count("assessment__household_id", distinct=True),
            supported=Count(
                "assessment__household_id", distinct=True, filter=Q(Exists(got_support))
            ),
        )
        .order_by()
    }
    rows = []
    for indicator in indicators:
        row = figures.get(indicator.code, {})
        rows.append(
            GapRow(
                code=indicator.code,
                name=indicator.name,
                deprived=row.get("deprived", 0),
                supported=row.get("supported", 0),
                support_types=support_names.get(indicator.code, []),
            )
        )
    return rows


# --- The whole dashboard -----------------------------------------------------------


@dataclass
class Dashboard:
    scope: DashboardScope
    points: list[YearPoint]
    figures: list[KeyFigure]
    targets: list[Target]
    plan: TargetPlan | None
    coverage: Coverage | None
    chart: dict
    units: list[UnitRow]
    gaps: list[GapRow]

    @property
    def latest(self) -> YearPoint | None:
        return self.points[-1] if self.points else None

    @property
    def previous(self) -> YearPoint | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def compared_by_household(self) -> bool:
        return any(row.compared_by_household for row in self.units)


#: Models whose rows the dashboard's figures read: a save or delete of any of
#: them starts a new cache generation (``_data_changed``).
_FIGURE_MODELS = (Assessment, UnitHouseholdCount, SupportRecord, PovertyStandard, Indicator)
_GENERATION_KEY = "dashboard:generation"


def _data_changed(**kwargs) -> None:
    """Start a new generation: every cached dashboard is stale from now on."""
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, None)


def connect_receivers() -> None:
    """Connect ``_data_changed`` to the writes of the figure models.

    Called by ``HalongConfig.ready()``, so every process — the web app, the
    worker and management commands such as ``import_households`` — refreshes
    the dashboard cache, not only those that happened to import this module.
    """
    for model in _FIGURE_MODELS:
        post_save.connect(_data_changed, sender=model, dispatch_uid=f"dashboard-{model.__name__}")
        post_delete.connect(
            _data_changed, sender=model, dispatch_uid=f"dashboard-d-{model.__name__}"
        )
    m2m_changed.connect(
        _data_changed,
        sender=Assessment.deprivations.through,
        dispatch_uid="dashboard-deprivations",
    )
    # Imports write in bulk statements, which send no model signals.
    register_bulk_changed.connect(_data_changed, dispatch_uid="dashboard-register-bulk")


def build_dashboard(scope: DashboardScope) -> Dashboard:
    """Every figure of the dashboard of ``scope``, cached (``DASHBOARD_CACHE_SECONDS``).

    The cache key holds the scope, today's date and a generation that every
    save or delete of an assessment, count, support record or standard
    advances, and so does a confirmed import (``register_bulk_changed``);
    other bulk writes (``seed_demo``, the bench generator) send no signal,
    so the timeout bounds how long a figure can lag behind them. With several app
    processes the cache must be shared (docs/deploy.md), or each process
    keeps its own generation. 0 turns the cache off.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return _build_dashboard(scope)
    units = "all" if scope.unit_ids is None else ",".join(map(str, sorted(scope.unit_ids)))
    digest = hashlib.sha256(units.encode()).hexdigest()[:16]
    generation = cache.get_or_set(_GENERATION_KEY, 1, None)
    root = scope.root.pk if scope.root else ""
    key = f"dashboard:{generation}:{scope.kind}:{root}:{digest}:{today().isoformat()}"
    dashboard = cache.get(key)
    if dashboard is None:
        dashboard = _build_dashboard(scope)
        cache.set(key, dashboard, seconds)
    return dashboard


def _build_dashboard(scope: DashboardScope) -> Dashboard:
    """Every figure of the dashboard of ``scope`` (a fixed number of queries)."""
    standards = all_standards()
    points = trend(scope.unit_ids, standards)
    plan = target_plan(points, standards)
    coverage = units = gaps = None
    if points:
        latest = points[-1]
        coverage = health_insurance_coverage(scope.unit_ids, latest.year)
        gaps = deprivation_gaps(scope.unit_ids, latest.year, latest.standard)
        if scope.is_city:
            units = unit_rows(scope.unit_ids, latest.year)
    return Dashboard(
        scope=scope,
        points=points,
        figures=key_figures(points),
        targets=targets(points, plan, coverage),
        plan=plan,
        coverage=coverage,
        chart=chart_data(points, plan),
        units=units or [],
        gaps=gaps or [],
    )
