"""The annual report across household events (issue 18): a split, a merge and a move
from Bãi Cháy to Hạ Long in 2025 keep the 2024 and 2025 reports of both wards balanced,
the moved household counted where it was each year, a merged-away household not exited."""

import datetime

import pytest

from halong.reports import annual_report
from households.models import Household, TransferStatus
from households.services import events
from tests.conftest import legacy, unit
from tests.factories import HouseholdFactory, MemberFactory
from tests.halong.test_reports import assess, flows_balance

pytestmark = pytest.mark.django_db

BLOCKS = (("poor", "near_poor"), ("near_poor", "poor"))


def decided(household, year, status, unit_obj=None):
    return assess(
        household,
        year,
        status,
        unit_obj=unit_obj,
        decision_date=datetime.date(year, 12, 10),
        member_count=household.members.filter(left_on__isnull=True).count(),
    )


@pytest.fixture
def world(units, halong_officer, halong_head, baichay_officer):
    """Hạ Long (new 6688; Hồng Hà 6697 before the reform) and Bãi Cháy (6673).

    - ``mover``: poor in Bãi Cháy in 2023 and 2024, moves to Hạ Long on 1/3/2025
      (accepted by Hạ Long's head), near-poor there in 2025;
    - ``parent``: poor in Hạ Long since 2023; on 1/5/2025 its son leaves with his wife
      to form ``child``; the 2025 review keeps ``parent`` poor and lists ``child``
      near-poor (its first review);
    - ``keeper`` (poor) takes in ``merged`` (near-poor) on 1/4/2025; the 2025 review
      decides only ``keeper``;
    - ``leaver``: poor in 2024, out by the 2025 decision: the one real exit.
    """
    ha_long, bai_chay, hong_ha = unit("6688"), unit("6673"), legacy("6697")
    bai_chay_2024 = legacy("6673")
    mover = HouseholdFactory(unit=bai_chay, code="BC-9")
    MemberFactory(household=mover)
    for year in (2023, 2024):
        decided(mover, year, "poor", bai_chay_2024)

    parent = HouseholdFactory(unit=ha_long, code="HL-1")
    son = MemberFactory(household=parent, full_name="Nam")
    wife = MemberFactory(household=parent, full_name="Mai")
    keeper = HouseholdFactory(unit=ha_long, code="HL-2")
    merged = HouseholdFactory(unit=ha_long, code="HL-3")
    MemberFactory(household=merged)
    leaver = HouseholdFactory(unit=ha_long, code="HL-4")
    for year in (2023, 2024):
        decided(parent, year, "poor", hong_ha)
        decided(keeper, year, "poor", hong_ha)
        decided(merged, year, "near_poor", hong_ha)
        decided(leaver, year, "poor", hong_ha)

    transfer = events.transfer_propose(
        actor=baichay_officer,
        household=mover,
        to_unit=ha_long,
        moving_on=datetime.date(2025, 3, 1),
        reason="Chuyển đến ở với con gái",
    )
    events.transfer_accept(actor=halong_head, transfer=transfer, code="HL-9", village=None)
    child = events.household_split(
        actor=halong_officer,
        household=parent,
        members=[son, wife],
        new_head=son,
        code="HL-1A",
        village=None,
        on=datetime.date(2025, 5, 1),
    )
    events.household_merge(
        actor=halong_officer, household=keeper, other=merged, on=datetime.date(2025, 4, 1)
    )
    for household in (mover, parent, child, keeper, leaver):
        household.refresh_from_db()
    decided(mover, 2025, "near_poor")
    decided(parent, 2025, "poor")
    decided(child, 2025, "near_poor")
    decided(keeper, 2025, "poor")
    decided(leaver, 2025, "not_poor")
    return {
        "ha_long": ha_long,
        "bai_chay": bai_chay,
        "transfer": transfer,
        "mover": mover,
        "child": child,
        "merged": merged,
    }


