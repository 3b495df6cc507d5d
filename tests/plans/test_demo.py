"""Demo exit plans and support ledger: consistent with the household histories."""

import datetime
import io
import random
import time
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef

from communes.demo import seed_committees_and_logins
from communes.models import WARD_ROLES, AdministrativeUnit, Membership
from households.demo import seed_households
from households.models import Assessment, AssessmentCause, AssessmentStatus
from households.standards_data import link_provincial_standards
from plans import electricity
from plans.demo import seed_plans_and_support
from plans.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    ElectricityTariff,
    ExitPlan,
    PlanAction,
    SupportRecord,
    TargetKind,
)

LISTED = ("poor", "near_poor")
TODAY = datetime.date.today()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Households and plans seeded once for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        if not AdministrativeUnit.objects.exists():
            call_command("load_units", stdout=io.StringIO())
        link_provincial_standards()
        rng = random.Random(2020)
        seed_committees_and_logins(password="pw-demo-123", rng=rng)
        seed_households(rng=rng)
        started = time.perf_counter()
        summary = seed_plans_and_support(rng=rng)
        print(f"\nseed_plans_and_support: {time.perf_counter() - started:.1f} s, {summary}")
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    """The seeded database; each test's writes are rolled back."""
    return seeded


def listed_years() -> set[tuple[int, int]]:
    """``(household id, year)`` of every recognised poor or near-poor listing."""
    return set(
        Assessment.objects.filter(
            status=AssessmentStatus.RECOGNISED, recorded_status__in=LISTED
        ).values_list("household_id", "year")
    )


def test_summary_counts_what_was_created(demo):
    assert demo.created
    assert demo.plans == ExitPlan.objects.count() > 1000
    assert demo.actions == PlanAction.objects.count()
    assert demo.support_records == SupportRecord.objects.count()
    assert (demo.deliberate_duplicates, demo.deliberate_out_of_list) == (6, 3)


def test_every_plan_follows_a_listing_of_its_period(demo):
    plans = ExitPlan.objects.all()
    listed_at_start = Assessment.objects.filter(
        household=OuterRef("household"),
        year=OuterRef("start_year"),
        status=AssessmentStatus.RECOGNISED,
        recorded_status__in=LISTED,
    )

    assert not plans.filter(based_on=None).exists()
    assert not plans.exclude(based_on__household=F("household")).exists()
    assert not plans.exclude(based_on__status=AssessmentStatus.RECOGNISED).exists()
    assert not plans.exclude(based_on__recorded_status__in=LISTED).exists()
    assert not plans.filter(based_on__year__lt=F("start_year")).exists()
    assert not plans.filter(start_year__lt=2021).exists()
    assert not plans.exclude(end_year__in=[2025, 2026]).exists()
    assert not plans.filter(~Exists(listed_at_start)).exists()
    # Still listed after the 2025 review: the plan runs into 2026.
    assert not plans.filter(based_on__year=2025).exclude(end_year=2026).exists()


def test_every_household_listed_since_2021_has_a_plan(demo):
    listed = Assessment.objects.filter(
        status=AssessmentStatus.RECOGNISED, recorded_status__in=LISTED, year__gte=2021
    )
    assert ExitPlan.objects.count() == listed.values("household").distinct().count()


def test_actions_address_the_assessment_they_are_based_on(demo):
    targets = defaultdict(set)
    for assessment_id, code in Assessment.deprivations.through.objects.values_list(
        "assessment_id", "indicator__code"
    ):
        targets[assessment_id].add((TargetKind.INDICATOR, code))
    for assessment_id, code in AssessmentCause.objects.values_list("assessment_id", "code"):
        targets[assessment_id].add((TargetKind.CAUSE, code))
    actions = PlanAction.objects.values_list(
        "plan_id", "plan__based_on_id", "target_kind", "target_code"
    )

    wrong = [a for a in actions if (a[2], a[3]) not in targets[a[1]]]
    per_plan = PlanAction.objects.values("plan").annotate(n=Count("id"))
    assert wrong == []
    assert not per_plan.filter(n__lt=2).exists()
    assert not per_plan.filter(n__gt=5).exists()


