"""annual_report: every column against small hand-computed data, the reform, the demo."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communes.models import Area, UnitHouseholdCount, UnitKind
from halong.reports import annual_report, rate_pct
from households.models import AssessmentCause, Indicator, ReviewKind
from plans.models import ActionStatus, FundingSource
from tests.conftest import legacy, unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    PlanActionFactory,
    SupportRecordFactory,
    UnitFactory,
    resync,
    standard,
    support_type,
)

RECOGNISED = "recognised"


def assess(household, year, status, *, unit_obj=None, kind=ReviewKind.PERIODIC, **kwargs):
    """A recognised assessment of ``household`` in ``year``'s round of ``unit_obj``."""
    unit_obj = unit_obj or household.unit
    return AssessmentFactory(
        household=household,
        unit=unit_obj,
        round__unit=unit_obj,
        round__year=year,
        round__kind=kind,
        status=kwargs.pop("step", RECOGNISED),
        recorded_status=status,
        national_status=status,
        **kwargs,
    )


def deprive(assessment, *codes):
    nd07 = standard("ND07-2022")
    assessment.deprivations.set(Indicator.objects.filter(standard=nd07, code__in=codes))


def flows_balance(block: dict, other: str) -> bool:
    """The forms' balance: start − exited − to the other list − other decreases + new +
    re-entered + from the other list + other increases = end."""
    decreases = block["exited"] + block[f"to_{other}"] + block["other_decrease"]
    increases = (
        block["new"] + block["re_entered"] + block[f"from_{other}"] + block["other_increase"]
    )
    return block["end"] == block["start"] - decreases + increases


# --- Hand-computed data: a city with ward A (urban) and commune B (rural) ----------