def reports(world):
    return {
        (name, year): annual_report(year=year, root=world[name]).as_json()
        for name in ("ha_long", "bai_chay")
        for year in (2024, 2025)
    }


def test_the_events_happened(world):
    assert world["transfer"].status == TransferStatus.ACCEPTED
    assert world["mover"].unit == world["ha_long"]
    assert world["merged"].closed_on == datetime.date(2025, 4, 1)
    assert Household.objects.filter(code="HL-1A", unit=world["ha_long"]).exists()


def test_every_row_and_total_balances_in_2024_and_2025(world):
    for (name, year), report in reports(world).items():
        for row in [*report["units"], report["total"]]:
            for block, other in BLOCKS:
                assert flows_balance(row[block], other), (name, year, row["code"], block)


def test_each_ward_starts_2025_where_it_ended_2024(world):
    found = reports(world)
    for name in ("ha_long", "bai_chay"):
        for block in ("poor", "near_poor"):
            assert (
                found[(name, 2025)]["total"][block]["start"]
                == found[(name, 2024)]["total"][block]["end"]
            ), (name, block)


def test_the_moved_household_counts_where_it_was_each_year(world):
    found = reports(world)
    bai_chay_2024, bai_chay_2025 = found[("bai_chay", 2024)], found[("bai_chay", 2025)]
    ha_long_2024, ha_long_2025 = found[("ha_long", 2024)], found[("ha_long", 2025)]
    # 2024: poor in Bãi Cháy (its only household), not in Hạ Long's predecessors.
    assert bai_chay_2024["total"]["poor"]["end"] == 1
    assert ha_long_2024["total"]["poor"]["end"] == 3  # parent, keeper, leaver
    # 2025: it left Bãi Cháy's list without Bãi Cháy's decision (other decrease) ...
    poor = bai_chay_2025["total"]["poor"]
    assert (poor["start"], poor["other_decrease"], poor["exited"], poor["end"]) == (1, 1, 0, 0)
    # ... and came onto Hạ Long's near-poor list from elsewhere (other increase).
    near = ha_long_2025["total"]["near_poor"]
    assert near["other_increase"] == 1
    # The 2024 report of Bãi Cháy is the same after the move as the data says it was.
    assert annual_report(year=2024, root=world["bai_chay"]).as_json() == bai_chay_2024


def test_split_is_one_household_in_2024_and_two_from_its_first_review(world):
    found = reports(world)
    assert found[("ha_long", 2024)]["total"]["near_poor"]["end"] == 1  # merged only
    poor = found[("ha_long", 2025)]["total"]["poor"]
    near = found[("ha_long", 2025)]["total"]["near_poor"]
    assert (poor["start"], poor["end"]) == (3, 2)  # parent and keeper stay; leaver exits
    assert near["new"] == 1  # the split-off household at its first review
    assert near["end"] == 2  # child + the mover


def test_a_merged_away_household_is_not_exited(world):
    found = reports(world)
    near = found[("ha_long", 2025)]["total"]["near_poor"]
    assert (near["start"], near["exited"], near["other_decrease"]) == (1, 0, 1)
    poor = found[("ha_long", 2025)]["total"]["poor"]
    assert poor["exited"] == 1  # the leaver, by a decision
    assert found[("bai_chay", 2025)]["total"]["poor"]["exited"] == 0


def test_city_total_counts_the_moved_household_once(world):
    city = annual_report(year=2025).as_json()["total"]
    wards = reports(world)
    for block in ("poor", "near_poor"):
        assert city[block]["end"] == sum(
            wards[(name, 2025)]["total"][block]["end"] for name in ("ha_long", "bai_chay")
        )
    # In the city, the move is inside the city: one other decrease, one other increase.
    assert city["poor"]["other_decrease"] == 1  # the mover left Bãi Cháy's poor list
    assert city["near_poor"]["other_decrease"] == 1  # the merged-away household
    assert city["near_poor"]["other_increase"] == 1
