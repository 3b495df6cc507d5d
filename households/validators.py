"""Validation of personal identifiers recorded for household members."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Masking lives in communes.text (communes cannot import households); kept here
# for the callers that read it with the other identifier helpers.
from communes.text import MASK_CHAR, citizen_id_mask  # noqa: F401

#: The 63 province codes of birth registration in use before the 2025
#: merger of provinces (Thông tư 07/2016/TT-BCA): the first 3 digits.
# fmt: off
PROVINCE_CODES = frozenset({
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019",
    "020", "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036",
    "037", "038", "040", "042", "044", "045", "046", "048", "049", "051", "052", "054",
    "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075",
    "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
})
# fmt: on

#: 4th digit → (sex, first year of the century of birth).
CENTURY_SEX_DIGITS = {
    "0": ("male", 1900),
    "1": ("female", 1900),
    "2": ("male", 2000),
    "3": ("female", 2000),
    "4": ("male", 2100),
    "5": ("female", 2100),
}


def _person(sex: str | None, birth_year: int | None = None, century: int | None = None) -> str:
    """ "female born 2000–2099", "male born 1985", "female", "born 1985"."""
    if century is not None:
        years = {"start": century, "end": century + 99}
        if sex == "female":
            return _("female born %(start)s–%(end)s") % years
        return _("male born %(start)s–%(end)s") % years
    if sex and birth_year is not None:
        if sex == "female":
            return _("female born %(year)s") % {"year": birth_year}
        return _("male born %(year)s") % {"year": birth_year}
    if sex:
        return _("female") if sex == "female" else _("male")
    return _("born %(year)s") % {"year": birth_year}


def validate_citizen_id(
    value: str, *, birth_year: int | None = None, sex: str | None = None
) -> None:
    """Check a 12-digit citizen ID (CCCD) and, when given, its agreement with
    the member's year of birth and sex.

    Layout: 3 digits province of birth registration, 1 digit century and sex,
    2 digits year of birth, 6 digits serial. Raises ``ValidationError`` with a
    message naming the part that is wrong.
    """
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("A citizen ID has exactly 12 digits (you entered %(count)s characters).")
            % {"count": len(value)},
            code="citizen_id_format",
        )
    province = value[:3]
    if province not in PROVINCE_CODES:
        raise ValidationError(
            _("The first 3 digits (%(code)s) are not a province code of birth registration.")
            % {"code": province},
            code="citizen_id_province",
        )
    digit = value[3]
    if digit not in CENTURY_SEX_DIGITS:
        raise ValidationError(
            _(
                "The 4th digit (%(digit)s) must be 0 to 5: it encodes the century of birth "
                "and the sex."
            )
            % {"digit": digit},
            code="citizen_id_century",
        )
    encoded_sex, century = CENTURY_SEX_DIGITS[digit]
    century_differs = birth_year is not None and not century <= birth_year <= century + 99
    sex_differs = sex is not None and sex != encoded_sex
    if century_differs or sex_differs:
        raise ValidationError(
            _("The 4th digit says %(encoded)s, but the member is %(actual)s.")
            % {
                "encoded": _person(encoded_sex, century=century),
                "actual": _person(sex, birth_year),
            },
            code="citizen_id_mismatch",
        )
    year_digits = value[4:6]
    if birth_year is not None and year_digits != f"{birth_year % 100:02d}":
        raise ValidationError(
            _(
                "The 5th–6th digits (%(digits)s) are the last two digits of the year of "
                "birth, but the member was born in %(year)s."
            )
            % {"digits": year_digits, "year": birth_year},
            code="citizen_id_year",
        )
