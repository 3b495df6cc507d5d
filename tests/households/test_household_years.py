"""HouseholdYear: the one place that decides a household's status and transition in a year.

The named case of issue 21, the rebuild command, the list-making setting, and a
property test over random multi-year histories: the stored rows, the household
timeline, the annual report's flows and the dashboard agree with a reference
computation written here from the histories alone, for every household and year.
"""

import datetime
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communes.models import Area, UnitKind
from halong import dashboard
from halong.reports import annual_report
from households.household_years import (
    Decision,
    check_household_years,
    compute_years,
    list_year,
)
from households.models import HouseholdYear, ListMakingStandard, ReviewKind
from households.review_selectors import household_timeline
from households.transitions import LISTED, Transition, transition
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    ReviewRoundFactory,
    UnitFactory,
    resync,
    standard,
)

POOR, NEAR_POOR, AVERAGE, NOT_POOR = "poor", "near_poor", "average", "not_poor"
RECOGNISED = "recognised"


def decide(household, year, status, *, kind=ReviewKind.PERIODIC, unit=None, provincial=""):
    unit = unit or household.unit
    review_round = ReviewRoundFactory(unit=unit, year=year, kind=kind)
    return AssessmentFactory(
        household=household,
        round=review_round,
        unit=unit,
        status=RECOGNISED,
        recorded_status=status,
        national_status=status,
        provincial_status=provincial,
    )


@pytest.fixture
def town(db):
    city = UnitFactory(kind=UnitKind.CITY, code="Y100", name="Thành phố Năm")
    ward = UnitFactory(code="Y101", name="Phường Một", area=Area.URBAN, parent=city)
    commune = UnitFactory(code="Y102", name="Xã Hai", area=Area.RURAL, parent=city)
    return city, ward, commune


# --- The named case of issue 21 ---------------------------------------------------------


def test_overruled_poor_then_poor_again_is_new_on_the_timeline_and_in_the_report(town):
    """Poor in the 2021 periodic round, overruled the same year by a regular-round "not
    poor", poor again in 2023: never on a list before 2023, so newly poor everywhere
    (the report used to count the overruled decision and say "re-entered")."""
    city, ward, _commune = town
    household = HouseholdFactory(unit=ward)
    decide(household, 2021, POOR)
    decide(household, 2021, NOT_POOR, kind=ReviewKind.REGULAR)
    latest = decide(household, 2023, POOR)

    years = {row.year: row for row in HouseholdYear.objects.filter(household=household)}
    assert (years[2021].status, years[2021].ever_listed) == (NOT_POOR, False)
    assert years[2023].transition == Transition.NEW_POOR
    timeline = {row.assessment.pk: row.transition for row in household_timeline(household)}
    assert timeline[latest.pk] == Transition.NEW_POOR
    report = annual_report(year=2023, root=city).as_json()["total"]["poor"]
    assert (report["new"], report["re_entered"], report["end"]) == (1, 0, 1)


def test_a_listed_household_without_a_decision_is_an_other_decrease_not_an_exit(town):
    city, ward, _commune = town
    household = HouseholdFactory(unit=ward)
    decide(household, 2022, POOR)

    gap = HouseholdYear.objects.get(household=household, year=2023)
    assert (gap.assessment_id, gap.status, gap.previous) == (None, "", POOR)
    assert gap.transition == Transition.OTHER_DECREASE
    poor = annual_report(year=2023, root=city).as_json()["total"]["poor"]
    assert (poor["start"], poor["exited"], poor["other_decrease"], poor["end"]) == (1, 0, 1, 0)


def test_compute_years_is_pure_and_takes_the_last_decision_of_a_year():
    rows = compute_years(
        7,
        [
            Decision(assessment_id=5, year=2020, unit_id=1, national=NEAR_POOR),
            Decision(assessment_id=2, year=2020, unit_id=1, national=POOR),
            Decision(assessment_id=9, year=2022, unit_id=2, national=POOR),
        ],
    )
    assert [(r.year, r.status, r.transition) for r in rows] == [
        (2020, NEAR_POOR, Transition.NEW_NEAR_POOR),
        (2021, "", Transition.OTHER_DECREASE),
        (2022, POOR, Transition.RE_POOR),
        (2023, "", Transition.OTHER_DECREASE),
    ]
    assert [(r.unit_id, r.previous_unit_id) for r in rows] == [(1, None), (1, 1), (2, 1), (2, 2)]


# --- The standard that makes the list -------------------------------------------------


def test_quang_ninh_setting_covers_the_years_in_force_of_its_standard(db):
    qn = standard("QN-NQ13-2023")
    setting = ListMakingStandard.objects.get(standard=qn)
    assert (setting.first_year, setting.last_year) == (qn.first_year, qn.last_year)
    assert "13/2023/NQ-HĐND" in setting.legal_basis
    assert list_year(2023, ReviewKind.PERIODIC) == 2024
    assert list_year(2024, ReviewKind.REGULAR) == 2024


