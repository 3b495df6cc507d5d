"""What an import reports: the problems of a file and the counts of its changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """One problem of the file: where it is and what is wrong."""

    sheet: str
    row: int | None
    column: str
    header: str
    message: str

    @property
    def location(self) -> str:
        parts = [self.sheet]
        if self.row:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            column = _("column %(column)s") % {"column": self.column}
            parts.append(f"{column} ({self.header})" if self.header else column)
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    households: Counter = field(default_factory=Counter)
    members: Counter = field(default_factory=Counter)
    assessments: Counter = field(default_factory=Counter)
    saved: bool = False
    #: Versions of the matched households as the preview read them (``versions``).
    snapshot: dict[str, str] = field(default_factory=dict)
    #: Citizen IDs held in wards the importer does not see (recorded for the city).
    conflicts: list = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes(self) -> int:
        return sum(
            c["created"] + c["updated"] for c in (self.households, self.members, self.assessments)
        )

    def summary(self) -> dict:
        return {
            name: {k: getattr(self, name)[k] for k in ("created", "updated", "unchanged")}
            for name in ("households", "members", "assessments")
        }


class CellError(Exception):
    pass
