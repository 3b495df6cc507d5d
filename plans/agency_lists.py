"""Lists the committee sends to other agencies: reads only, the same rows for page and xlsx.

- **BHYT cards** for the social-insurance office: the people of poor, near-poor and
  average-living households listed for a year, with the group their card is paid
  under (the highest applies), the state's share, card number and expiry, and
  whether the card is new, renewed or ended against the year before;
- **electricity** for a quarter: the households entitled to the support (the
  catalogue's entitled lists) on the quarter's first day and the amount the tariff
  table gives for its months;
- **school lists**: pupils of poor and near-poor households with school and grade;
- **exited households** of a year: the decisions that took a household off the poor
  or near-poor list.

A household's list on a day is its latest recognised decision taken on or before
that day (``plans.services.support.status_in_force``, here as one subquery). A
list names people: only the units where the user reads named lists are included.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with
from households.models import (
    Assessment,
    AssessmentStatus,
    Household,
    Member,
    PovertyStatus,
    SchoolLevel,
)
from households.selectors import households_for

from . import electricity, health_insurance
from .models import InsuranceGroup, SupportRecord, SupportType
from .services.support import electricity_tariffs, insurance_shares

BHYT = "bhyt"
ELECTRICITY = "electricity"
SCHOOL = "school"
EXITED = "exited"
KINDS = (BHYT, ELECTRICITY, SCHOOL, EXITED)

TITLES = {
    BHYT: _("Health insurance card list (social insurance office)"),
    ELECTRICITY: _("Electricity support list, per quarter"),
    SCHOOL: _("Pupils of poor and near-poor households (schools)"),
    EXITED: _("Households that left the poor or near-poor list"),
}
NUMBER_COLUMN = pgettext_lazy("list column", "No.")
LISTED = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)
#: Households whose members' cards the state supports (average: the farming variant).
INSURED = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR, PovertyStatus.AVERAGE)

NEW, RENEWED, ENDED = "new", "renewed", "ended"
CHANGES = {NEW: _("New card"), RENEWED: _("Renewed"), ENDED: _("Ended")}
EXIT_POOR_TO_NEAR, EXIT_POOR, EXIT_NEAR_POOR = "poor_to_near_poor", "poor", "near_poor"
EXITS = {
    EXIT_POOR_TO_NEAR: _("Left the poor list (now near-poor)"),
    EXIT_POOR: _("Left the poor list"),
    EXIT_NEAR_POOR: _("Left the near-poor list"),
}
PUPIL_LEVELS = (
    SchoolLevel.PRESCHOOL,
    SchoolLevel.PRIMARY,
    SchoolLevel.LOWER_SECONDARY,
    SchoolLevel.UPPER_SECONDARY,
    SchoolLevel.VOCATIONAL,
    SchoolLevel.HIGHER,
)


@dataclass
class AgencyList:
    kind: str
    title: str
    period: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    #: Columns holding VND amounts (formatted as money on the page and in the file).
    money_columns: frozenset[int] = frozenset()
    date_columns: frozenset[int] = frozenset()
    #: Citizen IDs: masked on the page; in full in the (logged) file the office needs.
    masked_columns: frozenset[int] = frozenset()
    #: The units whose households the rows name (each one's access log records the list).
    unit_ids: set[int] = field(default_factory=set)


def listed_households_for(user) -> QuerySet[Household]:
    """Households ``user`` sees in the units where they read named lists."""
    households = households_for(user)
    named = unit_ids_with(user, Action.VIEW_NAMED_LISTS)
    return households if named is None else households.filter(unit_id__in=named)


def status_on(day: datetime.date, household_ref: str = "pk") -> Subquery:
    """The recorded status of the decision in force on ``day`` for ``OuterRef(household_ref)``."""
    decided = (
        Assessment.objects.filter(
            Q(decision_date__lte=day) | Q(decision_date__isnull=True, year__lt=day.year),
            household=OuterRef(household_ref),
            status=AssessmentStatus.RECOGNISED,
        )
        .exclude(recorded_status="")
        .order_by("-year", "-decision_date", "-pk")
    )
    return Subquery(decided.values("recorded_status")[:1])


def _scoped(households: QuerySet[Household], unit: AdministrativeUnit | None):
    return households.filter(unit=unit) if unit is not None else households


# --- BHYT ----------------------------------------------------------------------------

GROUP_OF_STATUS = {
    PovertyStatus.POOR: InsuranceGroup.POOR,
    PovertyStatus.NEAR_POOR: InsuranceGroup.NEAR_POOR,
    PovertyStatus.AVERAGE: InsuranceGroup.AVERAGE_FARMING,
}


def card_change(*, now: str | None, before: str | None, card_number: str) -> str | None:
    """New, renewed or ended: the person's household list this year against the last."""
    if now in INSURED:
        return RENEWED if before in INSURED and card_number else NEW
    if before in INSURED:
        return ENDED
    return None


