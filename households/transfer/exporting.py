"""Streamed export of households and review results in the import's columns.

``export_households`` yields the file in chunks: CSV row by row; .xlsx
through an openpyxl write-only workbook saved to a temporary file and then
read out. The queryset is walked with ``iterator(chunk_size=...)`` and its
members, assessments, deprivations and causes are prefetched per chunk, so
memory stays flat however many households are exported.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ..models import (
    Assessment,
    AssessmentStatus,
    Cause,
    Household,
    Indicator,
    Member,
    PovertyStandard,
    PovertyStatus,
    Relation,
    StandardLevel,
)
from .columns import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLDS_SHEET,
    MEMBER_COLUMNS,
    MEMBERS_SHEET,
    header_labels,
    indicator_label,
    pick_assessment,
    safe_text,
)

CHUNK_SIZE = 2000
STREAM_BYTES = 64 * 1024
CODES_SHEET = "codes"
DATE_FORMAT = "dd/mm/yyyy"


@dataclass(frozen=True)
class IndicatorColumn:
    code: str
    name: str


def indicator_columns(year: int | None, households_qs: QuerySet | None = None):
    """The indicator columns: those of ``year``'s national standard, or when no
    year is given those of the standards of the years the households were assessed."""
    standards = PovertyStandard.objects.filter(level=StandardLevel.NATIONAL)
    if year is not None:
        standard = PovertyStandard.national_for(year)
        chosen = [standard] if standard else []
    else:
        years = set()
        if households_qs is not None:
            years = set(
                Assessment.objects.filter(
                    household__in=households_qs.values("pk"), status=AssessmentStatus.RECOGNISED
                )
                .values_list("year", flat=True)
                .distinct()
            )
        chosen = [
            s for s in standards.order_by("-first_year") if any(s.applies_in(y) for y in years)
        ]
        if not chosen:
            current = PovertyStandard.national_for(timezone.localdate())
            chosen = [current] if current else []
    columns: dict[str, IndicatorColumn] = {}
    for indicator in Indicator.objects.filter(standard__in=chosen).order_by(
        "-standard__first_year", "order", "code"
    ):
        columns.setdefault(indicator.code, IndicatorColumn(indicator.code, indicator.name))
    return list(columns.values())


def _households(households_qs: QuerySet, year: int | None) -> QuerySet[Household]:
    assessments = (
        Assessment.objects.select_related("round", "unit")
        .prefetch_related(
            Prefetch("deprivations", queryset=Indicator.objects.only("pk", "code")), "causes"
        )
        .order_by()
    )
    if year is not None:
        assessments = assessments.filter(year=year)
    return (
        Household.objects.filter(pk__in=households_qs.values("pk"))
        .select_related("unit", "village", "head")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.filter(left_on__isnull=True).order_by("birth_year", "pk"),
                to_attr="current_members",
            ),
            Prefetch("assessments", queryset=assessments, to_attr="all_assessments"),
        )
        .order_by("unit__name", "code")
    )


def _chosen_assessment(household: Household, year: int | None) -> Assessment | None:
    assessments = household.all_assessments
    if year is None:
        recognised = [a for a in assessments if a.status == AssessmentStatus.RECOGNISED]
        if not recognised:
            return None
        latest = max(a.year for a in recognised)
        assessments = [a for a in recognised if a.year == latest]
    return pick_assessment(assessments)


def _flag(value: bool) -> int:
    return 1 if value else 0


def household_row(household: Household, assessment: Assessment | None, codes: list[str]) -> list:
    head = household.head
    unit_code = assessment.unit.code if assessment else household.unit.code
    row = [
        household.code,
        unit_code,
        household.village.name if household.village_id else "",
        head.full_name if head else "",
        head.citizen_id if head else "",
        head.sex if head else "",
        head.birth_year if head else None,
        _flag(household.is_ethnic_minority),
    ]
    if assessment is None:
        row += [len(household.current_members) or None, None, None, None, "", "", ""]
        row += [None] * len(codes)
        return row
    causes = sorted(assessment.causes.all(), key=lambda c: c.code)
    deprived = {indicator.code for indicator in assessment.deprivations.all()}
    row += [
        assessment.member_count,
        assessment.year,
        assessment.income_per_capita,
        assessment.score_a,
        assessment.recorded_status,
        next((c.code for c in causes if c.is_primary), ""),
        ";".join(c.code for c in causes),
    ]
    row += [_flag(code in deprived) for code in codes]
    return row


def member_rows(household: Household, unit_code: str) -> Iterator[list]:
    members = sorted(household.current_members, key=lambda m: m.relation != Relation.HEAD)
    for member in members:
        yield [
            household.code,
            unit_code,
            member.full_name,
            member.citizen_id,
            member.sex,
            member.birth_date,
            member.birth_year,
            member.relation,
            member.ethnicity,
            member.health_insurance_number,
            member.health_insurance_expiry,
        ]


def _records(households_qs, year, codes, chunk_size):
    """(household row, member rows) per household, walking the queryset in chunks."""
    for household in _households(households_qs, year).iterator(chunk_size=chunk_size):
        assessment = _chosen_assessment(household, year)
        row = household_row(household, assessment, codes)
        yield row, member_rows(household, row[1])


def export_households(
    households_qs: QuerySet, *, fmt: str = "xlsx", year: int | None = None, chunk_size=CHUNK_SIZE
) -> Iterator[bytes]:
    """The households of ``households_qs`` (and their result in ``year``, else the
    latest recognised one) as an .xlsx workbook (sheets households and members)
    or a CSV file (households only), in chunks of bytes."""
    indicators = indicator_columns(year, households_qs)
    records = _records(households_qs, year, [i.code for i in indicators], chunk_size)
    if fmt == "csv":
        return _csv(records, indicators)
    if fmt == "xlsx":
        return _xlsx(records, indicators)
    raise ValueError(f"Unknown export format {fmt!r}")


def template_workbook(standard: PovertyStandard) -> Iterator[bytes]:
    """An empty workbook with the columns of ``standard``, and a sheet of the codes."""
    indicators = [
        IndicatorColumn(i.code, i.name) for i in standard.indicators.order_by("order", "code")
    ]
    return _xlsx(iter(()), indicators)


def _headers(indicators: list[IndicatorColumn]) -> list[str]:
    return header_labels(HOUSEHOLD_COLUMNS) + [indicator_label(i.code, i.name) for i in indicators]


def _csv(records: Iterable, indicators: list[IndicatorColumn]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with the BOM
    writer.writerow(_headers(indicators))
    for row, _members in records:
        writer.writerow(["" if v is None else safe_text(v) for v in row])
        if buffer.tell() > STREAM_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _cells(sheet, values: list) -> list:
    cells = []
    for value in values:
        if hasattr(value, "isoformat"):
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = DATE_FORMAT
            cells.append(cell)
        else:
            cells.append(safe_text(value))
    return cells


def _write_codes(workbook: Workbook, indicators: list[IndicatorColumn]) -> None:
    sheet = workbook.create_sheet(CODES_SHEET)
    sheet.append(["column", "code", "meaning"])
    for indicator in indicators:
        sheet.append(["indicator", indicator.code, safe_text(indicator.name)])
    for value, label in PovertyStatus.choices:
        sheet.append(["status", value, str(label)])
    for value, label in Cause.choices:
        sheet.append(["causes", value, str(label)])
    for value, label in Relation.choices:
        sheet.append(["relation", value, str(label)])
    sheet.append(["flags", "1 / x / có", "yes"])
    sheet.append(["flags", "0 / blank / không", "no"])


def _xlsx(records: Iterable, indicators: list[IndicatorColumn]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    households = workbook.create_sheet(HOUSEHOLDS_SHEET)
    members = workbook.create_sheet(MEMBERS_SHEET)
    households.append(_headers(indicators))
    members.append(header_labels(MEMBER_COLUMNS))
    for row, member_values in records:
        households.append([safe_text(v) for v in row])
        for values in member_values:
            members.append(_cells(members, values))
    _write_codes(workbook, indicators)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as saved:
            while chunk := saved.read(STREAM_BYTES):
                yield chunk
    finally:
        os.unlink(path)
