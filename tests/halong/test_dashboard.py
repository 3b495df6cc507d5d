"""The dashboard: trend, targets, per-unit table, gaps, who sees what, query counts."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from communes.models import AdministrativeUnit, Role, UnitHouseholdCount, UnitKind
from halong import dashboard
from halong.reports import annual_report
from households.models import AssessmentStatus, Indicator, PovertyStatus, ReviewKind
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    CommitteeFactory,
    HouseholdFactory,
    MemberFactory,
    MembershipFactory,
    ReviewRoundFactory,
    SupportRecordFactory,
    UnitFactory,
    UserFactory,
    standard,
    support_type,
)

pytestmark = pytest.mark.django_db

POOR, NEAR_POOR, AVERAGE = PovertyStatus.POOR, PovertyStatus.NEAR_POOR, PovertyStatus.AVERAGE
HOME = reverse("home")
#: Queries of the city dashboard, whatever the number of units (see the test below).
DASHBOARD_QUERIES = 26  # + the bell's unread reminders; + 1: exit outcomes (plans)


@pytest.fixture
def client(client):
    """The test client, speaking English (the site defaults to Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def standard_code(year: int) -> str:
    return "QD59-2016" if year <= 2020 else "ND07-2022"


def decide(ward, year, recorded, *, household=None, kind=ReviewKind.PERIODIC, **fields):
    """A recognised assessment of ``household`` (a new one by default) in ``ward``."""
    household = household or HouseholdFactory(unit=ward, head=False)
    review_round = ReviewRoundFactory(
        unit=ward, year=year, kind=kind, standard=standard(standard_code(year))
    )
    return AssessmentFactory(
        household=household,
        round=review_round,
        unit=ward,
        status=fields.pop("status", AssessmentStatus.RECOGNISED),
        recorded_status=recorded,
        national_status=recorded,
        **fields,
    )


def decide_many(ward, year, status, count):
    return [decide(ward, year, status) for _ in range(count)]


@pytest.fixture
def small_city(db):
    """A city with one urban ward and one rural commune, and a city staff member."""
    city = UnitFactory(kind=UnitKind.CITY, code="C01", name="Thành phố Thử", area="")
    ward = UnitFactory(parent=city, name="Phường Một", code="W01")
    commune = UnitFactory(
        parent=city, name="Xã Hai", code="W02", kind=UnitKind.COMMUNE, area="rural"
    )
    staff = UserFactory()
    MembershipFactory(user=staff, committee=CommitteeFactory(unit=city), role=Role.CITY_STAFF)
    return city, ward, commune, staff


def scope_of(city) -> dashboard.DashboardScope:
    return dashboard.DashboardScope(
        "city", city, frozenset({city.pk, *city.children.values_list("pk", flat=True)})
    )


# --- Targets -------------------------------------------------------------------------


def test_compound_target_when_base_100_after_two_years():
    assert dashboard.compound_target(100, 0.25, 2) == 56.25
    assert dashboard.compound_target(100, 0.10, 2) == pytest.approx(81.0)


@pytest.mark.parametrize(
    "achieved, target, goal, on_track",
    [(56, 56.25, 56, True), (57, 56.25, 56, False), (5, 4.5, 5, True), (6, 4.5, 5, False)],
)
def test_household_target_is_shown_and_judged_in_whole_households(achieved, target, goal, on_track):
    result = dashboard.Target("poor", achieved, target)
    assert result.goal == goal
    assert result.on_track is on_track


def test_coverage_target_is_on_track_only_at_100_pct():
    below = dashboard.Target("bhyt", 99.5, 100.0, lower_is_better=False, is_pct=True)
    full = dashboard.Target("bhyt", 100.0, 100.0, lower_is_better=False, is_pct=True)
    assert (below.goal, below.on_track) == (100.0, False)
    assert full.on_track is True


def test_target_is_unknown_without_figures():
    assert dashboard.Target("poor", 5, None).on_track is None


# --- Trend -------------------------------------------------------------------------------


def test_trend_counts_each_households_last_decision_of_each_year(small_city):
    city, ward, commune, _staff = small_city
    decide_many(ward, 2019, POOR, 3)
    decide_many(commune, 2019, NEAR_POOR, 2)
    decide_many(ward, 2021, POOR, 4)
    decide(ward, 2021, AVERAGE)
    decide(ward, 2021, POOR, status=AssessmentStatus.POSTED)  # not decided: not counted
    # Poor in the periodic review, then near-poor on application: near-poor at year end.
    moved = decide(ward, 2022, POOR).household
    decide(ward, 2022, NEAR_POOR, household=moved, kind=ReviewKind.REGULAR)
    decide(commune, 2022, POOR)
    UnitHouseholdCount.objects.create(unit=ward, year=2022, households=300)
    UnitHouseholdCount.objects.create(unit=commune, year=2022, households=100)

    points = dashboard.trend(scope_of(city).unit_ids, dashboard.national_standards())

    assert [(p.year, p.poor, p.near_poor, p.standard) for p in points] == [
        (2019, 3, 2, "QD59-2016"),
        (2020, 0, 0, "QD59-2016"),
        (2021, 4, 0, "ND07-2022"),
        (2022, 1, 1, "ND07-2022"),
    ]
    assert points[-1].households == 400
    assert points[-1].poor_rate_pct == 0.25
    assert points[0].households is None and points[0].poor_rate_pct is None


def test_dashboard_targets_and_chart_compound_from_the_standards_first_year(small_city, client):
    city, ward, _commune, staff = small_city
    decide_many(ward, 2020, POOR, 2)
    decide_many(ward, 2021, POOR, 8)
    decide_many(ward, 2021, NEAR_POOR, 10)
    decide_many(ward, 2022, POOR, 6)
    decide_many(ward, 2022, NEAR_POOR, 9)
    decide_many(ward, 2023, POOR, 5)
    decide_many(ward, 2023, NEAR_POOR, 9)
    client.force_login(staff)

    response = client.get(HOME)

    board = response.context["dashboard"]
    assert response.templates[0].name == "halong/dashboard.html"
    poor, near_poor, coverage = board.targets
    # 8 × 0.75² = 4.5 → 5 households: 5 is on track; 10 × 0.9² = 8.1 → 8: 9 is off track.
    assert (poor.achieved, poor.target, poor.goal, poor.on_track) == (5, 4.5, 5, True)
    assert (near_poor.achieved, near_poor.goal, near_poor.on_track) == (9, 8, False)
    assert coverage.achieved is None and coverage.on_track is None  # no members recorded
    assert (board.plan.base_year, board.plan.end_year) == (2021, 2025)
    figures = {str(f.label): f for f in board.figures}
    assert figures["Poor households"].change == -1
    assert figures["Poor households"].change_pct == pytest.approx(-100 / 6)
    chart = board.chart
    # Up to the last review under ND07 (2025: the 2026 review uses the next standard).
    assert chart["years"] == list(range(2020, 2026))
    assert chart["poor"] == [2, 8, 6, 5, None, None]
    assert chart["standard_changes"] == [{"year": 2021, "standard": "ND07-2022"}]
    assert chart["poor_target"] == [None, 8.0, 6.0, 4.5, 3.4, 2.5]
    # Projection at the last change (5/6 a year) to the standard's last review, 2025.
    assert chart["poor_projection"][3:] == [5.0, 4.2, 3.5]
    body = response.content.decode()
    assert 'id="trend-data" type="application/json"' in body
    assert "<style" not in body and "style=" not in body


def test_key_figures_have_no_change_across_a_change_of_standard(small_city):
    city, ward, _commune, _staff = small_city
    decide_many(ward, 2020, POOR, 2)
    decide_many(ward, 2021, POOR, 5)
    board = dashboard.build_dashboard(scope_of(city))
    assert [(f.count, f.change) for f in board.figures] == [(5, None), (0, None)]


def test_coverage_counts_current_members_with_a_valid_card(small_city):
    city, ward, _commune, _staff = small_city
    household = decide(ward, 2024, POOR).household
    card = {"health_insurance_number": "HN4010012345678"}
    MemberFactory(household=household, **card, health_insurance_expiry=datetime.date(2025, 6, 1))
    MemberFactory(household=household, **card, health_insurance_expiry=datetime.date(2024, 6, 1))
    MemberFactory(household=household)  # no card
    MemberFactory(household=household, **card, left_on=datetime.date(2024, 3, 1))  # left
    decide(ward, 2024, AVERAGE).household.members.create(
        full_name="Not listed", sex="male", birth_year=1990, relation="head"
    )

    coverage = dashboard.health_insurance_coverage(scope_of(city).unit_ids, 2024)

    assert (coverage.people, coverage.insured) == (3, 1)
    assert coverage.pct == pytest.approx(100 / 3)


# --- Per-unit table and gaps -----------------------------------------------------------------


def test_unit_rows_give_rates_and_change_per_unit(small_city):
    city, ward, commune, _staff = small_city
    decide_many(ward, 2024, POOR, 3)
    decide_many(commune, 2024, NEAR_POOR, 2)
    decide_many(ward, 2025, POOR, 2)
    decide_many(commune, 2025, NEAR_POOR, 4)
    UnitHouseholdCount.objects.create(unit=ward, year=2025, households=1000)

    rows = {r.unit.name: r for r in dashboard.unit_rows(scope_of(city).unit_ids, 2025)}

    assert (rows["Phường Một"].poor, rows["Phường Một"].poor_change) == (2, -1)
    assert rows["Phường Một"].poor_rate_pct == 0.2
    assert (rows["Xã Hai"].near_poor, rows["Xã Hai"].near_poor_change) == (4, 2)
    assert rows["Xã Hai"].households is None and rows["Xã Hai"].near_poor_rate_pct is None


def test_unit_rows_agree_with_the_annual_report(small_city):
    city, ward, commune, _staff = small_city
    decide_many(ward, 2024, POOR, 3)
    decide_many(ward, 2025, POOR, 2)
    decide_many(commune, 2025, NEAR_POOR, 4)
    mine = {
        r.unit.code: (r.poor, r.near_poor, r.previous_poor)
        for r in dashboard.unit_rows(scope_of(city).unit_ids, 2025)
    }
    report = annual_report(year=2025, root=city).as_json()
    theirs = {
        u["code"]: (u["poor"]["end"], u["near_poor"]["end"], u["poor"]["start"])
        for u in report["units"]
    }
    assert mine == theirs == {"W01": (2, 0, 3), "W02": (0, 4, 0)}


def test_unit_table_links_each_unit_to_its_page(small_city, client):
    city, ward, commune, staff = small_city
    decide(ward, 2025, POOR)
    decide(commune, 2025, NEAR_POOR)
    client.force_login(staff)
    body = client.get(HOME).content.decode()
    assert reverse("communes:unit_detail", args=[ward.pk]) in body
    assert reverse("communes:unit_detail", args=[commune.pk]) in body
    assert 'class="table table-sm table-hover align-middle mb-0 js-sortable"' in body


def test_gaps_count_deprived_households_and_those_with_matching_support(small_city):
    city, ward, _commune, _staff = small_city
    nd07 = standard("ND07-2022")
    housing = Indicator.objects.get(standard=nd07, code="housing_quality")
    water = Indicator.objects.get(standard=nd07, code="water")
    repaired = decide(ward, 2025, POOR)
    waiting = decide(ward, 2025, NEAR_POOR)
    elsewhere = decide(ward, 2025, POOR)
    not_listed = decide(ward, 2025, AVERAGE)
    for assessment in (repaired, waiting, not_listed):
        assessment.deprivations.add(housing)
    elsewhere.deprivations.add(water)
    SupportRecordFactory(
        household=repaired.household,
        support_type=support_type("housing_repair"),
        given_on=datetime.date(2025, 5, 1),
    )
    # Support of another type, or in another year, does not close the gap.
    SupportRecordFactory(household=waiting.household, given_on=datetime.date(2025, 5, 1))
    SupportRecordFactory(
        household=waiting.household,
        support_type=support_type("housing_repair"),
        given_on=datetime.date(2024, 5, 1),
    )

    gaps = {g.code: g for g in dashboard.deprivation_gaps(scope_of(city).unit_ids, 2025, nd07.code)}

    assert (gaps["housing_quality"].deprived, gaps["housing_quality"].supported) == (2, 1)
    assert gaps["housing_quality"].supported_pct == 50.0
    assert (gaps["water"].deprived, gaps["water"].supported) == (1, 0)
    assert (gaps["nutrition"].deprived, gaps["nutrition"].support_types) == (0, [])
    assert len(gaps) == Indicator.objects.filter(standard=nd07).count()


# --- Who sees what -------------------------------------------------------------------------


def test_ward_officer_sees_only_their_wards_figures(client, halong_officer, baichay_officer):
    halong, baichay = unit("6688"), unit("6673")
    decide_many(halong, 2025, POOR, 2)
    decide_many(baichay, 2025, POOR, 7)
    decide_many(baichay, 2025, NEAR_POOR, 11)
    client.force_login(halong_officer)

    response = client.get(HOME)

    board = response.context["dashboard"]
    assert board.scope.root == halong and not board.scope.is_city
    assert [(f.count) for f in board.figures] == [2, 0]
    assert board.units == []
    body = response.content.decode()
    assert "Bãi Cháy" not in body
    assert [m.role for m in response.context["memberships"]] == ["ward_officer"]


def test_city_staff_sees_every_ward_of_the_city(client, city_staff):
    decide_many(unit("6688"), 2025, POOR, 2)
    decide_many(unit("6673"), 2025, POOR, 7)
    client.force_login(city_staff)

    board = client.get(HOME).context["dashboard"]

    assert board.scope.is_city
    assert board.figures[0].count == 9
    assert {r.unit.name: r.poor for r in board.units} == {
        "Phường Hạ Long": 2,
        "Phường Bãi Cháy": 7,
    }


def test_member_gets_the_simple_home_with_a_link_to_my_cases(client, halong_member):
    client.force_login(halong_member)
    response = client.get(HOME)
    assert [t.name for t in response.templates][0] == "home.html"
    assert "dashboard" not in response.context
    assert reverse("plans:my_cases") in response.content.decode()


def test_dashboard_says_so_when_nothing_is_recognised_yet(client, halong_head):
    client.force_login(halong_head)
    response = client.get(HOME)
    assert response.context["dashboard"].points == []
    assert "No review results have been recognised" in response.content.decode()


# --- Query count -------------------------------------------------------------------------------


def city_with_wards(size: int):
    city = UnitFactory(kind=UnitKind.CITY, code="C02", name="Thành phố Đếm", area="")
    staff = UserFactory()
    MembershipFactory(user=staff, committee=CommitteeFactory(unit=city), role=Role.CITY_STAFF)
    housing = Indicator.objects.get(standard__code="ND07-2022", code="housing_quality")
    for _ in range(size):
        ward = UnitFactory(parent=city)
        UnitHouseholdCount.objects.create(unit=ward, year=2025, households=500)
        decide(ward, 2024, POOR)
        decide(ward, 2025, NEAR_POOR).deprivations.add(housing)
        decide(ward, 2025, POOR)
    return city, staff


@pytest.mark.parametrize("size", [2, 8])
def test_dashboard_query_count_does_not_grow_with_units(client, django_assert_num_queries, size):
    city, staff = city_with_wards(size)
    client.force_login(staff)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(HOME)
    assert len(response.context["dashboard"].units) == size
    assert AdministrativeUnit.objects.filter(parent=city).count() == size


def test_dashboard_shows_the_jump_at_the_change_of_standard(small_city, client):
    city, ward, _commune, staff = small_city
    decide_many(ward, 2025, POOR, 2)
    # The end-2026 review under ND351: 3 poor, of whom only 1 is poor under ND07.
    for before in (POOR, AVERAGE, NEAR_POOR):
        decide(ward, 2026, POOR, comparison_status=before)

    board = dashboard.build_dashboard(scope_of(city))

    poor, near_poor = board.figures
    assert (board.latest.year, board.latest.standard) == (2026, "ND351-2027")
    assert (poor.count, poor.change, poor.comparison, poor.jump) == (3, None, 1, 2)
    assert (near_poor.count, near_poor.comparison, near_poor.jump) == (0, 1, -1)
    assert board.chart["standard_comparisons"] == [
        {"year": 2026, "standard": "ND07-2022", "poor": 1, "near_poor": 1}
    ]
    assert {"year": 2026, "standard": "ND351-2027"} in board.chart["standard_changes"]
    # The targets restart from the new standard's first list, as in 2021.
    assert board.plan.base_year == 2026 and board.plan.standard == "ND351-2027"
    client.force_login(staff)
    body = client.get(HOME).content.decode()
    assert "Under ND07-2022 the same households: 1" in body
    assert "compare two standards" in body


def test_regular_decisions_alone_do_not_make_the_latest_year(small_city):
    city, ward, _commune, _staff = small_city
    decide_many(ward, 2025, POOR, 2)
    decide(ward, 2026, NEAR_POOR, kind=ReviewKind.REGULAR)

    board = dashboard.build_dashboard(scope_of(city))

    assert board.latest.year == 2025
    assert board.figures[0].count == 2
