"""Text helpers for Vietnamese: search that ignores diacritics."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case ``text`` without diacritics: "Nguyễn Văn Đức" → "nguyen van duc".

    Stored next to names so that a plain ``icontains`` finds them on SQLite
    and PostgreSQL alike (no ``unaccent`` extension needed).
    """
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())
