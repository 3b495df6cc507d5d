"""Demo exit plans and support ledger for the demo households (``seed_demo``).

Runs after ``households.demo.seed_households`` and reads the histories it
wrote, so every row agrees with them:

- An exit plan for each household recognised poor or near-poor in 2021–2025,
  based on its latest recognised listing of the period; it starts in the first
  year of that (unbroken) listing and runs to 2025, or to 2026 when the
  household is still listed after the 2025 review (NĐ 07 runs through 2026).
  Its 2–5 actions come from the ``ActionTemplate`` rows of that assessment's
  deprived indicators and causes. Actions of households that exited are
  mostly done before the exit survey; current ones are a mix, several
  overdue, above all for the ``halong.member`` / ``baichay.member`` logins.
- Support in year Y goes to the households on the list decided at the end of
  Y − 1 (the list in force in Y): electricity each quarter (poor), BHYT cards
  per member (poor, near-poor), study costs and tuition per pupil and school
  year, VBSP loans, housing a year or two before an exit, livelihood,
  training and sponsors' gifts. Records run from 2016 to ``today`` (the
  end-2025 list is in force in 2026). Some records are linked to the action
  they fulfil.
- Regular records never conflict under the ``DuplicateRule`` rows (a ledger
  checks them as they are made); ``DELIBERATE_DUPLICATES`` cross-source
  duplicates and ``DELIBERATE_OUT_OF_LIST`` records given while the household
  was not listed are then added on purpose, for the duplicate report.

Everything is written with ``bulk_create`` in one transaction (a few seconds
on SQLite). ``bulk_create`` bypasses django-simple-history, so these demo rows
have no history records: acceptable for demo data nobody edited.
Figures marked "demo" below are illustrative, not checked against the
official texts.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.db import connections, router, transaction
from django.utils import timezone

from communes.demo import REFORM_DATE
from communes.models import AdministrativeUnit, Area, Membership, Role
from households.models import Assessment, AssessmentCause, AssessmentStatus, Household, Member

from . import electricity
from .models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ActionTemplate,
    DuplicateRule,
    DuplicateScope,
    DuplicateWindow,
    ElectricityTariff,
    ExitPlan,
    FundingSource,
    LoanStatus,
    PlanAction,
    SupportProgramme,
    SupportRecord,
    SupportType,
    TargetKind,
)

HOUSEHOLD_PREFIX = "HL-"
FIRST_SUPPORT_YEAR = 2016
PLAN_YEARS = range(2021, 2026)
LAST_REVIEW = 2025
LISTED = ("poor", "near_poor")
BATCH = 2000
DELIBERATE_DUPLICATES = 6
DELIBERATE_OUT_OF_LIST = 3
#: Loans of a second VBSP programme running beside a first one (legal, not flagged).
CONCURRENT_LOANS = 3
#: Wards whose logins should see the deliberate problems in their own reports.
DEMO_WARDS = ("6688", "6673")

NTP_2016 = "CTMTQG giảm nghèo bền vững 2016–2020"
NTP_2021 = "CTMTQG giảm nghèo bền vững 2021–2025"
VBSP = "Ngân hàng Chính sách xã hội – Phòng giao dịch thành phố Hạ Long"
CITY_LABOUR = "Phòng Lao động – Thương binh và Xã hội thành phố Hạ Long"
CITY_EDUCATION = "Phòng Giáo dục và Đào tạo thành phố Hạ Long"
SOCIAL_INSURANCE = "Bảo hiểm xã hội thành phố Hạ Long"
TRAINING_CENTRE = "Trung tâm Giáo dục nghề nghiệp – GDTX thành phố Hạ Long"
CITY_FUND = "Quỹ Vì người nghèo thành phố"
ENTERPRISES = (
    "Công ty Than Hạ Long",
    "Công ty CP Than Hà Lầm – Vinacomin",
    "Công ty CP Than Núi Béo – Vinacomin",
)

#: BHYT card value per year: 4.5 % of the base salary in force in January × 12 (demo).
BHYT_CARD_VALUE = {
    2016: 621_000,  # 1,150,000
    2017: 653_400,  # 1,210,000
    2018: 702_000,  # 1,300,000
    2019: 750_600,  # 1,390,000
    2020: 804_600,  # 1,490,000 (also 2021–2023)
    2024: 972_000,  # 1,800,000
    2025: 1_263_600,  # 2,340,000 (also 2026)
}
NEAR_POOR_BHYT_SHARE = 0.7  # the state pays at least 70 % of a near-poor card
#: Share of near-poor households that bought the co-paid card: the 2021–2025
#: target of 100 % coverage says it was far from complete before (demo).
NEAR_POOR_BHYT_UPTAKE = {2020: 0.55, 2026: 0.9}
#: Monthly tuition (urban, rural) by age band, until school year 2024–25:
#: public schools are tuition-free from 2025–26 (NQ 217/2025/QH15). Demo figures.
TUITION_MONTHLY = {
    "preschool": (100_000, 50_000),
    "lower": (80_000, 40_000),
    "upper": (100_000, 50_000),
}
LAST_TUITION_SCHOOL_YEAR = 2024

DROP_REASONS = (
    "Hộ không còn nhu cầu, đã tự khắc phục.",
    "Thành viên trong độ tuổi lao động đã đi làm ăn xa, không tham gia được.",
    "Hộ không đủ điều kiện vay (còn dư nợ quá hạn), chuyển sang hỗ trợ khác.",
    "Chưa bố trí được kinh phí trong năm; chuyển sang kế hoạch năm sau.",
    "Hộ từ chối tham gia, đã vận động nhưng không thành.",
    "Trùng với hỗ trợ hộ đã nhận từ chương trình khác.",
)
FOLLOW_UP = "Theo dõi, đánh giá kết quả sau hỗ trợ; cập nhật nhu cầu của hộ"
CAUSE_NAMES = {
    "no_land": "thiếu đất sản xuất",
    "no_capital": "thiếu vốn",
    "no_labour": "thiếu lao động",
    "no_tools": "thiếu công cụ, phương tiện sản xuất",
    "no_know_how": "thiếu kiến thức sản xuất",
    "no_skills": "thiếu kỹ năng lao động, tay nghề",
    "illness_accident": "ốm đau, bệnh nặng, tai nạn",
    "other": "nguyên nhân khác",
}


@dataclass(frozen=True)
class PlanSeedSummary:
    created: bool
    plans: int
    actions: int
    overdue_actions: int
    support_records: int
    linked_records: int
    #: Only known when this run created them (None otherwise).
    deliberate_duplicates: int | None = None
    deliberate_out_of_list: int | None = None


def seed_plans_and_support(
    *, rng: random.Random, stdout: TextIO | None = None, today: datetime.date | None = None
) -> PlanSeedSummary:
    """Create the demo exit plans, actions and support records; idempotent.

    If any exit plan exists, nothing is created and the existing counts are
    returned. Needs the demo households (``seed_households``) and the support
    catalogue of migration ``plans.0002``; without demo households it creates
    nothing. ``today`` (default: the current date) decides which actions are
    overdue and where the records stop.
    """
    today = today or datetime.date.today()
    if ExitPlan.objects.exists():
        return _existing_summary(today)
    with transaction.atomic():
        writer = _Writer(rng, stdout, today)
        writer.run()
    return dataclasses.replace(
        _existing_summary(today),
        created=True,
        deliberate_duplicates=writer.duplicates,
        deliberate_out_of_list=writer.out_of_list,
    )


def _existing_summary(today: datetime.date) -> PlanSeedSummary:
    return PlanSeedSummary(
        created=False,
        plans=ExitPlan.objects.count(),
        actions=PlanAction.objects.count(),
        overdue_actions=PlanAction.objects.filter(
            status__in=OPEN_ACTION_STATUSES, due_date__lt=today
        ).count(),
        support_records=SupportRecord.objects.count(),
        linked_records=SupportRecord.objects.exclude(action=None).count(),
    )


# --- Dates and money ------------------------------------------------------------


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _quarter(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _school_year(day: datetime.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    if last <= first:
        return first
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _money(rng: random.Random, low: int, high: int, step: int) -> int:
    return rng.randrange(low, high + 1, step)


def _vnd(amount: int) -> str:
    return f"{amount:,} ₫".replace(",", ".")


def _by_year(table: dict[int, float], year: int) -> float:
    """The value of the latest key ≤ ``year`` (or the first one)."""
    keys = [k for k in sorted(table) if k <= year] or [min(table)]
    return table[keys[-1]]


def _uptake(year: int) -> float:
    return NEAR_POOR_BHYT_UPTAKE[2020] if year <= 2020 else NEAR_POOR_BHYT_UPTAKE[2026]


def _ward_label(name: str) -> str:
    return f"{name[0].lower()}{name[1:]}"


# --- What the seed reads ----------------------------------------------------------------


@dataclass(frozen=True)
class _Listing:
    """One recognised assessment of a household."""

    pk: int
    year: int
    status: str
    unit_id: int
    surveyed_on: datetime.date | None
    decision_date: datetime.date | None


@dataclass(eq=False)
class _Home:
    pk: int
    unit_id: int
    assigned_to_id: int | None
    members: list[tuple[int, int]] = field(default_factory=list)  # (pk, birth year)
    reviews: dict[int, _Listing] = field(default_factory=dict)

    def in_force(self, year: int) -> _Listing | None:
        """The listing that entitles the household to support in ``year``, if any."""
        listing = self.reviews.get(year - 1)
        return listing if listing and listing.status in LISTED else None

    def aged(self, year: int, low: int, high: int) -> list[int]:
        return [pk for pk, born in self.members if low <= year - born <= high]


@dataclass(slots=True, eq=False)
class _Support:
    """A support record before it is written (model instances are slow to build by 50,000)."""

    household_id: int
    type_code: str
    given_on: datetime.date
    amount: int
    funding_source: str
    provider: str
    member_id: int | None = None
    quantity: Decimal | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    programme: str = ""
    legal_basis: str = ""
    action: PlanAction | None = None
    loan_rate_pct: Decimal | None = None
    loan_term_months: int | None = None
    loan_status: str = ""
    conflict_reason: str = ""
    notes: str = ""
    support_programme_id: int | None = None
    insurance_group: str = ""
    state_share_pct: int | None = None
    eligibility_reason: str = ""

    # The model's own definitions, so the ledger agrees with the duplicate report.
    covered_from = SupportRecord.covered_from
    covered_until = SupportRecord.covered_until


class _Ledger:
    """The records made so far, checked against the duplicate rules as they come."""

    def __init__(self, rules: dict[str, DuplicateRule]):
        self.rules = rules
        self.records: list[_Support] = []
        self.by_owner: dict[tuple[str, int], list[_Support]] = defaultdict(list)

    def _key(self, record: _Support) -> tuple[DuplicateRule | None, tuple[str, int] | None]:
        rule = self.rules.get(record.type_code)
        if rule is None:
            return None, None
        owner = record.member_id if rule.scope == DuplicateScope.MEMBER else record.household_id
        return rule, (record.type_code, owner)

    def clashes(self, record: _Support) -> list[_Support]:
        rule, key = self._key(record)
        if rule is None:
            return []
        return [other for other in self.by_owner[key] if _clash(rule, record, other)]

    def add(self, record: _Support, *, check: bool = True) -> bool:
        """Keep ``record`` unless it conflicts (``check=False``: keep it anyway)."""
        if check and self.clashes(record):
            return False
        rule, key = self._key(record)
        if rule is not None:
            self.by_owner[key].append(record)
        self.records.append(record)
        return True


def _clash(rule: DuplicateRule, a: _Support, b: _Support) -> bool:
    if rule.per_programme and a.support_programme_id != b.support_programme_id:
        return False
    if rule.window == DuplicateWindow.QUARTER:
        return _quarter(a.covered_from) == _quarter(b.covered_from)
    if rule.window == DuplicateWindow.YEAR:
        return a.covered_from.year == b.covered_from.year
    if rule.window == DuplicateWindow.SCHOOL_YEAR:
        return _school_year(a.covered_from) == _school_year(b.covered_from)
    if rule.window == DuplicateWindow.YEARS:
        first, second = sorted((a.given_on, b.given_on))
        return second < _add_months(first, 12 * (rule.years or 1))
    return a.covered_from <= b.covered_until and b.covered_from <= a.covered_until


# --- Writing -------------------------------------------------------------------------


class _Writer:
    def __init__(self, rng: random.Random, stdout: TextIO | None, today: datetime.date):
        self.rng = rng
        self.stdout = stdout
        self.today = today
        self.types = {t.code: t for t in SupportType.objects.all()}
        if "electricity" not in self.types:
            raise LookupError("support catalogue missing (migration plans.0002?)")
        self.tariffs = [electricity.Tariff.of(t) for t in ElectricityTariff.objects.all()]
        self.loan_programmes = {
            p.code: p.pk for p in SupportProgramme.objects.filter(support_type__code="loan")
        }
        self.templates: dict[tuple[str, str], list[ActionTemplate]] = defaultdict(list)
        for template in ActionTemplate.objects.select_related("support_type"):
            self.templates[(template.target_kind, template.target_code)].append(template)
        rules = DuplicateRule.objects.filter(active=True).select_related("support_type")
        self.ledger = _Ledger({rule.support_type.code: rule for rule in rules})
        self._load_homes()
        self.plans: list[ExitPlan] = []
        self.actions: list[PlanAction] = []
        self.duplicates = 0
        self.out_of_list = 0
        self.concurrent_loans = 0

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def _load_homes(self) -> None:
        households = Household.objects.filter(code__startswith=HOUSEHOLD_PREFIX).order_by("pk")
        self.homes = {
            pk: _Home(pk, unit_id, assigned)
            for pk, unit_id, assigned in households.values_list("pk", "unit_id", "assigned_to_id")
        }
        for pk, household_id, born in (
            Member.objects.filter(household__in=households)
            .order_by("pk")
            .values_list("pk", "household_id", "birth_year")
        ):
            self.homes[household_id].members.append((pk, born))
        assessments = Assessment.objects.filter(
            household__in=households, status=AssessmentStatus.RECOGNISED
        )
        for row in assessments.values_list(
            "pk", "household_id", "year", "recorded_status", "unit_id", "surveyed_on",
            "decision_date",
        ):  # fmt: skip
            listing = _Listing(row[0], row[2], row[3], row[4], row[5], row[6])
            self.homes[row[1]].reviews[listing.year] = listing
        self.deprived: dict[int, list[str]] = defaultdict(list)
        for assessment_id, code in (
            Assessment.deprivations.through.objects.filter(assessment__in=assessments)
            .order_by("pk")
            .values_list("assessment_id", "indicator__code")
        ):
            self.deprived[assessment_id].append(code)
        self.causes: dict[int, list[str]] = defaultdict(list)  # primary first
        for assessment_id, code, _primary in (
            AssessmentCause.objects.filter(assessment__in=assessments)
            .order_by("assessment_id", "-is_primary", "code")
            .values_list("assessment_id", "code", "is_primary")
        ):
            self.causes[assessment_id].append(code)
        unit_ids = {h.unit_id for h in self.homes.values()} | {
            r.unit_id for h in self.homes.values() for r in h.reviews.values()
        }
        self.units = {
            pk: (name, code, area)
            for pk, name, code, area in AdministrativeUnit.objects.filter(
                pk__in=unit_ids
            ).values_list("pk", "name", "code", "area")
        }
        self.staff: dict[int, dict[str, int]] = defaultdict(dict)  # unit id → role → user id
        for unit_id, role, user_id in (
            Membership.objects.active_on(self.today)
            .filter(
                committee__unit_id__in=unit_ids,
                role__in=[Role.WARD_HEAD, Role.WARD_OFFICER, Role.MEMBER],
            )
            .order_by("pk")
            .values_list("committee__unit_id", "role", "user_id")
        ):
            self.staff[unit_id].setdefault(role, user_id)

    def run(self) -> None:
        homes = list(self.homes.values())
        for home in homes:
            self._plan(home)
        self._force_overdue_for_assignees()
        for home in homes:
            self._regular_support(home)
        self._fulfil_done_actions()
        for home in homes:
            self._occasional_support(home)
        self._deliberate_duplicates()
        self._deliberate_out_of_list()
        self._write()

    # --- Plans ------------------------------------------------------------------------

    def _plan(self, home: _Home) -> None:
        rng = self.rng
        listed = {y for y in PLAN_YEARS if home.reviews.get(y) and home.reviews[y].status in LISTED}
        if not listed:
            return
        last = start = max(listed)
        while start - 1 in listed:
            start -= 1
        based_on = home.reviews[last]
        current = last == LAST_REVIEW
        end = LAST_REVIEW + 1 if current else LAST_REVIEW
        # Adopted in the January after the decision: support starts with the new list.
        adopted = datetime.date(start + 1, 1, rng.randint(5, 31))
        if current:
            until = datetime.date(end, 12, 31)
            target = rng.choice(range(min(start + 2, end), end + 1))
        else:
            exit_review = home.reviews.get(last + 1)
            exit_day = (exit_review and exit_review.surveyed_on) or datetime.date(last + 1, 9, 1)
            until = exit_day - datetime.timedelta(days=14)
            target = min(end, last + 1 + (rng.random() < 0.3))
        primary = (self.causes[based_on.pk] or ["other"])[0]
        plan = ExitPlan(
            household_id=home.pk,
            based_on_id=based_on.pk,
            start_year=start,
            end_year=end,
            target_exit_year=target,
            notes=f"Nguyên nhân chính: {CAUSE_NAMES.get(primary, primary)}.",
            created_by_id=self.staff[home.unit_id].get(Role.WARD_OFFICER),
        )
        plan.demo_current = current  # seed-only attributes, never saved
        plan.demo_window = (adopted, until)
        self.plans.append(plan)
        for template in self._templates_for(based_on):
            self._action(home, plan, template, adopted, until, current)

    def _templates_for(self, assessment: _Listing) -> list[ActionTemplate | None]:
        """2–5 templates: the primary cause's, the deprivations', the other causes'.

        ``None`` stands for a follow-up step on the primary cause, used when
        the assessment gives fewer than two proposals.
        """
        rng = self.rng
        causes = self.causes[assessment.pk]
        deprived = list(self.deprived[assessment.pk])
        rng.shuffle(deprived)
        proposals = [t for c in causes[:1] for t in self.templates[(TargetKind.CAUSE, c)]]
        proposals += [t for c in deprived for t in self.templates[(TargetKind.INDICATOR, c)]]
        proposals += [t for c in causes[1:] for t in self.templates[(TargetKind.CAUSE, c)]]
        chosen: list[ActionTemplate | None] = list(proposals[: rng.randint(2, 5)])
        while len(chosen) < 2:
            chosen.append(None)
        return chosen

    def _action(self, home, plan, template, adopted, until, current) -> None:
        rng, today = self.rng, self.today
        primary = (self.causes[plan.based_on_id] or ["other"])[0]
        if template is None:
            kind, code, text, support_type = TargetKind.CAUSE, primary, FOLLOW_UP, None
            responsibility, months = "grassroots_officer", 6
        else:
            kind, code, text = template.target_kind, template.target_code, template.description
            support_type, responsibility = template.support_type, template.responsibility
            months = template.due_in_months
        earliest = _add_months(adopted, months)
        due = _between(rng, earliest, until) if earliest < until else until
        if not current and rng.random() < 0.5:
            due = _between(rng, adopted + datetime.timedelta(days=20), until)
        if not current and support_type and support_type.code.startswith("housing"):
            # Housing comes a year or two before the exit.
            exit_year = until.year
            due = _between(
                rng,
                max(adopted + datetime.timedelta(days=20), datetime.date(exit_year - 2, 3, 1)),
                min(until, datetime.date(exit_year - 1, 12, 15)),
            )
        action = PlanAction(
            plan=plan,
            target_kind=kind,
            target_code=code,
            description=text,
            support_type=support_type,
            responsibility=responsibility,
            responsible_id=self._responsible(home, responsibility),
            due_date=due,
        )
        if current:
            status = self._current_status(due)
        else:
            status = ActionStatus.DONE if rng.random() < 0.88 else ActionStatus.DROPPED
        action.status = status
        if status == ActionStatus.DONE:
            latest = min(until, today) if current else until
            done = due + datetime.timedelta(days=rng.randint(-40, 25))
            action.completed_on = max(adopted + datetime.timedelta(days=7), min(done, latest))
            action.outcome = "Đã thực hiện."
        elif status == ActionStatus.DROPPED:
            action.dropped_reason = rng.choice(DROP_REASONS)
        self.actions.append(action)

    def _current_status(self, due: datetime.date) -> str:
        late_by = (self.today - due).days
        if late_by > 90:
            weights = (12, 18, 60, 10)
        elif late_by > 0:
            weights = (20, 35, 35, 10)
        else:
            weights = (55, 35, 7, 3)
        statuses = (
            ActionStatus.PLANNED,
            ActionStatus.IN_PROGRESS,
            ActionStatus.DONE,
            ActionStatus.DROPPED,
        )
        return self.rng.choices(statuses, weights)[0]

    def _responsible(self, home: _Home, responsibility: str) -> int | None:
        """A ward-role member of the household's current unit (None where there is none)."""
        staff = self.staff.get(home.unit_id)
        if not staff:
            return None
        if home.assigned_to_id in staff.values() and self.rng.random() < 0.75:
            return home.assigned_to_id
        if responsibility == "local_government":
            weights = {Role.WARD_HEAD: 60, Role.WARD_OFFICER: 30, Role.MEMBER: 10}
        else:
            weights = {Role.WARD_HEAD: 10, Role.WARD_OFFICER: 50, Role.MEMBER: 40}
        roles = [role for role in weights if role in staff]
        return staff[self.rng.choices(roles, [weights[r] for r in roles])[0]]

    def _force_overdue_for_assignees(self) -> None:
        """Each assigned member gets one or two overdue actions per case ("My cases")."""
        by_household = defaultdict(list)
        for action in self.actions:
            by_household[action.plan.household_id].append(action)
        for plan in self.plans:
            home = self.homes[plan.household_id]
            if not (plan.demo_current and home.assigned_to_id):
                continue
            if home.assigned_to_id not in self.staff.get(home.unit_id, {}).values():
                continue
            adopted = plan.demo_window[0]
            actions = by_household[home.pk]
            for action in self.rng.sample(actions, min(len(actions), self.rng.randint(1, 2))):
                action.responsible_id = home.assigned_to_id
                action.status = self.rng.choice(OPEN_ACTION_STATUSES)
                action.completed_on, action.dropped_reason, action.outcome = None, "", ""
                late = self.today - datetime.timedelta(days=self.rng.randint(3, 120))
                action.due_date = max(adopted + datetime.timedelta(days=14), late)

    # --- Support ------------------------------------------------------------------------

    def _record(self, home: _Home, code: str, given_on: datetime.date, **fields) -> _Support:
        for name in ("quantity", "loan_rate_pct"):
            if fields.get(name) is not None:
                fields[name] = Decimal(fields[name])
        return _Support(household_id=home.pk, type_code=code, given_on=given_on, **fields)

    def _unit_on(self, home: _Home, day: datetime.date, listing: _Listing | None) -> str:
        """Name of the ward the household belonged to on ``day``."""
        unit_id = home.unit_id if day >= REFORM_DATE or listing is None else listing.unit_id
        return _ward_label(self.units[unit_id][0])

    def _regular_support(self, home: _Home) -> None:
        rng, today, add = self.rng, self.today, self.ledger.add
        for year in range(FIRST_SUPPORT_YEAR, today.year + 1):
            listing = home.in_force(year)
            if listing is None:
                continue
            poor = listing.status == "poor"
            if poor:
                for quarter in range(4):
                    given = datetime.date(year, 3 * quarter + 2, rng.randint(5, 25))
                    if given <= today:
                        add(self._electricity(home, given, listing))
            card = round(_by_year(BHYT_CARD_VALUE, year))
            if poor or rng.random() < _uptake(year):
                share = 1 if poor else NEAR_POOR_BHYT_SHARE
                group = listing.status
                given = datetime.date(year, 1, rng.randint(3, 20))
                basis = (
                    "Luật BHYT; NĐ 105/2014/NĐ-CP"
                    if year < 2019
                    else "Luật BHYT; NĐ 146/2018/NĐ-CP"
                )
                for member_id in home.aged(year, 6, 120):
                    add(
                        self._record(
                            home,
                            "health_insurance",
                            given,
                            member_id=member_id,
                            amount=int(round(card * share, -2)),
                            quantity=12,
                            period_start=datetime.date(year, 1, 1),
                            period_end=datetime.date(year, 12, 31),
                            funding_source=FundingSource.PROVINCE,
                            provider=SOCIAL_INSURANCE,
                            legal_basis=basis,
                            insurance_group=group,
                            state_share_pct=round(share * 100),
                        )
                    )
            given = datetime.date(year, 10, rng.randint(1, 28))
            if given <= today:
                self._school_support(home, year, listing, given)

    def _electricity(self, home: _Home, given: datetime.date, listing: _Listing) -> _Support:
        first_month = 3 * ((given.month - 1) // 3) + 1
        start = datetime.date(given.year, first_month, 1)
        end = _add_months(start, 3) - datetime.timedelta(days=1)
        # 30 kWh a month at the tier-1 tariff in force (plans.electricity).
        support = electricity.support_for_period(self.tariffs, start, end)
        return self._record(
            home,
            "electricity",
            given,
            amount=support.amount,
            quantity=support.kwh,
            period_start=start,
            period_end=end,
            funding_source=FundingSource.NATIONAL_PROGRAMME,
            programme="Hỗ trợ tiền điện cho hộ nghèo",
            provider=f"UBND {self._unit_on(home, given, listing)}",
            legal_basis="QĐ 28/2014/QĐ-TTg",
        )

    def _school_support(self, home, year, listing, given) -> None:
        """Study costs (poor) and tuition exemption / reduction, school year ``year``–``year+1``."""
        rng = self.rng
        poor = listing.status == "poor"
        start, end = datetime.date(year, 9, 5), datetime.date(year + 1, 5, 31)
        provider = (
            CITY_EDUCATION if given < REFORM_DATE else f"UBND {self._unit_on(home, given, listing)}"
        )
        urban = self.units[listing.unit_id][2] == Area.URBAN
        for member_id in home.aged(year, 3, 17):
            if rng.random() < 0.08:  # not at school that year
                continue
            age = year - dict(home.members)[member_id]
            common = {"member_id": member_id, "quantity": 9, "period_start": start}
            if poor:
                monthly = 150_000 if year >= 2021 else 100_000
                self.ledger.add(
                    self._record(
                        home,
                        "study_costs",
                        given,
                        amount=9 * monthly,
                        period_end=end,
                        funding_source=FundingSource.PROVINCE,
                        provider=provider,
                        legal_basis="NĐ 81/2021/NĐ-CP" if year >= 2021 else "NĐ 86/2015/NĐ-CP",
                        **common,
                    )
                )
            band = (
                "preschool"
                if age <= 5
                else "lower"
                if 11 <= age <= 14
                else "upper"
                if age >= 15
                else None
            )
            if band and year <= LAST_TUITION_SCHOOL_YEAR:
                monthly = TUITION_MONTHLY[band][0 if urban else 1]
                self.ledger.add(
                    self._record(
                        home,
                        "tuition",
                        given,
                        amount=round(9 * monthly * (1 if poor else 0.5)),
                        period_end=end,
                        funding_source=FundingSource.CITY,
                        provider=provider,
                        notes="Miễn học phí" if poor else "Giảm 50 % học phí",
                        **common,
                    )
                )

    def _source(self, code: str, day: datetime.date, home: _Home, listing) -> dict:
        """Funding source, programme and provider of a one-off support (varied)."""
        rng = self.rng
        ward = self._unit_on(home, day, listing)
        ntp = NTP_2021 if day.year >= 2022 else NTP_2016
        options = {
            "housing_build": [("ntp", "dự án 5", 55), ("enterprise", "", 15), ("charity", "", 20), ("community", "", 10)],
            "housing_repair": [("ntp", "dự án 5", 50), ("enterprise", "", 15), ("charity", "", 20), ("community", "", 15)],
            "production": [("ntp", "dự án 2" if day.year >= 2022 else "dự án 3", 50), ("city", "", 25), ("ward", "", 15), ("enterprise", "", 10)],
            "vocational_training": [("ntp", "dự án 4", 60), ("city", "", 30), ("enterprise", "", 10)],
            "employment": [("ntp", "dự án 4", 50), ("ward", "", 50)],
            "other": [("enterprise", "", 35), ("charity", "", 30), ("community", "", 20), ("ward", "", 15)],
        }[code]  # fmt: skip
        source, project, _ = rng.choices(options, [o[2] for o in options])[0]
        if source == "ntp":
            provider = TRAINING_CENTRE if code == "vocational_training" else f"UBND {ward}"
            return {
                "funding_source": FundingSource.NATIONAL_PROGRAMME,
                "programme": f"{ntp}, {project}",
                "provider": provider,
            }
        provider = {
            "enterprise": rng.choice(ENTERPRISES),
            "charity": rng.choice([CITY_FUND, f"Hội Chữ thập đỏ {ward}"]),
            "community": f"Ủy ban MTTQ {ward} (vận động nhân dân)",
            "ward": f"UBND {ward}",
            "city": CITY_LABOUR if day < REFORM_DATE else "UBND tỉnh Quảng Ninh",
        }[source]
        if source == "city" and day >= REFORM_DATE:
            # No city level after the reform: the province funds it.
            return {"funding_source": FundingSource.PROVINCE, "provider": provider}
        return {"funding_source": source, "provider": provider}

    def _one_off(self, home, code, day, listing, *, target="") -> _Support | None:
        """A one-off support of type ``code`` on ``day`` (None: no suitable member)."""
        rng = self.rng
        fields: dict = {}
        if code in ("housing_build", "housing_repair"):
            fields["amount"] = {
                "housing_build": 40_000_000 if day.year >= 2022 else 30_000_000,
                "housing_repair": 20_000_000 if day.year >= 2022 else 15_000_000,
            }[code]
            fields.update(self._source(code, day, home, listing))
            if fields["funding_source"] == FundingSource.NATIONAL_PROGRAMME and day.year >= 2023:
                fields["legal_basis"] = "TT 55/2023/TT-BTC"
        elif code == "loan":
            return self._loan(home, day, listing)
        elif code == "health_insurance":
            members = home.aged(day.year, 6, 120)
            if not members:
                return None
            card = round(_by_year(BHYT_CARD_VALUE, day.year))
            status = listing.status if listing is not None else "poor"
            fields.update(
                member_id=rng.choice(members),
                amount=card,
                insurance_group=status,
                state_share_pct=100 if status == "poor" else round(NEAR_POOR_BHYT_SHARE * 100),
                quantity=13 - day.month,
                period_start=day,
                period_end=datetime.date(day.year, 12, 31),
                funding_source=FundingSource.PROVINCE,
                provider=SOCIAL_INSURANCE,
            )
        elif code == "study_costs":
            # From June on, support is for the coming school year.
            school_year = day.year if day.month >= 6 else day.year - 1
            members = home.aged(school_year, 3, 17)
            if not members:
                return None
            fields.update(
                member_id=rng.choice(members),
                amount=9 * 150_000,
                quantity=9,
                period_start=max(day, datetime.date(school_year, 9, 5)),
                period_end=datetime.date(school_year + 1, 5, 31),
                funding_source=FundingSource.PROVINCE,
                provider=f"UBND {self._unit_on(home, day, listing)}",
            )
        elif code in ("vocational_training", "employment"):
            members = home.aged(day.year, 16, 50) or home.aged(day.year, 16, 120)
            if not members:
                return None
            fields["member_id"] = rng.choice(members)
            low, high = (
                (2_000_000, 6_000_000) if code == "vocational_training" else (1_000_000, 3_000_000)
            )
            fields["amount"] = _money(rng, low, high, 500_000)
            fields.update(self._source(code, day, home, listing))
        elif code == "production":
            fields["amount"] = _money(rng, 3_000_000, 15_000_000, 500_000)
            fields.update(self._source(code, day, home, listing))
        else:  # other: by what it addresses
            low, high = {
                "water": (5_000_000, 10_000_000),
                "sanitation": (4_000_000, 8_000_000),
                "telecom": (300_000, 1_000_000),
                "information_devices": (1_000_000, 3_500_000),
            }.get(target, (500_000, 3_000_000))
            fields["amount"] = _money(rng, low, high, 100_000)
            fields.update(self._source("other", day, home, listing))
        return self._record(home, code, day, **fields)

    def _loan(
        self, home, day, listing, *, source=FundingSource.NATIONAL_PROGRAMME, programme=""
    ) -> _Support:
        rng = self.rng
        poor = listing is None or listing.status == "poor"
        programme = programme or ("poor" if poor else "near_poor")
        rate = {"students": Decimal("6.60"), "water_sanitation": Decimal("9.00")}.get(
            programme, Decimal("6.60") if poor else Decimal("7.92")
        )
        high = 50_000_000 if day.year < 2019 else 70_000_000 if day.year < 2023 else 100_000_000
        record = self._record(
            home,
            "loan",
            day,
            amount=_money(rng, 20_000_000, high, 5_000_000),
            loan_rate_pct=rate,
            loan_term_months=rng.choice([36, 48, 60]),
            funding_source=source,
            programme=(
                "Tín dụng chính sách (vốn Trung ương qua NHCSXH)"
                if source == FundingSource.NATIONAL_PROGRAMME
                else "Vốn ngân sách địa phương ủy thác qua NHCSXH"
            ),
            provider=VBSP,
            legal_basis={
                "poor": "NĐ 78/2002/NĐ-CP",
                "near_poor": "QĐ 15/2013/QĐ-TTg",
                "students": "QĐ 157/2007/QĐ-TTg",
                "water_sanitation": "QĐ 62/2004/QĐ-TTg",
            }[programme],
            support_programme_id=self.loan_programmes[programme],
        )
        if record.covered_until < self.today:
            statuses, weights = ("repaid", "overdue", "written_off"), (85, 11, 4)
        else:
            statuses, weights = ("current", "overdue"), (88, 12)
        record.loan_status = LoanStatus(rng.choices(statuses, weights)[0])
        return record

    def _fulfil_done_actions(self) -> None:
        """Done actions with a support type get the record that fulfils them, where it fits."""
        for action in self.actions:
            if action.status != ActionStatus.DONE or action.support_type is None:
                continue
            home = self.homes[action.plan.household_id]
            day = action.completed_on
            record = self._one_off(
                home, action.support_type.code, day, home.in_force(day.year),
                target=action.target_code,
            )  # fmt: skip
            if record is not None and self.ledger.add(record):
                record.action = action
                action.outcome = f"Đã hỗ trợ {_vnd(record.amount)} ({record.provider})."

    def _occasional_support(self, home: _Home) -> None:
        """Loans, housing, livelihood and gifts outside the plans, in listed years only."""
        rng, today = self.rng, self.today
        years = [y for y in range(FIRST_SUPPORT_YEAR, today.year + 1) if home.in_force(y)]
        if not years:
            return
        causes = {c for r in home.reviews.values() for c in self.causes[r.pk]}
        deprived = {c for r in home.reviews.values() for c in self.deprived[r.pk]}

        def day_in(year: int) -> datetime.date:
            return _between(
                rng, datetime.date(year, 1, 10), min(today, datetime.date(year, 12, 20))
            )

        credit = causes & {"no_capital", "no_tools", "no_land"}
        if rng.random() < (0.3 if credit else 0.08):
            year = rng.choice(years)
            self.ledger.add(self._loan(home, day_in(year), home.in_force(year)))
        if "housing_quality" in deprived and rng.random() < 0.3:
            # A year or two before the household left the list.
            last = max(years)
            year = max(y for y in years if y <= max(years[0], last - rng.randint(0, 1)))
            code = "housing_build" if rng.random() < 0.3 else "housing_repair"
            self.ledger.add(self._one_off(home, code, day_in(year), home.in_force(year)))
        if causes & {"no_tools", "no_know_how", "no_land", "idleness"} and rng.random() < 0.15:
            year = rng.choice(years)
            self.ledger.add(self._one_off(home, "production", day_in(year), home.in_force(year)))
        if causes & {"no_skills", "jobless"} and rng.random() < 0.12:
            year = rng.choice(years)
            record = self._one_off(home, "vocational_training", day_in(year), home.in_force(year))
            if record is not None:
                self.ledger.add(record)
        for year in years:
            listing = home.in_force(year)
            if listing.status == "poor" and rng.random() < 0.12:
                day = datetime.date(year, 1, rng.randint(10, 28))
                if day <= today:
                    record = self._one_off(home, "other", day, listing)
                    record.notes = "Quà Tết"
                    self.ledger.add(record)

    # --- Deliberate problems ---------------------------------------------------------

    def _demo_first(self, records: list[_Support]) -> list[_Support]:
        """Candidates of the demo logins' wards first, in a stable random order."""
        records = list(records)
        self.rng.shuffle(records)
        return sorted(
            records,
            key=lambda r: self.units[self.homes[r.household_id].unit_id][1] not in DEMO_WARDS,
        )

    def _deliberate_duplicates(self) -> None:
        """Cross-source duplicates, as an import of paper registers would bring them.

        They were entered before duplicate detection existed, so they carry no
        ``conflict_reason``: the duplicate report must find them.
        """
        rng, today, add = self.rng, self.today, self.ledger.add
        records = self.ledger.records
        by_code = defaultdict(list)
        for record in records:
            by_code[record.type_code].append(record)
        made = 0
        # 1–2. The same quarter's electricity recorded by the ward and by the city.
        for original in self._demo_first(by_code["electricity"])[:2]:
            copy = self._copy(
                original, given_on=original.given_on + datetime.timedelta(days=rng.randint(3, 20))
            )
            copy.funding_source, copy.provider = FundingSource.CITY, CITY_LABOUR
            copy.programme = "Hỗ trợ tiền điện hộ nghèo (danh sách thành phố)"
            made += add(copy, check=False)
        # 3. A second card for the same member and year, from a charity.
        original = self._demo_first(
            r for r in by_code["health_insurance"] if r.period_start and r.period_start.month == 1
        )[0]
        ward = _ward_label(self.units[self.homes[original.household_id].unit_id][0])
        copy = self._copy(
            original, given_on=original.given_on + datetime.timedelta(days=rng.randint(30, 70))
        )
        copy.funding_source, copy.provider, copy.legal_basis = (
            FundingSource.CHARITY,
            f"Hội Chữ thập đỏ {ward}",
            "",
        )
        copy.amount = round(_by_year(BHYT_CARD_VALUE, copy.given_on.year))
        made += add(copy, check=False)
        # 4. Study costs for the same pupil and school year from the ward and the province.
        original = self._demo_first(by_code["study_costs"])[0]
        copy = self._copy(
            original, given_on=original.given_on + datetime.timedelta(days=rng.randint(10, 40))
        )
        copy.funding_source, copy.provider = (
            FundingSource.WARD,
            f"UBND {_ward_label(self.units[self.homes[original.household_id].unit_id][0])}",
        )
        made += add(copy, check=False)
        # 5. A house built twice within ten years, from two sources.
        home, first, second = self._twice_listed(gap=2)
        built = self._one_off(home, "housing_build", first, home.in_force(first.year))
        built.funding_source, built.provider, built.programme = FundingSource.CHARITY, CITY_FUND, ""
        again = self._one_off(home, "housing_build", second, home.in_force(second.year))
        again.funding_source, again.programme = (
            FundingSource.NATIONAL_PROGRAMME,
            f"{NTP_2021}, dự án 5",
        )
        add(built)
        made += add(again, check=False)
        # 6. Two overlapping VBSP loans of one programme: central capital, then the city's
        #    entrusted capital.
        loans = [
            r
            for r in by_code["loan"]
            if r.covered_until > r.given_on + datetime.timedelta(days=400)
        ]
        for original in self._demo_first(loans):
            home = self.homes[original.household_id]
            day = original.given_on + datetime.timedelta(days=rng.randint(180, 360))
            listing = home.in_force(day.year)
            if listing and day <= today:
                again = self._loan(home, day, listing, source=FundingSource.CITY)
                again.support_programme_id = original.support_programme_id
                made += add(again, check=False)
                break
        self.duplicates = made
        self._concurrent_loans(loans)

    def _concurrent_loans(self, loans: list[_Support]) -> None:
        """Legal loans of other VBSP programmes beside a running one: never a duplicate."""
        rng, today = self.rng, self.today
        made = 0
        for original in self._demo_first(loans)[: 2 * CONCURRENT_LOANS]:
            home = self.homes[original.household_id]
            day = original.given_on + datetime.timedelta(days=rng.randint(60, 300))
            listing = home.in_force(day.year)
            if listing is None or day > today:
                continue
            programme = "students" if home.aged(day.year, 18, 22) else "water_sanitation"
            made += self.ledger.add(self._loan(home, day, listing, programme=programme))
            if made == CONCURRENT_LOANS:
                break
        self.concurrent_loans = made

    def _twice_listed(self, gap: int) -> tuple[_Home, datetime.date, datetime.date]:
        """A household (demo wards first) listed in two years ``gap`` or more apart."""
        homes = list(self.homes.values())
        self.rng.shuffle(homes)
        homes.sort(key=lambda h: self.units[h.unit_id][1] not in DEMO_WARDS)
        for home in homes:
            years = [y for y in range(FIRST_SUPPORT_YEAR, self.today.year) if home.in_force(y)]
            built = self.ledger.by_owner[("housing_build", home.pk)]
            if years and years[-1] - years[0] >= gap and not built:
                return home, datetime.date(years[0], 5, 12), datetime.date(years[-1], 6, 20)
        raise LookupError("no household listed long enough for a deliberate duplicate")

    def _copy(self, record: _Support, **changes) -> _Support:
        return dataclasses.replace(record, action=None, **changes)

    def _deliberate_out_of_list(self) -> None:
        """Support paid after the household left the list (the payment list was not updated)."""
        rng, add = self.rng, self.ledger.add
        exited = []
        for home in self.homes.values():
            for year, listing in home.reviews.items():
                after = home.reviews.get(year + 1)
                if (
                    listing.status == "poor"
                    and after is not None
                    and after.status not in LISTED
                    and FIRST_SUPPORT_YEAR <= year + 2 <= self.today.year
                ):
                    exited.append((home, year + 2))
        rng.shuffle(exited)
        exited.sort(key=lambda pair: self.units[pair[0].unit_id][1] not in DEMO_WARDS)
        made = 0
        for home, year in exited[:2]:
            made += add(
                self._electricity(
                    home, datetime.date(year, 2, rng.randint(5, 25)), home.reviews[year - 2]
                )
            )
        for home, year in exited[2:]:
            members = home.aged(year, 6, 120)
            if not members:
                continue
            made += add(
                self._record(
                    home,
                    "health_insurance",
                    datetime.date(year, 1, rng.randint(3, 20)),
                    member_id=members[0],
                    amount=round(_by_year(BHYT_CARD_VALUE, year)),
                    quantity=12,
                    period_start=datetime.date(year, 1, 1),
                    period_end=datetime.date(year, 12, 31),
                    funding_source=FundingSource.PROVINCE,
                    provider=SOCIAL_INSURANCE,
                )
            )
            break
        self.out_of_list = made

    # --- Database --------------------------------------------------------------------

    def _write(self) -> None:
        ExitPlan.objects.bulk_create(self.plans, batch_size=BATCH)
        PlanAction.objects.bulk_create(self.actions, batch_size=BATCH)
        _insert_records(self.ledger.records, self.types)
        linked = sum(r.action is not None for r in self.ledger.records)
        self.log(
            f"  {len(self.plans)} exit plans, {len(self.actions)} actions, "
            f"{len(self.ledger.records)} support records ({linked} linked to an action)"
        )
        self.log(
            f"  deliberate problems: {self.duplicates} cross-source duplicates, "
            f"{self.out_of_list} records given while the household was not listed"
        )


def _insert_records(records: list[_Support], types: dict[str, SupportType]) -> None:
    """Insert the support records with ``executemany``, ``BATCH`` rows at a time.

    ``bulk_create`` builds a model instance and compiles each of the ~1.2
    million values through the ORM (about 25 s on SQLite for 50,000 records);
    these need no ids back, so rows are built from ``_Support`` directly. The
    columns come from the model: a new field must be given here or have a
    default (the insert fails loudly otherwise).
    """
    connection = connections[router.db_for_write(SupportRecord)]
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    getters = []
    for f in SupportRecord._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname == "support_type_id":
            getters.append(lambda r: types[r.type_code].pk)
        elif f.attname == "action_id":
            getters.append(lambda r: r.action.pk if r.action is not None else None)
        elif f.attname in ("created_at", "updated_at"):
            getters.append(lambda r: now)
        elif f.attname == "created_by_id":
            getters.append(lambda r: None)
        elif f.get_internal_type() == "DateField":
            getters.append(lambda r, name=f.attname: ops.adapt_datefield_value(getattr(r, name)))
        elif f.get_internal_type() == "DecimalField":
            getters.append(lambda r, name=f.attname: ops.adapt_decimalfield_value(getattr(r, name)))
        else:
            getters.append(lambda r, name=f.attname: _plain(getattr(r, name)))
    fields = [f for f in SupportRecord._meta.concrete_fields if not f.primary_key]
    table = ops.quote_name(SupportRecord._meta.db_table)
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for first in range(0, len(records), BATCH):
            batch = records[first : first + BATCH]
            cursor.executemany(sql, [tuple(get(r) for get in getters) for r in batch])


def _plain(value):
    """Choices enums as their plain string value."""
    return str(value) if isinstance(value, str) else value
