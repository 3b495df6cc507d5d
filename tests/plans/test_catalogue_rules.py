"""Catalogue corrections of issue 14: each rule at its boundaries.

Electricity follows the tier-1 tariff table and needs the poor list (or a
reason); tuition exemption ends with 2024–25; housing amounts belong to a
programme; the state's BHYT share follows the highest group; loans conflict
only within one VBSP programme.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from households.models import AssessmentStatus, PovertyStatus
from plans import duplicates, electricity, health_insurance
from plans.models import (
    DuplicateRule,
    ElectricityTariff,
    FundingSource,
    SupportProgramme,
    SupportRecord,
    SupportType,
)
from plans.services.support import NotEligible, SupportConflict, status_in_force, support_record
from tests.conftest import unit
from tests.factories import AssessmentFactory, HouseholdFactory, MemberFactory, support_type

D = datetime.date

# --- electricity: pure arithmetic --------------------------------------------------------

T2014 = electricity.Tariff(D(2014, 6, 1), 1388)
T2015 = electricity.Tariff(D(2015, 3, 16), 1484)
T2017 = electricity.Tariff(D(2017, 12, 1), 1549)
TARIFFS = [T2014, T2015, T2017]


def test_monthly_support_reproduces_the_published_figures():
    assert (T2014.monthly_support, T2015.monthly_support) == (46_000, 49_000)


def test_monthly_support_rounds_half_up_to_the_thousand():
    # 30 × 1.500 × 1.1 = 49.500 → 50.000; 30 × 1.499 × 1.1 = 49.467 → 49.000
    assert electricity.Tariff(D(2020, 1, 1), 1500).monthly_support == 50_000
    assert electricity.Tariff(D(2020, 1, 1), 1499).monthly_support == 49_000


def test_tariff_on_its_first_day_is_in_force():
    assert electricity.tariff_on(TARIFFS, D(2015, 3, 16)) is T2015
    assert electricity.tariff_on(TARIFFS, D(2015, 3, 15)) is T2014


def test_no_tariff_before_the_table_starts():
    with pytest.raises(electricity.NoTariff):
        electricity.tariff_on(TARIFFS, D(2014, 5, 31))


def test_quarter_spanning_a_change_prices_each_month_at_its_first_day():
    # The tariff of 16/3/2015 counts from April: Q1 2015 is 3 × 46.000 ₫.
    assert electricity.support_for_period(TARIFFS, D(2015, 1, 1), D(2015, 3, 31)).amount == 138_000
    q2 = electricity.support_for_period(TARIFFS, D(2015, 4, 1), D(2015, 6, 30))
    assert (q2.amount, q2.kwh, q2.months) == (147_000, 90, 3)
    # Q4 2017: October and November at 49.000 ₫, December at 51.000 ₫.
    assert electricity.support_for_period(TARIFFS, D(2017, 10, 1), D(2017, 12, 31)).amount == (
        149_000
    )


def test_quarter_of_each_boundary():
    assert electricity.quarter_of(D(2025, 3, 31)) == (D(2025, 1, 1), D(2025, 3, 31))
    assert electricity.quarter_of(D(2025, 4, 1)) == (D(2025, 4, 1), D(2025, 6, 30))
    assert electricity.quarter_of(D(2025, 12, 31)) == (D(2025, 10, 1), D(2025, 12, 31))


# --- BHYT: pure rules ----------------------------------------------------------------------

SHARES = [
    health_insurance.Share("poor", 100, D(2015, 1, 1)),
    health_insurance.Share("near_poor", 70, D(2015, 1, 1)),
    health_insurance.Share("average_farming", 30, D(2015, 1, 1)),
    health_insurance.Share("child_under_6", 100, D(2015, 1, 1)),
]


def test_groups_of_a_child_turn_at_six():
    assert health_insurance.groups_of(household_status="near_poor", age=5) == {
        "near_poor",
        "child_under_6",
    }
    assert health_insurance.groups_of(household_status="near_poor", age=6) == {"near_poor"}
    assert health_insurance.groups_of(household_status="not_poor", age=30) == set()


def test_highest_group_applies_when_in_several():
    groups = health_insurance.groups_of(household_status="near_poor", age=4)
    assert health_insurance.highest_group(groups, SHARES, D(2025, 1, 1)) == ("child_under_6", 100)
    assert health_insurance.highest_group({"near_poor"}, SHARES, D(2025, 1, 1)) == (
        "near_poor",
        70,
    )


def test_provincial_top_up_wins_while_in_force():
    top_up = health_insurance.Share(
        "near_poor", 100, D(2024, 1, 1), D(2024, 12, 31), level="provincial"
    )
    assert health_insurance.share_of("near_poor", [*SHARES, top_up], D(2024, 12, 31)) == 100
    assert health_insurance.share_of("near_poor", [*SHARES, top_up], D(2025, 1, 1)) == 70


# --- loans: the overlap rule within a programme -----------------------------------------------


class _Loan:
    def __init__(self, pk, programme, start, end):
        self.pk, self.support_programme_id = pk, programme
        self.household_id, self.member_id, self.support_type_id = 1, None, 3
        self.given_on = self.covered_from = start
        self.period_start, self.period_end, self.covered_until = None, None, end


class _Rule:
    scope, window, years, active = "household", "overlap", None, True

    def __init__(self, per_programme):
        self.per_programme = per_programme


def test_overlapping_loans_conflict_only_within_a_programme():
    poor = _Loan(1, 10, D(2023, 1, 1), D(2025, 12, 31))
    students = _Loan(2, 11, D(2024, 1, 1), D(2027, 12, 31))
    poor_again = _Loan(3, 10, D(2025, 12, 31), D(2028, 12, 31))
    poor_after = _Loan(4, 10, D(2026, 1, 1), D(2028, 12, 31))
    rule = _Rule(per_programme=True)
    assert not duplicates.in_conflict(poor, students, rule)
    assert duplicates.in_conflict(poor, poor_again, rule)  # last day overlaps
    assert not duplicates.in_conflict(poor, poor_after, rule)
    assert duplicates.in_conflict(poor, students, _Rule(per_programme=False))


# --- through the service ----------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def _record(actor, household, code="electricity", **kwargs):
    values = {
        "actor": actor,
        "household": household,
        "support_type": support_type(code),
        "given_on": D(2025, 2, 10),
        "funding_source": FundingSource.NATIONAL_PROGRAMME,
        "provider": "UBND phường Hạ Long",
    }
    return support_record(**(values | kwargs))


def _decide(household, year, status, decided):
    return AssessmentFactory(
        household=household,
        round__year=year,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=status,
        decision_date=decided,
    )


def _programme(type_code, code):
    return SupportProgramme.objects.get(support_type__code=type_code, code=code)


@pytest.fixture
def household(units):
    return HouseholdFactory(unit=unit("6688"))


@pytestmark_db
def test_tariff_table_starts_right_in_2015():
    dates = list(
        ElectricityTariff.objects.order_by("valid_from").values_list("valid_from", flat=True)
    )
    assert D(2015, 3, 16) in dates and D(2015, 1, 1) not in dates
    assert ElectricityTariff.objects.get(valid_from=D(2015, 3, 16)).confirmed
    assert not SupportType.objects.get(code="electricity").rates.exists()


@pytestmark_db
def test_electricity_defaults_to_the_quarter_at_the_tariff_in_force(halong_officer, household):
    _decide(household, 2014, PovertyStatus.POOR, D(2014, 12, 10))
    saved = _record(halong_officer, household, given_on=D(2015, 5, 20))
    assert (saved.period_start, saved.period_end) == (D(2015, 4, 1), D(2015, 6, 30))
    assert (saved.amount, saved.quantity) == (147_000, Decimal(90))
    assert saved.eligibility_reason == ""


@pytestmark_db
def test_electricity_follows_a_new_tariff_row(halong_officer, household):
    _decide(household, 2025, PovertyStatus.POOR, D(2025, 12, 10))
    ElectricityTariff.objects.create(valid_from=D(2026, 2, 1), tier1_price=2000, legal_basis="x")
    saved = _record(halong_officer, household, given_on=D(2026, 2, 10))
    # January at 1.984 ₫ (65.000 ₫), February and March at 2.000 ₫ (66.000 ₫).
    assert saved.amount == 65_000 + 2 * 66_000


@pytestmark_db
def test_electricity_for_a_near_poor_household_needs_a_reason(halong_officer, household):
    _decide(household, 2024, PovertyStatus.NEAR_POOR, D(2024, 12, 10))
    with pytest.raises(NotEligible) as refused:
        _record(halong_officer, household)
    assert "eligibility_reason" in refused.value.error_dict
    assert not SupportRecord.objects.exists()
    saved = _record(halong_officer, household, eligibility_reason="Hộ chính sách xã hội (QĐ 12)")
    assert saved.eligibility_reason == "Hộ chính sách xã hội (QĐ 12)"


@pytestmark_db
def test_electricity_eligibility_changes_on_the_decision_day(halong_officer, household):
    _decide(household, 2024, PovertyStatus.POOR, D(2024, 12, 10))
    _decide(household, 2025, PovertyStatus.NOT_POOR, D(2025, 12, 15))
    assert status_in_force(household, D(2025, 12, 14)) == PovertyStatus.POOR
    assert status_in_force(household, D(2025, 12, 15)) == PovertyStatus.NOT_POOR
    # Q4 2025 starts on 1/10, while the household was still poor.
    assert _record(halong_officer, household, given_on=D(2025, 12, 20)).pk
    with pytest.raises(NotEligible):
        _record(halong_officer, household, given_on=D(2026, 1, 5))


@pytestmark_db
def test_tuition_exemption_ends_with_the_2024_25_school_year(halong_officer, household):
    member = MemberFactory(household=household, birth_year=2012)
    last = _record(
        halong_officer,
        household,
        "tuition",
        member=member,
        amount=300_000,
        given_on=D(2025, 6, 1),
        period_start=D(2025, 8, 31),
        period_end=D(2025, 8, 31),
    )
    assert last.pk
    with pytest.raises(ValidationError) as refused:
        _record(
            halong_officer,
            household,
            "tuition",
            member=member,
            amount=300_000,
            given_on=D(2025, 6, 2),
            period_start=D(2025, 9, 1),
            period_end=D(2026, 5, 31),
        )
    assert "2025–2026" in " ".join(refused.value.error_dict["support_type"][0].messages)
    assert SupportRecord.objects.count() == 1


@pytestmark_db
def test_study_costs_continue_after_tuition_ends(halong_officer, household):
    member = MemberFactory(household=household, birth_year=2012)
    saved = _record(
        halong_officer,
        household,
        "study_costs",
        member=member,
        given_on=D(2025, 10, 1),
        period_start=D(2025, 9, 5),
        quantity=Decimal(9),
    )
    assert saved.amount == 9 * 150_000


@pytestmark_db
def test_housing_amount_comes_from_its_programme(halong_officer, household):
    ntp = _programme("housing_build", "ntp_housing")
    saved = _record(
        halong_officer, household, "housing_build", support_programme=ntp, given_on=D(2024, 5, 1)
    )
    assert saved.amount == 40_000_000
    with pytest.raises(ValidationError) as refused:
        _record(halong_officer, household, "housing_build", given_on=D(2024, 6, 1))
    assert "amount" in refused.value.error_dict
    local = _programme("housing_build", "local_housing")
    with pytest.raises(ValidationError):
        _record(halong_officer, household, "housing_build", support_programme=local)


@pytestmark_db
def test_programme_of_another_type_refused(halong_officer, household):
    with pytest.raises(ValidationError) as refused:
        _record(
            halong_officer,
            household,
            "housing_build",
            amount=10_000_000,
            support_programme=_programme("loan", "poor"),
        )
    assert "support_programme" in refused.value.error_dict


@pytestmark_db
def test_bhyt_card_records_the_highest_group_and_share(halong_officer, household):
    _decide(household, 2024, PovertyStatus.NEAR_POOR, D(2024, 12, 10))
    adult = MemberFactory(household=household, birth_year=1990)
    child = MemberFactory(household=household, birth_year=2021, birth_date=D(2021, 3, 1))
    card = {"amount": 800_000, "given_on": D(2025, 1, 10), "period_start": D(2025, 1, 10)}
    saved = _record(halong_officer, household, "health_insurance", member=adult, **card)
    assert (saved.insurance_group, saved.state_share_pct) == ("near_poor", 70)
    young = _record(halong_officer, household, "health_insurance", member=child, **card)
    assert (young.insurance_group, young.state_share_pct) == ("child_under_6", 100)


@pytestmark_db
def test_bhyt_lower_group_than_the_highest_refused(halong_officer, household):
    _decide(household, 2024, PovertyStatus.POOR, D(2024, 12, 10))
    member = MemberFactory(household=household, birth_year=1990)
    with pytest.raises(ValidationError) as refused:
        _record(
            halong_officer,
            household,
            "health_insurance",
            member=member,
            amount=800_000,
            insurance_group="near_poor",
        )
    assert "insurance_group" in refused.value.error_dict
    assert not SupportRecord.objects.exists()


def _loan(actor, household, programme, given_on, **kwargs):
    return _record(
        actor,
        household,
        "loan",
        amount=50_000_000,
        loan_term_months=36,
        given_on=given_on,
        support_programme=_programme("loan", programme),
        **kwargs,
    )


@pytestmark_db
def test_concurrent_loans_of_different_programmes_are_legal(halong_officer, household):
    first = _loan(halong_officer, household, "poor", D(2023, 3, 1))
    assert first.loan_rate_pct == Decimal("6.60")  # the programme's rate
    second = _loan(halong_officer, household, "students", D(2024, 3, 1), loan_rate_pct=6.6)
    assert second.conflict_reason == ""
    with pytest.raises(SupportConflict):
        _loan(halong_officer, household, "poor", D(2025, 1, 10))
    assert DuplicateRule.objects.get(support_type__code="loan").per_programme


@pytestmark_db
def test_loan_without_a_programme_refused(halong_officer, household):
    with pytest.raises(ValidationError) as refused:
        _record(
            halong_officer,
            household,
            "loan",
            amount=50_000_000,
            loan_rate_pct=Decimal("6.6"),
            loan_term_months=36,
            given_on=D(2023, 3, 1),
        )
    assert "support_programme" in refused.value.error_dict
