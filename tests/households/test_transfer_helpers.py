"""Workbooks for the transfer tests, written with openpyxl like a ward's Excel file."""

from pathlib import Path

from openpyxl import Workbook

from households.transfer.reading import open_table

HEADER = [
    "household_code",
    "unit_code",
    "village",
    "head_name",
    "head_citizen_id",
    "head_sex",
    "head_birth_year",
    "ethnic_minority",
    "members",
    "year",
    "income_per_capita",
    "score_a",
    "status",
    "primary_cause",
    "causes",
    "employment",
    "health_insurance",
    "housing_quality",
    "water",
]
MEMBER_HEADER = [
    "household_code",
    "full_name",
    "citizen_id",
    "sex",
    "birth_year",
    "relation",
    "health_insurance_card",
]


def household(code="HL-001", **values):
    """A households-sheet row (dict by key) with sensible defaults: a poor household."""
    row = {
        "household_code": code,
        "unit_code": "6688",
        "village": "",
        "head_name": "Nguyễn Văn An",
        "head_citizen_id": "022080000123",
        "head_sex": "nam",
        "head_birth_year": 1980,
        "ethnic_minority": "",
        "members": 3,
        "year": 2025,
        "income_per_capita": 1_200_000,
        "score_a": None,
        "status": "",
        "primary_cause": "no_capital",
        "causes": "no_capital;no_skills",
        "employment": "x",
        "health_insurance": 1,
        "housing_quality": "có",
        "water": "",
    }
    row.update(values)
    return row


def member(code="HL-001", **values):
    row = {
        "household_code": code,
        "full_name": "Trần Thị Bình",
        "citizen_id": "022185000456",
        "sex": "nữ",
        "birth_year": 1985,
        "relation": "spouse",
        "health_insurance_card": "",
    }
    row.update(values)
    return row


def write_workbook(path: Path, rows, members=None, header=HEADER, member_header=MEMBER_HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "households"
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in header] if isinstance(row, dict) else row)
    if members is not None:
        other = workbook.create_sheet("members")
        other.append(member_header)
        for row in members:
            other.append([row.get(key) for key in member_header])
    workbook.save(path)
    return path


def table(tmp_path, rows, members=None, **kwargs):
    path = write_workbook(tmp_path / "households.xlsx", rows, members, **kwargs)
    return open_table(path, path.name)
