"""Follow-up after exit (theo dõi hộ thoát nghèo) and its early-warning score.

A household *exits* in year Y when its decided status of Y is out (average or
not poor) and it was on the poor or near-poor list in Y−1
(``households.transitions``: ``exited`` or ``near_poor_exited``; a household
that silently disappears is an *other decrease*, not an exit). It is then on
the follow-up list of its committee member (``Household.assigned_to``) for
``settings.FOLLOW_UP_YEARS`` years (default 2): up to the end of Y + N, with
one check (``FollowUpCheck``) per calendar year Y+1 … Y+N. It leaves the list
earlier when it is decided poor or near-poor again (a re-entry, tái nghèo) or
when it is closed (merged into another household); a household that moved
to another ward is followed there.

Early-warning score
-------------------

Points from facts the app already records, plus the two small facts of the
yearly check (serious illness, job loss):

=======================  ======  ==================================================
fact                     points  when
=======================  ======  ==================================================
``income_within_line``   30      income at the latest check ≤ the list's line for
                                 the household's area in the check's year (the
                                 provincial standard where one is in force, else the
                                 national; QĐ 59: the near-poor ceiling)
``deprivation``          10 each deprivation found at the latest check that the exit
                         (≤ 30)  decision's survey did not find (regained or new)
``loan_overdue``         25      a loan of the support ledger is overdue
``serious_illness``      25      the latest check records a member's serious illness
``job_loss``             20      the latest check records a job loss, or a current
                                 member of working age is recorded as unemployed
``insurance``            15      a current member aged ≥ 6 has no health-insurance
                                 card, or it expired or expires within 60 days
=======================  ======  ==================================================

Thresholds: **≥ 50 at risk** of falling back, **25–49 to watch**, below 25 low.
One worrying fact alone makes a household one to watch; two make it at risk.
The weights are engineering choices (no legal text sets them): they live here,
named, so the committee can ask for other values.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from communes.permissions import Action, unit_ids_with
from households.models import (
    Assessment,
    AssessmentStatus,
    Household,
    Member,
    PovertyStandard,
    WorkStatus,
)
from households.models.standards import latest_in_force
from households.selectors import households_for
from households.transitions import Transition, listed, yearly_statuses

from .models import FollowUpCheck, LoanStatus, SupportRecord

# --- The score (pure) -----------------------------------------------------------------------

WEIGHT_INCOME_WITHIN_LINE = 30
WEIGHT_DEPRIVATION = 10
MAX_DEPRIVATION_POINTS = 30
WEIGHT_LOAN_OVERDUE = 25
WEIGHT_SERIOUS_ILLNESS = 25
WEIGHT_JOB_LOSS = 20
WEIGHT_INSURANCE = 15
#: A card expiring within this many days counts as a gap (renewal is due).
INSURANCE_WARNING_DAYS = 60
#: The health-insurance indicator covers members from this age (NĐ 07/2021).
INSURANCE_FROM_AGE = 6
#: Working age for the job-loss fact.
WORKING_AGE = (16, 60)

WATCH_FROM = 25
AT_RISK_FROM = 50

LISTED_STATUSES = ("poor", "near_poor")
EXIT_TRANSITIONS = frozenset({Transition.EXITED.value, Transition.NEAR_POOR_EXITED.value})


class Risk:
    LOW = "low"
    WATCH = "watch"
    AT_RISK = "at_risk"

    choices = (
        (LOW, gettext_lazy("Low")),
        (WATCH, gettext_lazy("To watch")),
        (AT_RISK, gettext_lazy("At risk of falling back")),
    )


def risk_level(score: int) -> str:
    if score >= AT_RISK_FROM:
        return Risk.AT_RISK
    if score >= WATCH_FROM:
        return Risk.WATCH
    return Risk.LOW


@dataclass(frozen=True)
class Facts:
    """What the score reads about one household (names are shown as reasons)."""

    income_per_capita: int | None = None
    income_line: int | None = None
    regained: tuple[str, ...] = ()
    overdue_loans: int = 0
    serious_illness: bool = False
    job_loss: bool = False
    unemployed: tuple[str, ...] = ()
    insurance_gaps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    text: str


def warning_score(facts: Facts) -> tuple[int, list[Reason]]:
    """The early-warning score of ``facts`` and its reasons (see the module doc)."""
    reasons: list[Reason] = []
    if (
        facts.income_per_capita is not None
        and facts.income_line is not None
        and facts.income_per_capita <= facts.income_line
    ):
        reasons.append(
            Reason(
                "income_within_line",
                WEIGHT_INCOME_WITHIN_LINE,
                _("Income at the check (%(income)s ₫) is within the line (%(line)s ₫).")
                % {"income": _money(facts.income_per_capita), "line": _money(facts.income_line)},
            )
        )
    if facts.regained:
        points = min(MAX_DEPRIVATION_POINTS, WEIGHT_DEPRIVATION * len(facts.regained))
        reasons.append(
            Reason(
                "deprivation",
                points,
                _("Deprivations found since the exit decision: %(names)s.")
                % {"names": ", ".join(facts.regained)},
            )
        )
    if facts.overdue_loans:
        reasons.append(
            Reason(
                "loan_overdue",
                WEIGHT_LOAN_OVERDUE,
                ngettext(
                    "%(count)d loan is overdue.",
                    "%(count)d loans are overdue.",
                    facts.overdue_loans,
                )
                % {"count": facts.overdue_loans},
            )
        )
    if facts.serious_illness:
        reasons.append(
            Reason(
                "serious_illness",
                WEIGHT_SERIOUS_ILLNESS,
                _("A member is seriously ill or had an accident (check)."),
            )
        )
    if facts.job_loss or facts.unemployed:
        text = (
            _("Unemployed: %(names)s.") % {"names": ", ".join(facts.unemployed)}
            if facts.unemployed
            else _("A member lost their job or main income (check).")
        )
        reasons.append(Reason("job_loss", WEIGHT_JOB_LOSS, text))
    if facts.insurance_gaps:
        reasons.append(
            Reason(
                "insurance",
                WEIGHT_INSURANCE,
                _("No valid health-insurance card, or it expires within %(days)d days: %(names)s.")
                % {"days": INSURANCE_WARNING_DAYS, "names": ", ".join(facts.insurance_gaps)},
            )
        )
    return sum(r.points for r in reasons), reasons


def _money(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def insurance_gap(member: Member, day: datetime.date) -> bool:
    """A member aged ≥ 6 without a card valid ``INSURANCE_WARNING_DAYS`` days from ``day``."""
    if member.age_on(day) < INSURANCE_FROM_AGE:
        return False
    return not member.has_valid_health_insurance(
        day + datetime.timedelta(days=INSURANCE_WARNING_DAYS)
    )


def is_unemployed(member: Member, day: datetime.date) -> bool:
    low, high = WORKING_AGE
    return member.work_status == WorkStatus.UNEMPLOYED and low <= member.age_on(day) <= high


def income_line(standards: list[PovertyStandard], year: int, area: str) -> int | None:
    """The line a household's income is compared with in ``year``: the provincial
    standard's when one is in force (it makes the lists), else the national one's."""
    standard = latest_in_force(standards, year, "provincial") or latest_in_force(
        standards, year, "national"
    )
    if standard is None:
        return None
    return getattr(standard, f"near_poor_ceiling_{area}") or getattr(standard, f"poor_line_{area}")


# --- Exits from the decisions (pure over rows) -----------------------------------------------


def follow_up_years() -> int:
    return settings.FOLLOW_UP_YEARS


@dataclass(frozen=True)
class Exit:
    """One household's exit from a list and what happened in the N years after it."""

    household_id: int
    year: int
    assessment_id: int
    #: ``poor`` or ``near_poor``: the list it left.
    left: str
    #: The first year within the N years after it in which it was listed again.
    re_entered_in: int | None
    #: The last decision that had it on the list (the year before the exit).
    listed_assessment_id: int | None = None

    def until(self, years: int) -> int:
        return self.year + years


