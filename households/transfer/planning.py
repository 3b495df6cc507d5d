"""Validation of a whole table into plans; nothing is written here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ..models import ReviewRound
from ..validators import validate_citizen_id
from .cells import HOUSEHOLD_PARSERS, MEMBER_PARSERS, parse_flag
from .columns import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_REQUIRED,
    MEMBER_COLUMNS,
    MEMBER_REQUIRED,
    column_lookup,
    header_key,
)
from .household_rows import HouseholdRows
from .member_rows import MemberRows
from .plans import AssessmentPlan, HouseholdPlan, Row
from .problems import CellError, ImportResult, Problem
from .reading import PROGRESS_ROWS, RowCounter, Sheet, Table
from .reference import ReferenceData


class ImportPlanner(ReferenceData, HouseholdRows, MemberRows):
    """Validates ``table`` and plans its changes; ``ImportWriter`` applies them.

    Every problem is collected in ``result``, so one pass lists them all.
    """

    def __init__(
        self,
        table: Table,
        *,
        actor,
        unit_ids: frozenset[int] | None,
        progress: RowCounter | None = None,
    ):
        self.table = table
        #: Called with the number of rows checked so far (both sheets).
        self.progress = progress
        self.rows_checked = 0
        self.actor = actor
        self.unit_ids = unit_ids
        self.result = ImportResult()
        self.today = timezone.localdate()
        self.households: dict[tuple, HouseholdPlan] = {}
        self.assessments: list[AssessmentPlan] = []
        self.new_rounds: dict[tuple[int, int], ReviewRound] = {}

    # --- problems -------------------------------------------------------------------

    def problem(
        self, sheet: Sheet, row: int | None, index: int | None, message: str, *, warn=False
    ):
        column = get_column_letter(index + 1) if index is not None else ""
        header = ""
        if index is not None and index < len(sheet.header) and sheet.header[index] is not None:
            header = str(sheet.header[index])
        entry = Problem(sheet.name, row, column, header, str(message))
        (self.result.warnings if warn else self.result.problems).append(entry)

    def cell_problem(self, row: Row, key: str, message: str, *, warn=False):
        row.failed = row.failed or not warn
        self.problem(row.sheet, row.number, row.sheet.columns.get(key), message, warn=warn)

    # --- headers and rows ---------------------------------------------------------

    def map_header(self, sheet: Sheet, columns, required, indicators: dict[str, str] | None):
        lookup = column_lookup(columns)
        sheet.columns, sheet.indicators = {}, {}
        for index, text in enumerate(sheet.header):
            if text is None or str(text).strip() == "":
                continue
            folded = header_key(text)
            key = lookup.get(folded) or lookup.get(folded.replace(" ", "_"))
            target, name = sheet.columns, key
            if key is None and indicators is not None:
                name = indicators.get(folded) or indicators.get(folded.replace(" ", "_"))
                target = sheet.indicators
            if name is None:
                self.problem(
                    sheet,
                    1,
                    index,
                    _(
                        "Unknown column “%(header)s”: not a column of the template nor an indicator code."
                    )
                    % {"header": str(text).strip()},
                )
            elif name in target:
                self.problem(sheet, 1, index, _("This column appears twice."))
            else:
                target[name] = index
        missing = [key for key in required if key not in sheet.columns]
        for key in missing:
            self.problem(sheet, 1, None, _("The column “%(column)s” is missing.") % {"column": key})
        return not missing

    def parse_rows(self, sheet: Sheet, parsers) -> list[Row]:
        rows = []
        for number, cells in sheet.rows:
            row = Row(sheet, number, {}, {})
            for key, index in sheet.columns.items():
                raw = cells[index] if index < len(cells) else None
                try:
                    row.values[key] = parsers[key](raw)
                except CellError as error:
                    self.cell_problem(row, key, str(error))
            for code, index in sheet.indicators.items():
                raw = cells[index] if index < len(cells) else None
                try:
                    row.flags[code] = parse_flag(raw)
                except CellError as error:
                    row.failed = True
                    self.problem(sheet, number, index, str(error))
            self.check_row_citizen_id(row)
            rows.append(row)
            self.rows_checked += 1
            if self.progress is not None and self.rows_checked % PROGRESS_ROWS == 0:
                self.progress(self.rows_checked)
        return rows

    def check_row_citizen_id(self, row: Row) -> None:
        """Format and agreement of a row's citizen ID, checked even if other cells failed."""
        values = row.values
        key, birth_key, sex_key = "citizen_id", "birth_year", "sex"
        if "head_citizen_id" in row.sheet.columns:
            key, birth_key, sex_key = "head_citizen_id", "head_birth_year", "head_sex"
        cid = values.get(key)
        if not cid:
            return
        birth_year = values.get(birth_key)
        if birth_year is None and values.get("birth_date"):
            birth_year = values["birth_date"].year
        try:
            validate_citizen_id(cid, birth_year=birth_year, sex=values.get(sex_key) or None)
        except ValidationError as error:
            self.cell_problem(row, key, " ".join(error.messages))

    # --- the whole file -------------------------------------------------------------

    def plan(self) -> ImportResult:
        sheet = self.table.households
        result = self.result
        result.rows = len(sheet.rows)
        indicator_names = self.load_indicator_names()
        if not self.map_header(sheet, HOUSEHOLD_COLUMNS, HOUSEHOLD_REQUIRED, indicator_names):
            return result
        members_sheet = self.table.members
        members_ok = members_sheet is None or self.map_header(
            members_sheet, MEMBER_COLUMNS, MEMBER_REQUIRED, None
        )
        rows = self.parse_rows(sheet, HOUSEHOLD_PARSERS)
        member_rows = (
            self.parse_rows(members_sheet, MEMBER_PARSERS)
            if members_ok and (members_sheet is not None)
            else []
        )
        self.listed_codes = {str(row.values.get("household_code", "")).casefold() for row in rows}
        self.load_units(rows)
        resolved = []
        for row in rows:
            if row.failed:
                continue
            unit = self.resolve_unit(row)
            if unit is not None:
                resolved.append((row, unit))
        years = {row.values["year"] for row, _unit in resolved if row.values.get("year")}
        self.round_keys = {
            (u.pk, row.values["year"]) for row, u in resolved if row.values.get("year")
        }
        self.load_standards(years)
        self.load_existing({unit.pk for _row, unit in resolved})
        # One row per household and year; the latest year's row carries the household.
        seen: dict[tuple, int] = {}
        register_rows: dict[tuple, tuple[Row, HouseholdPlan]] = {}
        for row, unit in resolved:
            plan = self.household_plan(row, unit)
            if plan is None:
                continue
            year = row.values.get("year")
            key = (id(plan), year)
            if key in seen:
                self.cell_problem(
                    row,
                    "household_code",
                    _(
                        "Household %(code)s appears more than once for %(year)s "
                        "(first on row %(row)s)."
                    )
                    % {
                        "code": plan.household.code,
                        "year": year or _("the register"),
                        "row": seen[key],
                    },
                )
                continue
            seen[key] = row.number
            order = (year is None, year or 0)
            current = register_rows.get(id(plan))
            if current is None or order >= (
                current[0].values.get("year") is None,
                current[0].values.get("year") or 0,
            ):
                register_rows[id(plan)] = (row, plan)
            has_results = any(
                row.values.get(k) not in (None, "", [])
                for k in ("income_per_capita", "score_a", "status", "causes", "primary_cause")
            ) or any(row.flags.values())
            if year is None and has_results:
                self.cell_problem(row, "year", _("Enter the review year of these results."))
                continue
            if year is not None:
                self.assessment_row(plan, row, unit)
        for row, plan in register_rows.values():
            self.apply_household_row(plan, row)
        self.member_rows(member_rows)
        self.finish_heads()
        self.check_citizen_ids()
        self.count()
        if self.progress is not None:
            self.progress(self.rows_checked)
        return result

    def count(self) -> None:
        for plan in self.households.values():
            status = "created" if plan.is_new else ("updated" if plan.changed else "unchanged")
            self.result.households[status] += 1
            for member_plan in ([plan.head] if plan.head else []) + plan.members:
                status = (
                    "created"
                    if member_plan.is_new
                    else ("updated" if member_plan.changed else "unchanged")
                )
                self.result.members[status] += 1