@pytest.fixture
def town(db):
    """Report year 2024 of a small city; see each household's comment for its story."""
    city = UnitFactory(kind=UnitKind.CITY, code="T100", name="Thành phố Thử")
    ward = UnitFactory(code="T101", name="Phường A", area=Area.URBAN, parent=city)
    commune = UnitFactory(
        code="T102", name="Xã B", kind=UnitKind.COMMUNE, area=Area.RURAL, parent=city
    )
    for unit_obj, before, now in ((ward, 1000, 1010), (commune, 400, 500)):
        UnitHouseholdCount.objects.create(unit=unit_obj, year=2023, households=before)
        UnitHouseholdCount.objects.create(unit=unit_obj, year=2024, households=now)

    h = {n: HouseholdFactory(unit=ward, code=f"A-{n}") for n in range(1, 10)}
    h[10] = HouseholdFactory(unit=commune, code="B-10")
    h[11] = HouseholdFactory(unit=commune, code="B-11")

    # h1: poor → out (exited); its cause does not count (not listed at the end).
    assess(h[1], 2023, "poor")
    a = assess(h[1], 2024, "not_poor", member_count=3)
    AssessmentCause.objects.create(assessment=a, code="no_land", is_primary=True)
    # h2: poor → near-poor.
    assess(h[2], 2023, "poor")
    a = assess(h[2], 2024, "near_poor", member_count=2)
    deprive(a, "water")
    AssessmentCause.objects.create(assessment=a, code="no_capital", is_primary=True)
    # h3: stays poor; 4 people, ethnic minority, two deprivations, two causes.
    h[3].is_ethnic_minority = True
    h[3].save()
    assess(h[3], 2023, "poor")
    a = assess(h[3], 2024, "poor", member_count=4)
    deprive(a, "health_insurance", "water")
    AssessmentCause.objects.create(assessment=a, code="no_capital", is_primary=True)
    AssessmentCause.objects.create(assessment=a, code="illness_accident")
    # h4: never listed before → new poor.
    assess(h[4], 2024, "poor", member_count=3)
    # h5: near-poor in 2022, out in 2023, poor in 2024 → re-entered poor.
    assess(h[5], 2022, "near_poor")
    assess(h[5], 2023, "not_poor")
    assess(h[5], 2024, "poor", member_count=2)
    # h6: near-poor → poor.
    assess(h[6], 2023, "near_poor")
    assess(h[6], 2024, "poor", member_count=1)
    # h7: near-poor, no decision in 2024 → other decrease (left without a decision).
    assess(h[7], 2023, "near_poor")
    # h8: stays near-poor: the later regular decision supersedes the periodic one.
    assess(h[8], 2023, "near_poor")
    assess(h[8], 2024, "poor", member_count=5)
    assess(h[8], 2024, "near_poor", member_count=5, kind=ReviewKind.REGULAR)
    # h9: surveyed but not recognised: not on any list.
    assess(h[9], 2024, "poor", step="surveyed", member_count=6)
    # h10 (commune): stays poor; h11: new near-poor.
    assess(h[10], 2023, "poor")
    a = assess(h[10], 2024, "poor", member_count=5)
    deprive(a, "water")
    assess(h[11], 2024, "near_poor", member_count=4)

    # Health insurance: h3's head has a card valid on 31/12/2024, a second member's
    # card expired, a member who left had a valid one.
    h[3].head.health_insurance_number = "HN4220000000001"
    h[3].head.health_insurance_expiry = datetime.date(2025, 6, 30)
    h[3].head.save()
    MemberFactory(
        household=h[3],
        health_insurance_number="HN4220000000002",
        health_insurance_expiry=datetime.date(2024, 6, 30),
    )
    MemberFactory(
        household=h[3],
        health_insurance_number="HN4220000000003",
        left_on=datetime.date(2024, 3, 1),
    )

    # Support in 2024 (and one in 2023, not counted).
    SupportRecordFactory(household=h[3], given_on=datetime.date(2024, 3, 15))
    SupportRecordFactory(
        household=h[3],
        support_type=support_type("health_insurance"),
        amount=800_000,
        given_on=datetime.date(2024, 5, 1),
        funding_source=FundingSource.PROVINCE,
    )
    SupportRecordFactory(household=h[1], given_on=datetime.date(2023, 6, 1))
    SupportRecordFactory(
        household=h[10], given_on=datetime.date(2024, 2, 1), funding_source=FundingSource.CITY
    )

    # Plan actions of h3: done in 2024; overdue (open); not yet due; dropped;
    # done only in 2025 after its 2024 due date (overdue at the end of 2024).
    plan = ExitPlanFactory(household=h[3], start_year=2024, end_year=2025, target_exit_year=2025)
    PlanActionFactory(
        plan=plan,
        status=ActionStatus.DONE,
        completed_on=datetime.date(2024, 5, 1),
        due_date=datetime.date(2024, 6, 30),
    )
    PlanActionFactory(plan=plan, due_date=datetime.date(2024, 6, 30))
    PlanActionFactory(plan=plan, due_date=datetime.date(2025, 3, 1))
    PlanActionFactory(
        plan=plan,
        status=ActionStatus.DROPPED,
        dropped_reason="Hộ chuyển đi",
        due_date=datetime.date(2024, 1, 1),
    )
    PlanActionFactory(
        plan=plan,
        status=ActionStatus.DONE,
        completed_on=datetime.date(2025, 2, 1),
        due_date=datetime.date(2024, 10, 1),
    )
    return {"city": city, "ward": ward, "commune": commune, "households": h}


@pytest.fixture
def town_report(town):
    return annual_report(year=2024, root=town["city"]).as_json()


def rows_by_code(report_json):
    return {row["code"]: row for row in report_json["units"]}


def test_report_lists_the_units_of_the_root_with_totals(town_report):
    assert town_report["year"] == 2024
    assert town_report["standard"] == "ND07-2022"
    assert [(r["code"], r["area"]) for r in town_report["units"]] == [
        ("T101", "urban"),
        ("T102", "rural"),
    ]
    assert town_report["total"]["code"] == "T100"
    assert town_report["total"]["total_households"] == 1510


def test_poor_flows_of_a_ward(town_report):
    poor = rows_by_code(town_report)["T101"]["poor"]

    assert poor == {
        "start": 3,
        "start_rate_pct": 0.3,
        "exited": 1,
        "to_near_poor": 1,
        "other_decrease": 0,
        "new": 1,
        "re_entered": 1,
        "from_near_poor": 1,
        "other_increase": 0,
        "other_decrease_moved_out": 0,
        "other_decrease_merged_away": 0,
        "end": 4,
        "end_rate_pct": 0.4,
        "end_people": 10,
        "end_ethnic_minority": 1,
    }


