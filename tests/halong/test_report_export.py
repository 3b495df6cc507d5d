"""write_xlsx: the official-form layout, and text cells that cannot run as formulas."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from communes.models import Area, UnitHouseholdCount, UnitKind
from communes.text import spreadsheet_safe
from halong.report_export import DETAIL_SHEET, SUMMARY_SHEET, write_xlsx
from halong.reports import annual_report
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    SupportRecordFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def assess(household, year, status, **kwargs):
    return AssessmentFactory(
        household=household,
        round__year=year,
        status="recognised",
        recorded_status=status,
        **kwargs,
    )


@pytest.fixture
def report():
    city = UnitFactory(kind=UnitKind.CITY, code="T200", name="Thành phố Thử")
    ward = UnitFactory(code="T201", name='=HYPERLINK("http://x","y")', parent=city)
    commune = UnitFactory(
        code="T202", name="+1", kind=UnitKind.COMMUNE, area=Area.RURAL, parent=city
    )
    for unit_obj in (ward, commune):
        UnitHouseholdCount.objects.create(unit=unit_obj, year=2023, households=1000)
        UnitHouseholdCount.objects.create(unit=unit_obj, year=2024, households=1000)
    for unit_obj, statuses in ((ward, ["poor", "poor", "near_poor"]), (commune, ["poor"])):
        for status in statuses:
            household = HouseholdFactory(unit=unit_obj)
            assess(household, 2023, status)
            assess(household, 2024, status, member_count=4)
    return annual_report(year=2024, root=city)


def written(report) -> dict[str, list[tuple]]:
    out = io.BytesIO()
    write_xlsx(report, out, on=datetime.date(2025, 1, 5))
    out.seek(0)
    workbook = load_workbook(out)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook}


def row_starting(rows, *values):
    return next(r for r in rows if r[: len(values)] == values)


def test_workbook_has_the_title_and_the_form_headers(report):
    rows = written(report)[SUMMARY_SHEET]

    assert rows[0][0] == "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024"
    assert "Thành phố Thử" in rows[1][0] and "ND07-2022" in rows[1][0]
    header = [cell for row in rows[3:6] for cell in row if cell]
    for title in ("STT", "Đơn vị", "Tổng số hộ dân cư", "Hộ nghèo", "Hộ cận nghèo", "Đầu năm"):
        assert title in header
    for title in ("Thoát nghèo", "Chuyển sang hộ cận nghèo", "Phát sinh mới", "Tái nghèo"):
        assert title in header
    assert (rows[5][7], rows[5][11]) == ("Khác giảm", "Khác tăng")
    assert rows[5][14:16] == ("Số khẩu", "Hộ DTTS")


def test_total_row_and_area_subtotals_carry_the_numbers(report):
    rows = written(report)[SUMMARY_SHEET]

    total = row_starting(rows, None, "Tổng cộng")
    # households, poor: start, %, exited, to near-poor, other decrease, new, re, from
    # near-poor, other increase, end, %, people
    assert total[2:15] == (2000, 3, 0.15, 0, 0, 0, 0, 0, 0, 0, 3, 0.15, 12)
    assert total[16] == 1  # near-poor at the start
    urban = row_starting(rows, "I", "Khu vực thành thị")
    rural = row_starting(rows, "II", "Khu vực nông thôn")
    assert (urban[12], rural[12]) == (2, 1)


def test_date_line_and_signature_block(report):
    rows = written(report)[SUMMARY_SHEET]
    texts = [cell for row in rows for cell in row if isinstance(cell, str)]

    assert "Hạ Long, ngày 05 tháng 01 năm 2025" in texts
    assert "NGƯỜI LẬP BIỂU" in texts and "TRƯỞNG BAN CHỈ ĐẠO" in texts


def test_unit_names_that_look_like_formulas_are_written_as_text(report):
    out = io.BytesIO()
    write_xlsx(report, out)
    out.seek(0)
    ws = load_workbook(out)[SUMMARY_SHEET]
    names = [row[1] for row in ws.iter_rows(values_only=True) if isinstance(row[0], int)]

    assert names == ['\'=HYPERLINK("http://x","y")', "'+1"]
    assert all(
        cell.data_type != "f" for row in ws.iter_rows() for cell in row if cell.value is not None
    )


def test_second_sheet_has_deprivations_causes_and_support(report):
    rows = written(report)[DETAIL_SHEET]
    texts = [cell for row in rows for cell in row if isinstance(cell, str)]

    assert any("THIẾU HỤT" in t for t in texts)
    assert any("NGUYÊN NHÂN" in t for t in texts)
    assert any("HỖ TRỢ" in t for t in texts)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+84912345678", "'+84912345678"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Phường Hạ Long", "Phường Hạ Long"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (1.5, 1.5),
        (Decimal("0.07"), Decimal("0.07")),
        (None, None),
        (datetime.date(2024, 12, 31), datetime.date(2024, 12, 31)),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


def test_sheets_print_landscape_on_one_page_width(tmp_path):
    import openpyxl
    from openpyxl import Workbook

    from halong.report_export import _Sheet

    workbook = Workbook(write_only=True)
    sheet = _Sheet(workbook, "S")
    sheet.append(["x"])
    path = tmp_path / "s.xlsx"
    workbook.save(path)
    ws = openpyxl.load_workbook(path)["S"]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True


# --- Formats: what the officer sees when the workbook is opened -----------------------


def opened(report):
    out = io.BytesIO()
    write_xlsx(report, out, on=datetime.date(2025, 1, 5))
    out.seek(0)
    return load_workbook(out)


def cell_of(ws, value):
    return next(c for row in ws.iter_rows() for c in row if c.value == value)


def test_counts_have_thousands_separators_and_rates_two_decimals(report):
    ws = opened(report)[SUMMARY_SHEET]

    total = cell_of(ws, "Tổng cộng").row
    households, poor_start, poor_start_rate = (ws.cell(total, col) for col in (3, 4, 5))
    assert (households.value, households.number_format) == (2000, "#,##0")
    assert poor_start.number_format == "#,##0"
    assert (poor_start_rate.value, poor_start_rate.number_format) == (0.15, "0.00")
    # The column titles' row is as tall as its longest wrapped label; the columns wide enough.
    titles = cell_of(ws, "Chuyển sang hộ cận nghèo").row
    assert ws.row_dimensions[titles].height >= 45
    assert ws.column_dimensions["B"].width >= 28 and ws.column_dimensions["D"].width >= 10


def test_money_is_a_number_in_a_vnd_format():
    ward = UnitFactory(code="T301", name="Phường Tiền")
    SupportRecordFactory(
        household=HouseholdFactory(unit=ward),
        given_on=datetime.date(2024, 3, 1),
        amount=1_890_000_000,
    )
    ws = opened(annual_report(year=2024, root=ward))[DETAIL_SHEET]

    money = [c for row in ws.iter_rows() for c in row if c.number_format == '#,##0 "₫"']
    assert [c.value for c in money if c.value] == [1_890_000_000, 1_890_000_000]


def test_detail_sheet_says_hoat_dong_as_the_app_does(report):
    texts = [c for row in written(report)[DETAIL_SHEET] for c in row if isinstance(c, str)]

    assert "Hoạt động trong kế hoạch thoát nghèo đã hoàn thành" in texts
    assert not any("Hành động" in t for t in texts)