def test_dropped_actions_have_reasons_and_done_ones_a_date(demo):
    actions = PlanAction.objects.all()

    assert actions.filter(status=ActionStatus.DROPPED).exists()
    assert not actions.filter(status=ActionStatus.DROPPED, dropped_reason="").exists()
    assert not actions.filter(status=ActionStatus.DONE, completed_on=None).exists()
    assert not actions.exclude(status=ActionStatus.DONE).exclude(completed_on=None).exists()
    assert not actions.filter(completed_on__gt=TODAY).exists()
    assert set(actions.values_list("status", flat=True)) == set(ActionStatus.values)


def test_exited_households_finished_their_actions_before_the_exit_review(demo):
    exits = {
        (household_id, year): surveyed_on
        for household_id, year, surveyed_on in Assessment.objects.filter(
            status=AssessmentStatus.RECOGNISED
        )
        .exclude(recorded_status__in=LISTED)
        .values_list("household_id", "year", "surveyed_on")
    }
    exited = PlanAction.objects.filter(plan__end_year=2025)
    rows = exited.values_list(
        "plan__household_id", "plan__based_on__year", "status", "completed_on"
    )

    assert not exited.filter(status__in=OPEN_ACTION_STATUSES).exists()
    assert exited.filter(status=ActionStatus.DONE).count() > 0.8 * exited.count()
    for household_id, year, status, completed_on in rows:
        if status == ActionStatus.DONE:
            assert completed_on < exits[(household_id, year + 1)]


@pytest.mark.parametrize("username", ["halong.member", "baichay.member"])
def test_member_logins_have_overdue_actions_in_their_ward(demo, username):
    mine = PlanAction.objects.filter(responsible__username=username)
    overdue = mine.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=TODAY)

    assert overdue.count() >= 5
    assert mine.filter(due_date__gte=TODAY).exists() or mine.filter(status="done").exists()
    code = "6688" if username.startswith("halong") else "6673"
    assert set(mine.values_list("plan__household__unit__code", flat=True)) == {code}


def test_responsible_only_in_wards_with_committee_logins(demo):
    actions = PlanAction.objects.exclude(responsible=None)

    assert set(actions.values_list("plan__household__unit__code", flat=True)) == {"6688", "6673"}
    units_of = defaultdict(set)
    for user_id, unit_id in Membership.objects.filter(role__in=WARD_ROLES).values_list(
        "user_id", "committee__unit_id"
    ):
        units_of[user_id].add(unit_id)
    for user_id, unit_id in actions.values_list("responsible_id", "plan__household__unit_id"):
        assert unit_id in units_of[user_id]


def test_support_records_are_sane(demo):
    records = SupportRecord.objects.all()

    assert not records.filter(amount__lt=0).exists()
    assert not records.exclude(conflict_reason="").exists()
    assert set(records.values_list("support_type__code", flat=True)) >= {
        "electricity", "health_insurance", "study_costs", "tuition", "loan", "housing_build",
        "housing_repair", "production", "vocational_training", "other",
    }  # fmt: skip
    assert records.filter(given_on__year=2016).exists()
    assert not records.filter(given_on__gt=TODAY).exists()
    assert records.values("funding_source").distinct().count() == 7
    loans = records.filter(support_type__code="loan")
    assert not loans.exclude(amount__gte=20_000_000, amount__lte=100_000_000).exists()
    assert set(loans.values_list("loan_status", flat=True)) >= {"current", "repaid", "overdue"}
    tariffs = [electricity.Tariff.of(t) for t in ElectricityTariff.objects.all()]
    for start, amount, quantity in (
        records.filter(support_type__code="electricity")
        .values_list("period_start", "amount", "quantity")
        .distinct()
    ):
        expected = electricity.support_for_period(tariffs, *electricity.quarter_of(start))
        assert (amount, quantity) == (expected.amount, expected.kwh)


def test_demo_electricity_follows_the_tariff_table(demo):
    amounts = dict(
        SupportRecord.objects.filter(support_type__code="electricity")
        .values_list("period_start", "amount")
        .distinct()
    )
    assert amounts[datetime.date(2017, 7, 1)] == 147_000  # 3 × 49.000 ₫ (tariff of 16/3/2015)
    assert amounts[datetime.date(2017, 10, 1)] == 149_000  # December at the tariff of 1/12/2017
    assert amounts[datetime.date(2018, 1, 1)] == 153_000  # 3 × 51.000 ₫ (tariff of 1/12/2017)
    assert amounts[datetime.date(2025, 7, 1)] == 195_000  # 3 × 65.000 ₫ (tariff of 10/5/2025)


