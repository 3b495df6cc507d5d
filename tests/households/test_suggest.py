"""Suggested deprivation flags at the age and field boundaries (unsaved members)."""

import datetime

import pytest
from django.utils import translation

from households.models import EducationLevel, Member, WorkStatus
from households.rules import INCOME_OR_DEPRIVATION
from households.suggest import NO_LOWER_SECONDARY, PRECARIOUS_WORK, suggest_deprivations

DAY = datetime.date(2025, 10, 1)
QD59_DAY = datetime.date(2018, 10, 1)
ND07_CODES = {
    "employment",
    "dependents",
    "nutrition",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "information_devices",
}
QD59_CODES = {
    "health_access",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "information_devices",
}


def member(age: int, on: datetime.date = DAY, *, insured: bool = True, **fields) -> Member:
    """A member aged exactly ``age`` on ``on`` (birthday that day), insured by default.

    Defaults describe a member who triggers nothing: an adult in contract
    work with upper-secondary education.
    """
    born = on.replace(year=on.year - age)
    values = {
        "full_name": f"Người {age}",
        "birth_year": born.year,
        "birth_date": born,
        "health_insurance_number": "HN4010012345678" if insured else "",
        "education_level": EducationLevel.UPPER_SECONDARY,
        "work_status": WorkStatus.EMPLOYED_CONTRACT,
    }
    values.update(fields)
    return Member(**values)


def turning(age: int, on: datetime.date = DAY, **fields) -> Member:
    """A member whose ``age``-th birthday is the day after ``on`` (still ``age`` − 1)."""
    born = on.replace(year=on.year - age) + datetime.timedelta(days=1)
    return member(age, on, birth_year=born.year, birth_date=born, **fields)


def suggest(members, on=DAY, codes=frozenset(ND07_CODES), **kwargs):
    return suggest_deprivations(members, on=on, indicator_codes=set(codes), **kwargs)


# health_insurance


def test_health_insurance_suggested_when_member_aged_six_has_no_card():
    result = suggest([member(30), member(6, insured=False, school_level="primary")])

    assert set(result) == {"health_insurance"}
    assert "Người 6 (6)" in result["health_insurance"]


def test_health_insurance_not_suggested_when_uninsured_child_is_a_day_short_of_six():
    assert "health_insurance" not in suggest([member(30), turning(6, insured=False)])


def test_health_insurance_not_suggested_when_card_expires_on_the_day():
    assert "health_insurance" not in suggest([member(30, health_insurance_expiry=DAY)])


def test_health_insurance_suggested_when_card_expired_the_day_before():
    expired = member(30, health_insurance_expiry=DAY - datetime.timedelta(days=1))

    assert "health_insurance" in suggest([expired])


def test_health_insurance_suggested_when_expiry_given_without_card_number():
    no_number = member(30, insured=False, health_insurance_expiry=datetime.date(2030, 1, 1))

    assert "health_insurance" in suggest([no_number])


def test_health_insurance_not_suggested_when_card_has_no_expiry():
    assert suggest([member(30, health_insurance_expiry=None)]) == {}


def test_health_insurance_uses_birth_year_when_no_birth_date():
    six_by_year = member(6, insured=False, birth_date=None, birth_year=DAY.year - 6)
    five_by_year = member(5, insured=False, birth_date=None, birth_year=DAY.year - 5)

    assert "health_insurance" in suggest([six_by_year])
    assert "health_insurance" not in suggest([five_by_year])


def test_health_insurance_not_suggested_when_uninsured_member_left_before_the_day():
    gone = member(30, insured=False, left_on=DAY - datetime.timedelta(days=1))

    assert suggest([member(40), gone]) == {}


def test_health_insurance_not_suggested_when_uninsured_member_left_on_the_day():
    assert suggest([member(40), member(30, insured=False, left_on=DAY)]) == {}


def test_health_insurance_suggested_when_member_left_after_the_day():
    later = member(30, insured=False, left_on=DAY + datetime.timedelta(days=1))

    assert "health_insurance" in suggest([member(40), later])


def test_health_insurance_not_returned_when_standard_lacks_indicator():
    assert suggest([member(30, insured=False)], codes=ND07_CODES - {"health_insurance"}) == {}


# school_attendance


