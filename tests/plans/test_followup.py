"""Follow-up after exit: who is on the list, the warning score at its thresholds,
the yearly check (service and pages), and the dashboard's sustained exits and re-entries."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from communes.models import Role
from households.models import (
    AssessmentStatus,
    Household,
    Indicator,
    PovertyStandard,
    PovertyStatus,
    WorkStatus,
)
from households.services import events
from plans import followup
from plans.followup import (
    AT_RISK_FROM,
    WATCH_FROM,
    Facts,
    Risk,
    exit_outcomes,
    exits_from,
    followups_for,
    household_followup,
    income_line,
    risk_level,
    warning_score,
)
from plans.models import FollowUpCheck, LoanStatus
from plans.services.followup import followup_check_record
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    MemberFactory,
    SupportRecordFactory,
    support_type,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
#: The exit decision of last year's review: followed this year and next (N = 2).
EXIT_YEAR = TODAY.year - 1


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def halong(units):
    return unit("6688")


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(standard__code="ND07-2022", code=code)


def decide(household, year: int, status: str, *, deprived=(), **kwargs):
    assessment = AssessmentFactory(
        household=household,
        round__year=year,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=status,
        decision_date=datetime.date(year, 12, 10),
        **kwargs,
    )
    assessment.deprivations.set([indicator(code) for code in deprived])
    return assessment


def exited(unit_obj, exit_year: int = EXIT_YEAR, left=PovertyStatus.POOR, **kwargs) -> Household:
    """A household on ``left``'s list in ``exit_year`` − 1, out by the decision of ``exit_year``."""
    household = HouseholdFactory(unit=unit_obj, **kwargs)
    decide(household, exit_year - 1, left, deprived=("housing_quality", "water", "sanitation"))
    decide(household, exit_year, PovertyStatus.AVERAGE, deprived=("housing_area",))
    return household


def check(actor, household, **overrides):
    data = {
        "checked_on": TODAY,
        "income_per_capita": 5_000_000,
        "deprivations": [],
        "serious_illness": False,
        "job_loss": False,
        "running_support": [],
        "notes": "",
    }
    return followup_check_record(actor=actor, household=household, **(data | overrides))


# --- Exits (pure) -------------------------------------------------------------------------


def test_exits_from_finds_exits_and_re_entries_within_the_years():
    rows = [
        (1, 2020, "poor", 11),
        (1, 2021, "not_poor", 12),
        (1, 2023, "near_poor", 13),  # listed again 2 years after: within N = 2
        (2, 2020, "near_poor", 21),
        (2, 2021, "average", 22),
        (2, 2024, "poor", 23),  # 3 years after: outside N = 2
        (3, 2020, "poor", 31),  # 2021 no decision: other decrease, no exit
    ]
    found = {e.household_id: e for e in exits_from(rows, 2)}
    assert set(found) == {1, 2}
    assert (found[1].year, found[1].left, found[1].re_entered_in) == (2021, "poor", 2023)
    assert (found[2].year, found[2].left, found[2].re_entered_in) == (2021, "near_poor", None)
    assert found[1].assessment_id == 12


# --- Who is on the list ----------------------------------------------------------------


def test_a_household_out_by_a_decision_is_followed_for_n_years(halong, halong_officer):
    assert settings.FOLLOW_UP_YEARS == 2
    household = exited(halong)
    [item] = followups_for(halong_officer, TODAY)
    assert item.household == household
    assert item.left == "poor"
    assert item.until_year == EXIT_YEAR + 2
    assert item.check_due


def test_the_follow_up_ends_after_n_years(halong, halong_officer):
    exited(halong, exit_year=TODAY.year - 2)  # followed until this year
    exited(halong, exit_year=TODAY.year - 3)  # ended last year
    assert [f.exit.year for f in followups_for(halong_officer, TODAY)] == [TODAY.year - 2]


def test_follow_up_years_come_from_the_settings(halong, halong_officer, settings):
    exited(halong, exit_year=TODAY.year - 2)
    settings.FOLLOW_UP_YEARS = 1
    assert followups_for(halong_officer, TODAY) == []


