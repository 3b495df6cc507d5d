"""The export's choice of assessment, its query count and the .xlsx writer."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from households.models import AssessmentStatus, Household, ReviewKind
from households.transfer.columns import pick_assessment
from households.transfer.exporting import export_households
from households.transfer.xlsx import StreamingWorkbook
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    MemberFactory,
    ReviewRoundFactory,
)

pytestmark = pytest.mark.django_db

RECOGNISED = AssessmentStatus.RECOGNISED


def _assess(household, year, kind, status, income):
    review_round = ReviewRoundFactory(unit=household.unit, year=year, kind=kind)
    return AssessmentFactory(
        household=household, round=review_round, status=status, income_per_capita=income
    )


def _csv_rows(households, **kwargs) -> dict[str, dict[str, str]]:
    with translation.override("en"):
        data = b"".join(export_households(households, fmt="csv", **kwargs))
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {row["household_code"]: row for row in rows}


@pytest.fixture
def assessed(units):
    """2024 recognised; 2025 recognised twice (regular, periodic); 2026 only listed."""
    household = HouseholdFactory(unit=unit("6688"), code="A-1")
    _assess(household, 2024, ReviewKind.PERIODIC, RECOGNISED, 1_000_000)
    _assess(household, 2025, ReviewKind.REGULAR, RECOGNISED, 2_000_000)
    _assess(household, 2025, ReviewKind.PERIODIC, RECOGNISED, 3_000_000)
    _assess(household, 2026, ReviewKind.PERIODIC, AssessmentStatus.LISTED, 4_000_000)
    return household


def test_export_without_year_takes_the_latest_recognised_periodic_result(assessed):
    row = _csv_rows(Household.objects.all())["A-1"]

    assert (row["year"], row["income_per_capita"]) == ("2025", "3000000")
    recognised = [a for a in assessed.assessments.all() if a.status == RECOGNISED]
    latest = [a for a in recognised if a.year == 2025]
    assert pick_assessment(latest).income_per_capita == 3_000_000


def test_export_of_a_year_prefers_the_recognised_result(assessed):
    _assess(assessed, 2023, ReviewKind.PERIODIC, AssessmentStatus.LISTED, 5_000_000)
    _assess(assessed, 2023, ReviewKind.REGULAR, RECOGNISED, 6_000_000)

    assert _csv_rows(Household.objects.all(), year=2023)["A-1"]["income_per_capita"] == "6000000"
    assert _csv_rows(Household.objects.all(), year=2026)["A-1"]["income_per_capita"] == "4000000"
    assert _csv_rows(Household.objects.all(), year=2022)["A-1"]["year"] == ""


def test_export_of_a_household_never_assessed_counts_its_current_members(units):
    household = HouseholdFactory(unit=unit("6688"), code="N-1")
    MemberFactory(household=household)
    MemberFactory(household=household, left_on=datetime.date(2024, 1, 1), left_reason="moved")

    row = _csv_rows(Household.objects.all())["N-1"]

    assert (row["unit_code"], row["members"], row["year"]) == ("6688", "2", "")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_queries_do_not_grow_with_the_households(units, fmt):
    def queries(count: int) -> int:
        Household.objects.all().delete()
        for i in range(count):
            household = HouseholdFactory(unit=unit("6688"), code=f"Q-{i}")
            MemberFactory(household=household)
            _assess(household, 2025, ReviewKind.PERIODIC, RECOGNISED, 1_000_000)
        with CaptureQueriesContext(connection) as captured:
            b"".join(export_households(Household.objects.all(), fmt=fmt))
        return len(captured)

    assert queries(2) == queries(6)


def test_streaming_workbook_round_trips_through_openpyxl(tmp_path):
    path = tmp_path / "w.xlsx"
    workbook = StreamingWorkbook(["one", "two & more"])
    workbook.append("one", ["a < b & c", " spaced ", 7, 1.5, Decimal("2.25"), True, None, "x"])
    workbook.append("one", ["bell\x07gone", datetime.date(2025, 12, 31), datetime.date(1900, 1, 2)])
    workbook.append("two & more", ["Nguyễn Thị Lan"])
    workbook.save(str(path))

    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["one", "two & more"]
    first, second = book["one"].iter_rows(values_only=True)
    assert first == ("a < b & c", " spaced ", 7, 1.5, 2.25, True, None, "x")
    assert second[0] == "bellgone"
    assert second[1:3] == (datetime.datetime(2025, 12, 31), datetime.datetime(1900, 1, 2))
    assert next(book["two & more"].iter_rows(values_only=True)) == ("Nguyễn Thị Lan",)