def test_demo_loans_carry_a_vbsp_programme_and_concurrent_ones_are_not_flagged(
    demo, django_user_model
):
    from plans.support_selectors import possible_duplicates

    loans = SupportRecord.objects.filter(support_type__code="loan")
    assert not loans.filter(support_programme=None).exists()
    by_household = defaultdict(list)
    for loan in loans:
        by_household[loan.household_id].append(loan)
    concurrent = [
        (a, b)
        for items in by_household.values()
        for a in items
        for b in items
        if a.pk < b.pk
        and a.support_programme_id != b.support_programme_id
        and a.covered_from <= b.covered_until
        and b.covered_from <= a.covered_until
    ]
    assert len(concurrent) >= 3
    flagged = {
        (p.earlier.pk, p.later.pk)
        for p in possible_duplicates(django_user_model.objects.get(username="admin"))
        if p.rule.support_type.code == "loan"
    }
    assert len(flagged) == 1
    assert not flagged & {(a.pk, b.pk) for a, b in concurrent}


def test_linked_records_fulfil_a_done_action_of_the_same_household(demo):
    linked = SupportRecord.objects.exclude(action=None)

    assert linked.count() > 500
    assert not linked.exclude(action__status=ActionStatus.DONE).exists()
    assert not linked.exclude(household=F("action__plan__household")).exists()
    assert not linked.exclude(support_type=F("action__support_type")).exists()
    assert not linked.exclude(given_on=F("action__completed_on")).exists()


def test_records_follow_the_list_in_force_but_three(demo):
    """Support in year Y goes to the households listed at the end of Y − 1."""
    listed = listed_years()
    records = SupportRecord.objects.values_list("household_id", "given_on", "support_type__code")

    outside = [r for r in records if (r[0], r[1].year - 1) not in listed]
    assert len(outside) == 3
    assert {code for _, _, code in outside} <= {"electricity", "health_insurance"}


def test_deliberate_cross_source_duplicates(demo):
    records = SupportRecord.objects.all()

    def pairs(code, *keys):
        return (
            records.filter(support_type__code=code)
            .values(*keys)
            .annotate(n=Count("id"), sources=Count("funding_source", distinct=True))
            .filter(n__gt=1)
        )

    electricity = pairs("electricity", "household", "period_start")
    cards = pairs("health_insurance", "member", "period_start__year")
    study = pairs("study_costs", "member", "period_end")
    housing = defaultdict(list)
    for household_id, given_on, source in records.filter(
        support_type__code="housing_build"
    ).values_list("household_id", "given_on", "funding_source"):
        housing[household_id].append((given_on, source))
    built_twice = [h for h, builds in housing.items() if len(builds) > 1]
    loans = defaultdict(list)
    for loan in records.filter(support_type__code="loan"):
        loans[loan.household_id].append(loan)
    overlapping = [
        (a.pk, b.pk)
        for items in loans.values()
        for a in items
        for b in items
        if a.pk < b.pk
        and a.support_programme_id == b.support_programme_id
        and a.covered_from <= b.covered_until
        and b.covered_from <= a.covered_until
    ]

    assert (len(electricity), len(cards), len(study), len(built_twice), len(overlapping)) == (
        2, 1, 1, 1, 1,
    )  # fmt: skip
    assert all(row["sources"] == 2 for row in [*electricity, *cards, *study])
    (builds,) = [housing[h] for h in built_twice]
    assert len({source for _, source in builds}) == 2
    assert abs((builds[0][0] - builds[1][0]).days) < 3650
    (pair,) = overlapping
    assert len({SupportRecord.objects.get(pk=pk).funding_source for pk in pair}) == 2


def test_second_run_creates_nothing(demo):
    def counts():
        return tuple(m.objects.count() for m in (ExitPlan, PlanAction, SupportRecord))

    before = counts()
    summary = seed_plans_and_support(rng=random.Random(1))

    assert counts() == before
    assert not summary.created
    assert (summary.plans, summary.actions, summary.support_records) == before