def test_a_household_back_on_a_list_or_gone_without_decision_is_not_followed(
    halong, halong_officer
):
    back = exited(halong, exit_year=TODAY.year - 2)
    decide(back, TODAY.year - 1, PovertyStatus.NEAR_POOR)
    silent = HouseholdFactory(unit=halong)
    decide(silent, TODAY.year - 2, PovertyStatus.POOR)  # no decision after: other decrease
    assert followups_for(halong_officer, TODAY) == []


def test_a_merged_away_household_is_not_followed_but_the_receiving_one_is_not_either(
    halong, halong_officer
):
    other = exited(halong)
    keeper = HouseholdFactory(unit=halong)
    events.household_merge(
        actor=halong_officer, household=keeper, other=other, on=TODAY - datetime.timedelta(1)
    )
    assert followups_for(halong_officer, TODAY) == []


def test_the_list_is_scoped_to_the_member_and_the_ward(
    halong, halong_officer, halong_member, baichay_officer
):
    mine = exited(halong, assigned_to=halong_member)
    exited(halong)
    assert [f.household for f in followups_for(halong_member, TODAY)] == [mine]
    assert len(followups_for(halong_officer, TODAY)) == 2
    assert followups_for(baichay_officer, TODAY) == []


def test_the_list_runs_a_fixed_number_of_queries(halong, halong_officer, django_assert_num_queries):
    def fill(n):
        for _ in range(n):
            household = exited(halong)
            MemberFactory(household=household)
            SupportRecordFactory(
                household=household,
                support_type=support_type("loan"),
                loan_status=LoanStatus.OVERDUE,
            )

    fill(1)
    followups_for(halong_officer, TODAY)  # warm the user's scope cache
    with django_assert_num_queries(8) as one:
        followups_for(halong_officer, TODAY)
    fill(4)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(followups_for(halong_officer, TODAY)) == 5


# --- The warning score -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "risk"),
    [
        (0, Risk.LOW),
        (WATCH_FROM - 1, Risk.LOW),
        (WATCH_FROM, Risk.WATCH),
        (AT_RISK_FROM - 1, Risk.WATCH),
        (AT_RISK_FROM, Risk.AT_RISK),
    ],
)
def test_risk_level_at_its_thresholds(score, risk):
    assert risk_level(score) == risk


@pytest.mark.parametrize(
    ("facts", "score", "risk"),
    [
        (Facts(), 0, Risk.LOW),
        (Facts(job_loss=True), 20, Risk.LOW),
        (Facts(overdue_loans=2), 25, Risk.WATCH),
        (Facts(insurance_gaps=("Lan",), regained=("Nước",)), 25, Risk.WATCH),
        (Facts(income_per_capita=2_000_000, income_line=2_000_000), 30, Risk.WATCH),
        (Facts(income_per_capita=2_000_001, income_line=2_000_000), 0, Risk.LOW),
        (Facts(overdue_loans=1, job_loss=True), 45, Risk.WATCH),
        (
            Facts(income_per_capita=1_900_000, income_line=2_000_000, unemployed=("Nam",)),
            50,
            Risk.AT_RISK,
        ),
        (Facts(regained=("a", "b", "c", "d")), 30, Risk.WATCH),  # capped
        (Facts(serious_illness=True, overdue_loans=1), 50, Risk.AT_RISK),
    ],
)
def test_warning_score_weights(facts, score, risk):
    total, reasons = warning_score(facts)
    assert total == score == sum(r.points for r in reasons)
    assert risk_level(total) == risk


def test_income_line_is_the_provincial_one_where_in_force(units):
    standards = list(PovertyStandard.objects.all())
    assert income_line(standards, 2023, "urban") == 2_000_000  # NĐ 07/2021
    assert income_line(standards, 2026, "urban") == 2_600_000  # QN NQ 13/2023 (2024–2026)
    assert income_line(standards, 2026, "rural") == 2_100_000
    assert income_line(standards, 2027, "urban") == 2_800_000  # NĐ 351/2025
    assert income_line(standards, 2016, "urban") == 1_300_000  # QĐ 59: near-poor ceiling