def bhyt_list(user, *, year: int, unit=None, change: str = "") -> AgencyList:
    """People of the households listed on 1 January of ``year`` (or of the year before,
    for cards that end), one row each."""
    day, day_before = datetime.date(year, 1, 1), datetime.date(year - 1, 1, 1)
    households = _scoped(listed_households_for(user), unit)
    members = (
        Member.objects.filter(household__in=households)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .annotate(
            status_now=status_on(day, "household_id"),
            status_before=status_on(day_before, "household_id"),
        )
        .filter(Q(status_now__in=INSURED) | Q(status_before__in=INSURED))
        .select_related("household__unit")
        .order_by("household__unit__name", "household__code", "birth_year", "pk")
    )
    shares = insurance_shares()
    groups = dict(InsuranceGroup.choices)
    result = AgencyList(
        kind=BHYT,
        title=str(TITLES[BHYT]),
        period=str(year),
        columns=[
            str(NUMBER_COLUMN),
            str(_("Unit")),
            str(_("Household")),
            str(_("Full name")),
            str(_("Date of birth")),
            str(_("Sex")),
            str(_("Citizen ID")),
            str(_("Group")),
            str(_("State share (%)")),
            str(_("Card number")),
            str(_("Card expiry")),
            str(_("Change")),
        ],
        date_columns=frozenset({10}),
        masked_columns=frozenset({6}),
    )
    for member in members:
        kind = card_change(
            now=member.status_now,
            before=member.status_before,
            card_number=member.health_insurance_number,
        )
        if kind is None or (change and kind != change):
            continue
        status = member.status_now if kind != ENDED else member.status_before
        own = {GROUP_OF_STATUS[status]}
        if 0 <= member.age_on(day) < health_insurance.CHILD_AGE_LIMIT:
            own.add(InsuranceGroup.CHILD_UNDER_6)
        best = health_insurance.highest_group(own, shares, day)
        group, share = best if best else (GROUP_OF_STATUS[status], None)
        result.unit_ids.add(member.household.unit_id)
        result.rows.append(
            [
                len(result.rows) + 1,
                member.household.unit.name,
                member.household.code,
                member.full_name,
                member.birth_date.strftime("%d/%m/%Y")
                if member.birth_date
                else str(member.birth_year),
                member.get_sex_display(),
                member.citizen_id,
                str(groups[group]),
                share,
                member.health_insurance_number,
                member.health_insurance_expiry,
                str(CHANGES[kind]),
            ]
        )
    return result


# --- Electricity -----------------------------------------------------------------------


def electricity_list(user, *, year: int, quarter: int, unit=None) -> AgencyList:
    """Households entitled on the quarter's first day, with the amount of its months."""
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    start, end = electricity.quarter_of(start)
    support_type = SupportType.objects.filter(code="electricity").first()
    entitled = (support_type.eligible_statuses if support_type else None) or [PovertyStatus.POOR]
    households = (
        _scoped(listed_households_for(user), unit)
        .annotate(status_then=status_on(start))
        .filter(status_then__in=entitled)
        .select_related("unit", "head")
        .order_by("unit__name", "code")
    )
    support = electricity.support_for_period(electricity_tariffs(), start, end)
    recorded = dict(
        SupportRecord.objects.filter(
            support_type=support_type,
            household__in=households,
            period_start__lte=end,
            period_end__gte=start,
        )
        .order_by()
        .values_list("household_id", "amount")
    )
    statuses = dict(PovertyStatus.choices)
    result = AgencyList(
        kind=ELECTRICITY,
        title=str(TITLES[ELECTRICITY]),
        period=_("Quarter %(quarter)s/%(year)s") % {"quarter": quarter, "year": year},
        columns=[
            str(NUMBER_COLUMN),
            str(_("Unit")),
            str(_("Household")),
            str(_("Head of household")),
            str(_("Address")),
            str(_("List")),
            str(_("Months")),
            str(_("kWh")),
            str(_("Amount (VND)")),
            str(_("Recorded in the ledger (VND)")),
        ],
        money_columns=frozenset({8, 9}),
    )
    for household in households:
        result.unit_ids.add(household.unit_id)
        result.rows.append(
            [
                len(result.rows) + 1,
                household.unit.name,
                household.code,
                household.head.full_name if household.head_id else "",
                household.address,
                str(statuses.get(household.status_then, "")),
                support.months,
                support.kwh,
                support.amount,
                recorded.get(household.pk),
            ]
        )
    return result


