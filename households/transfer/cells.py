"""Parsers of one cell of an import sheet: each returns a value or raises ``CellError``."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.translation import gettext as _

from communes.text import clean_name, fold, spreadsheet_unquote

from ..models import PovertyStatus, Relation, Sex
from .columns import (
    CAUSE_CODES,
    FLAG_FALSE,
    FLAG_TRUE,
    RELATION_WORDS,
    SEX_WORDS,
    STATUS_WORDS,
)
from .problems import CellError

FIRST_YEAR, LAST_YEAR = 2000, 2100

MISSING = object()


# --- Cell parsers -----------------------------------------------------------------


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return spreadsheet_unquote(str(value).strip())


def parse_text(value: Any, max_length: int) -> str:
    """The cell's text in Unicode NFC with single spaces (names typed on any keyboard)."""
    text = clean_name(_plain(value))
    if len(text) > max_length:
        raise CellError(_("At most %(max)s characters.") % {"max": max_length})
    return text


_GROUPED = re.compile(r"^-?\d{1,3}([.,\s]\d{3})+$")


def parse_int(value: Any, *, negative_message: str | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("Enter a whole number."))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("Enter a whole number."))
        value = int(value)
    if not isinstance(value, int):
        text = str(value).strip().replace("\u00a0", " ")
        if _GROUPED.match(text):
            text = re.sub(r"[.,\s]", "", text)
        if not re.fullmatch(r"-?\d+", text):
            raise CellError(_("Enter a whole number."))
        value = int(text)
    if value < 0:
        raise CellError(negative_message or _("The number cannot be negative."))
    return value


def parse_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(_plain(value))
    if word in FLAG_TRUE:
        return True
    if word in FLAG_FALSE:
        return False
    raise CellError(_("Write 1 or 0, x or blank, có or không."))


def parse_year(value: Any) -> int | None:
    year = parse_int(value)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise CellError(
            _("Enter a year between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return year


def _coded(value: Any, codes, words: dict, message: str) -> str:
    text = _plain(value)
    if not text:
        return ""
    if text in codes:
        return text
    folded = fold(text)
    if folded in codes:
        return folded
    if folded.replace(" ", "_") in codes:
        return folded.replace(" ", "_")
    if folded in words:
        return str(words[folded])
    raise CellError(message % {"value": text})


def parse_sex(value: Any) -> str:
    return _coded(value, Sex.values, SEX_WORDS, _("“%(value)s” is not a sex: write nam or nữ."))


def parse_status(value: Any) -> str:
    return _coded(
        value,
        PovertyStatus.values,
        STATUS_WORDS,
        _("“%(value)s” is not a status: write poor, near_poor, average or not_poor."),
    )


def parse_relation(value: Any) -> str:
    return _coded(
        value,
        Relation.values,
        RELATION_WORDS,
        _("“%(value)s” is not a relation to the head of household."),
    )


def parse_cause(value: Any) -> str:
    code = _plain(value).lower()
    if code and code not in CAUSE_CODES:
        raise CellError(_("Unknown cause code: %(codes)s.") % {"codes": code})
    return code


def parse_causes(value: Any) -> list[str]:
    codes = [c.strip().lower() for c in re.split(r"[;,]", _plain(value)) if c.strip()]
    unknown = [c for c in codes if c not in CAUSE_CODES]
    if unknown:
        raise CellError(_("Unknown cause code: %(codes)s.") % {"codes": ", ".join(unknown)})
    return list(dict.fromkeys(codes))


def parse_citizen_id(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel drops the leading zeros of a number: 022085000123 → 22085000123.
        number = parse_int(value)
        return f"{number:012d}" if number is not None and number < 10**12 else str(number)
    return _plain(value).replace(" ", "").replace(".", "")


def parse_date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _plain(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Enter a date as dd/mm/yyyy."))


def _income(value):
    return parse_int(value, negative_message=_("Income cannot be negative."))


def _score(value):
    return parse_int(value, negative_message=_("The A-score cannot be negative."))


HOUSEHOLD_PARSERS = {
    "household_code": lambda v: parse_text(v, 30),
    "unit_code": lambda v: parse_text(v, 20),
    "village": lambda v: parse_text(v, 200),
    "head_name": lambda v: parse_text(v, 150),
    "head_citizen_id": parse_citizen_id,
    "head_sex": parse_sex,
    "head_birth_year": parse_int,
    "ethnic_minority": parse_flag,
    "members": parse_int,
    "year": parse_year,
    "income_per_capita": _income,
    "score_a": _score,
    "status": parse_status,
    "primary_cause": parse_cause,
    "causes": parse_causes,
}
MEMBER_PARSERS = {
    "household_code": lambda v: parse_text(v, 30),
    "unit_code": lambda v: parse_text(v, 20),
    "full_name": lambda v: parse_text(v, 150),
    "citizen_id": parse_citizen_id,
    "sex": parse_sex,
    "birth_date": parse_date,
    "birth_year": parse_int,
    "relation": parse_relation,
    "ethnicity": lambda v: parse_text(v, 50),
    "health_insurance_card": lambda v: parse_text(v, 20),
    "health_insurance_expiry": parse_date,
}