def exits_from(rows: Iterable[tuple[int, int, str, int]], years: int) -> list[Exit]:
    """Every exit in ``rows`` — ``(household_id, year, recorded_status, assessment_id)``
    of RECOGNISED assessments — with its re-entry within ``years`` years, if any."""
    by_household: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for household_id, year, status, pk in rows:
        by_household[household_id].append((year, status, pk))
    exits: list[Exit] = []
    for household_id, recognised in by_household.items():
        series = yearly_statuses(recognised)
        for index, point in enumerate(series):
            if point.transition not in EXIT_TRANSITIONS:
                continue
            later = series[index + 1 : index + 1 + years]
            back = next((p.year for p in later if listed(p.status)), None)
            before = series[index - 1]
            exits.append(
                Exit(
                    household_id,
                    point.year,
                    point.assessment_id,
                    before.status,
                    back,
                    before.assessment_id,
                )
            )
    return exits


def _recognised_rows(households: QuerySet[Household], since: int, *extra: str):
    """Decisions since ``since`` of the households of ``households`` that were on a list
    in that time (only they can have exited): a few % of the register."""
    recognised = Assessment.objects.filter(status=AssessmentStatus.RECOGNISED, year__gte=since)
    listed = recognised.filter(recorded_status__in=LISTED_STATUSES).values("household_id")
    return (
        recognised.filter(household__in=households)
        .filter(household_id__in=listed)
        .exclude(recorded_status="")
        .values_list("household_id", "year", "recorded_status", "pk", *extra)
    )