def test_the_provincial_standard_makes_the_list_in_its_years_and_national_is_beside_it(town):
    city, ward, _commune = town
    qn = standard("QN-NQ13-2023")
    ReviewRoundFactory(unit=ward, year=2024, kind=ReviewKind.PERIODIC, provincial_standard=qn)
    ReviewRoundFactory(unit=ward, year=2023, kind=ReviewKind.PERIODIC, provincial_standard=qn)
    household = HouseholdFactory(unit=ward)
    decide(household, 2023, NEAR_POOR, provincial=POOR)
    end = decide(household, 2024, AVERAGE, provincial=POOR)

    row = HouseholdYear.objects.get(household=household, year=2024)
    assert (row.list_level, row.status, row.national_status) == ("provincial", POOR, AVERAGE)
    assert row.transition == Transition.STAYED_POOR
    assert row.national_transition == Transition.NEAR_POOR_EXITED
    timeline = {r.assessment.pk: r for r in household_timeline(household)}
    assert timeline[end.pk].list_level == "provincial"

    report = annual_report(year=2024, root=city)
    data = report.as_json()
    assert (data["standard"], data["view"], data["list_level"]) == (
        "QN-NQ13-2023",
        "list",
        "provincial",
    )
    assert (data["total"]["poor"]["start"], data["total"]["poor"]["end"]) == (1, 1)
    assert data["total"]["national"] == {"poor": 0, "near_poor": 0}
    assert "QN-NQ13" in data["decided_by"] or "tỉnh" in data["decided_by"].lower()
    national = annual_report(year=2024, root=city, standard=standard("ND07-2022")).as_json()
    assert national["total"]["near_poor"]["exited"] == 1
    assert national["view"] == "national"

    points = {p.year: p for p in dashboard.trend(frozenset({ward.pk}), dashboard.all_standards())}
    assert (points[2024].poor, points[2024].list_standard) == (1, "QN-NQ13-2023")


def test_without_the_setting_the_national_standard_makes_the_list(town):
    _city, ward, _commune = town
    qn = standard("QN-NQ13-2023")
    ReviewRoundFactory(unit=ward, year=2024, kind=ReviewKind.PERIODIC, provincial_standard=qn)
    ListMakingStandard.objects.all().delete()
    household = HouseholdFactory(unit=ward)
    decide(household, 2024, AVERAGE, provincial=POOR)
    row = HouseholdYear.objects.get(household=household, year=2024)
    assert (row.list_level, row.status) == ("national", AVERAGE)


# --- The command ----------------------------------------------------------------------


def test_rebuild_command_repairs_and_check_proves_the_rows(town):
    _city, ward, _commune = town
    household = HouseholdFactory(unit=ward)
    decide(household, 2022, POOR)
    decide(household, 2023, NEAR_POOR)
    HouseholdYear.objects.filter(household=household, year=2023).update(transition="exited")
    HouseholdYear.objects.filter(household=household, year=2024).delete()

    with pytest.raises(CommandError, match="2 household year"):
        call_command("rebuild_household_years", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_household_years", "--year", "2023", stdout=out)
    assert "1 written" in out.getvalue()
    assert [(d.year, d.stored) for d in check_household_years()] == [(2024, None)]
    call_command("rebuild_household_years", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_household_years", "--check", stdout=out)
    assert "equal the recomputation" in out.getvalue()


# --- Property test ----------------------------------------------------------------------

YEARS = range(2021, 2026)
STATUSES = (POOR, NEAR_POOR, AVERAGE, NOT_POOR)

decision_of_year = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(STATUSES),  # periodic, national
        st.sampled_from(STATUSES),  # periodic, provincial
        st.one_of(st.none(), st.sampled_from(STATUSES)),  # a later regular decision
        st.booleans(),  # made in the other unit (the household moved)
    ),
)
histories = st.lists(
    st.tuples(st.booleans(), st.lists(decision_of_year, min_size=5, max_size=5)),
    min_size=1,
    max_size=6,
)


def reference(history, home, away, provincial_years):
    """Per year: (decided, list status, unit) of one generated household, by the rules of
    DOMAIN.md written out plainly; ``None`` for a year without a decision."""
    years = {}
    for year, entry in zip(YEARS, history, strict=True):
        if entry is None:
            continue
        national, provincial, regular, moved = entry
        unit = away if moved else home
        if regular is not None:
            # A regular decision of the year overrules the periodic one; its list year
            # is the year itself, and its provincial classification equals its national.
            decides = list_year(year, ReviewKind.REGULAR) in provincial_years
            years[year] = (regular, unit, decides)
        else:
            decides = list_year(year, ReviewKind.PERIODIC) in provincial_years
            years[year] = (provincial if decides else national, unit, decides)
    return years


