"""Import of households, members and review results from a parsed table.

``import_households`` validates every row first and lists every problem
(sheet, Excel row, column, message); nothing is written while one remains.
The write is one transaction of bulk statements, history included, and
compares values first, so importing the same file twice changes nothing.

Rules of the sheets (see also ``columns``):

* A household is found by its code in the unit its ``unit_code`` names in
  the row's year (codes are reused, so the year decides), or in a successor
  of that unit; else it is created there.
* A column missing from the header leaves the value alone. A blank cell
  clears an optional value (citizen ID, health-insurance card, village) and
  keeps a required one (name, sex, year of birth, relation).
* A row with a ``year`` is the recognised result of that year's periodic
  review: the assessment is created (status "recognised"), or updated if a
  value differs. ``status`` given: kept as the decision, and a difference
  from the computed classification is reported as a warning. Blank: the
  app classifies.
* Members on the ``members`` sheet are matched to current members by
  citizen ID, else by name and year of birth; others are added. Members not
  in the file are kept (leaving needs a date and a reason). The head's row
  (relation ``head``) completes the head named on the households sheet.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from communes.audit import AccessKind, log_access
from communes.models import AdministrativeUnit, UnitSuccession
from communes.permissions import Action, unit_ids_with
from communes.selectors import unit_scope_ids
from communes.text import fold

from ..models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Household,
    Indicator,
    Member,
    PovertyStandard,
    PovertyStatus,
    Relation,
    ReviewKind,
    ReviewRound,
    Sex,
    StandardLevel,
)
from ..rules import AREAS, NotEnoughEvidence, StandardRule, classify
from ..signals import register_bulk_changed
from ..validators import validate_citizen_id
from . import bulk
from .columns import (
    CAUSE_CODES,
    FLAG_FALSE,
    FLAG_TRUE,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_REQUIRED,
    MEMBER_COLUMNS,
    MEMBER_REQUIRED,
    RELATION_WORDS,
    SEX_WORDS,
    STATUS_WORDS,
    column_lookup,
    header_key,
    pick_assessment,
    unquote,
)
from .reading import Sheet, Table

FIRST_BIRTH_YEAR = 1900
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: Rows per bulk statement (well under SQLite's limit on query parameters).
BATCH = 500
DEFAULT_ETHNICITY = "Kinh"


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
    return unquote(str(value).strip())


def parse_text(value: Any, max_length: int) -> str:
    text = " ".join(_plain(value).split())
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


class _Importer:
    def __init__(self, table: Table, *, actor, unit_ids: frozenset[int] | None):
        self.table = table
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

    # --- reference data -------------------------------------------------------------

    def load_indicator_names(self) -> dict[str, str]:
        names = {}
        for code, name in Indicator.objects.values_list("code", "name"):
            names[code] = code
            names[header_key(name)] = code
        return names

    def load_units(self, rows: list[Row]) -> None:
        codes = {row.values.get("unit_code") for row in rows} - {None, ""}
        self.units_by_code: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for unit in AdministrativeUnit.objects.grassroots().filter(code__in=codes):
            self.units_by_code[unit.code].append(unit)

    def resolve_unit(self, row: Row) -> AdministrativeUnit | None:
        code = row.values.get("unit_code")
        if not code:
            self.cell_problem(row, "unit_code", _("Enter the unit code."))
            return None
        candidates = self.units_by_code.get(code, [])
        if not candidates:
            self.cell_problem(row, "unit_code", _("Unknown unit code %(code)s.") % {"code": code})
            return None
        year = row.values.get("year")
        day = datetime.date(year, 12, 31) if year else self.today
        valid = [u for u in candidates if u.is_valid_on(day)]
        if not valid and year:
            start = datetime.date(year, 1, 1)
            valid = [
                u
                for u in candidates
                if (u.valid_from is None or u.valid_from <= day)
                and (u.valid_to is None or u.valid_to > start)
            ]
        if not valid:
            self.cell_problem(
                row,
                "unit_code",
                _("The unit with code %(code)s did not exist in %(year)s.")
                % {"code": code, "year": year or self.today.year},
            )
            return None
        unit = valid[-1]
        if self.unit_ids is not None and unit.pk not in self.unit_ids:
            self.cell_problem(
                row,
                "unit_code",
                _(
                    "This household belongs to %(unit)s, another ward than yours: "
                    "you may not import its households."
                )
                % {"unit": unit.name},
            )
            return None
        return unit

    def load_standards(self, years: set[int]) -> None:
        self.standards: dict[int, tuple[PovertyStandard | None, PovertyStandard | None]] = {}
        standards = list(PovertyStandard.objects.prefetch_related("indicators"))
        for year in years:
            national = [
                s for s in standards if s.level == StandardLevel.NATIONAL and s.applies_in(year)
            ]
            provincial = [
                s for s in standards if s.level == StandardLevel.PROVINCIAL and s.applies_in(year)
            ]
            key = lambda s: s.first_year  # noqa: E731
            self.standards[year] = (
                max(national, key=key) if national else None,
                max(provincial, key=key) if provincial else None,
            )
        self.indicator_ids = {s.pk: {i.code: i.pk for i in s.indicators.all()} for s in standards}

    def load_existing(self, units: set[int]) -> None:
        successions = list(UnitSuccession.objects.values_list("predecessor_id", "successor_id"))
        self.successors: dict[int, list[int]] = defaultdict(list)
        for before, after in successions:
            self.successors[before].append(after)
        reach = set(units)
        frontier = list(units)
        while frontier:
            for nxt in self.successors.get(frontier.pop(), []):
                if nxt not in reach:
                    reach.add(nxt)
                    frontier.append(nxt)
        self.existing: dict[tuple[int, str], Household] = {}
        for household in Household.objects.filter(unit_id__in=reach).order_by():
            self.existing[(household.unit_id, household.code.casefold())] = household
        self.current_members: dict[int, list[Member]] = defaultdict(list)
        for member in Member.objects.filter(
            household__unit_id__in=reach, left_on__isnull=True
        ).order_by("birth_year", "pk"):
            self.current_members[member.household_id].append(member)
        self.villages: dict[tuple[int, str], int] = {}
        for pk, parent_id, code, name in (
            AdministrativeUnit.objects.villages()
            .filter(parent_id__in=reach)
            .values_list("pk", "parent_id", "code", "name")
        ):
            self.villages[(parent_id, fold(name))] = pk
            self.villages[(parent_id, code.casefold())] = pk
        years = {y for (_unit, y) in self.round_keys}
        self.assessments_of: dict[tuple[int, int], list[Assessment]] = defaultdict(list)
        self.deprivations: dict[int, dict[int, int]] = defaultdict(dict)  # a → {indicator: id}
        self.causes: dict[int, list[tuple[str, bool]]] = defaultdict(list)
        self.rounds: dict[tuple[int, int], ReviewRound] = {}
        if not years:
            return
        scope = Q(household__unit_id__in=reach, year__in=years)
        for assessment in Assessment.objects.filter(scope).select_related("round").order_by():
            self.assessments_of[(assessment.household_id, assessment.year)].append(assessment)
        through = Assessment.deprivations.through
        for pk, assessment_id, indicator_id in through.objects.filter(
            assessment__household__unit_id__in=reach, assessment__year__in=years
        ).values_list("pk", "assessment_id", "indicator_id"):
            self.deprivations[assessment_id][indicator_id] = pk
        for assessment_id, code, primary in AssessmentCause.objects.filter(
            assessment__household__unit_id__in=reach, assessment__year__in=years
        ).values_list("assessment_id", "code", "is_primary"):
            self.causes[assessment_id].append((code, primary))
        for review_round in ReviewRound.objects.filter(
            unit_id__in=units, year__in=years, kind=ReviewKind.PERIODIC
        ):
            self.rounds[(review_round.unit_id, review_round.year)] = review_round

    # --- households -------------------------------------------------------------------

    def find_household(self, unit: AdministrativeUnit, code: str) -> Household | None:
        seen, queue = set(), [unit.pk]
        while queue:
            unit_id = queue.pop(0)
            if unit_id in seen:
                continue
            seen.add(unit_id)
            household = self.existing.get((unit_id, code.casefold()))
            if household is not None:
                return household
            queue.extend(self.successors.get(unit_id, []))
        return None

    def household_plan(self, row: Row, unit: AdministrativeUnit) -> HouseholdPlan | None:
        code = row.values.get("household_code", "")
        if not code:
            self.cell_problem(row, "household_code", _("Enter the household code."))
            return None
        household = self.find_household(unit, code)
        if household is not None:
            if self.unit_ids is not None and household.unit_id not in self.unit_ids:
                self.cell_problem(
                    row,
                    "household_code",
                    _(
                        "Household %(code)s is now registered in another ward than yours: "
                        "you may not import it."
                    )
                    % {"code": code},
                )
                return None
            key = ("pk", household.pk)
        else:
            key = ("new", unit.pk, code.casefold())
        plan = self.households.get(key)
        if plan is None:
            if household is None:
                household = Household(unit=unit, code=code)
            current = self.current_members.get(household.pk, []) if household.pk else []
            plan = HouseholdPlan(
                household=household,
                is_new=household.pk is None,
                unit=unit,
                row=row,
                current=list(current),
                unmatched={m.pk: m for m in current if m.pk != household.head_id},
            )
            self.households[key] = plan
        return plan

    def apply_household_row(self, plan: HouseholdPlan, row: Row) -> None:
        """Household fields and head from ``row`` (the household's last row in the file)."""
        household, values = plan.household, row.values
        desired = {}
        if "village" in values:
            village = values["village"]
            if not village:
                desired["village_id"] = None
            else:
                village_id = self.villages.get((household.unit_id, fold(village))) or (
                    self.villages.get((household.unit_id, village.casefold()))
                )
                if village_id is None:
                    self.cell_problem(
                        row,
                        "village",
                        _("%(unit)s has no village or residential group “%(village)s”.")
                        % {"unit": plan.unit.name, "village": village},
                    )
                desired["village_id"] = village_id
        if "ethnic_minority" in values:
            desired["is_ethnic_minority"] = values["ethnic_minority"]
        plan.changed = any(getattr(household, k) != v for k, v in desired.items())
        for name, value in desired.items():
            setattr(household, name, value)
        # The head
        head_values = {}
        for source, target in (
            ("head_name", "full_name"),
            ("head_sex", "sex"),
            ("head_birth_year", "birth_year"),
        ):
            if values.get(source) not in (None, ""):
                head_values[target] = values[source]
        if "head_citizen_id" in values:
            head_values["citizen_id"] = values["head_citizen_id"]
        existing_head = next((m for m in plan.current if m.pk == household.head_id), None)
        if existing_head is not None:
            plan.head = MemberPlan(existing_head, is_new=False)
        elif head_values.get("full_name"):
            plan.head = MemberPlan(
                Member(relation=Relation.HEAD, ethnicity=DEFAULT_ETHNICITY), is_new=True
            )
        elif plan.is_new:
            self.cell_problem(row, "head_name", _("Enter the name of the head of household."))
            return
        if plan.head is not None:
            plan.head.head_values = head_values
            plan.head.head_row = row

    # --- assessments ----------------------------------------------------------------

    def assessment_row(self, plan: HouseholdPlan, row: Row, unit: AdministrativeUnit):
        values, year = row.values, row.values.get("year")
        national, provincial = self.standards.get(year, (None, None))
        if national is None:
            self.cell_problem(
                row, "year", _("No national poverty standard applies in %(year)s.") % {"year": year}
            )
            return
        catalogue = self.indicator_ids[national.pk]
        for code, flag in row.flags.items():
            if flag and code not in catalogue:
                row.failed = True
                self.problem(
                    row.sheet,
                    row.number,
                    row.sheet.indicators[code],
                    _("“%(code)s” is not an indicator of %(standard)s, the standard of %(year)s.")
                    % {"code": code, "standard": national.code, "year": year},
                )
        causes = values.get("causes", MISSING)
        primary = values.get("primary_cause", MISSING)
        if primary not in (MISSING, "") and causes is not MISSING and primary not in causes:
            causes = [primary, *causes]
        if row.failed:
            return
        household = plan.household
        existing = None
        if household.pk is not None:
            existing = pick_assessment(self.assessments_of.get((household.pk, year), []))
        old_deps = self.deprivations.get(existing.pk, {}) if existing else {}
        old_codes = {code for code, pk in catalogue.items() if pk in old_deps}
        # Deprivations: the flags of the file; indicators without a column keep their value.
        codes = {code for code in catalogue if row.flags.get(code, code in old_codes)}
        new_causes = None
        if causes is not MISSING:
            chosen_primary = primary if primary not in (MISSING, "") else None
            if chosen_primary is None and primary is MISSING and existing is not None:
                chosen_primary = next((c for c, p in self.causes.get(existing.pk, []) if p), None)
                chosen_primary = chosen_primary if chosen_primary in causes else None
            new_causes = sorted((code, code == chosen_primary) for code in causes)
        elif primary not in (MISSING, "") and existing is not None:
            old = [c for c, _p in self.causes.get(existing.pk, [])]
            new_causes = sorted((c, c == primary) for c in dict.fromkeys([primary, *old]))
        elif primary not in (MISSING, ""):
            new_causes = [(primary, True)]
        desired = {}
        for key in ("income_per_capita", "score_a"):
            if key in values:
                desired[key] = values[key]
        if values.get("members") is not None:
            desired["member_count"] = values["members"]
        status = values.get("status") or ""
        if existing is not None:
            same = (
                all(getattr(existing, k) == v for k, v in desired.items())
                and codes == old_codes
                and (new_causes is None or new_causes == sorted(self.causes.get(existing.pk, [])))
                and (not status or status == existing.recorded_status)
            )
            if same:
                self.result.assessments["unchanged"] += 1
                return
        income = desired.get("income_per_capita", existing.income_per_capita if existing else None)
        score_a = desired.get("score_a", existing.score_a if existing else None)
        area = unit.area if unit.area in AREAS else "rural"
        computed = self.classify(national, area, income, score_a, len(codes))
        if computed is None and not status:
            self.cell_problem(
                row,
                "income_per_capita" if "income_per_capita" in row.sheet.columns else "year",
                _(
                    "Enter the income per person or an A-score that %(code)s can use, "
                    "or the decided status."
                )
                % {"code": national.code},
            )
            return
        provincial_status = ""
        if provincial is not None:
            provincial_codes = set(self.indicator_ids[provincial.pk]) & codes
            provincial_status = (
                self.classify(provincial, area, income, score_a, len(provincial_codes)) or ""
            )
        if status and computed and computed != status:
            self.cell_problem(
                row,
                "status",
                _(
                    "The recorded status “%(recorded)s” differs from the classification "
                    "under %(code)s (“%(computed)s”): the recorded decision is kept."
                )
                % {
                    "recorded": PovertyStatus(status).label,
                    "code": national.code,
                    "computed": PovertyStatus(computed).label,
                },
                warn=True,
            )
        if existing is None:
            review_round = self.rounds.get((unit.pk, year)) or self.new_rounds.get((unit.pk, year))
            if review_round is None:
                review_round = ReviewRound(
                    unit=unit,
                    year=year,
                    kind=ReviewKind.PERIODIC,
                    standard=national,
                    provincial_standard=provincial,
                    opened_on=datetime.date(year, 9, 1),
                )
                self.new_rounds[(unit.pk, year)] = review_round
            assessment = Assessment(round=review_round, unit=unit, year=year)
        else:
            assessment = existing
        assessment.income_per_capita = income
        assessment.score_a = score_a
        if "member_count" in desired:
            assessment.member_count = desired["member_count"]
        assessment.national_status = computed or ""
        assessment.provincial_status = provincial_status
        assessment.recorded_status = status or computed
        assessment.status = AssessmentStatus.RECOGNISED
        self.assessments.append(
            AssessmentPlan(
                assessment=assessment,
                is_new=existing is None,
                household=plan,
                indicator_ids={catalogue[c] for c in codes}
                if existing is None or codes != old_codes
                else None,
                causes=new_causes
                if existing is None or new_causes != sorted(self.causes.get(existing.pk, []))
                else None,
            )
        )
        self.result.assessments["created" if existing is None else "updated"] += 1

    @staticmethod
    def classify(standard, area, income, score_a, count) -> str | None:
        if income is None and score_a is None:
            return None
        try:
            return classify(
                StandardRule.for_area(standard, area),
                income=income,
                score_a=score_a,
                deprivation_count=count,
            )
        except (NotEnoughEvidence, ValueError):
            return None

    # --- members ----------------------------------------------------------------------

    def member_rows(self, rows: list[Row]) -> None:
        by_code: dict[str, list[HouseholdPlan]] = defaultdict(list)
        for plan in self.households.values():
            by_code[plan.household.code.casefold()].append(plan)
        heads_seen: dict[int, int] = {}
        for row in rows:
            if row.failed:
                continue
            code = row.values.get("household_code", "")
            plans = by_code.get(code.casefold(), [])
            if not plans and code.casefold() in self.listed_codes:
                continue  # the household's own row has a problem, already reported
            unit_code = row.values.get("unit_code")
            if unit_code:
                plans = [p for p in plans if p.unit.code == unit_code]
            if not code or not plans:
                self.cell_problem(
                    row,
                    "household_code",
                    _("Household %(code)s is not on the households sheet.") % {"code": code},
                )
                continue
            if len(plans) > 1:
                self.cell_problem(
                    row,
                    "household_code",
                    _("Several households have the code %(code)s: add the unit_code column.")
                    % {"code": code},
                )
                continue
            self.member_row(plans[0], row, heads_seen)

    def member_row(self, plan: HouseholdPlan, row: Row, heads_seen: dict) -> None:
        values = row.values
        person = {}
        if values.get("full_name"):
            person["full_name"] = values["full_name"]
        for source, target in (
            ("citizen_id", "citizen_id"),
            ("health_insurance_card", "health_insurance_number"),
            ("health_insurance_expiry", "health_insurance_expiry"),
            ("birth_date", "birth_date"),
        ):
            if source in values:
                person[target] = values[source]
        for key in ("sex", "relation", "ethnicity"):
            if values.get(key):
                person[key] = values[key]
        birth_year = values.get("birth_year")
        birth_date = values.get("birth_date")
        if birth_date and birth_year and birth_date.year != birth_year:
            self.cell_problem(
                row, "birth_year", _("The date of birth is not in the year of birth.")
            )
            return
        if birth_date or birth_year:
            person["birth_year"] = birth_date.year if birth_date else birth_year
        if person.get("relation") == Relation.HEAD:
            if id(plan) in heads_seen:
                self.cell_problem(
                    row,
                    "relation",
                    _("The household already has a head on row %(row)s.")
                    % {"row": heads_seen[id(plan)]},
                )
                return
            heads_seen[id(plan)] = row.number
            if plan.head is None:
                if plan.household.head_id is None and person.get("full_name"):
                    plan.head = MemberPlan(
                        Member(relation=Relation.HEAD, ethnicity=DEFAULT_ETHNICITY), is_new=True
                    )
                else:
                    return
            self.merge_head(plan, row, person)
            return
        member = self.match_member(plan, person)
        if member is None:
            member_plan = MemberPlan(Member(ethnicity=DEFAULT_ETHNICITY), is_new=True)
        else:
            member_plan = MemberPlan(member, is_new=False)
        if member_plan.is_new and "relation" not in person:
            self.cell_problem(row, "relation", _("Enter the relation to the head of household."))
            return
        self.set_member(member_plan, person, row)
        plan.members.append(member_plan)

    def match_member(self, plan: HouseholdPlan, person: dict) -> Member | None:
        cid = person.get("citizen_id")
        candidates = plan.unmatched.values()
        found = None
        if cid:
            found = next((m for m in candidates if m.citizen_id == cid), None)
        if found is None and person.get("full_name"):
            name = fold(person["full_name"])
            found = next(
                (
                    m
                    for m in candidates
                    if fold(m.full_name) == name
                    and m.birth_year == person.get("birth_year", m.birth_year)
                ),
                None,
            )
        if found is not None:
            del plan.unmatched[found.pk]
        return found

    def merge_head(self, plan: HouseholdPlan, row: Row, person: dict) -> None:
        """The members sheet's head row completes the head of the households sheet."""
        given = plan.head.head_values
        for key in ("full_name", "citizen_id", "sex", "birth_year"):
            if key in given and key in person and given[key] and person[key]:
                same = (
                    fold(given[key]) == fold(person[key])
                    if key == "full_name"
                    else given[key] == person[key]
                )
                if not same:
                    column = {"full_name": "full_name", "birth_year": "birth_year"}.get(key, key)
                    if column not in row.sheet.columns and key == "birth_year":
                        column = "birth_date"
                    self.cell_problem(
                        row,
                        column,
                        _(
                            "The head on the members sheet differs from the head on the "
                            "households sheet (%(value)s)."
                        )
                        % {"value": given[key]},
                    )
                    return
        person.pop("relation", None)
        plan.head.head_values = {**person, **given}
        plan.head.head_row = row

    def set_member(self, member_plan: MemberPlan, person: dict, row: Row | None) -> None:
        member = member_plan.member
        if member_plan.is_new:
            missing = [k for k in ("full_name", "sex", "birth_year") if not person.get(k)]
            if missing and row is not None:
                labels = {"full_name": "full_name", "sex": "sex", "birth_year": "birth_year"}
                key = labels[missing[0]]
                if key not in row.sheet.columns and key == "birth_year":
                    key = "birth_date"
                if key not in row.sheet.columns:
                    key = {"full_name": "head_name", "sex": "head_sex"}.get(key, "head_birth_year")
                self.cell_problem(
                    row, key, _("Enter the name, sex and year of birth of a new member.")
                )
                return
        before = {f: getattr(member, f) for f in MEMBER_FIELDS}
        member_plan.old_citizen_id = before["citizen_id"] or ""
        for key, value in person.items():
            setattr(member, key, value)
        if member.birth_date and member.birth_date.year != member.birth_year:
            member.birth_date = None
        if row is not None:
            this_year = self.today.year
            if not FIRST_BIRTH_YEAR <= (member.birth_year or 0) <= this_year:
                key = "birth_year" if "birth_year" in row.sheet.columns else "head_birth_year"
                if key not in row.sheet.columns:
                    key = "birth_date"
                self.cell_problem(
                    row,
                    key,
                    _("Enter a year between %(first)s and %(last)s.")
                    % {"first": FIRST_BIRTH_YEAR, "last": this_year},
                )
                return
            cid_key = "citizen_id" if "citizen_id" in row.sheet.columns else "head_citizen_id"
            if member.citizen_id:
                try:
                    validate_citizen_id(
                        member.citizen_id, birth_year=member.birth_year, sex=member.sex
                    )
                except ValidationError as error:
                    self.cell_problem(row, cid_key, " ".join(error.messages))
                    return
            member_plan.where = (row, cid_key)
        member_plan.changed = member_plan.is_new or any(
            getattr(member, f) != v for f, v in before.items()
        )

    def finish_heads(self) -> None:
        for plan in self.households.values():
            head = plan.head
            if head is None:
                continue
            values = head.head_values
            row = head.head_row or plan.row
            self.set_member(head, values, row)

    def check_citizen_ids(self) -> None:
        plans = [
            m
            for p in self.households.values()
            for m in ([p.head] if p.head else []) + p.members
            if m.where is not None and m.member.citizen_id
        ]
        first: dict[str, MemberPlan] = {}
        for member_plan in plans:
            cid = member_plan.member.citizen_id
            other = first.setdefault(cid, member_plan)
            if other is not member_plan:
                row, key = member_plan.where
                self.cell_problem(
                    row,
                    key,
                    _("The citizen ID %(cid)s is also given on %(sheet)s, row %(row)s.")
                    % {
                        "cid": cid,
                        "sheet": other.where[0].sheet.name,
                        "row": other.where[0].number,
                    },
                )
        wanted = {
            m.member.citizen_id: m
            for m in plans
            if m.is_new or m.member.citizen_id != m.old_citizen_id
        }
        cids = list(wanted)
        for start in range(0, len(cids), BATCH):
            clashes = Member.objects.filter(
                citizen_id__in=cids[start : start + BATCH], left_on__isnull=True
            ).values_list("citizen_id", "pk", "household__code", "household__unit_id")
            for cid, pk, code, unit_id in clashes:
                member_plan = wanted[cid]
                if member_plan.member.pk == pk:
                    continue
                row, key = member_plan.where
                if self.unit_ids is None or unit_id in self.unit_ids:
                    message = _(
                        "This citizen ID is already recorded for a current member of "
                        "household %(code)s."
                    ) % {"code": code}
                else:
                    message = _(
                        "This citizen ID is already recorded for a current member of a household."
                    )
                self.cell_problem(row, key, message)

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

    # --- writing ------------------------------------------------------------------------

    def write(self) -> None:
        actor = self.actor
        now = timezone.now()
        for review_round in self.new_rounds.values():
            review_round._history_user = actor
            review_round.save()
        plans = list(self.households.values())
        new_households = [p.household for p in plans if p.is_new]
        for household in new_households:
            household.created_at = household.updated_at = now
        bulk.insert(Household, new_households)
        updated_members, new_members = [], []
        for plan in plans:
            for member_plan in ([plan.head] if plan.head else []) + plan.members:
                if not member_plan.changed:
                    continue
                member = member_plan.member
                member.search_name = fold(member.full_name)
                member.updated_at = now
                if member_plan.is_new:
                    member.household = plan.household
                    member.created_at = now
                    new_members.append(member)
                    plan.current.append(member)
                else:
                    updated_members.append(member)
        # Changed members first: a citizen ID may move from one person to another.
        bulk.update(Member, updated_members, [*MEMBER_FIELDS, "search_name", "updated_at"])
        bulk.insert_history(Member, updated_members, user=actor, when=now, change="~")
        bulk.insert(Member, new_members)
        bulk.insert_history(Member, new_members, user=actor, when=now)
        changed_households, search_only = [], []
        for plan in plans:
            household = plan.household
            if plan.head is not None and plan.head.is_new:
                household.head = plan.head.member
                plan.changed = True
            members = sorted(plan.current, key=lambda m: (m.birth_year, m.pk))
            text = fold(
                " ".join([household.code, *(f"{m.full_name} {m.citizen_id}" for m in members)])
            )
            text_changed = text != household.search_text
            household.search_text = text
            if plan.is_new:
                continue
            if plan.changed:
                household.version += 1
                household.updated_at = now
                changed_households.append(household)
            elif text_changed:
                search_only.append(household)
        bulk.update(Household, new_households, ["head", "search_text"])
        bulk.insert_history(Household, new_households, user=actor, when=now)
        bulk.update(
            Household,
            changed_households,
            ["village", "is_ethnic_minority", "head", "search_text", "version", "updated_at"],
        )
        bulk.insert_history(Household, changed_households, user=actor, when=now, change="~")
        bulk.update(Household, search_only, ["search_text"])
        self.write_assessments(now)

    def write_assessments(self, now) -> None:
        actor = self.actor
        new, updated = [], []
        for plan in self.assessments:
            assessment = plan.assessment
            assessment.household = plan.household.household
            assessment.round_id = assessment.round.pk
            if assessment.member_count is None:
                assessment.member_count = len(plan.household.current) or None
            assessment.updated_at = now
            if plan.is_new:
                assessment.created_at = now
                new.append(assessment)
            else:
                assessment.version += 1
                updated.append(assessment)
        bulk.update(Assessment, updated, [*ASSESSMENT_FIELDS, "version", "updated_at"])
        bulk.insert(Assessment, new)
        through = Assessment.deprivations.through
        changed_ids = [p.assessment.pk for p in self.assessments if p.indicator_ids is not None]
        for start in range(0, len(changed_ids), BATCH):
            through.objects.filter(assessment_id__in=changed_ids[start : start + BATCH]).delete()
        links = [
            through(assessment_id=p.assessment.pk, indicator_id=indicator_id)
            for p in self.assessments
            if p.indicator_ids is not None
            for indicator_id in sorted(p.indicator_ids)
        ]
        bulk.insert(through, links, returning=False)
        bulk.insert_history(Assessment, updated, user=actor, when=now, change="~")
        bulk.insert_history(Assessment, new, user=actor, when=now)
        bulk.insert_m2m_history(Assessment, "deprivations", [a.pk for a in updated + new], when=now)
        cause_ids = [p.assessment.pk for p in self.assessments if p.causes is not None]
        for start in range(0, len(cause_ids), BATCH):
            AssessmentCause.objects.filter(
                assessment_id__in=cause_ids[start : start + BATCH]
            ).delete()
        causes = [
            AssessmentCause(assessment_id=p.assessment.pk, code=code, is_primary=primary)
            for p in self.assessments
            if p.causes is not None
            for code, primary in p.causes
        ]
        bulk.insert(AssessmentCause, causes, returning=False)


# --- Entry points -------------------------------------------------------------------


def import_scope(actor, unit: AdministrativeUnit | None = None) -> frozenset[int] | None:
    """Units whose households ``actor`` may import (``None``: all), narrowed to
    ``unit`` and the units it took over when given. ``PermissionDenied`` if none."""
    allowed = unit_ids_with(actor, Action.IMPORT_HOUSEHOLDS)
    if unit is not None:
        if allowed is not None and unit.pk not in allowed:
            raise PermissionDenied
        covered = frozenset(unit_scope_ids(unit.pk))
        allowed = covered if allowed is None else allowed & covered
    if allowed is not None and not allowed:
        raise PermissionDenied
    return allowed


def import_households(
    table: Table,
    *,
    actor,
    unit: AdministrativeUnit | None = None,
    dry_run: bool = False,
    file_name: str = "",
    request=None,
    **log_detail,
) -> ImportResult:
    """Validate ``table`` and, unless ``dry_run`` or a problem was found, write it.

    The rows must belong to the units where ``actor`` may import households
    (``unit`` and its predecessors when given). Validation and write happen
    in one transaction, so a confirmed import never trusts an earlier preview.
    """
    unit_ids = import_scope(actor, unit)
    with transaction.atomic():
        importer = _Importer(table, actor=actor, unit_ids=unit_ids)
        result = importer.plan()
        result.problems.sort(key=lambda p: (p.sheet != table.households.name, p.row or 0))
        result.warnings.sort(key=lambda p: p.row or 0)
        if dry_run or result.problems:
            return result
        importer.write()
        result.saved = True
        units = {p.unit for p in importer.households.values()}
        if result.changes:
            unit_ids = frozenset(u.pk for u in units)
            transaction.on_commit(
                lambda: register_bulk_changed.send(sender=Household, unit_ids=unit_ids, actor=actor)
            )
        log_access(
            request,
            AccessKind.IMPORT,
            user=actor,
            unit=unit or (next(iter(units)) if len(units) == 1 else None),
            label=file_name,
            rows=result.rows,
            file=file_name,
            created=result.households["created"],
            updated=result.households["updated"],
            unchanged=result.households["unchanged"],
            counts=result.summary(),
            **log_detail,
        )
    return result