@pytest.mark.parametrize(
    ("child", "suggested"),
    [
        (turning(3), False),
        (member(3), True),
        (member(15), True),
        (turning(16), True),
        (member(16), False),
    ],
    ids=["2y364d", "3", "15", "15y364d", "16"],
)
def test_school_attendance_nd07_at_age_boundaries_when_not_at_school(child, suggested):
    result = suggest([member(40), member(40), child])

    assert ("school_attendance" in result) is suggested


def test_school_attendance_not_suggested_when_child_at_school():
    assert "school_attendance" not in suggest([member(40), member(8, school_level="primary")])


@pytest.mark.parametrize(("age", "suggested"), [(4, False), (5, True), (14, True), (15, False)])
def test_school_attendance_qd59_at_age_boundaries_when_not_at_school(age, suggested):
    result = suggest(
        [member(40, QD59_DAY), member(age, QD59_DAY)],
        on=QD59_DAY,
        codes=QD59_CODES,
        rule_type=INCOME_OR_DEPRIVATION,
    )

    assert ("school_attendance" in result) is suggested


# dependents


@pytest.mark.parametrize(
    ("household", "suggested"),
    [
        ([member(40), member(40), member(10), member(10)], False),  # 2 of 4: exactly half
        ([member(40), member(40), member(10), member(10), member(70)], True),  # 3 of 5
        ([member(40), member(15), member(15)], True),
        ([member(40), member(16), member(16)], False),
        ([member(40), turning(16), turning(16)], True),
        ([member(40), member(60), member(60)], True),
        ([member(40), member(59), member(59)], False),
        ([member(40), turning(60), turning(60)], False),
        ([member(40), member(30, has_disability=True), member(30, has_disability=True)], True),
        ([member(10)], True),
        ([], False),
    ],
    ids=[
        "half",
        "three-of-five",
        "children-15",
        "aged-16",
        "a-day-short-of-16",
        "aged-60",
        "aged-59",
        "a-day-short-of-60",
        "disabled",
        "child-alone",
        "nobody",
    ],
)
def test_dependents_at_share_and_age_boundaries(household, suggested):
    assert ("dependents" in suggest(household)) is suggested


def test_dependents_ignores_members_who_left_when_counting():
    gone = [member(40, left_on=datetime.date(2024, 1, 1)) for _ in range(3)]

    assert "dependents" in suggest([member(40), member(10), member(10), *gone])


def test_dependents_reason_gives_counts_when_suggested():
    with translation.override("en"):
        reason = suggest([member(40), member(10), member(70)])["dependents"]

    assert "2 of 3 members" in reason


def test_dependents_not_returned_when_qd59():
    result = suggest(
        [member(10, QD59_DAY), member(70, QD59_DAY)],
        on=QD59_DAY,
        codes=QD59_CODES,
        rule_type=INCOME_OR_DEPRIVATION,
    )

    assert "dependents" not in result


# employment


@pytest.mark.parametrize(
    ("worker", "suggested"),
    [
        (turning(15, work_status=WorkStatus.UNEMPLOYED), False),
        (member(15, work_status=WorkStatus.UNEMPLOYED), True),
        (member(59, work_status=WorkStatus.UNEMPLOYED), True),
        (turning(60, work_status=WorkStatus.UNEMPLOYED), True),
        (member(60, work_status=WorkStatus.UNEMPLOYED), False),
        (member(30, work_status=WorkStatus.EMPLOYED_NO_CONTRACT), True),
        (member(30, work_status=WorkStatus.EMPLOYED_CONTRACT), False),
        (member(30, work_status=WorkStatus.SELF_EMPLOYED), False),
        (member(30, work_status=""), False),
    ],
    ids=[
        "14y364d",
        "15",
        "59",
        "59y364d",
        "60",
        "no-contract",
        "contract",
        "self-employed",
        "blank",
    ],
)
def test_employment_at_age_and_status_boundaries(worker, suggested):
    assert ("employment" in suggest([member(40), worker])) is suggested


# adult_education


