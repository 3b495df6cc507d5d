"""``communes.succession``: the unit succession graph, loaded once."""

import datetime

import pytest

from communes.models import UnitSuccession
from communes.succession import NO_SUCCESSOR, SPLIT, Link, SuccessionGraph, UnitDates
from tests.conftest import legacy, unit

D = datetime.date
REFORM = D(2025, 7, 1)

# A small history: 1 and 2 merge into 3 (2020); 3 and 4 end in the reform: 3 goes
# whole to 5, 4 is split between 6 and 7 (by code: "F" before "G"); 8 ended
# without successor; 9 and 10 point at each other (bad data must not loop).
UNITS = [
    UnitDates(1, "A", None, D(2020, 1, 1)),
    UnitDates(2, "B", None, D(2020, 1, 1)),
    UnitDates(3, "C", D(2020, 1, 1), REFORM),
    UnitDates(4, "D", None, REFORM),
    UnitDates(5, "E", REFORM, None),
    UnitDates(6, "G", REFORM, None),
    UnitDates(7, "F", REFORM, None),
    UnitDates(8, "H", None, D(2019, 1, 1)),
    UnitDates(9, "I", None, D(2019, 1, 1)),
    UnitDates(10, "J", None, D(2019, 1, 1)),
]
LINKS = [
    Link(1, 3),
    Link(2, 3),
    Link(3, 5),
    Link(4, 6, partial=True),
    Link(4, 7, partial=True),
    Link(9, 10),
    Link(10, 9),
]


@pytest.fixture
def graph():
    return SuccessionGraph(LINKS, UNITS)


def test_forward_and_backward_look_ups(graph):
    assert graph.successors(4) == [7, 6]  # by code
    assert graph.predecessors(3) == [1, 2]
    assert graph.all_successors([1]) == {3, 5}
    assert graph.all_predecessors([5]) == {1, 2, 3}
    assert graph.lineage([1, 4]) == {1, 3, 5, 4, 6, 7}
    assert graph.is_successor(3, 5) and not graph.is_successor(1, 5)
    assert list(graph.forward_order(1)) == [1, 3, 5]


def test_which_unit_on_a_date(graph):
    assert graph.units_on(1, D(2019, 6, 1)) == [1]
    assert graph.units_on(1, D(2021, 6, 1)) == [3]
    assert graph.units_on(1, D(2026, 1, 1)) == [5]
    assert graph.units_on(4, D(2026, 1, 1)) == [7, 6]  # a split: every part, by code
    assert graph.units_on(5, D(2024, 1, 1)) == []  # not yet existing
    assert graph.units_on(8, D(2026, 1, 1)) == []  # ended without successor
    assert graph.units_on(9, D(2026, 1, 1)) == []  # a loop ends


def test_which_unit_on_a_date_within_a_set_of_units(graph):
    assert graph.units_on(4, D(2026, 1, 1), within=frozenset({4, 6})) == [6]
    assert graph.units_on(4, D(2026, 1, 1), within=frozenset({6, 7})) == []


def test_single_successor_follows_whole_successions_only(graph):
    assert graph.single_successor_on(1, D(2026, 1, 1)) == (5, "")
    assert graph.single_successor_on(1, D(2021, 1, 1)) == (3, "")
    assert graph.single_successor_on(3, D(2025, 6, 30)) == (3, "")  # not ended yet
    assert graph.single_successor_on(4, D(2026, 1, 1)) == (None, SPLIT)
    assert graph.single_successor_on(8, D(2026, 1, 1)) == (None, NO_SUCCESSOR)
    assert graph.single_successor_on(9, D(2026, 1, 1)) == (None, NO_SUCCESSOR)


@pytest.mark.django_db
def test_load_reads_every_succession_in_one_query(units, django_assert_num_queries):
    with django_assert_num_queries(1):
        graph = SuccessionGraph.load()

    pairs = set(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
    assert {(p, s) for p in graph.units for s in graph.successors(p)} == pairs
    hong_ha, ha_long = legacy("6697"), unit("6688")
    with django_assert_num_queries(0):
        assert graph.units_on(hong_ha.pk, D(2026, 1, 1)) == [ha_long.pk]
        assert graph.single_successor_on(hong_ha.pk, D(2026, 1, 1)) == (ha_long.pk, "")
    assert hong_ha.pk in graph.all_predecessors([ha_long.pk])


@pytest.mark.django_db
def test_dates_of_a_unit_outside_any_succession_are_read_on_demand(units):
    graph = SuccessionGraph(links=[])
    ha_long = unit("6688")

    assert graph.units_on(ha_long.pk, D(2026, 1, 1)) == [ha_long.pk]
    assert graph.units_on(ha_long.pk, D(2024, 1, 1)) == []
