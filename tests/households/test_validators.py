"""Citizen ID (CCCD) validation: every rule and its boundaries."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from households.validators import PROVINCE_CODES, citizen_id_mask, validate_citizen_id


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def message_of(value, **kwargs) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validate_citizen_id(value, **kwargs)
    return " ".join(excinfo.value.messages)


def test_validate_accepts_valid_id_when_birth_data_agree():
    assert validate_citizen_id("022085001234", birth_year=1985, sex="male") is None


def test_validate_accepts_valid_id_when_no_birth_data_given():
    assert validate_citizen_id("001300000001") is None


@pytest.mark.parametrize(
    "value", ["02208500123", "0220850012345", "", "02208500123a", "０２２０８５００１２３４"]
)
def test_validate_refuses_when_not_exactly_12_ascii_digits(value):
    assert "exactly 12 digits" in message_of(value)


def test_province_list_has_the_63_pre_2025_codes():
    assert len(PROVINCE_CODES) == 63
    assert {"001", "022", "096"} <= PROVINCE_CODES
    assert not {"000", "003", "097", "099"} & PROVINCE_CODES


@pytest.mark.parametrize("prefix", ["000", "003", "097", "999"])
def test_validate_refuses_when_prefix_is_not_a_province(prefix):
    assert f"first 3 digits ({prefix})" in message_of(f"{prefix}085001234")


@pytest.mark.parametrize("digit", "6789")
def test_validate_refuses_when_century_digit_above_5(digit):
    assert f"4th digit ({digit})" in message_of(f"022{digit}85001234")


@pytest.mark.parametrize(
    ("value", "birth_year", "sex"),
    [
        ("022099001234", 1999, "male"),
        ("022199001234", 1999, "female"),
        ("022200001234", 2000, "male"),
        ("022300001234", 2000, "female"),
        ("022400001234", 2100, "male"),
        ("022500001234", 2100, "female"),
    ],
)
def test_validate_accepts_century_digit_at_century_boundaries(value, birth_year, sex):
    assert validate_citizen_id(value, birth_year=birth_year, sex=sex) is None


def test_validate_refuses_when_century_digit_says_2000s_for_1999():
    assert message_of("022299001234", birth_year=1999, sex="male") == (
        "The 4th digit says male born 2000–2099, but the member is male born 1999."
    )


def test_validate_refuses_when_century_digit_says_1900s_for_2000():
    assert message_of("022000001234", birth_year=2000, sex="male") == (
        "The 4th digit says male born 1900–1999, but the member is male born 2000."
    )


def test_validate_names_both_sex_and_century_when_both_disagree():
    assert message_of("022385001234", birth_year=1985, sex="male") == (
        "The 4th digit says female born 2000–2099, but the member is male born 1985."
    )


def test_validate_refuses_when_only_sex_given_and_disagrees():
    assert message_of("022185001234", sex="male") == (
        "The 4th digit says female born 1900–1999, but the member is male."
    )


def test_validate_refuses_when_only_year_given_and_century_disagrees():
    assert message_of("022085001234", birth_year=2005) == (
        "The 4th digit says male born 1900–1999, but the member is born 2005."
    )


def test_validate_refuses_when_year_digits_disagree():
    message = message_of("022086001234", birth_year=1985, sex="male")
    assert "5th–6th digits (86)" in message and "born in 1985" in message


def test_validate_checks_year_digits_with_leading_zero():
    assert validate_citizen_id("022205001234", birth_year=2005, sex="male") is None
    assert "5th–6th digits (50)" in message_of("022250001234", birth_year=2005, sex="male")


def test_mask_shows_only_last_4_digits():
    assert citizen_id_mask("022085001234") == "••••••••1234"


def test_mask_is_empty_when_no_id():
    assert citizen_id_mask("") == ""
    assert citizen_id_mask(None) == ""