def test_near_poor_flows_of_a_ward(town_report):
    near = rows_by_code(town_report)["T101"]["near_poor"]

    assert near == {
        "start": 3,
        "start_rate_pct": 0.3,
        "exited": 0,
        "to_poor": 1,
        "other_decrease": 1,
        "new": 0,
        "re_entered": 0,
        "from_poor": 1,
        "other_increase": 0,
        # The other decrease has no move or merge on record (issue 18 item 2).
        "other_decrease_moved_out": 0,
        "other_decrease_merged_away": 0,
        "end": 2,
        "end_rate_pct": 0.2,
        "end_people": 7,
        "end_ethnic_minority": 0,
    }


def test_totals_and_area_groups(town_report):
    total = town_report["total"]
    rural = town_report["groups"]["rural"]

    assert (total["poor"]["start"], total["poor"]["end"]) == (4, 5)
    assert (total["near_poor"]["start"], total["near_poor"]["end"]) == (3, 3)
    # 4 / 1,400 = 0.2857 %, 5 / 1,510 = 0.3311 %, 3 / 1,510 = 0.1987 %.
    assert total["poor"]["start_rate_pct"] == 0.29
    assert total["poor"]["end_rate_pct"] == 0.33
    assert total["near_poor"]["end_rate_pct"] == 0.2
    assert total["poor"]["end_people"] == 15
    assert rural["total_households"] == 500
    assert (rural["poor"]["start"], rural["poor"]["end"], rural["near_poor"]["new"]) == (1, 1, 1)
    assert town_report["groups"]["urban"]["poor"]["end"] == 4


def test_end_equals_start_minus_decreases_plus_increases(town_report):
    for row in [*town_report["units"], town_report["total"], *town_report["groups"].values()]:
        assert flows_balance(row["poor"], "near_poor"), row["code"]
        assert flows_balance(row["near_poor"], "poor"), row["code"]


def test_deprivations_and_causes_of_the_end_lists(town_report):
    total = town_report["total"]

    assert total["deprivations"] == {
        "poor": {"health_insurance": 1, "water": 2},
        "near_poor": {"water": 1},
    }
    assert total["causes"] == {"illness_accident": 1, "no_capital": 2}
    assert rows_by_code(town_report)["T102"]["deprivations"]["poor"] == {"water": 1}


def test_health_insurance_coverage_counts_current_members_with_a_valid_card(town_report):
    # Ward: h2, h3 (2 current members), h4, h5, h6, h8 = 7 members, 1 insured.
    assert rows_by_code(town_report)["T101"]["health_insurance_coverage_pct"] == 14.29
    # With the commune's h10 and h11: 9 members, 1 insured.
    assert town_report["total"]["health_insurance_coverage_pct"] == 11.11


def test_support_given_in_the_year_by_type_and_source(town_report):
    total = town_report["total"]

    assert total["support"] == {
        "electricity": {"count": 2, "vnd": 294_000},
        "health_insurance": {"count": 1, "vnd": 800_000},
    }
    assert total["support_by_source"] == {
        "city": {"count": 1, "vnd": 147_000},
        "national_programme": {"count": 1, "vnd": 147_000},
        "province": {"count": 1, "vnd": 800_000},
    }


def test_plan_actions_done_in_the_year_and_overdue_at_its_end(town_report):
    assert rows_by_code(town_report)["T101"]["plan_actions"] == {"done": 1, "overdue": 2}


def test_provincial_standard_reads_the_provincial_classification(town):
    household = town["households"][3]
    end = household.assessments.get(year=2024)
    end.provincial_status = "near_poor"
    end.save()
    resync(end)

    national = annual_report(year=2024, root=town["city"])
    provincial = annual_report(year=2024, root=town["city"], standard=standard("QN-NQ13-2023"))

    assert provincial.standard == "QN-NQ13-2023"
    assert (national.total.poor.end, national.total.near_poor.end) == (5, 3)
    # 2023 has no provincial classification: the national decision is the baseline.
    assert provincial.total.poor.start == 4
    assert (provincial.total.poor.end, provincial.total.near_poor.end) == (4, 4)
    assert provincial.total.poor.to_other == national.total.poor.to_other + 1


