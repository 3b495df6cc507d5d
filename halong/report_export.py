"""The annual report as an .xlsx workbook laid out like the official form.

The layout follows TT 07/2021/TT-BLĐTBXH, Phụ lục VII (the review result
report): a title, the unit and standard, a three-level header (block, group,
column), the units grouped under "Khu vực thành thị" and "Khu vực nông thôn"
with their subtotals, a "Tổng cộng" row, then the place and date line and the
signature block. A second sheet carries the deprivations, the causes of
poverty and the support given. The form's wording is Vietnamese whatever the
interface language, so its labels are constants here, not translations.

Numbers are numbers with a display format: counts with thousands separators,
rates with two decimals, money with a VND format (``NUMBER_FORMATS``); the
header rows are tall enough for their wrapped labels and long lines are
merged across the sheet with a height for their wrapped text, so nothing is
cut off on screen or on paper.

The workbook is streamed (openpyxl ``write_only``). Every text cell goes
through ``communes.text.spreadsheet_safe``: unit names and codes are entered by users, and a cell
starting with ``=`` would run as a formula when the file is opened.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from communes.models import Area
from communes.text import spreadsheet_safe
from households.models import Cause, Indicator
from plans.models import FundingSource, SupportType

from .reports import Block, Report, Row, rate_pct

#: A text cell starting with one of these is read as a formula (or DDE) by spreadsheets.

TITLE = "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {year}"
SUMMARY_SHEET = "Kết quả rà soát"
DETAIL_SHEET = "Thiếu hụt, nguyên nhân, hỗ trợ"
AREA_TITLES = {Area.URBAN: "Khu vực thành thị", Area.RURAL: "Khu vực nông thôn"}
AREA_NUMBERS = {Area.URBAN: "I", Area.RURAL: "II"}
TOTAL_LABEL = "Tổng cộng"
PREPARER = "NGƯỜI LẬP BIỂU"
HEAD = "TRƯỞNG BAN CHỈ ĐẠO"

#: (block title, group title, column titles of the group, Block fields) per list.
_POOR_GROUPS = (
    ("Đầu năm", ("Số hộ", "Tỷ lệ (%)")),
    ("Giảm", ("Thoát nghèo", "Chuyển sang hộ cận nghèo", "Khác giảm")),
    ("Tăng", ("Phát sinh mới", "Tái nghèo", "Từ hộ cận nghèo", "Khác tăng")),
    ("Cuối năm", ("Số hộ", "Tỷ lệ (%)", "Số khẩu", "Hộ DTTS")),
)
_NEAR_POOR_GROUPS = (
    ("Đầu năm", ("Số hộ", "Tỷ lệ (%)")),
    ("Giảm", ("Thoát cận nghèo", "Chuyển sang hộ nghèo", "Khác giảm")),
    ("Tăng", ("Phát sinh mới", "Tái cận nghèo", "Từ hộ nghèo", "Khác tăng")),
    ("Cuối năm", ("Số hộ", "Tỷ lệ (%)", "Số khẩu", "Hộ DTTS")),
)
_BLOCKS = (("Hộ nghèo", _POOR_GROUPS), ("Hộ cận nghèo", _NEAR_POOR_GROUPS))
_LEADING = ("STT", "Đơn vị", "Tổng số hộ dân cư")
BLOCK_WIDTH = sum(len(columns) for _, columns in _POOR_GROUPS)
WIDTH = len(_LEADING) + 2 * BLOCK_WIDTH

#: Display formats: counts with thousands separators, rates with two decimals, money in VND.
INT_FORMAT = "#,##0"
PCT_FORMAT = "0.00"
VND_FORMAT = '#,##0 "₫"'
NUMBER_FORMATS = {"int": INT_FORMAT, "pct": PCT_FORMAT, "vnd": VND_FORMAT}
#: The kind of each value of a block (``_block_values``) and of a summary line.
_BLOCK_KINDS = ("int", "pct", *("int",) * 7, "int", "pct", "int", "int")
SUMMARY_KINDS = (None, None, "int", *_BLOCK_KINDS, *_BLOCK_KINDS)
#: Column widths (characters): the unit's name, and every figure column.
NAME_WIDTH = 28
FIGURE_WIDTH = 10
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def wrapped_height(text: str, width: float, *, line_height: float = 15.0) -> float:
    """Row height (points) for ``text`` wrapped in ``width`` characters."""
    lines = sum(max(1, -(-len(part) // max(int(width * 0.95), 1))) for part in text.split("\n"))
    return line_height * lines + 4


def _date_line(place: str, day: datetime.date) -> str:
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


class _Sheet:
    """A write-only worksheet that remembers the row number, for merges."""

    def __init__(self, workbook: Workbook, title: str):
        self.ws = workbook.create_sheet(title)
        # Printed like the paper form: landscape, every column on one page width.
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = "9"  # A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.row = 0
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=13)
        self.centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.wrap = Alignment(vertical="center", wrap_text=True)

    def append(
        self,
        values: Iterable[Any],
        *,
        bold: bool = False,
        font=None,
        centre=False,
        kinds: Iterable[str | None] = (),
        height: float | None = None,
        boxed: bool = False,
    ):
        """One row; ``kinds`` gives each value's number format (``NUMBER_FORMATS``),
        ``height`` the row's height in points (set before the row is streamed)."""
        if height is not None:
            self.ws.row_dimensions[self.row + 1].height = height
        kinds = list(kinds)
        cells = []
        for index, value in enumerate(values):
            cell = WriteOnlyCell(self.ws, value=spreadsheet_safe(value))
            if font is not None or bold:
                cell.font = font or self.bold
            if centre:
                cell.alignment = self.centre
            elif isinstance(value, str):
                cell.alignment = self.wrap
            kind = kinds[index] if index < len(kinds) else None
            if kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
            if boxed:
                cell.border = _BOX
            cells.append(cell)
        self.ws.append(cells)
        self.row += 1
        return self.row

    def line(self, text: str, width: int, total_width: float, **kwargs) -> int:
        """A line of text merged over ``width`` columns, tall enough for its wrapped text."""
        row = self.append([text], height=wrapped_height(text, total_width), **kwargs)
        self.merge(1, width, row)
        return row

    def merge(self, first_col: int, last_col: int, first_row: int, last_row: int | None = None):
        last_row = last_row or first_row
        if (first_col, first_row) != (last_col, last_row):
            self.ws.merged_cells.add(_ref(first_col, first_row) + ":" + _ref(last_col, last_row))

    def title(self, text: str, width: int) -> None:
        row = self.append([text], font=self.title_font, centre=True, height=22)
        self.merge(1, width, row)


