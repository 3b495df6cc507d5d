"""Recording support: validations, default amounts, duplicate rules, loans, selectors."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from households.models import AssessmentStatus, PovertyStatus
from plans import support_selectors as selectors
from plans.models import (
    DuplicateRule,
    FundingSource,
    LoanStatus,
    SupportProgramme,
    SupportRecord,
)
from plans.services.support import SupportConflict, loan_update_status, support_record
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    PlanActionFactory,
    SupportRecordFactory,
    poor_since_2015,
    support_type,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def household(units):
    return poor_since_2015(HouseholdFactory(unit=unit("6688")))


def record(actor, household, type_code="electricity", **kwargs):
    values = {
        "actor": actor,
        "household": household,
        "support_type": support_type(type_code),
        "given_on": D(2025, 2, 10),
        "funding_source": FundingSource.NATIONAL_PROGRAMME,
        "provider": "UBND phường Hạ Long",
    }
    return support_record(**(values | kwargs))


def programme(type_code: str, code: str):
    return SupportProgramme.objects.get(support_type__code=type_code, code=code)


def loan(actor, household, **kwargs):
    values = {
        "support_programme": programme("loan", "poor"),
        "amount": 50_000_000,
        "loan_rate_pct": Decimal("6.6"),
        "loan_term_months": 36,
        "given_on": D(2023, 3, 1),
    }
    return record(actor, household, "loan", **(values | kwargs))


# --- defaults and validations ---------------------------------------------------------


def test_default_amount_is_effective_rate_when_amount_blank(halong_officer, household):
    saved = record(
        halong_officer,
        household,
        "study_costs",
        member=MemberFactory(household=household),
        given_on=D(2022, 10, 1),
    )
    assert (saved.amount, saved.quantity) == (150_000, Decimal("1"))


def test_default_amount_is_pro_rata_when_quantity_given(halong_officer, household):
    member = MemberFactory(household=household)
    saved = record(
        halong_officer,
        household,
        "study_costs",
        member=member,
        given_on=D(2022, 10, 1),
        quantity=Decimal("9"),
    )
    assert saved.amount == 1_350_000


def test_amount_required_when_no_rate_in_force(halong_officer, household):
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, "production")
    assert "amount" in error.value.error_dict
    assert not SupportRecord.objects.exists()


def test_record_saves_actor_and_history(halong_officer, household):
    saved = record(halong_officer, household, amount=100_000)
    assert saved.created_by == halong_officer
    assert saved.history.get().history_user == halong_officer


def test_member_required_when_personal_type(halong_officer, household):
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, "health_insurance", amount=800_000)
    assert "member" in error.value.error_dict
    assert not SupportRecord.objects.exists()


def test_member_refused_when_of_another_household(halong_officer, household):
    stranger = MemberFactory(household=HouseholdFactory(unit=household.unit))
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, "health_insurance", amount=800_000, member=stranger)
    assert "member" in error.value.error_dict
    assert not SupportRecord.objects.exists()


def test_member_refused_when_left_household(halong_officer, household):
    gone = MemberFactory(household=household, left_on=D(2024, 1, 1))
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, "tuition", amount=1, member=gone)
    assert "member" in error.value.error_dict


def test_negative_amount_refused(halong_officer, household):
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, amount=-1)
    assert "amount" in error.value.error_dict
    assert not SupportRecord.objects.exists()


def test_period_end_before_start_refused(halong_officer, household):
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, period_start=D(2025, 3, 1), period_end=D(2025, 2, 1))
    assert "period_end" in error.value.error_dict


def test_loan_without_rate_refused(halong_officer, household):
    with pytest.raises(ValidationError) as error:
        # A programme without a default rate in the catalogue.
        loan(
            halong_officer,
            household,
            loan_rate_pct=None,
            support_programme=programme("loan", "students"),
        )
    assert set(error.value.error_dict) == {"loan_rate_pct"}
    assert not SupportRecord.objects.exists()


def test_loan_without_amount_or_term_refused(halong_officer, household):
    with pytest.raises(ValidationError) as error:
        loan(halong_officer, household, amount=None, loan_term_months=None)
    assert set(error.value.error_dict) == {"amount", "loan_term_months"}


def test_loan_starts_current_when_status_blank(halong_officer, household):
    assert loan(halong_officer, household).loan_status == LoanStatus.CURRENT


def test_action_refused_when_of_another_household(halong_officer, household):
    other_plan = ExitPlanFactory(household=HouseholdFactory(unit=household.unit))
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, action=PlanActionFactory(plan=other_plan))
    assert "action" in error.value.error_dict


def test_action_linked_when_of_the_household(halong_officer, household):
    action = PlanActionFactory(plan=ExitPlanFactory(household=household))
    assert record(halong_officer, household, action=action).action == action


def test_refused_when_actor_may_not_record_support(halong_member, city_staff, household):
    for actor in (halong_member, city_staff):
        with pytest.raises(PermissionDenied):
            record(actor, household)
    assert not SupportRecord.objects.exists()


def test_refused_when_household_of_another_ward(baichay_officer, household):
    with pytest.raises(PermissionDenied):
        record(baichay_officer, household)


# --- duplicate rules ---------------------------------------------------------------


def test_electricity_conflicts_when_same_household_same_quarter(halong_officer, household):
    first = record(halong_officer, household, given_on=D(2025, 1, 5))
    with pytest.raises(SupportConflict) as conflict:
        record(halong_officer, household, given_on=D(2025, 3, 20), funding_source="charity")
    assert conflict.value.records == [first]
    assert "conflict_reason" in conflict.value.error_dict
    assert SupportRecord.objects.count() == 1


def test_electricity_saved_with_reason_when_same_quarter(halong_officer, household):
    record(halong_officer, household, given_on=D(2025, 1, 5))
    second = record(
        halong_officer, household, given_on=D(2025, 3, 20), conflict_reason="  Bù tháng 1  "
    )
    assert second.conflict_reason == "Bù tháng 1"
    assert SupportRecord.objects.count() == 2


def test_electricity_allowed_when_next_quarter(halong_officer, household):
    record(halong_officer, household, given_on=D(2025, 3, 31))
    second = record(halong_officer, household, given_on=D(2025, 4, 1))
    assert second.conflict_reason == ""


def test_electricity_allowed_when_other_household(halong_officer, household):
    record(halong_officer, household, given_on=D(2025, 1, 5))
    neighbour = poor_since_2015(HouseholdFactory(unit=household.unit))
    assert record(halong_officer, neighbour, given_on=D(2025, 1, 5)).pk


def test_exact_duplicate_refused_even_with_reason(halong_officer, household):
    first = record(halong_officer, household)
    with pytest.raises(ValidationError) as error:
        record(halong_officer, household, conflict_reason="entered again")
    assert not isinstance(error.value, SupportConflict)
    message = " ".join(error.value.messages)
    assert "10/02/2025" in message and first.provider in message and "186.000" in message
    assert SupportRecord.objects.count() == 1


def test_exact_duplicate_refused_when_type_has_no_rule(halong_officer, household):
    record(halong_officer, household, "production", amount=2_000_000)
    with pytest.raises(ValidationError):
        record(halong_officer, household, "production", amount=2_000_000)
    assert SupportRecord.objects.count() == 1


def test_inactive_rule_allows_same_quarter(halong_officer, household):
    DuplicateRule.objects.filter(support_type__code="electricity").update(active=False)
    record(halong_officer, household, given_on=D(2025, 1, 5))
    assert record(halong_officer, household, given_on=D(2025, 1, 6)).pk


def bhyt(actor, household, member, start, end, **kwargs):
    return record(
        actor,
        household,
        "health_insurance",
        member=member,
        amount=1_105_000,
        given_on=start,
        period_start=start,
        period_end=end,
        **kwargs,
    )


def test_health_insurance_conflicts_when_member_periods_overlap(halong_officer, household):
    child = MemberFactory(household=household)
    bhyt(halong_officer, household, child, D(2024, 1, 1), D(2024, 12, 31))
    with pytest.raises(SupportConflict):
        bhyt(
            halong_officer,
            household,
            child,
            D(2024, 7, 1),
            D(2025, 6, 30),
            funding_source="charity",
        )
    assert SupportRecord.objects.count() == 1


def test_health_insurance_allowed_when_other_member(halong_officer, household):
    child, parent = MemberFactory(household=household), MemberFactory(household=household)
    bhyt(halong_officer, household, child, D(2024, 1, 1), D(2024, 12, 31))
    assert bhyt(halong_officer, household, parent, D(2024, 1, 1), D(2024, 12, 31)).pk


def test_health_insurance_allowed_when_periods_follow(halong_officer, household):
    child = MemberFactory(household=household)
    bhyt(halong_officer, household, child, D(2024, 1, 1), D(2024, 12, 31))
    assert bhyt(halong_officer, household, child, D(2025, 1, 1), D(2025, 12, 31)).pk


def test_housing_build_conflicts_within_ten_years(halong_officer, household):
    record(halong_officer, household, "housing_build", amount=40_000_000, given_on=D(2016, 5, 1))
    with pytest.raises(SupportConflict):
        record(
            halong_officer, household, "housing_build", amount=40_000_000, given_on=D(2025, 5, 1)
        )


def test_housing_build_allowed_after_ten_years(halong_officer, household):
    record(halong_officer, household, "housing_build", amount=30_000_000, given_on=D(2015, 5, 1))
    assert record(
        halong_officer, household, "housing_build", amount=40_000_000, given_on=D(2025, 5, 1)
    ).pk


def test_loan_conflicts_when_terms_overlap(halong_officer, household):
    loan(halong_officer, household, given_on=D(2023, 3, 1), loan_term_months=36)
    with pytest.raises(SupportConflict):
        loan(halong_officer, household, given_on=D(2025, 1, 10), funding_source="province")


def test_loan_allowed_when_first_term_ended(halong_officer, household):
    loan(halong_officer, household, given_on=D(2020, 3, 1), loan_term_months=36)
    assert loan(halong_officer, household, given_on=D(2023, 3, 1)).pk


def tuition(actor, household, member, given_on, **kwargs):
    return record(
        actor, household, "tuition", member=member, amount=900_000, given_on=given_on, **kwargs
    )


def test_tuition_conflicts_when_same_school_year(halong_officer, household):
    pupil = MemberFactory(household=household, birth_year=2012)
    tuition(halong_officer, household, pupil, D(2024, 9, 15))
    with pytest.raises(SupportConflict):
        tuition(halong_officer, household, pupil, D(2025, 2, 1), funding_source="enterprise")


def test_tuition_allowed_when_next_school_year(halong_officer, household):
    pupil = MemberFactory(household=household, birth_year=2012)
    tuition(halong_officer, household, pupil, D(2024, 8, 30))
    assert tuition(halong_officer, household, pupil, D(2024, 9, 1)).pk


# --- loan status ----------------------------------------------------------------------


def test_loan_status_updated(halong_officer, household):
    saved = loan(halong_officer, household)
    loan_update_status(actor=halong_officer, record=saved, loan_status=LoanStatus.REPAID)
    saved.refresh_from_db()
    assert saved.loan_status == LoanStatus.REPAID


def test_loan_status_refused_when_not_a_loan(halong_officer, household):
    saved = record(halong_officer, household)
    with pytest.raises(ValidationError):
        loan_update_status(actor=halong_officer, record=saved, loan_status=LoanStatus.REPAID)
    saved.refresh_from_db()
    assert saved.loan_status == ""


def test_loan_status_refused_when_member(halong_officer, halong_member, household):
    saved = loan(halong_officer, household)
    with pytest.raises(PermissionDenied):
        loan_update_status(actor=halong_member, record=saved, loan_status=LoanStatus.REPAID)
    saved.refresh_from_db()
    assert saved.loan_status == LoanStatus.CURRENT


# --- selectors ----------------------------------------------------------------------


def test_totals_by_type_and_source(household):
    SupportRecordFactory(household=household, amount=147_000)
    SupportRecordFactory(
        household=household, amount=147_000, given_on=D(2025, 5, 1), funding_source="charity"
    )
    SupportRecordFactory(
        household=household, support_type=support_type("production"), amount=2_000_000
    )
    totals = selectors.support_totals(SupportRecord.objects.all())
    assert (totals["count"], totals["total"]) == (3, 2_294_000)
    assert [(r["support_type__name"], r["count"], r["total"]) for r in totals["by_type"]] == [
        (support_type("electricity").name, 2, 294_000),
        (support_type("production").name, 1, 2_000_000),
    ]
    assert {r["funding_source"]: (r["count"], r["total"]) for r in totals["by_source"]} == {
        "charity": (1, 147_000),
        "national_programme": (2, 2_147_000),
    }


def test_totals_zero_when_no_records(units):
    totals = selectors.support_totals(SupportRecord.objects.all())
    assert (totals["count"], totals["total"], totals["by_type"]) == (0, 0, [])


def test_possible_duplicates_finds_cross_source_pair(halong_officer, household):
    first = SupportRecordFactory(household=household, given_on=D(2025, 1, 5))
    second = SupportRecordFactory(
        household=household, given_on=D(2025, 2, 5), funding_source="charity", provider="Quỹ"
    )
    SupportRecordFactory(household=household, given_on=D(2025, 4, 5))
    pairs = selectors.possible_duplicates(halong_officer)
    assert [(p.earlier, p.later, p.cross_source) for p in pairs] == [(first, second, True)]


def test_possible_duplicates_filters_by_year_of_later_record(halong_officer, household):
    SupportRecordFactory(
        household=household, support_type=support_type("housing_build"), given_on=D(2016, 1, 5)
    )
    SupportRecordFactory(
        household=household, support_type=support_type("housing_build"), given_on=D(2024, 1, 5)
    )
    assert len(selectors.possible_duplicates(halong_officer, 2024)) == 1
    assert selectors.possible_duplicates(halong_officer, 2016) == []


def test_possible_duplicates_never_shows_other_ward(halong_officer, units):
    other = HouseholdFactory(unit=unit("6673"))
    SupportRecordFactory(household=other, given_on=D(2025, 1, 5))
    SupportRecordFactory(household=other, given_on=D(2025, 2, 5))
    assert selectors.possible_duplicates(halong_officer) == []


def recognised(household, year, status, decided=None):
    return AssessmentFactory(
        household=household,
        round__year=year,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=status,
        decision_date=decided,
    )


def test_support_while_not_poor_flags_record_given_after_exit_decision(halong_officer, household):
    recognised(household, 2024, PovertyStatus.POOR, decided=D(2024, 12, 10))
    recognised(household, 2025, PovertyStatus.NOT_POOR, decided=D(2025, 12, 10))
    SupportRecordFactory(household=household, given_on=D(2025, 6, 1))  # 2024 list in force
    flagged = SupportRecordFactory(household=household, given_on=D(2025, 12, 20))
    found = list(selectors.support_while_not_poor(halong_officer))
    assert found == [flagged]
    assert (found[0].status_then, found[0].status_year) == ("not_poor", 2025)


def test_support_while_not_poor_counts_undated_decision_from_year_end(halong_officer, household):
    recognised(household, 2023, PovertyStatus.NOT_POOR)
    flagged = SupportRecordFactory(household=household, given_on=D(2024, 6, 1))
    SupportRecordFactory(household=household, given_on=D(2023, 6, 1))  # no list yet
    assert list(selectors.support_while_not_poor(halong_officer, 2024)) == [flagged]
    assert list(selectors.support_while_not_poor(halong_officer, 2023)) == []


def test_support_while_not_poor_skips_near_poor_and_unknown(halong_officer, household):
    recognised(household, 2024, PovertyStatus.NEAR_POOR, decided=D(2024, 12, 10))
    SupportRecordFactory(household=household, given_on=D(2025, 6, 1))
    SupportRecordFactory(household=HouseholdFactory(unit=household.unit), given_on=D(2025, 6, 1))
    assert list(selectors.support_while_not_poor(halong_officer)) == []


def test_support_while_not_poor_ignores_unrecognised_assessment(halong_officer, household):
    AssessmentFactory(household=household, round__year=2024, recorded_status=PovertyStatus.NOT_POOR)
    SupportRecordFactory(household=household, given_on=D(2025, 6, 1))
    assert list(selectors.support_while_not_poor(halong_officer)) == []


def test_household_support_lists_latest_first_with_totals(household):
    older = SupportRecordFactory(household=household, given_on=D(2024, 1, 5), amount=100)
    newer = SupportRecordFactory(household=household, given_on=D(2025, 1, 5), amount=200)
    support = selectors.household_support(household)
    assert (support.records, support.count, support.total) == ([newer, older], 2, 300)


def test_household_support_lists_only_the_latest_but_totals_all(household):
    for day in range(1, 6):
        SupportRecordFactory(household=household, given_on=D(2025, 1, day), amount=10)
    support = selectors.household_support(household, limit=2)
    assert [r.given_on.day for r in support.records] == [5, 4]
    assert (support.count, support.total) == (5, 50)