def test_explicit_units_restrict_the_rows(town):
    report = annual_report(year=2024, root=town["city"], units=[town["commune"]])

    assert [row.code for row in report.units] == ["T102"]
    assert report.total.poor.end == 1


def test_rate_pct_rounds_half_up():
    assert rate_pct(1, 800) == 0.13  # 0.125
    assert rate_pct(991, 86_000) == 1.15
    assert rate_pct(1, 0) is None


# --- Query count --------------------------------------------------------------------


def make_town(wards: int):
    city = UnitFactory(kind=UnitKind.CITY)
    for _ in range(wards):
        ward = UnitFactory(parent=city)
        UnitHouseholdCount.objects.create(unit=ward, year=2023, households=900)
        UnitHouseholdCount.objects.create(unit=ward, year=2024, households=910)
        for status in ("poor", "near_poor"):
            household = HouseholdFactory(unit=ward)
            assess(household, 2023, status)
            deprive(assess(household, 2024, status, member_count=3), "water")
            SupportRecordFactory(household=household, given_on=datetime.date(2024, 4, 1))
            PlanActionFactory(plan__household=household, due_date=datetime.date(2024, 2, 1))
    return city


def test_query_count_does_not_grow_with_units_and_households(db, django_assert_num_queries):
    small, large = make_town(2), make_town(20)
    nd07 = standard("ND07-2022")

    with CaptureQueriesContext(connection) as small_queries:
        small_report = annual_report(year=2024, root=small, standard=nd07)
    with django_assert_num_queries(len(small_queries.captured_queries)):
        large_report = annual_report(year=2024, root=large, standard=nd07)

    # The standards (1), successions, scope (3) and rows (5 in all), then 5 grouped
    # reads of the data: the household years make the start-only read unnecessary
    # (12 before them).
    assert len(small_queries.captured_queries) == 11
    # The default report finds the standard that made the lists in one more query.
    with CaptureQueriesContext(connection) as default_small:
        annual_report(year=2024, root=small)
    with django_assert_num_queries(len(default_small.captured_queries)):
        default_large = annual_report(year=2024, root=large)
    assert len(default_small.captured_queries) == 12
    assert default_large.as_json()["total"] == large_report.as_json()["total"]
    assert (len(small_report.units), small_report.total.poor.end) == (2, 2)
    assert (len(large_report.units), large_report.total.poor.end) == (20, 20)
    assert large_report.total.plan_actions_overdue == 40


# --- The 2025 reform (real units) -------------------------------------------------------


@pytest.fixture
def city193(city):
    return city


def test_2019_report_lists_the_legacy_units(city193):
    report = annual_report(year=2019)
    by_code = {row.code: row for row in report.units}

    assert len(report.units) == 33  # 32 wards and communes + Yết Kiêu
    assert by_code["6688"].name == "Phường Hồng Hải"
    assert "6697" in by_code  # Hồng Hà


def test_2025_report_counts_legacy_households_in_their_new_ward_once(city193):
    hong_ha, ha_long = legacy("6697"), unit("6688")
    stays = HouseholdFactory(unit=ha_long)  # moved to the new ward on 1/7/2025
    assess(stays, 2024, "poor", unit_obj=hong_ha)
    assess(stays, 2025, "poor", member_count=3)
    leaves = HouseholdFactory(unit=ha_long)
    assess(leaves, 2024, "near_poor", unit_obj=hong_ha)

    report = annual_report(year=2025)
    previous = annual_report(year=2024)
    rows = {row.code: row for row in report.units}

    assert len(report.units) == 13
    assert "6697" not in rows
    assert (rows["6688"].name, rows["6688"].poor.start, rows["6688"].poor.end) == (
        "Phường Hạ Long",
        1,
        1,
    )
    # No 2025 decision: it left the list without one (other decrease), not an exit.
    near = rows["6688"].near_poor
    assert (near.start, near.other_decrease, near.exited) == (1, 1, 0)
    assert sum(row.poor.end for row in report.units) == 1
    # City totals are continuous across the reform.
    assert report.total.poor.start == previous.total.poor.end == 1
    assert report.total.near_poor.start == previous.total.near_poor.end == 1
    assert {r.code: r.poor.end for r in previous.units}["6697"] == 1