def open_exits(households: QuerySet[Household], today: datetime.date) -> dict[int, Exit]:
    """Household id → its exit still followed up on ``today`` (latest exit, no re-entry)."""
    years = follow_up_years()
    since = today.year - years - 1
    found: dict[int, Exit] = {}
    for item in exits_from(_recognised_rows(households, since), years):
        if item.year + years < today.year or item.re_entered_in is not None:
            continue
        if item.household_id not in found or found[item.household_id].year < item.year:
            found[item.household_id] = item
    return found


# --- The follow-up list ---------------------------------------------------------------------


@dataclass
class FollowUp:
    household: Household
    exit: Assessment
    #: The last decision that had it on the list: the deprivations it had.
    listed_before: Assessment | None
    left: str
    until_year: int
    checks: list[FollowUpCheck] = field(default_factory=list)
    check_due: bool = False
    score: int = 0
    reasons: list[Reason] = field(default_factory=list)
    risk: str = Risk.LOW
    #: Set by the page: the current user may record a check.
    can_record: bool = False

    @property
    def latest_check(self) -> FollowUpCheck | None:
        return self.checks[0] if self.checks else None

    @property
    def left_label(self) -> str:
        return _("poor") if self.left == "poor" else _("near-poor")

    @property
    def risk_label(self) -> str:
        return dict(Risk.choices)[self.risk]


def followups_of(households: QuerySet[Household], today: datetime.date) -> list[FollowUp]:
    """The follow-ups of ``households`` (already scoped) on ``today``; 8 queries."""
    households = households.filter(closed_on__isnull=True)
    exits = open_exits(households, today)
    if not exits:
        return []
    years = follow_up_years()
    by_pk = {
        h.pk: h
        for h in households.filter(pk__in=exits).select_related(
            "unit", "village", "head", "assigned_to"
        )
    }
    wanted = [e.assessment_id for e in exits.values()]
    wanted += [e.listed_assessment_id for e in exits.values() if e.listed_assessment_id]
    assessments = {
        a.pk: a
        for a in Assessment.objects.filter(pk__in=wanted)
        .select_related("round", "unit")
        .prefetch_related("deprivations")
    }
    checks: dict[int, list[FollowUpCheck]] = defaultdict(list)
    for check in (
        FollowUpCheck.objects.filter(
            exit_assessment_id__in=[e.assessment_id for e in exits.values()]
        )
        .select_related("checked_by")
        .prefetch_related("deprivations")
        .order_by("-year")
    ):
        checks[check.household_id].append(check)
    overdue = dict(
        SupportRecord.objects.filter(
            household_id__in=by_pk, support_type__is_loan=True, loan_status=LoanStatus.OVERDUE
        )
        .values_list("household_id")
        .annotate(n=Count("pk"))
    )
    members: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.filter(household_id__in=by_pk, left_on__isnull=True):
        members[member.household_id].append(member)
    standards = list(PovertyStandard.objects.all())

    result = []
    for household_id, item in exits.items():
        household = by_pk.get(household_id)
        if household is None:
            continue
        exit_assessment = assessments[item.assessment_id]
        listed_before = assessments.get(item.listed_assessment_id)
        own_checks = checks.get(household_id, [])
        latest = own_checks[0] if own_checks else None
        facts = _facts(
            household,
            exit_assessment,
            latest,
            overdue=overdue.get(household_id, 0),
            members=members.get(household_id, []),
            standards=standards,
            today=today,
        )
        score, reasons = warning_score(facts)
        result.append(
            FollowUp(
                household=household,
                exit=exit_assessment,
                listed_before=listed_before,
                left=item.left,
                until_year=item.until(years),
                checks=own_checks,
                check_due=today.year > item.year
                and not any(c.year == today.year for c in own_checks),
                score=score,
                reasons=reasons,
                risk=risk_level(score),
            )
        )
    result.sort(key=lambda f: (-f.score, f.household.unit.name, f.household.code))
    return result