@pytest.mark.parametrize(
    ("adult", "suggested"),
    [
        (member(15, education_level=EducationLevel.PRIMARY), False),
        (member(16, education_level=EducationLevel.PRIMARY), True),
        (member(30, education_level=EducationLevel.NONE), True),
        (turning(31, education_level=EducationLevel.NONE), True),
        (member(31, education_level=EducationLevel.NONE), False),
        (member(20, education_level=EducationLevel.LOWER_SECONDARY), False),
        (member(20, education_level=""), False),
        (member(20, education_level=EducationLevel.PRIMARY, school_level="vocational"), False),
    ],
    ids=[
        "15",
        "16",
        "30",
        "30y364d",
        "31",
        "lower-secondary",
        "blank",
        "in-training",
    ],
)
def test_adult_education_nd07_at_age_and_level_boundaries(adult, suggested):
    assert ("adult_education" in suggest([member(40), adult])) is suggested


@pytest.mark.parametrize(
    ("fields", "suggested"),
    [
        ({"birth_year": 1986, "birth_date": None}, True),
        ({"birth_year": 1985, "birth_date": None}, False),
        ({"birth_year": 2003, "birth_date": None}, True),  # 15 in 2018
        ({"birth_year": 2004, "birth_date": None}, False),  # 14 in 2018
        ({"birth_year": 1990, "birth_date": None, "school_level": "upper_secondary"}, False),
        ({"birth_year": 1990, "birth_date": None, "education_level": "lower_secondary"}, False),
    ],
    ids=["born-1986", "born-1985", "aged-15", "aged-14", "at-school", "lower-secondary"],
)
def test_adult_education_qd59_at_birth_year_and_level_boundaries(fields, suggested):
    adult = member(0, QD59_DAY, **{"education_level": EducationLevel.PRIMARY, **fields})

    result = suggest(
        [member(40, QD59_DAY), adult],
        on=QD59_DAY,
        codes=QD59_CODES,
        rule_type=INCOME_OR_DEPRIVATION,
    )

    assert ("adult_education" in result) is suggested


def test_adult_education_uses_nd07_bands_when_rule_type_not_given():
    # Born 1990, aged 35: deprived under QĐ 59 (born ≥ 1986), not under NĐ 07 (16–30).
    adult = member(35, education_level=EducationLevel.PRIMARY)

    assert "adult_education" not in suggest([adult])
    assert "adult_education" in suggest([adult], rule_type=INCOME_OR_DEPRIVATION)


# housing_area


@pytest.mark.parametrize(("area", "suggested"), [(31.9, True), (32, False), (40, False), (0, True)])
def test_housing_area_at_eight_square_metres_per_person(area, suggested):
    household = [member(40) for _ in range(4)]

    assert ("housing_area" in suggest(household, floor_area_m2=area)) is suggested


def test_housing_area_not_suggested_when_floor_area_unknown():
    assert "housing_area" not in suggest([member(40) for _ in range(10)])


def test_housing_area_counts_only_present_members():
    left = member(40, left_on=datetime.date(2020, 1, 1))

    assert "housing_area" not in suggest([member(40), member(40), left], floor_area_m2=16)


def test_housing_area_reason_rounds_down_when_just_under_eight():
    with translation.override("en"):
        reason = suggest([member(40) for _ in range(5)], floor_area_m2=39.8)["housing_area"]

    assert "7.9 m² per person" in reason


# the whole household


def test_suggest_returns_nothing_when_household_meets_every_indicator():
    household = [member(40), member(38), member(12, school_level="lower_secondary")]

    assert suggest(household, floor_area_m2=60) == {}


def test_suggest_ignores_members_born_after_the_day():
    unborn = member(0, birth_date=DAY + datetime.timedelta(days=1), insured=False)

    assert suggest([member(40), unborn], floor_area_m2=8) == {}


def test_suggest_never_returns_indicators_that_need_a_site_visit():
    household = [member(2, insured=False), member(70, insured=False)]

    result = suggest(household, floor_area_m2=1)

    assert set(result) <= {
        "health_insurance",
        "school_attendance",
        "adult_education",
        "employment",
        "dependents",
        "housing_area",
    }
    assert set(result) == {"health_insurance", "dependents", "housing_area"}


def test_suggest_constants_match_model_choices_when_compared():
    assert {EducationLevel.NONE, EducationLevel.PRIMARY} == NO_LOWER_SECONDARY
    assert {WorkStatus.UNEMPLOYED, WorkStatus.EMPLOYED_NO_CONTRACT} == PRECARIOUS_WORK