def _ref(col: int, row: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _block_values(block: Block, start_households, end_households) -> list:
    return [
        block.start,
        rate_pct(block.start, start_households),
        block.exited,
        block.to_other,
        block.other_decrease,
        block.new,
        block.re_entered,
        block.from_other,
        block.other_increase,
        block.end,
        rate_pct(block.end, end_households),
        block.end_people,
        block.end_ethnic_minority,
    ]


def row_values(number: str | int | None, row: Row, name: str | None = None) -> list:
    """One line of the summary sheet (``WIDTH`` cells)."""
    start, end = row.start_households, row.total_households
    return [
        number,
        row.name if name is None else name,
        row.total_households,
        *_block_values(row.poor, start, end),
        *_block_values(row.near_poor, start, end),
    ]


def _write_summary(workbook: Workbook, report: Report, day: datetime.date) -> None:
    sheet = _Sheet(workbook, SUMMARY_SHEET)
    sheet.ws.column_dimensions["A"].width = 6
    sheet.ws.column_dimensions["B"].width = NAME_WIDTH
    for col in range(3, WIDTH + 1):
        sheet.ws.column_dimensions[get_column_letter(col)].width = FIGURE_WIDTH
    total_width = 6 + NAME_WIDTH + FIGURE_WIDTH * (WIDTH - 2)
    sheet.title(TITLE.format(year=report.year), WIDTH)
    subtitle = f"Đơn vị: {report.root_name} — Chuẩn nghèo: {report.standard}"
    if report.standard_name:
        subtitle += f" ({report.standard_name})"
    # Which standard decided the lists, and the national classification beside it, in
    # the subtitle (the form's header rows keep their places).
    subtitle += (
        " — danh sách theo chuẩn này (chuẩn xác định danh sách)"
        if report.view == "list"
        else " — số liệu tính theo chuẩn này"
    )
    if report.total.national is not None:
        subtitle += (
            f"; theo chuẩn quốc gia, cuối năm có {report.total.national['poor']} hộ nghèo, "
            f"{report.total.national['near_poor']} hộ cận nghèo"
        )
    sheet.line(subtitle, WIDTH, total_width, centre=True)
    if report.compares_standards:
        note = (
            f"Lưu ý: danh sách đầu năm theo chuẩn {report.start_standard}, cuối năm theo chuẩn "
            f"{report.standard}: số giảm, tăng trong năm so sánh hai chuẩn nghèo."
        )
        if report.comparison_standard and report.total.comparison is not None:
            note += (
                f" Theo chuẩn {report.comparison_standard}, cuối năm có "
                f"{report.total.comparison['poor']} hộ nghèo, "
                f"{report.total.comparison['near_poor']} hộ cận nghèo."
            )
        sheet.line(note, WIDTH, total_width, centre=True)
    sheet.append([])

    # Header: block / group / column, merged where a title spans several columns.
    first = sheet.append(
        [
            *_LEADING,
            *(
                cell
                for block_title, _groups in _BLOCKS
                for cell in [block_title] + [None] * (BLOCK_WIDTH - 1)
            ),
        ],
        bold=True,
        centre=True,
        height=20,
        boxed=True,
    )
    groups_row = []
    columns_row = []
    for _block_title, groups in _BLOCKS:
        for group_title, columns in groups:
            groups_row += [group_title] + [None] * (len(columns) - 1)
            columns_row += list(columns)
    second = sheet.append(
        [None] * len(_LEADING) + groups_row, bold=True, centre=True, height=20, boxed=True
    )
    # The column titles wrap in FIGURE_WIDTH characters: as tall as the longest.
    tallest = max(wrapped_height(title, FIGURE_WIDTH) for title in (*columns_row, *_LEADING))
    third = sheet.append(
        [None] * len(_LEADING) + columns_row, bold=True, centre=True, height=tallest, boxed=True
    )
    for col in range(1, len(_LEADING) + 1):
        sheet.merge(col, col, first, third)
    col = len(_LEADING) + 1
    for _block_title, groups in _BLOCKS:
        sheet.merge(col, col + BLOCK_WIDTH - 1, first)
        for _group_title, columns in groups:
            sheet.merge(col, col + len(columns) - 1, second)
            col += len(columns)
    sheet.append([f"({n})" for n in range(1, WIDTH + 1)], centre=True, boxed=True)

    number = 0
    for area in (Area.URBAN, Area.RURAL):
        units = [r for r in report.units if r.area == area]
        group = report.groups.get(area.value)
        if not units or group is None:
            continue
        sheet.append(
            row_values(AREA_NUMBERS[area], group, AREA_TITLES[area]),
            bold=True,
            kinds=SUMMARY_KINDS,
            boxed=True,
        )
        for unit_row in units:
            number += 1
            sheet.append(
                row_values(number, unit_row, _marked(unit_row)), kinds=SUMMARY_KINDS, boxed=True
            )
    others = [r for r in report.units if r.area not in (Area.URBAN, Area.RURAL)]
    for unit_row in others:
        number += 1
        sheet.append(
            row_values(number, unit_row, _marked(unit_row)), kinds=SUMMARY_KINDS, boxed=True
        )
    sheet.append(
        row_values(None, report.total, TOTAL_LABEL), bold=True, kinds=SUMMARY_KINDS, boxed=True
    )
    notes = [r for r in report.units if r.note]
    if notes:
        sheet.append([])
        for unit_row in notes:
            sheet.line(f"(*) {unit_row.name}: {unit_row.note}", WIDTH, total_width)
    _signatures(sheet, day)


def _marked(row: Row) -> str:
    """The unit's name, with the footnote mark when it is covered only in part."""
    return f"{row.name} (*)" if row.note else row.name


def _signatures(sheet: _Sheet, day: datetime.date) -> None:
    sheet.append([])
    right = max(WIDTH - 8, 3)
    line = sheet.append([None] * (right - 1) + [_date_line("Hạ Long", day)], centre=True)
    sheet.merge(right, WIDTH, line)
    names = sheet.append([None, PREPARER] + [None] * (right - 3) + [HEAD], bold=True, centre=True)
    sheet.merge(right, WIDTH, names)
    sheet.append([None, "(Ký, ghi rõ họ tên)"] + [None] * (right - 3) + ["(Ký, đóng dấu)"])


def _names(report: Report) -> tuple[dict[str, str], dict[str, str]]:
    """Indicator names of the report's standard and support type names (two small queries)."""
    indicators = dict(
        Indicator.objects.filter(standard__code=report.standard).values_list("code", "name")
    )
    support_types = dict(SupportType.objects.values_list("code", "name"))
    return indicators, support_types


def _write_details(workbook: Workbook, report: Report, day: datetime.date) -> None:
    sheet = _Sheet(workbook, DETAIL_SHEET)
    sheet.ws.column_dimensions["A"].width = 6
    sheet.ws.column_dimensions["B"].width = 52
    for col in "CDEF":
        sheet.ws.column_dimensions[col].width = 16
    total_width = 6 + 52 + 16 * 4
    total = report.total
    indicators, support_types = _names(report)
    sheet.title(TITLE.format(year=report.year), 6)
    sheet.line(f"Đơn vị: {report.root_name} — Chuẩn nghèo: {report.standard}", 6, total_width)
    sheet.append([])

    sheet.append(["A", "CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN (cuối năm)"], bold=True)
    heading = ["STT", "Chỉ số", "Hộ nghèo: số hộ", "Tỷ lệ (%)", "Hộ cận nghèo: số hộ", "Tỷ lệ (%)"]
    sheet.append(heading, bold=True, centre=True, height=34, boxed=True)
    poor, near = total.deprivations["poor"], total.deprivations["near_poor"]
    codes = list(indicators) + sorted((set(poor) | set(near)) - set(indicators))
    for number, code in enumerate(codes, start=1):
        sheet.append(
            [
                number,
                indicators.get(code, code),
                poor.get(code, 0),
                rate_pct(poor.get(code, 0), total.poor.end),
                near.get(code, 0),
                rate_pct(near.get(code, 0), total.near_poor.end),
            ],
            kinds=(None, None, "int", "pct", "int", "pct"),
            boxed=True,
        )
    sheet.append([])

    sheet.append(["B", "NGUYÊN NHÂN NGHÈO, CẬN NGHÈO (hộ cuối năm)"], bold=True)
    sheet.append(["STT", "Nguyên nhân", "Số hộ", "Tỷ lệ (%)"], bold=True, centre=True, boxed=True)
    listed = total.poor.end + total.near_poor.end
    for number, (code, count) in enumerate(sorted(total.causes.items()), start=1):
        label = Cause(code).label if code in Cause.values else code
        sheet.append(
            [number, label, count, rate_pct(count, listed)],
            kinds=(None, None, "int", "pct"),
            boxed=True,
        )
    sheet.append([])

    sheet.append(["C", "HỖ TRỢ ĐÃ THỰC HIỆN TRONG NĂM"], bold=True)
    money_kinds = (None, None, "int", "vnd")
    sheet.append(
        ["STT", "Loại hỗ trợ", "Số lượt", "Số tiền (đồng)"], bold=True, centre=True, boxed=True
    )
    for number, (code, money) in enumerate(sorted(total.support.items()), start=1):
        sheet.append(
            [number, support_types.get(code, code), money["count"], money["vnd"]],
            kinds=money_kinds,
            boxed=True,
        )
    sheet.append(["", "Theo nguồn kinh phí"], bold=True)
    for number, (code, money) in enumerate(sorted(total.support_by_source.items()), start=1):
        label = FundingSource(code).label if code in FundingSource.values else code
        sheet.append([number, label, money["count"], money["vnd"]], kinds=money_kinds, boxed=True)
    sheet.append([])

    sheet.append(["D", "CHỈ TIÊU KHÁC"], bold=True)
    sheet.append(
        [
            1,
            "Tỷ lệ thành viên hộ nghèo, cận nghèo có thẻ BHYT còn hạn (%)",
            total.health_insurance_coverage_pct,
        ],
        kinds=(None, None, "pct"),
        boxed=True,
    )
    sheet.append(
        [2, "Hoạt động trong kế hoạch thoát nghèo đã hoàn thành", total.plan_actions_done],
        kinds=(None, None, "int"),
        boxed=True,
    )
    sheet.append(
        [3, "Hoạt động quá hạn chưa hoàn thành", total.plan_actions_overdue],
        kinds=(None, None, "int"),
        boxed=True,
    )


def write_xlsx(report: Report, out: IO[bytes] | str, *, on: datetime.date | None = None) -> None:
    """Write ``report`` as an .xlsx workbook to ``out`` (a binary file or a path).

    ``on``: the date of the place-and-date line (default today).
    """
    day = on or timezone.localdate()
    workbook = Workbook(write_only=True)
    _write_summary(workbook, report, day)
    _write_details(workbook, report, day)
    workbook.save(out)