# --- Schools ---------------------------------------------------------------------------


def school_list(user, *, school_year: int, unit=None, level: str = "") -> AgencyList:
    """Pupils of households poor or near-poor on 1 September of ``school_year``."""
    day = datetime.date(school_year, 9, 1)
    households = _scoped(listed_households_for(user), unit)
    pupils = (
        Member.objects.filter(household__in=households, left_on__isnull=True)
        .filter(school_level__in=[level] if level else PUPIL_LEVELS)
        .annotate(status_then=status_on(day, "household_id"))
        .filter(status_then__in=LISTED)
        .select_related("household__unit", "household__head")
        .order_by("household__unit__name", "school_name", "school_grade", "full_name", "pk")
    )
    statuses = dict(PovertyStatus.choices)
    result = AgencyList(
        kind=SCHOOL,
        title=str(TITLES[SCHOOL]),
        period=_("School year %(start)s–%(end)s") % {"start": school_year, "end": school_year + 1},
        columns=[
            str(NUMBER_COLUMN),
            str(_("Unit")),
            str(_("Household")),
            str(_("Head of household")),
            str(_("Pupil")),
            str(_("Date of birth")),
            str(_("Sex")),
            str(_("List")),
            str(_("Level")),
            str(_("School")),
            str(_("Grade")),
        ],
    )
    for pupil in pupils:
        head = pupil.household.head
        result.unit_ids.add(pupil.household.unit_id)
        result.rows.append(
            [
                len(result.rows) + 1,
                pupil.household.unit.name,
                pupil.household.code,
                head.full_name if head else "",
                pupil.full_name,
                pupil.birth_date.strftime("%d/%m/%Y")
                if pupil.birth_date
                else str(pupil.birth_year),
                pupil.get_sex_display(),
                str(statuses[pupil.status_then]),
                pupil.get_school_level_display(),
                pupil.school_name,
                pupil.school_grade,
            ]
        )
    return result


# --- Exited ----------------------------------------------------------------------------


def exit_kind(before: str | None, after: str) -> str | None:
    """How a decision took a household off a list, or ``None`` if it did not."""
    if before == PovertyStatus.POOR and after == PovertyStatus.NEAR_POOR:
        return EXIT_POOR_TO_NEAR
    if before == PovertyStatus.POOR and after not in LISTED:
        return EXIT_POOR
    if before == PovertyStatus.NEAR_POOR and after not in LISTED:
        return EXIT_NEAR_POOR
    return None


def exited_list(user, *, year: int, unit=None, kind: str = "") -> AgencyList:
    """Decisions of ``year`` (by decision date; by review year when undated) that took a
    listed household off its list, against the list in force before the decision."""
    households = _scoped(listed_households_for(user), unit)
    before = (
        Assessment.objects.filter(
            household=OuterRef("household_id"),
            status=AssessmentStatus.RECOGNISED,
            year__lt=OuterRef("year"),
        )
        .exclude(recorded_status="")
        .order_by("-year", "-decision_date", "-pk")
    )
    decisions = (
        Assessment.objects.filter(household__in=households, status=AssessmentStatus.RECOGNISED)
        .filter(Q(decision_date__year=year) | Q(decision_date__isnull=True, year=year))
        .exclude(recorded_status="")
        .annotate(status_before=Subquery(before.values("recorded_status")[:1]))
        .filter(status_before__in=LISTED)
        .select_related("household__unit", "household__head")
        .order_by("household__unit__name", "household__code", "pk")
    )
    statuses = dict(PovertyStatus.choices)
    result = AgencyList(
        kind=EXITED,
        title=str(TITLES[EXITED]),
        period=str(year),
        columns=[
            str(NUMBER_COLUMN),
            str(_("Unit")),
            str(_("Household")),
            str(_("Head of household")),
            str(_("Address")),
            str(_("Members")),
            str(_("List before")),
            str(_("Result")),
            str(_("Decision number")),
            str(_("Decision date")),
        ],
        date_columns=frozenset({9}),
    )
    for decision in decisions:
        how = exit_kind(decision.status_before, decision.recorded_status)
        if how is None or (kind and how != kind):
            continue
        household = decision.household
        result.unit_ids.add(household.unit_id)
        result.rows.append(
            [
                len(result.rows) + 1,
                household.unit.name,
                household.code,
                household.head.full_name if household.head_id else "",
                household.address,
                decision.member_count,
                str(statuses[decision.status_before]),
                str(EXITS[how]),
                decision.decision_number,
                decision.decision_date,
            ]
        )
    return result
