"""What an import means to change, row by row, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from communes.models import AdministrativeUnit

from ..models import Assessment, Household, Member
from .reading import Sheet

DEFAULT_ETHNICITY = "Kinh"

#: Member fields an import writes.
MEMBER_FIELDS = (
    "full_name",
    "citizen_id",
    "sex",
    "birth_year",
    "birth_date",
    "relation",
    "ethnicity",
    "health_insurance_number",
    "health_insurance_expiry",
)
ASSESSMENT_FIELDS = (
    "member_count",
    "income_per_capita",
    "score_a",
    "national_status",
    "provincial_status",
    "recorded_status",
    "status",
)


# --- Plans ------------------------------------------------------------------------


@dataclass
class Row:
    sheet: Sheet
    number: int
    values: dict[str, Any]
    flags: dict[str, bool]
    failed: bool = False


@dataclass
class MemberPlan:
    member: Member
    is_new: bool
    #: (row, column key) where the citizen ID was given, for messages.
    where: tuple[Row, str] | None = None
    changed: bool = False
    old_citizen_id: str = ""
    #: The head only: values from the households sheet (and its members-sheet row).
    head_values: dict = field(default_factory=dict)
    head_row: Row | None = None


@dataclass
class HouseholdPlan:
    household: Household
    is_new: bool
    unit: AdministrativeUnit
    row: Row
    changed: bool = False
    head: MemberPlan | None = None
    members: list[MemberPlan] = field(default_factory=list)
    #: Existing current members (pk → Member) not yet matched to a row.
    unmatched: dict[int, Member] = field(default_factory=dict)
    current: list[Member] = field(default_factory=list)


@dataclass
class AssessmentPlan:
    assessment: Assessment
    is_new: bool
    household: HouseholdPlan
    indicator_ids: set[int] | None = None  # new set when changed
    causes: list[tuple[str, bool]] | None = None  # new causes when changed
