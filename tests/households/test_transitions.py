import pytest

from households.transitions import (
    Transition,
    YearStatus,
    count_transitions,
    transition,
    yearly_statuses,
)


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        ("poor", "poor", Transition.STAYED_POOR),
        ("poor", "near_poor", Transition.POOR_TO_NEAR_POOR),
        ("poor", "not_poor", Transition.EXITED),
        ("poor", "average", Transition.EXITED),
        ("poor", None, Transition.EXITED),
        ("near_poor", "near_poor", Transition.STAYED_NEAR_POOR),
        ("near_poor", "poor", Transition.NEAR_POOR_TO_POOR),
        ("near_poor", "average", Transition.NEAR_POOR_EXITED),
        ("near_poor", None, Transition.NEAR_POOR_EXITED),
        (None, "poor", Transition.NEW_POOR),
        ("average", "poor", Transition.NEW_POOR),
        (None, "near_poor", Transition.NEW_NEAR_POOR),
        ("not_poor", "near_poor", Transition.NEW_NEAR_POOR),
    ],
)
def test_transition_between_two_years(previous, current, expected):
    assert transition(previous, current) == expected


@pytest.mark.parametrize(
    ("previous", "current"),
    [(None, None), ("average", "not_poor"), (None, "average"), ("not_poor", None)],
)
def test_transition_is_none_when_out_both_years(previous, current):
    assert transition(previous, current) is None


@pytest.mark.parametrize(
    ("current", "ever", "expected"),
    [
        ("poor", frozenset({"poor"}), Transition.RE_POOR),
        ("poor", frozenset({"near_poor", "average"}), Transition.RE_POOR),
        ("near_poor", frozenset({"near_poor"}), Transition.RE_NEAR_POOR),
        ("near_poor", frozenset({"poor"}), Transition.RE_NEAR_POOR),
        ("poor", frozenset({"average", "not_poor"}), Transition.NEW_POOR),
        ("near_poor", frozenset({"not_poor"}), Transition.NEW_NEAR_POOR),
    ],
)
def test_transition_detects_reentry_when_ever_listed(current, ever, expected):
    assert transition("not_poor", current, ever=ever) == expected


def test_transition_ignores_ever_when_previous_listed():
    assert transition("poor", "poor", ever=frozenset({"near_poor"})) == Transition.STAYED_POOR


def test_yearly_statuses_treats_gap_year_as_out_without_a_decision():
    statuses = yearly_statuses([(2019, "poor", 1), (2021, "poor", 3)])

    # No decision in 2020: it left the list without one (other decrease), not an exit.
    assert statuses == [
        YearStatus(2019, "poor", Transition.NEW_POOR, 1),
        YearStatus(2020, None, Transition.OTHER_DECREASE, None),
        YearStatus(2021, "poor", Transition.RE_POOR, 3),
    ]


def test_yearly_statuses_takes_last_record_of_a_year():
    statuses = yearly_statuses([(2020, "poor", 7), (2020, "near_poor", 9), (2019, "poor", 2)])

    assert [(s.year, s.status, s.assessment_id) for s in statuses] == [
        (2019, "poor", 2),
        (2020, "near_poor", 9),
    ]
    assert statuses[1].transition == Transition.POOR_TO_NEAR_POOR


def test_yearly_statuses_reentry_after_explicit_exit():
    statuses = yearly_statuses(
        [(2016, "near_poor", 1), (2017, "not_poor", 2), (2018, "not_poor", 3), (2019, "poor", 4)]
    )

    assert [s.transition for s in statuses] == [
        Transition.NEW_NEAR_POOR,
        Transition.NEAR_POOR_EXITED,
        None,
        Transition.RE_POOR,
    ]


def test_yearly_statuses_exit_right_before_return_is_not_reentry_of_previous_year():
    # Out only in 2017 and listed in 2016: the 2016 status is in ``ever`` at 2018.
    statuses = yearly_statuses([(2016, "poor", 1), (2017, "average", 2), (2018, "near_poor", 3)])

    assert statuses[2].transition == Transition.RE_NEAR_POOR


def test_yearly_statuses_until_extends_with_out_years():
    statuses = yearly_statuses([(2022, "near_poor", 5)], until=2024)

    assert [(s.year, s.status, s.transition) for s in statuses] == [
        (2022, "near_poor", Transition.NEW_NEAR_POOR),
        (2023, None, Transition.OTHER_DECREASE),
        (2024, None, None),
    ]


def test_yearly_statuses_empty_when_no_record():
    assert yearly_statuses([]) == []


def test_count_transitions_fills_every_kind():
    counts = count_transitions(
        [("poor", "poor"), ("poor", None), (None, None), (None, "poor", frozenset({"poor"}))]
    )

    assert counts[Transition.STAYED_POOR] == 1
    assert counts[Transition.EXITED] == 1
    assert counts[Transition.RE_POOR] == 1
    assert counts[Transition.NEW_NEAR_POOR] == 0
    assert set(counts) == set(Transition.values)


def test_transition_without_a_decision_is_an_other_decrease_not_an_exit():
    assert transition("poor", None, decided=False) == Transition.OTHER_DECREASE
    assert transition("near_poor", None, decided=False) == Transition.OTHER_DECREASE
    assert transition(None, None, decided=False) is None
    # A decision that the household is out of the lists is an exit.
    assert transition("poor", "average", decided=True) == Transition.EXITED