def test_the_score_reads_the_register_and_the_ledger(halong, halong_officer):
    household = exited(halong)
    lan = MemberFactory(
        household=household,
        full_name="Lan",
        birth_year=TODAY.year - 40,
        health_insurance_number="HN4010",
        health_insurance_expiry=TODAY + datetime.timedelta(days=30),
    )
    MemberFactory(
        household=household,
        full_name="Nam",
        birth_year=TODAY.year - 25,
        work_status=WorkStatus.UNEMPLOYED,
        health_insurance_number="HN4011",
        health_insurance_expiry=TODAY + datetime.timedelta(days=400),
    )
    MemberFactory(household=household, full_name="Bé", birth_year=TODAY.year - 3)  # under 6
    household.head.birth_year = TODAY.year - 45
    household.head.health_insurance_number = "HN4012"
    household.head.save()
    SupportRecordFactory(
        household=household, support_type=support_type("loan"), loan_status=LoanStatus.OVERDUE
    )
    item = household_followup(household, TODAY)
    codes = {r.code: r for r in item.reasons}
    assert set(codes) == {"insurance", "loan_overdue", "job_loss"}
    assert "Lan" in codes["insurance"].text and "Bé" not in codes["insurance"].text
    assert "Nam" in codes["job_loss"].text
    assert item.score == 15 + 25 + 20
    assert item.risk == Risk.AT_RISK
    assert lan.pk  # the card expiring in 30 days is the gap


def test_the_latest_check_brings_income_and_regained_deprivations(halong, halong_officer):
    household = exited(halong)
    household.head.health_insurance_number = "HN1"
    household.head.save()
    line = income_line(list(PovertyStandard.objects.all()), TODAY.year, household.area)
    check(
        halong_officer,
        household,
        income_per_capita=line,
        # water: deprived before the exit, found again; telecom: new since the exit;
        # housing_area: the exit survey found it already (not a change)
        deprivations=[indicator("water"), indicator("telecom"), indicator("housing_area")],
    )
    item = household_followup(household, TODAY)
    codes = {r.code: r.points for r in item.reasons}
    assert codes == {"income_within_line": 30, "deprivation": 20}
    assert item.risk == Risk.AT_RISK
    assert not item.check_due


# --- The yearly check ----------------------------------------------------------------------


def test_a_check_is_recorded_with_its_facts(halong, halong_officer):
    household = exited(halong)
    loan = SupportRecordFactory(
        household=household,
        support_type=support_type("loan"),
        given_on=TODAY - datetime.timedelta(days=100),
        loan_term_months=36,
        loan_status=LoanStatus.CURRENT,
    )
    assert followup.running_support(household, TODAY) == [loan]
    recorded = check(
        halong_officer,
        household,
        deprivations=[indicator("water")],
        serious_illness=True,
        running_support=[loan],
        notes="  Con ốm nặng  ",
    )
    recorded.refresh_from_db()
    assert recorded.year == TODAY.year
    assert recorded.exit_assessment.year == EXIT_YEAR
    assert recorded.checked_by == halong_officer
    assert recorded.notes == "Con ốm nặng"
    assert list(recorded.running_support.all()) == [loan]
    assert [i.code for i in recorded.deprivations.all()] == ["water"]
    assert recorded.history.first().history_user == halong_officer


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"checked_on": TODAY + datetime.timedelta(days=1)}, "checked_on"),
        ({"checked_on": datetime.date(EXIT_YEAR, 12, 20)}, "checked_on"),
        ({"income_per_capita": None}, "income_per_capita"),
        ({"income_per_capita": -1}, "income_per_capita"),
    ],
)
def test_check_refusals(halong, halong_officer, overrides, field):
    household = exited(halong)
    with pytest.raises(ValidationError) as error:
        check(halong_officer, household, **overrides)
    assert field in error.value.message_dict
    assert not FollowUpCheck.objects.exists()


def test_one_check_per_year(halong, halong_officer):
    household = exited(halong)
    check(halong_officer, household)
    with pytest.raises(ValidationError) as error:
        check(halong_officer, household, income_per_capita=1)
    assert "already recorded" in error.value.message_dict["checked_on"][0]
    assert FollowUpCheck.objects.get().income_per_capita == 5_000_000


def test_check_refuses_a_household_not_followed(halong, halong_officer):
    household = HouseholdFactory(unit=halong)
    decide(household, EXIT_YEAR, PovertyStatus.POOR)
    with pytest.raises(ValidationError, match="not on the follow-up list"):
        check(halong_officer, household)