def _facts(household, exit_assessment, latest, *, overdue, members, standards, today) -> Facts:
    income = line = None
    regained: tuple[str, ...] = ()
    if latest is not None:
        income = latest.income_per_capita
        line = income_line(standards, latest.year, household.area)
        before = {i.pk for i in exit_assessment.deprivations.all()}
        regained = tuple(i.name for i in latest.deprivations.all() if i.pk not in before)
    return Facts(
        income_per_capita=income,
        income_line=line,
        regained=regained,
        overdue_loans=overdue,
        serious_illness=bool(latest and latest.serious_illness),
        job_loss=bool(latest and latest.job_loss),
        unemployed=tuple(m.full_name for m in members if is_unemployed(m, today)),
        insurance_gaps=tuple(m.full_name for m in members if insurance_gap(m, today)),
    )


def followups_for(user, today: datetime.date) -> list[FollowUp]:
    """The follow-up list ``user`` may see by name: a committee member's own households,
    the whole ward for heads and officers (city roles: with the names grant); highest
    score first."""
    households = households_for(user)
    named = unit_ids_with(user, Action.VIEW_NAMED_LISTS)
    if named is not None:
        households = households.filter(unit_id__in=named)
    return followups_of(households, today)


def household_followup(household: Household, today: datetime.date) -> FollowUp | None:
    """``household``'s open follow-up, or ``None`` (the caller checked access)."""
    found = followups_of(Household.objects.filter(pk=household.pk), today)
    return found[0] if found else None


def running_support(household: Household, day: datetime.date) -> list[SupportRecord]:
    """Support records of ``household`` whose period (a loan: its term) covers ``day``."""
    records = SupportRecord.objects.filter(household=household).select_related(
        "support_type", "member"
    )
    return [r for r in records if r.covered_from <= day <= r.covered_until]


# --- Sustained exits and re-entries per ward (dashboard) ---------------------------------


@dataclass
class OutcomeRow:
    unit_name: str
    exits: int = 0
    following: int = 0
    sustained: int = 0
    fell_back: int = 0


@dataclass
class Outcomes:
    first_year: int
    last_year: int
    years: int
    rows: list[OutcomeRow]

    @property
    def total(self) -> OutcomeRow:
        total = OutcomeRow(unit_name=_("Total"))
        for row in self.rows:
            total.exits += row.exits
            total.following += row.following
            total.sustained += row.sustained
            total.fell_back += row.fell_back
        return total


def exit_outcomes(unit_ids: frozenset[int] | None, today: datetime.date) -> Outcomes:
    """Per ward (the household's current unit), the exits of the last 2N+1 years: still
    followed, sustained (N years without a re-entry) and fallen back (listed again within
    N years). One query."""
    years = follow_up_years()
    first_year = today.year - 2 * years
    households = Household.objects.all()
    if unit_ids is not None:
        households = households.filter(unit_id__in=unit_ids)
    found = list(_recognised_rows(households, first_year - 1, "household__unit__name"))
    units = {row[0]: row[4] for row in found}
    exits = [e for e in exits_from((row[:4] for row in found), years) if e.year >= first_year]
    rows: dict[str, OutcomeRow] = {}
    for item in exits:
        name = units.get(item.household_id)
        if name is None:
            continue
        row = rows.setdefault(name, OutcomeRow(unit_name=name))
        row.exits += 1
        if item.re_entered_in is not None:
            row.fell_back += 1
        elif item.year + years < today.year:
            row.sustained += 1
        else:
            row.following += 1
    return Outcomes(
        first_year=first_year,
        last_year=today.year,
        years=years,
        rows=sorted(rows.values(), key=lambda r: r.unit_name),
    )
