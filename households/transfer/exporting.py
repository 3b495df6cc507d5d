"""Streamed export of households and review results in the import's columns.

``export_households`` yields the file in chunks: CSV row by row; .xlsx
through ``xlsx.StreamingWorkbook`` (openpyxl's write-only mode is about ten
times slower) saved to a temporary file and then read out. The households
are walked as tuples with ``iterator(chunk_size=...)``; the database picks
the one assessment each exports (``chosen_assessment``), and per chunk three
or four queries fetch those assessments, their deprivations and causes and
the current members as tuples, so no model is built in the loop and memory
stays flat however many households are exported.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import batched

from django.db.models import Case, Count, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from communes.text import FORMULA_TRIGGERS, spreadsheet_safe

from ..models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Cause,
    Household,
    Indicator,
    Member,
    PovertyStandard,
    PovertyStatus,
    Relation,
    ReviewKind,
    StandardLevel,
)
from .columns import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLDS_SHEET,
    MEMBER_COLUMNS,
    MEMBERS_SHEET,
    header_labels,
    indicator_label,
)
from .xlsx import StreamingWorkbook

CHUNK_SIZE = 2000
STREAM_BYTES = 64 * 1024
CODES_SHEET = "codes"


@dataclass(frozen=True)
class IndicatorColumn:
    code: str
    name: str


def indicator_columns(year: int | None, households_qs: QuerySet | None = None):
    """The indicator columns: those of ``year``'s national standard, or when no
    year is given those of the standards of the years the households were assessed."""
    standards = PovertyStandard.objects.filter(level=StandardLevel.NATIONAL)
    if year is not None:
        standard = PovertyStandard.for_review_year(year)
        chosen = [standard] if standard else []
    else:
        years = set()
        if households_qs is not None:
            years = set(
                Assessment.objects.filter(
                    household__in=households_qs.values("pk"), status=AssessmentStatus.RECOGNISED
                )
                .order_by()  # else the default ordering's columns defeat DISTINCT
                .values_list("year", flat=True)
                .distinct()
            )
        chosen = [
            s
            for s in standards.order_by("-first_year")
            if any(s.applies_to_review(y) for y in years)
        ]
        if not chosen:
            current = PovertyStandard.for_review_year(timezone.localdate().year)
            chosen = [current] if current else []
    columns: dict[str, IndicatorColumn] = {}
    for indicator in Indicator.objects.filter(standard__in=chosen).order_by(
        "-standard__first_year", "order", "code"
    ):
        columns.setdefault(indicator.code, IndicatorColumn(indicator.code, indicator.name))
    return list(columns.values())


def chosen_assessment(year: int | None) -> Subquery:
    """The id of the assessment exported for the household of ``OuterRef("pk")``.

    The database's version of ``columns.pick_assessment`` (served by the index
    ``assessment_household_year``): without ``year`` the latest recognised one,
    a periodic review's before a regular one's, then the newest; with ``year``
    the one of that year, a recognised one first.
    """
    periodic_first = Case(When(round__kind=ReviewKind.PERIODIC, then=Value(0)), default=Value(1))
    assessments = Assessment.objects.filter(household=OuterRef("pk"))
    if year is None:
        assessments = assessments.filter(status=AssessmentStatus.RECOGNISED).order_by(
            "-year", periodic_first, "-pk"
        )
    else:
        recognised_first = Case(
            When(status=AssessmentStatus.RECOGNISED, then=Value(0)), default=Value(1)
        )
        assessments = assessments.filter(year=year).order_by(
            recognised_first, periodic_first, "-pk"
        )
    return Subquery(assessments.values("pk")[:1])


#: The household columns read by the export, in the order ``household_row`` expects.
HOUSEHOLD_FIELDS = (
    "pk",
    "code",
    "unit__code",
    "village__name",
    "head__full_name",
    "head__citizen_id",
    "head__sex",
    "head__birth_year",
    "is_ethnic_minority",
    "chosen",
)
ASSESSMENT_FIELDS = (
    "pk",
    "member_count",
    "year",
    "income_per_capita",
    "score_a",
    "recorded_status",
    "unit__code",
)
MEMBER_FIELDS = (
    "household_id",
    "full_name",
    "citizen_id",
    "sex",
    "birth_date",
    "birth_year",
    "relation",
    "ethnicity",
    "health_insurance_number",
    "health_insurance_expiry",
)


def _households(households_qs: QuerySet, year: int | None):
    return (
        Household.objects.filter(pk__in=households_qs.values("pk"))
        .annotate(chosen=chosen_assessment(year))
        .order_by("unit__name", "code")
        .values_list(*HOUSEHOLD_FIELDS)
    )


@dataclass
class _Chosen:
    """The exported assessment of one household: its values, deprivations and causes."""

    values: tuple
    deprived: set[str]
    causes: list[tuple[str, bool]]


def _chosen_assessments(ids: list[int]) -> dict[int, _Chosen]:
    chosen = {
        row[0]: _Chosen(row, set(), [])
        for row in Assessment.objects.filter(pk__in=ids).values_list(*ASSESSMENT_FIELDS)
    }
    deprivations = Assessment.deprivations.through.objects.filter(assessment_id__in=ids)
    for assessment_id, code in deprivations.values_list("assessment_id", "indicator__code"):
        chosen[assessment_id].deprived.add(code)
    causes = AssessmentCause.objects.filter(assessment_id__in=ids).order_by("code")
    for assessment_id, code, primary in causes.values_list("assessment_id", "code", "is_primary"):
        chosen[assessment_id].causes.append((code, primary))
    return chosen


def _current_members(household_ids: list[int]) -> dict[int, list[tuple]]:
    """Current members per household: the head first, then by year of birth."""
    members = defaultdict(list)
    rows = (
        Member.objects.filter(household_id__in=household_ids, left_on__isnull=True)
        .order_by("household_id", "birth_year", "pk")
        .values_list(*MEMBER_FIELDS)
    )
    for row in rows:
        members[row[0]].append(row)
    for people in members.values():
        people.sort(key=lambda m: m[6] != Relation.HEAD)
    return members


def _member_counts(household_ids: list[int]) -> dict[int, int]:
    if not household_ids:
        return {}
    counts = (
        Member.objects.filter(household_id__in=household_ids, left_on__isnull=True)
        .values("household_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["household_id"]: row["n"] for row in counts}


def _flag(value: bool) -> int:
    return 1 if value else 0


def household_row(
    household: tuple, assessment: _Chosen | None, member_count: int, codes: list[str]
) -> list:
    (
        _pk,
        code,
        unit_code,
        village,
        head_name,
        head_cid,
        head_sex,
        head_birth,
        minority,
        _chosen,
    ) = household
    row = [
        code,
        assessment.values[6] if assessment else unit_code,
        village or "",
        head_name or "",
        head_cid or "",
        head_sex or "",
        head_birth,
        _flag(minority),
    ]
    if assessment is None:
        row += [member_count or None, None, None, None, "", "", ""]
        row += [None] * len(codes)
        return row
    _id, members, year, income, score_a, status, _unit = assessment.values
    causes = assessment.causes
    deprived = assessment.deprived
    row += [
        members,
        year,
        income,
        score_a,
        status,
        next((c for c, primary in causes if primary), ""),
        ";".join(c for c, _primary in causes),
    ]
    row += [_flag(code in deprived) for code in codes]
    return row


def member_rows(household_code: str, unit_code: str, members: list[tuple]) -> Iterator[list]:
    for member in members:
        yield [household_code, unit_code, *member[1:]]


def _records(households_qs, year, codes, chunk_size, *, with_members: bool = True, on_rows=None):
    """(household row, member rows) per household, walking the queryset in chunks.

    Each chunk costs three or four queries (chosen assessments, their
    deprivations and causes, current members) of plain tuples. ``on_rows``,
    when given, is called with the number of households read before each chunk
    is written.
    """
    rows = _households(households_qs, year).iterator(chunk_size=chunk_size)
    done = 0
    for chunk in batched(rows, chunk_size):
        done += len(chunk)
        if on_rows is not None:
            on_rows(done)
        chosen = _chosen_assessments([h[-1] for h in chunk if h[-1] is not None])
        household_ids = [h[0] for h in chunk]
        if with_members:
            members = _current_members(household_ids)
            counts = {pk: len(people) for pk, people in members.items()}
        else:
            members = {}
            counts = _member_counts([h[0] for h in chunk if h[-1] is None])
        for household in chunk:
            assessment = chosen.get(household[-1])
            row = household_row(household, assessment, counts.get(household[0], 0), codes)
            yield row, member_rows(row[0], row[1], members.get(household[0], ()))


def household_records(
    households_qs: QuerySet, year: int | None, codes: list[str], chunk_size: int = CHUNK_SIZE
) -> Iterator[list]:
    """The household rows alone, as the CSV export writes them (before ``spreadsheet_safe``)."""
    for row, _members in _records(households_qs, year, codes, chunk_size, with_members=False):
        yield row


def export_households(
    households_qs: QuerySet,
    *,
    fmt: str = "xlsx",
    year: int | None = None,
    chunk_size=CHUNK_SIZE,
    on_rows=None,
) -> Iterator[bytes]:
    """The households of ``households_qs`` (and their result in ``year``, else the
    latest recognised one) as an .xlsx workbook (sheets households and members)
    or a CSV file (households only), in chunks of bytes. ``on_rows`` is told
    how many households have been read as the file is made."""
    indicators = indicator_columns(year, households_qs)
    codes = [i.code for i in indicators]
    if fmt == "csv":
        records = _records(
            households_qs, year, codes, chunk_size, with_members=False, on_rows=on_rows
        )
        return _csv(records, indicators)
    if fmt == "xlsx":
        return _xlsx(_records(households_qs, year, codes, chunk_size, on_rows=on_rows), indicators)
    raise ValueError(f"Unknown export format {fmt!r}")


def template_workbook(standard: PovertyStandard) -> Iterator[bytes]:
    """An empty workbook with the columns of ``standard``, and a sheet of the codes."""
    indicators = [
        IndicatorColumn(i.code, i.name) for i in standard.indicators.order_by("order", "code")
    ]
    return _xlsx(iter(()), indicators)


def _headers(indicators: list[IndicatorColumn]) -> list[str]:
    return header_labels(HOUSEHOLD_COLUMNS) + [indicator_label(i.code, i.name) for i in indicators]


#: Types ``spreadsheet_safe`` returns unchanged; checked by exact type in the hot loop.
_PLAIN_TYPES = frozenset({int, datetime.date, type(None)})


def safe_row(values) -> list:
    """``spreadsheet_safe`` of every value, with the common cases (text, int, date, None) inline."""
    return [
        ("'" + v if v.startswith(FORMULA_TRIGGERS) else v)
        if type(v) is str
        else (v if type(v) in _PLAIN_TYPES else spreadsheet_safe(v))
        for v in values
    ]


def _csv(records: Iterable, indicators: list[IndicatorColumn]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with the BOM
    writer.writerow(_headers(indicators))
    for row, _members in records:
        writer.writerow(["" if v is None else v for v in safe_row(row)])
        if buffer.tell() > STREAM_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _code_rows(indicators: list[IndicatorColumn]) -> Iterator[list]:
    yield ["column", "code", "meaning"]
    for indicator in indicators:
        yield ["indicator", indicator.code, spreadsheet_safe(indicator.name)]
    for value, label in PovertyStatus.choices:
        yield ["status", value, str(label)]
    for value, label in Cause.choices:
        yield ["causes", value, str(label)]
    for value, label in Relation.choices:
        yield ["relation", value, str(label)]
    yield ["flags", "1 / x / có", "yes"]
    yield ["flags", "0 / blank / không", "no"]


def _xlsx(records: Iterable, indicators: list[IndicatorColumn]) -> Iterator[bytes]:
    workbook = StreamingWorkbook([HOUSEHOLDS_SHEET, MEMBERS_SHEET, CODES_SHEET])
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.append(HOUSEHOLDS_SHEET, _headers(indicators))
        workbook.append(MEMBERS_SHEET, header_labels(MEMBER_COLUMNS))
        for row, member_values in records:
            workbook.append(HOUSEHOLDS_SHEET, safe_row(row))
            for values in member_values:
                workbook.append(MEMBERS_SHEET, safe_row(values))
        for values in _code_rows(indicators):
            workbook.append(CODES_SHEET, values)
        workbook.save(path)
        with open(path, "rb") as saved:
            while chunk := saved.read(STREAM_BYTES):
                yield chunk
    finally:
        workbook.close()
        os.unlink(path)