def test_check_refuses_an_indicator_of_another_standard_or_another_households_support(
    halong, halong_officer
):
    household = exited(halong)
    old = Indicator.objects.get(standard__code="QD59-2016", code="water")
    with pytest.raises(ValidationError) as error:
        check(halong_officer, household, deprivations=[old])
    assert "deprivations" in error.value.message_dict
    foreign = SupportRecordFactory(household=HouseholdFactory(unit=halong))
    with pytest.raises(ValidationError) as error:
        check(halong_officer, household, running_support=[foreign])
    assert "running_support" in error.value.message_dict
    assert not FollowUpCheck.objects.exists()


def test_only_the_assigned_member_or_the_ward_staff_record_a_check(
    halong, halong_member, make_member
):
    household = exited(halong)
    other_member = make_member(Role.MEMBER, halong)
    with pytest.raises(PermissionDenied):
        check(halong_member, household)
    household.assigned_to = halong_member
    household.save()
    check(halong_member, household)
    assert FollowUpCheck.objects.get().checked_by == halong_member
    assert other_member.pk


# --- Dashboard: sustained exits and re-entries ------------------------------------------------


def test_exit_outcomes_per_ward(halong, units):
    baichay = unit("6673")
    exited(halong)  # still followed
    exited(halong, exit_year=TODAY.year - 3)  # sustained: N years passed
    back = exited(halong, exit_year=TODAY.year - 3)
    decide(back, TODAY.year - 2, PovertyStatus.POOR)  # fell back within N years
    exited(baichay, exit_year=TODAY.year - 4, left=PovertyStatus.NEAR_POOR)
    outcomes = exit_outcomes(None, TODAY)
    rows = {r.unit_name: (r.exits, r.following, r.sustained, r.fell_back) for r in outcomes.rows}
    assert rows == {halong.name: (3, 1, 1, 1), baichay.name: (1, 0, 1, 0)}
    assert outcomes.total.exits == 4
    only_halong = exit_outcomes(frozenset({halong.pk}), TODAY)
    assert [r.unit_name for r in only_halong.rows] == [halong.name]


# --- Pages -------------------------------------------------------------------------------------


@pytest.fixture
def english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_list_page_shows_the_score_and_its_reasons(english_client, halong, halong_officer):
    household = exited(halong)
    SupportRecordFactory(
        household=household, support_type=support_type("loan"), loan_status=LoanStatus.OVERDUE
    )
    english_client.force_login(halong_officer)
    page = english_client.get(reverse("plans:followup_list")).content.decode()
    assert household.code in page
    assert "1 loan is overdue." in page
    assert "To watch · " in page
    filtered = english_client.get(reverse("plans:followup_list"), {"risk": "at_risk"})
    assert household.code not in filtered.content.decode()


def test_check_page_records_and_the_household_page_shows_it(english_client, halong, halong_officer):
    household = exited(halong)
    english_client.force_login(halong_officer)
    url = reverse("plans:followup_check", args=[household.pk])
    form = english_client.get(url).content.decode()
    assert "before exit" in form
    water = indicator("water")
    response = english_client.post(
        url,
        {
            "checked_on": TODAY.isoformat(),
            "income_per_capita": "1000000",
            "deprivations": [water.pk],
            "job_loss": "on",
        },
    )
    assert response.status_code == 302
    saved = FollowUpCheck.objects.get()
    assert (saved.income_per_capita, saved.job_loss) == (1_000_000, True)
    detail = english_client.get(household.get_absolute_url()).content.decode()
    assert "Follow-up after exit" in detail
    assert "1.000.000" in detail
    assert "A member lost their job or main income (check)." in detail


def test_check_page_errors_keep_the_input(english_client, halong, halong_officer):
    household = exited(halong)
    english_client.force_login(halong_officer)
    response = english_client.post(
        reverse("plans:followup_check", args=[household.pk]),
        {"checked_on": datetime.date(EXIT_YEAR, 12, 31).isoformat(), "income_per_capita": "7"},
    )
    assert response.status_code == 200
    assert "the yearly checks start the year after" in response.content.decode()
    assert not FollowUpCheck.objects.exists()


def test_check_page_of_a_household_not_followed_is_404(english_client, halong, halong_officer):
    household = HouseholdFactory(unit=halong)
    english_client.force_login(halong_officer)
    assert (
        english_client.get(reverse("plans:followup_check", args=[household.pk])).status_code == 404
    )