def expected_flows(households, years_by_household, year):
    """``{(unit, block, column): n}`` of the report of ``year``, from the reference."""
    counts = Counter()
    for household_id, _home in households:
        by_year = years_by_household[household_id]
        earlier = [by_year[y][0] for y in by_year if y < year - 1]
        previous = by_year.get(year - 1)
        current = by_year.get(year)
        prev = previous[0] if previous and previous[0] in LISTED else None
        cur = current[0] if current and current[0] in LISTED else None
        if prev is None and cur is None:
            continue
        start_unit = previous[1] if previous else None
        end_unit = current[1] if current else start_unit
        if prev:
            counts[(start_unit, prev, "start")] += 1
        if cur:
            counts[(end_unit, cur, "end")] += 1
        if prev and start_unit != end_unit:
            counts[(start_unit, prev, "other_decrease")] += 1
            if cur:
                counts[(end_unit, cur, "other_increase")] += 1
            continue
        ever = frozenset(s for s in earlier if s in LISTED)
        kind = transition(prev, cur, ever=ever, decided=current is not None)
        effects = {
            Transition.EXITED: [(POOR, "exited")],
            Transition.POOR_TO_NEAR_POOR: [(POOR, "to_other"), (NEAR_POOR, "from_other")],
            Transition.NEAR_POOR_EXITED: [(NEAR_POOR, "exited")],
            Transition.NEAR_POOR_TO_POOR: [(NEAR_POOR, "to_other"), (POOR, "from_other")],
            Transition.NEW_POOR: [(POOR, "new")],
            Transition.NEW_NEAR_POOR: [(NEAR_POOR, "new")],
            Transition.RE_POOR: [(POOR, "re_entered")],
            Transition.RE_NEAR_POOR: [(NEAR_POOR, "re_entered")],
            Transition.OTHER_DECREASE: [(prev, "other_decrease")],
        }.get(kind, [])
        for block, column in effects:
            counts[(end_unit, block, column)] += 1
    return counts


def report_flows(report_json, units_by_code):
    counts = Counter()
    for row in report_json["units"]:
        unit_id = units_by_code[row["code"]]
        for block, other in ((POOR, NEAR_POOR), (NEAR_POOR, POOR)):
            data = row[block]
            for column, key in (
                ("start", "start"),
                ("end", "end"),
                ("exited", "exited"),
                ("to_other", f"to_{other}"),
                ("from_other", f"from_{other}"),
                ("new", "new"),
                ("re_entered", "re_entered"),
                ("other_decrease", "other_decrease"),
                ("other_increase", "other_increase"),
            ):
                if data[key]:
                    counts[(unit_id, block, column)] += data[key]
    return counts


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories=histories)
def test_timeline_report_dashboard_and_recomputation_agree(town, histories):
    city, ward, commune = town
    qn = standard("QN-NQ13-2023")
    setting = ListMakingStandard.objects.get(standard=qn)
    provincial_years = set(range(setting.first_year, setting.last_year + 1))
    sid = transaction.savepoint_create()
    try:
        _check_histories(city, ward, commune, qn, provincial_years, histories)
    finally:
        transaction.savepoint_rollback(sid)


