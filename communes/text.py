"""Text helpers: search that ignores Vietnamese diacritics; spreadsheet-safe cells;
masked citizen IDs."""

import datetime
import re
import unicodedata
from decimal import Decimal
from typing import Any

#: The character that hides the digits of a citizen ID.
MASK_CHAR = "•"

#: A text cell starting with one of these is read as a formula (or DDE) by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def clean_name(text: str | None) -> str:
    """A personal name as stored: Unicode NFC, no leading, trailing or doubled spaces.

    Vietnamese letters typed on some keyboards (or pasted from PDFs) arrive
    decomposed (NFD: "e" + combining marks); stored as typed, "Nguyễn" in NFD
    and in NFC would be two different names for equality, uniqueness and
    sorting. Every write path of a name (forms, services, imports, the API)
    passes it through here.
    """
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def fold(text: str) -> str:
    """Lower-case ``text`` without diacritics: "Nguyễn Văn Đức" → "nguyen van duc".

    Stored next to names so that a plain ``icontains`` finds them on SQLite
    and PostgreSQL alike (no ``unaccent`` extension needed).
    """
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())


def spreadsheet_safe(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: text that would start a formula gets a ``'``.

    Numbers, dates and ``None`` are returned unchanged; any other value is
    written as its text (lazy translations included). ``spreadsheet_unquote``
    undoes it, so an exported file imports back to the same text.
    """
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    value = str(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_unquote(text: str) -> str:
    """The text before ``spreadsheet_safe`` quoted it."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def natural_key(text: str) -> tuple:
    """Sort key that orders numbers by value: "Tổ 2" before "Tổ 10" (folded, so accents don't reorder)."""
    parts = re.split(r"(\d+)", fold(text))
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)


def citizen_id_mask(value: str | None) -> str:
    """Only the last 4 digits, for lists: "••••••••1234" ("" when empty)."""
    if not value:
        return ""
    return MASK_CHAR * max(len(value) - 4, 0) + value[-4:]
