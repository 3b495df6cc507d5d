"""The member's school and grade: the form keeps them, the demo fills them once."""

import datetime

import pytest

from households.demo import CODE_PREFIX
from households.demo_current import fill_school_facts, school_grade
from households.models import SchoolLevel
from tests.conftest import unit
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("level", "birth_year", "expected"),
    [
        (SchoolLevel.PRIMARY, 2019, 1),  # six in the school year 2025–26
        (SchoolLevel.PRIMARY, 2015, 5),
        (SchoolLevel.PRIMARY, 2012, 5),  # kept within the level
        (SchoolLevel.LOWER_SECONDARY, 2014, 6),
        (SchoolLevel.LOWER_SECONDARY, 2010, 9),
        (SchoolLevel.UPPER_SECONDARY, 2010, 10),
        (SchoolLevel.UPPER_SECONDARY, 2007, 12),
        (SchoolLevel.PRESCHOOL, 2021, None),
        (SchoolLevel.HIGHER, 2005, None),
    ],
)
def test_school_grade_at_the_bounds_of_each_level(level, birth_year, expected):
    assert school_grade(level, birth_year, 2025) == expected


def test_fill_school_facts_keeps_recorded_facts_and_runs_once(units):
    home = HouseholdFactory(unit=unit("6688"), code=f"{CODE_PREFIX}0001")
    blank = MemberFactory(household=home, birth_year=2017, school_level=SchoolLevel.PRIMARY)
    kept = MemberFactory(
        household=home,
        birth_year=2017,
        school_level=SchoolLevel.PRIMARY,
        school_name="Trường Tiểu học Lê Lợi",
        school_grade=4,
    )
    other = MemberFactory(
        household=HouseholdFactory(unit=unit("6688"), code="KH-REAL"),
        school_level=SchoolLevel.PRIMARY,
    )

    assert fill_school_facts(today=datetime.date(2026, 12, 3)) == 1
    assert fill_school_facts(today=datetime.date(2026, 12, 3)) == 0

    blank.refresh_from_db(), kept.refresh_from_db(), other.refresh_from_db()
    assert (blank.school_name, blank.school_grade) == ("Trường Tiểu học Phường Hạ Long", 4)
    assert (kept.school_name, kept.school_grade) == ("Trường Tiểu học Lê Lợi", 4)
    assert other.school_name == ""