def _check_histories(city, ward, commune, qn, provincial_years, histories):
    for unit in (ward, commune):
        for year in YEARS:
            ReviewRoundFactory(
                unit=unit, year=year, kind=ReviewKind.PERIODIC, provincial_standard=qn
            )
            ReviewRoundFactory(
                unit=unit,
                year=year,
                kind=ReviewKind.REGULAR,
                provincial_standard=qn,
                opened_on=datetime.date(year, 3, 1),
            )
    households = []
    years_by_household = {}
    assessments = defaultdict(dict)
    for in_ward, history in histories:
        home, away = (ward, commune) if in_ward else (commune, ward)
        household = HouseholdFactory(unit=home)
        households.append((household.pk, home.pk))
        for year, entry in zip(YEARS, history, strict=True):
            if entry is None:
                continue
            national, provincial, regular, moved = entry
            unit = away if moved else home
            periodic = decide(household, year, national, unit=unit, provincial=provincial)
            assessments[household.pk][year] = periodic
            if regular is not None:
                assessments[household.pk][year] = decide(
                    household,
                    year,
                    regular,
                    kind=ReviewKind.REGULAR,
                    unit=unit,
                    provincial=regular,
                )
        reference_years = reference(history, home.pk, away.pk, provincial_years)
        years_by_household[household.pk] = reference_years

    # The stored rows equal a full recomputation, and the reference.
    assert check_household_years() == []
    for household_id, _home in households:
        stored = {row.year: row for row in HouseholdYear.objects.filter(household_id=household_id)}
        for year, (status, unit_id, decides) in years_by_household[household_id].items():
            row = stored[year]
            assert (row.status, row.unit_id) == (status, unit_id), (household_id, year)
            assert row.list_level == ("provincial" if decides else "national")
        # The timeline shows the stored transition on the decision that stands, none on
        # an overruled one.
        timeline = {r.assessment.pk: r.transition for r in household_timeline_of(household_id)}
        for year, assessment in assessments[household_id].items():
            assert timeline[assessment.pk] == (stored[year].transition or None)
        for pk, kind in timeline.items():
            if pk not in {a.pk for a in assessments[household_id].values()}:
                assert kind is None

    # The report's flows, per unit and year, and its balance.
    units_by_code = {ward.code: ward.pk, commune.code: commune.pk}
    for year in range(2022, 2027):
        report = annual_report(year=year, root=city).as_json()
        assert report_flows(report, units_by_code) == expected_flows(
            households, years_by_household, year
        ), year
        for row in [*report["units"], report["total"]]:
            for block, other in ((POOR, NEAR_POOR), (NEAR_POOR, POOR)):
                data = row[block]
                decreases = data["exited"] + data[f"to_{other}"] + data["other_decrease"]
                increases = (
                    data["new"]
                    + data["re_entered"]
                    + data[f"from_{other}"]
                    + data["other_increase"]
                )
                assert data["end"] == data["start"] - decreases + increases

    # The dashboard: the lists per year (trend) and per unit.
    points = {
        p.year: p
        for p in dashboard.trend(frozenset({ward.pk, commune.pk}), dashboard.all_standards())
    }
    for year in YEARS:
        listed = Counter(
            years_by_household[h][year][0]
            for h, _home in households
            if year in years_by_household[h]
        )
        if year in points:
            assert (points[year].poor, points[year].near_poor) == (
                listed[POOR],
                listed[NEAR_POOR],
            )
    last = max(points, default=None)
    if last is not None:
        rows = {r.unit.pk: r for r in dashboard.unit_rows(frozenset({ward.pk, commune.pk}), last)}
        for unit in (ward, commune):
            listed = Counter(
                years_by_household[h][last][0]
                for h, _home in households
                if last in years_by_household[h] and years_by_household[h][last][1] == unit.pk
            )
            if unit.pk in rows:
                assert rows[unit.pk].poor == listed[POOR]
                assert rows[unit.pk].near_poor == listed[NEAR_POOR]


def household_timeline_of(household_id):
    from households.models import Household

    return household_timeline(Household.objects.get(pk=household_id))


def test_resync_helper_follows_a_direct_edit(town):
    _city, ward, _commune = town
    household = HouseholdFactory(unit=ward)
    assessment = decide(household, 2022, POOR)
    assessment.recorded_status = NEAR_POOR
    assessment.save()
    resync(assessment)
    assert HouseholdYear.objects.get(household=household, year=2022).status == NEAR_POOR


# --- Issue 18 item 2: households that moved out or merged away --------------------------


def test_moved_out_and_merged_away_are_counted_apart_within_other_decreases(town):
    from households.models import EventKind, HouseholdEvent

    city, ward, commune = town
    moved, merged, silent = (HouseholdFactory(unit=ward) for _ in range(3))
    for household in (moved, merged, silent):
        decide(household, 2023, POOR)
    HouseholdEvent.objects.create(
        household=moved,
        kind=EventKind.MOVED_WARD,
        occurred_on=datetime.date(2024, 5, 2),
        from_unit=ward,
        to_unit=commune,
    )
    HouseholdEvent.objects.create(
        household=merged,
        kind=EventKind.MERGED_INTO,
        occurred_on=datetime.date(2024, 2, 1),
        other_household=silent,
    )
    resync(moved, merged)

    assert HouseholdYear.objects.get(household=moved, year=2024).left_by == "moved_out"
    poor = annual_report(year=2024, root=city).as_json()["total"]["poor"]
    assert (poor["start"], poor["other_decrease"], poor["end"]) == (3, 3, 0)
    assert (poor["other_decrease_moved_out"], poor["other_decrease_merged_away"]) == (1, 1)


def test_a_merge_through_the_service_names_why_the_closed_household_has_no_decision(
    town, make_member
):
    from households.services import events

    _city, ward, _commune = town
    officer = make_member("ward_officer", ward)
    household, other = HouseholdFactory(unit=ward), HouseholdFactory(unit=ward)
    decide(other, 2025, NEAR_POOR)
    events.household_merge(
        actor=officer, household=household, other=other, on=datetime.date(2026, 3, 1)
    )
    row = HouseholdYear.objects.get(household=other, year=2026)
    assert (row.transition, row.left_by) == (Transition.OTHER_DECREASE, "merged_away")