def test_split_unit_households_follow_their_current_unit(city193):
    ha_khau = legacy("6655")  # split between Việt Hưng (6661) and Tuần Châu (6706)
    to_tuan_chau = HouseholdFactory(unit=unit("6706"))
    to_viet_hung = HouseholdFactory(unit=unit("6661"))
    assess(to_tuan_chau, 2024, "poor", unit_obj=ha_khau)
    assess(to_viet_hung, 2024, "poor", unit_obj=ha_khau)
    assess(to_viet_hung, 2024, "poor", unit_obj=ha_khau, kind=ReviewKind.REGULAR)

    rows = {row.code: row for row in annual_report(year=2025).units}

    assert rows["6706"].poor.start == 1
    assert rows["6706"].poor.other_decrease == 1  # no 2025 decision
    assert rows["6661"].poor.start == 1


def test_ward_root_reports_its_predecessors_before_the_reform(city193):
    report = annual_report(year=2020, root=unit("6688"))

    assert sorted(row.code for row in report.units) == ["6688", "6697"]
    assert report.total.name == "Phường Hạ Long"


# --- The demo ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--password", "pw-demo-123", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    """The seeded database; each test's writes are rolled back."""


def test_demo_start_of_2016_matches_the_seed_article(demo):
    total = annual_report(year=2016).as_json()["total"]

    assert (total["poor"]["start"], total["poor"]["start_rate_pct"]) == (991, 1.15)
    assert (total["near_poor"]["start"], total["near_poor"]["start_rate_pct"]) == (1046, 1.22)
    assert total["start_households"] == 86_000


def test_demo_end_of_2020_matches_the_seed_article(demo):
    total = annual_report(year=2020).as_json()["total"]

    assert (total["poor"]["end"], total["poor"]["end_rate_pct"]) == (62, 0.07)
    assert (total["near_poor"]["end"], total["near_poor"]["end_rate_pct"]) == (144, 0.16)
    assert total["total_households"] == 88_600


def test_demo_flows_balance_and_totals_are_continuous(demo):
    previous = None
    for year in range(2016, 2026):
        report = annual_report(year=year).as_json()
        for row in [*report["units"], report["total"]]:
            assert flows_balance(row["poor"], "near_poor"), (year, row["code"])
            assert flows_balance(row["near_poor"], "poor"), (year, row["code"])
        if previous is not None:
            assert report["total"]["poor"]["start"] == previous["total"]["poor"]["end"], year
            assert report["total"]["near_poor"]["start"] == previous["total"]["near_poor"]["end"], (
                year
            )
        previous = report


# --- A change of standard: the end-2026 review under ND351, compared with ND07 -------


def test_report_at_a_change_of_standard_counts_both_classifications(town):
    ward = town["ward"]
    nd351, nd07 = standard("ND351-2027"), standard("ND07-2022")
    households = [HouseholdFactory(unit=ward, code=f"C-{n}") for n in range(3)]
    # Poor and near-poor under ND07 at the end of 2025.
    assess(households[0], 2025, "poor")
    assess(households[1], 2025, "near_poor")
    # The 2026 periodic review under ND351: one more household within the higher line.
    for household, new, old in zip(
        households,
        ("poor", "near_poor", "near_poor"),
        ("poor", "near_poor", "average"),
        strict=True,
    ):
        assess(
            household,
            2026,
            new,
            round__standard=nd351,
            round__comparison_standard=nd07,
            comparison_status=old,
        )

    report = annual_report(year=2026, root=town["city"])
    data = report.as_json()
    row = next(r for r in data["units"] if r["code"] == ward.code)

    assert data["standard"] == "ND351-2027"
    assert data["start_standard"] == "ND07-2022"
    assert data["compares_standards"] is True
    assert data["comparison_standard"] == "ND07-2022"
    assert (row["poor"]["end"], row["near_poor"]["end"]) == (1, 2)
    assert row["comparison"] == {"poor": 1, "near_poor": 1}
    assert data["total"]["comparison"] == {"poor": 1, "near_poor": 1}
    # The same year under ND07 (the comparison) reads the comparison classification.
    under_nd07 = annual_report(year=2026, root=town["city"], standard=nd07).as_json()
    assert under_nd07["total"]["near_poor"]["end"] == 1
    assert under_nd07["compares_standards"] is False


