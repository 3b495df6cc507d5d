"""The pure conflict logic: each window and scope, exact duplicates, report pairs."""

import datetime
from types import SimpleNamespace

from plans import duplicates

D = datetime.date


def rule(window, scope="household", years=None, active=True):
    return SimpleNamespace(window=window, scope=scope, years=years, active=active)


_pk = iter(range(1, 10_000))


def record(given_on, *, household=1, member=None, type_id=1, start=None, end=None, **kwargs):
    values = {
        "pk": next(_pk),
        "household_id": household,
        "member_id": member,
        "support_type_id": type_id,
        "given_on": given_on,
        "period_start": start,
        "period_end": end,
        "amount": 147_000,
        "funding_source": "national_programme",
    }
    return SimpleNamespace(**(values | kwargs))


QUARTER = rule("quarter")


def test_quarter_conflicts_when_same_quarter():
    old = record(D(2025, 1, 10))
    assert duplicates.conflicts(record(D(2025, 3, 31)), [old], QUARTER) == [old]


def test_quarter_allows_when_next_quarter():
    assert duplicates.conflicts(record(D(2025, 4, 1)), [record(D(2025, 3, 31))], QUARTER) == []


def test_quarter_allows_when_same_quarter_of_another_year():
    assert duplicates.conflicts(record(D(2025, 2, 1)), [record(D(2024, 2, 1))], QUARTER) == []


def test_quarter_uses_period_start_when_given():
    old = record(D(2025, 4, 2), start=D(2025, 1, 1), end=D(2025, 3, 31))
    assert duplicates.conflicts(record(D(2025, 2, 1)), [old], QUARTER) == [old]


def test_household_scope_allows_when_other_household():
    assert (
        duplicates.conflicts(record(D(2025, 1, 5), household=2), [record(D(2025, 1, 6))], QUARTER)
        == []
    )


def test_rule_ignores_other_support_type():
    assert (
        duplicates.conflicts(record(D(2025, 1, 5), type_id=2), [record(D(2025, 1, 6))], QUARTER)
        == []
    )


def test_inactive_rule_finds_nothing():
    inactive = rule("quarter", active=False)
    assert duplicates.conflicts(record(D(2025, 1, 5)), [record(D(2025, 1, 6))], inactive) == []


def test_no_rule_finds_nothing():
    assert duplicates.conflicts(record(D(2025, 1, 5)), [record(D(2025, 1, 6))], None) == []


def test_year_conflicts_when_same_calendar_year():
    old = record(D(2025, 1, 1))
    assert duplicates.conflicts(record(D(2025, 12, 31)), [old], rule("year")) == [old]


def test_year_allows_when_next_calendar_year():
    assert (
        duplicates.conflicts(record(D(2026, 1, 1)), [record(D(2025, 12, 31))], rule("year")) == []
    )


SCHOOL = rule("school_year", scope="member")


def test_school_year_conflicts_across_new_year():
    old = record(D(2024, 9, 5), member=7)
    assert duplicates.conflicts(record(D(2025, 8, 31), member=7), [old], SCHOOL) == [old]


def test_school_year_allows_from_september():
    assert (
        duplicates.conflicts(
            record(D(2025, 9, 1), member=7), [record(D(2025, 8, 31), member=7)], SCHOOL
        )
        == []
    )


def test_member_scope_allows_when_other_member():
    assert (
        duplicates.conflicts(
            record(D(2025, 1, 5), member=7), [record(D(2025, 1, 6), member=8)], SCHOOL
        )
        == []
    )


def test_member_scope_compares_household_when_member_missing():
    old = record(D(2025, 1, 6), member=8)
    assert duplicates.conflicts(record(D(2025, 1, 5), member=None), [old], SCHOOL) == [old]


TEN_YEARS = rule("years", years=10)


def test_years_conflicts_within_the_years():
    old = record(D(2015, 6, 1))
    assert duplicates.conflicts(record(D(2025, 5, 31)), [old], TEN_YEARS) == [old]


def test_years_allows_after_the_years():
    assert duplicates.conflicts(record(D(2025, 6, 1)), [record(D(2015, 6, 1))], TEN_YEARS) == []


def test_years_conflicts_with_a_later_record_too():
    old = record(D(2025, 6, 1))
    assert duplicates.conflicts(record(D(2020, 1, 1)), [old], TEN_YEARS) == [old]


OVERLAP = rule("overlap", scope="member")


def test_overlap_conflicts_when_periods_intersect():
    old = record(D(2025, 1, 1), member=7, start=D(2025, 1, 1), end=D(2025, 12, 31))
    new = record(D(2025, 6, 1), member=7, start=D(2025, 12, 31), end=D(2026, 12, 31))
    assert duplicates.conflicts(new, [old], OVERLAP) == [old]


def test_overlap_allows_when_periods_follow():
    old = record(D(2025, 1, 1), member=7, start=D(2025, 1, 1), end=D(2025, 12, 31))
    new = record(D(2025, 12, 1), member=7, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert duplicates.conflicts(new, [old], OVERLAP) == []


def test_overlap_uses_loan_term_through_covered_until():
    loan = record(D(2023, 1, 1), covered_from=D(2023, 1, 1), covered_until=D(2025, 12, 31))
    new = record(D(2025, 6, 1))
    assert duplicates.conflicts(new, [loan], rule("overlap")) == [loan]


def test_record_never_conflicts_with_itself():
    same = record(D(2025, 1, 5))
    assert duplicates.conflicts(same, [same], QUARTER) == []


def test_exact_duplicate_when_all_fields_equal():
    a, b = record(D(2025, 1, 5)), record(D(2025, 1, 5))
    assert duplicates.is_exact_duplicate(a, b) is True


def test_exact_duplicate_not_when_other_source():
    a, b = record(D(2025, 1, 5)), record(D(2025, 1, 5), funding_source="charity")
    assert duplicates.is_exact_duplicate(a, b) is False


def test_exact_duplicate_not_when_other_amount():
    a, b = record(D(2025, 1, 5)), record(D(2025, 1, 5), amount=100)
    assert duplicates.is_exact_duplicate(a, b) is False


def test_conflicting_pairs_lists_each_pair_once():
    q1a, q1b, q2 = record(D(2025, 1, 5)), record(D(2025, 2, 5)), record(D(2025, 4, 5))
    assert duplicates.conflicting_pairs([q2, q1b, q1a], QUARTER) == [(q1a, q1b)]


def test_conflicting_pairs_reaches_back_the_rules_years():
    first, second, third = record(D(2010, 1, 1)), record(D(2016, 1, 1)), record(D(2024, 1, 1))
    pairs = duplicates.conflicting_pairs([first, second, third], TEN_YEARS)
    assert pairs == [(first, second), (second, third)]