def test_report_of_a_year_under_one_standard_has_no_comparison(town_report):
    assert town_report["compares_standards"] is False
    assert town_report["comparison_standard"] is None
    assert all(row["comparison"] is None for row in town_report["units"])


def test_report_of_2021_says_it_compares_two_standards(db):
    city = UnitFactory(kind=UnitKind.CITY, code="T200", name="Thành phố Hai")
    report = annual_report(year=2021, root=city)

    assert (report.start_standard, report.standard) == ("QD59-2016", "ND07-2022")
    assert report.compares_standards
    # No comparison classification was recorded in 2021.
    assert report.comparison_standard == ""


# --- A household leaves a list only by a decision (other decrease / increase) --------


def test_household_moving_while_listed_is_an_other_decrease_and_increase(town):
    ward, commune = town["ward"], town["commune"]
    mover = HouseholdFactory(unit=commune, code="M-1")
    assess(mover, 2023, "poor", unit_obj=ward)  # poor in ward A at the end of 2023
    assess(mover, 2024, "poor", unit_obj=commune)  # moved; poor in commune B in 2024

    rows = rows_by_code(annual_report(year=2024, root=town["city"]).as_json())

    a, b = rows["T101"]["poor"], rows["T102"]["poor"]
    # A's start keeps the household (its end of 2023); it left A without A's decision.
    assert (a["start"], a["other_decrease"], a["exited"]) == (4, 1, 1)
    assert (b["start"], b["other_increase"], b["new"], b["end"]) == (1, 1, 0, 2)
    for row in rows.values():
        assert flows_balance(row["poor"], "near_poor"), row["code"]
        assert flows_balance(row["near_poor"], "poor"), row["code"]


def test_start_of_each_unit_is_the_end_of_its_previous_year(town):
    ward, commune = town["ward"], town["commune"]
    mover = HouseholdFactory(unit=commune, code="M-2")
    assess(mover, 2023, "near_poor", unit_obj=ward)
    assess(mover, 2024, "near_poor", unit_obj=commune)

    before = rows_by_code(annual_report(year=2023, root=town["city"]).as_json())
    after = rows_by_code(annual_report(year=2024, root=town["city"]).as_json())

    for code in ("T101", "T102"):
        for kind in ("poor", "near_poor"):
            assert after[code][kind]["start"] == before[code][kind]["end"], (code, kind)


def test_units_covered_only_in_part_carry_a_footnote_from_the_reform(city193):
    report = annual_report(year=2025).as_json()
    rows = {row["code"]: row for row in report["units"]}

    for code in ("6979", "6985"):  # Kỳ Thượng, Lương Minh: took in communes of Ba Chẽ
        assert "Ba Chẽ" in " ".join(rows[code]["outside_parts"]), code
        assert rows[code]["note"].startswith("Từ ngày 01/7/2025"), code
    assert rows["6688"]["note"] == "" and rows["6688"]["outside_parts"] == []
    # Before the reform the legacy communes were whole units of the city.
    before = annual_report(year=2024).as_json()
    assert all(row["note"] == "" for row in before["units"])


def test_workbook_and_page_show_the_footnote(city193, client):
    from openpyxl import load_workbook

    from halong.report_export import write_xlsx
    from tests.factories import UserFactory

    out = io.BytesIO()
    write_xlsx(annual_report(year=2025), out)
    out.seek(0)
    cells = [c for row in load_workbook(out).worksheets[0].iter_rows(values_only=True) for c in row]
    texts = [c for c in cells if isinstance(c, str)]
    assert any(t.startswith("Xã Kỳ Thượng (*)") for t in texts)
    assert any(t.startswith("(*) Xã Lương Minh: Từ ngày 01/7/2025") for t in texts)

    client.force_login(UserFactory(is_superuser=True))
    client.cookies["django_language"] = "en"
    body = client.get("/reports/?year=2025").content.decode()
    assert 'data-testid="unit-note"' in body and "Ba Chẽ" in body
