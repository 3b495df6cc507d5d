"""The report set as tables, as an .xlsx workbook and as a PDF (one layout for all three).

``sheets(report_set)`` lays the set out as the forms of TT 07/2021/TT-BLĐTBXH,
Phụ lục VII do: per sheet one or more tables, each a two-level header (list,
column) over the units grouped "Khu vực thành thị" / "Khu vực nông thôn"
with their subtotals and a "Tổng cộng" row, and the footnotes of units covered
only in part. The page, the workbook and the PDF all render these tables, so
they always show the same figures.

Form numbers: DOMAIN.md names the report forms of Phụ lục VII "Mẫu 7.1–7.10"
(7.8–7.10 replaced by TT 02/2022); no primary text could be found to match
each sheet to its form number, so the sheets carry descriptive titles and
no form number (``FORM_REFERENCE``).

The forms' wording is Vietnamese whatever the interface language: the labels
here are constants, not translations. Every text cell of the workbook goes
through ``communes.text.spreadsheet_safe`` (names are entered by users).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from communes.models import Area
from communes.text import spreadsheet_safe
from households.documents import html_to_pdf
from households.models import Cause
from households.models.review import LEGACY_CAUSES
from households.transitions import NEAR_POOR, POOR

from .report_set import (
    CHILDREN_COLUMNS,
    DECREASES,
    GROUPS,
    INCREASES,
    ReportSet,
    UnitFigures,
)
from .reports import rate_pct

FORM_REFERENCE = "Phụ lục VII, Thông tư số 07/2021/TT-BLĐTBXH"
AREA_TITLES = {Area.URBAN: "Khu vực thành thị", Area.RURAL: "Khu vực nông thôn"}
AREA_NUMBERS = {Area.URBAN: "I", Area.RURAL: "II"}
TOTAL_LABEL = "Tổng cộng"
LIST_TITLES = {POOR: "Hộ nghèo", NEAR_POOR: "Hộ cận nghèo"}
FLOW_TITLES = {
    POOR: {
        "exited": "Thoát nghèo",
        "to_other": "Chuyển sang hộ cận nghèo",
        "other_decrease": "Khác giảm",
        "new": "Phát sinh mới",
        "re_entered": "Tái nghèo",
        "from_other": "Từ hộ cận nghèo",
        "other_increase": "Khác tăng",
    },
    NEAR_POOR: {
        "exited": "Thoát cận nghèo",
        "to_other": "Chuyển sang hộ nghèo",
        "other_decrease": "Khác giảm",
        "new": "Phát sinh mới",
        "re_entered": "Tái cận nghèo",
        "from_other": "Từ hộ nghèo",
        "other_increase": "Khác tăng",
    },
}
GROUP_TITLES = {
    "ethnic_minority": "Hộ dân tộc thiểu số",
    "no_working_capacity": "Hộ không có khả năng lao động",
    "merit": "Hộ có thành viên là người có công với cách mạng",
    "female_head": "Hộ có chủ hộ là nữ",
}
CHILDREN_TITLES = {
    "children": "Số trẻ em dưới 16 tuổi",
    "no_insurance": "Trẻ em không có thẻ BHYT còn hạn",
    "out_of_school": "Trẻ em 3–15 tuổi không đi học",
    "nutrition_households": "Hộ có trẻ em suy dinh dưỡng (chỉ số B2)",
}
MARK_TITLES = {
    POOR: {
        "new": "Phát sinh mới",
        "re_entered": "Tái nghèo",
        "from_other": "Từ hộ cận nghèo",
        "other_increase": "Khác tăng",
        "continuing": "Tiếp tục",
    },
    NEAR_POOR: {
        "new": "Phát sinh mới",
        "re_entered": "Tái cận nghèo",
        "from_other": "Từ hộ nghèo",
        "other_increase": "Khác tăng",
        "continuing": "Tiếp tục",
    },
}
PREPARER = "NGƯỜI LẬP BIỂU"
HEAD = "TRƯỞNG BAN CHỈ ĐẠO"

#: Number formats: thousands separators, rates with two decimals.
INT_FORMAT = "#,##0"
PCT_FORMAT = "0.00"
VND_FORMAT = '#,##0 "₫"'
_FORMATS = {"int": INT_FORMAT, "pct": PCT_FORMAT, "vnd": VND_FORMAT}


@dataclass(frozen=True)
class Column:
    title: str
    #: The upper header cell, merged over consecutive columns of the same group.
    group: str = ""
    #: ``int``, ``pct``, ``vnd`` or ``text``.
    kind: str = "int"
    width: float = 9.5

    @property
    def css(self) -> str:
        """The printed column's width class: wide for names, middle for codes and places."""
        return "col-wide" if self.width >= 20 else "col-mid" if self.width >= 12 else "col-num"


@dataclass
class Line:
    cells: list[Any]
    #: ``unit``, ``group`` (area subtotal), ``total``, ``rate``, ``heading``,
    #: ``household``, ``member``.
    kind: str = "unit"

    def kind_of(self, column: Column) -> str:
        """The cell's kind: a rate line turns its count columns into rates."""
        if self.kind == "rate" and column.kind == "int":
            return "pct"
        return column.kind


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    lines: list[Line]
    notes: list[str] = field(default_factory=list)

    @property
    def header_groups(self) -> list[tuple[str, int]]:
        """``(group, span)`` of the upper header row (a column without group spans 1)."""
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            if spans and column.group and spans[-1][0] == column.group:
                spans[-1] = (column.group, spans[-1][1] + 1)
            else:
                spans.append((column.group, 1))
        return spans

    @property
    def top_header(self) -> list[tuple[str, int, int]]:
        """``(text, colspan, rowspan)`` of the upper header row: a group over its
        columns, a column without group over both rows."""
        cells, col = [], 0
        for group, span in self.header_groups:
            if group:
                cells.append((group, span, 1))
            else:
                cells.append((self.columns[col].title, 1, 2))
            col += span
        return cells

    @property
    def has_groups(self) -> bool:
        return any(c.group for c in self.columns)

    @property
    def printed(self) -> list[tuple[Line, list[tuple[str, str]]]]:
        """Each line with its cells as printed, ``(text, kind)``, for the templates."""
        return [
            (
                line,
                [
                    (cell_text(v, line.kind_of(c)), line.kind_of(c))
                    for v, c in zip(line.cells, self.columns, strict=True)
                ],
            )
            for line in self.lines
        ]


@dataclass
class Sheet:
    name: str
    title: str
    tables: list[Table]


def _date_line(place: str, day: datetime.date) -> str:
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


# --- Tables ----------------------------------------------------------------------------


_LEAD = [Column("STT", kind="text", width=5), Column("Đơn vị", kind="text", width=28)]


def _unit_lines(
    rs: ReportSet, cells: Callable[[UnitFigures], list], *, marks: bool = True
) -> list[Line]:
    """The units urban then rural, each group's subtotal first; the total last."""
    lines = []
    number = 0
    for area in (Area.URBAN, Area.RURAL):
        units = [u for u in rs.units if u.area == area]
        group = rs.groups.get(area.value)
        if not units or group is None:
            continue
        lines.append(Line([AREA_NUMBERS[area], AREA_TITLES[area], *cells(group)], "group"))
        for unit in units:
            number += 1
            lines.append(Line([number, _marked(unit) if marks else unit.name, *cells(unit)]))
    for unit in (u for u in rs.units if u.area not in (Area.URBAN, Area.RURAL)):
        number += 1
        lines.append(Line([number, _marked(unit), *cells(unit)]))
    lines.append(Line([None, TOTAL_LABEL, *cells(rs.total)], "total"))
    return lines


def _marked(unit: UnitFigures) -> str:
    return f"{unit.name} (*)" if unit.note else unit.name


def _notes(rs: ReportSet) -> list[str]:
    notes = [f"(*) {u.name}: {u.note}" for u in rs.units if u.note]
    if rs.compares_standards:
        notes.insert(
            0,
            f"Lưu ý: danh sách đầu năm theo chuẩn {rs.start_standard}, cuối năm theo chuẩn "
            f"{rs.standard}: số giảm, tăng trong năm so sánh hai chuẩn nghèo.",
        )
    return notes


def households_table(rs: ReportSet) -> Table:
    columns = [*_LEAD, Column("Tổng số hộ dân cư", width=11)]
    for status in (POOR, NEAR_POOR):
        group = LIST_TITLES[status]
        columns += [Column("Đầu năm: số hộ", group), Column("Đầu năm: tỷ lệ (%)", group, "pct")]
        columns += [Column(FLOW_TITLES[status][c], group) for c in (*DECREASES, *INCREASES)]
        columns += [Column("Cuối năm: số hộ", group), Column("Cuối năm: tỷ lệ (%)", group, "pct")]

    def cells(u: UnitFigures) -> list:
        out: list[Any] = [u.total_households]
        for status in (POOR, NEAR_POOR):
            f = u.households[status]
            out += [f.start, u.start_rate(status)]
            out += [getattr(f, c) for c in (*DECREASES, *INCREASES)]
            out += [f.end, u.end_rate(status)]
        return out

    title = f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {rs.year} (SỐ HỘ)"
    return Table("households", title, columns, _unit_lines(rs, cells), _notes(rs))


def people_table(rs: ReportSet) -> Table:
    columns = [*_LEAD, Column("Tổng số nhân khẩu", width=11)]
    for status in (POOR, NEAR_POOR):
        group = f"Nhân khẩu {LIST_TITLES[status].lower()}"
        columns += [Column("Đầu năm: số khẩu", group), Column("Đầu năm: tỷ lệ (%)", group, "pct")]
        columns += [Column(FLOW_TITLES[status][c], group) for c in (*DECREASES, *INCREASES)]
        columns += [
            Column("Thay đổi số khẩu của hộ tiếp tục", group, width=11),
            Column("Cuối năm: số khẩu", group),
            Column("Cuối năm: tỷ lệ (%)", group, "pct"),
        ]

    def cells(u: UnitFigures) -> list:
        out: list[Any] = [u.total_people]
        for status in (POOR, NEAR_POOR):
            f = u.people[status]
            out += [f.start, u.people_start_rate(status)]
            out += [getattr(f, c) for c in (*DECREASES, *INCREASES)]
            out += [f.size_change, f.end, u.people_end_rate(status)]
        return out

    notes = _notes(rs) + [
        "Số khẩu của hộ theo phiếu rà soát của năm; hộ giảm tính số khẩu đầu năm, hộ tăng "
        "tính số khẩu cuối năm. Tỷ lệ trên tổng số nhân khẩu của đơn vị (để trống khi "
        "chưa nhập)."
    ]
    title = f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {rs.year} (SỐ NHÂN KHẨU)"
    return Table("people", title, columns, _unit_lines(rs, cells), notes)


def _rate_line(rs: ReportSet, counts: Callable[[UnitFigures], list], base: int) -> Line:
    """The total's counts as a share (%) of ``base`` households."""
    values = counts(rs.total)
    return Line([None, "Tỷ lệ (%)", None, *[_pct(v, base) for v in values]], "rate")


def _pct(part, total):
    return rate_pct(part, total)


def deprivation_tables(rs: ReportSet) -> list[Table]:
    tables = []
    indicators = list(rs.indicators)
    known = {code for code, _ in indicators}
    for status in (POOR, NEAR_POOR):
        extra = sorted({c for u in rs.units for c in u.deprivations[status]} - known, key=str)
        codes = [*indicators, *((c, c) for c in extra)]
        columns = [
            *_LEAD,
            Column("Số hộ cuối năm", width=10),
            *(Column(name, "Số hộ thiếu hụt theo chỉ số", width=11) for _, name in codes),
        ]

        def counts(u, status=status, codes=codes):
            return [u.deprivations[status].get(code, 0) for code, _ in codes]

        def cells(u, status=status, counts=counts):
            return [u.households[status].end, *counts(u)]

        lines = _unit_lines(rs, cells)
        lines.append(_rate_line(rs, counts, rs.total.households[status].end))
        title = (
            f"MỨC ĐỘ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA {LIST_TITLES[status].upper()} "
            f"CUỐI NĂM {rs.year}"
        )
        tables.append(Table(f"deprivations_{status}", title, columns, lines, _notes(rs)))
    return tables


def cause_tables(rs: ReportSet) -> list[Table]:
    tables = []
    for status in (POOR, NEAR_POOR):
        present = {c for u in rs.units for c in u.causes[status]}
        codes = [c for c in Cause.values if c not in LEGACY_CAUSES or c in present]
        codes += sorted(present - set(Cause.values))
        labels = dict(_VI_CAUSES)
        columns = [
            *_LEAD,
            Column("Số hộ cuối năm", width=10),
            *(Column(labels.get(c, c), "Số hộ theo nguyên nhân", width=11) for c in codes),
        ]

        def counts(u, status=status, codes=codes):
            return [u.causes[status].get(code, 0) for code in codes]

        def cells(u, status=status, counts=counts):
            return [u.households[status].end, *counts(u)]

        lines = _unit_lines(rs, cells)
        lines.append(_rate_line(rs, counts, rs.total.households[status].end))
        notes = [*_notes(rs), "Một hộ có thể có nhiều nguyên nhân."]
        title = f"NGUYÊN NHÂN {LIST_TITLES[status].upper()} CUỐI NĂM {rs.year}"
        tables.append(Table(f"causes_{status}", title, columns, lines, notes))
    return tables


#: The causes' names as on the survey form (the model's labels are translated).
_VI_CAUSES = (
    ("no_land", "Thiếu đất sản xuất"),
    ("no_capital", "Thiếu vốn"),
    ("no_labour", "Thiếu lao động"),
    ("no_tools", "Thiếu công cụ, phương tiện sản xuất"),
    ("no_know_how", "Thiếu kiến thức sản xuất"),
    ("no_skills", "Thiếu kỹ năng lao động"),
    ("illness_accident", "Ốm đau, bệnh nặng, tai nạn"),
    ("other", "Nguyên nhân khác"),
    ("many_dependents", "Đông người ăn theo (cũ)"),
    ("jobless", "Không có việc làm (cũ)"),
    ("social_evils", "Mắc tệ nạn xã hội (cũ)"),
    ("idleness", "Lười lao động (cũ)"),
    ("disaster", "Thiên tai (cũ)"),
)


def children_table(rs: ReportSet) -> Table:
    columns = list(_LEAD)
    for status in (POOR, NEAR_POOR):
        group = LIST_TITLES[status]
        columns.append(Column("Số hộ cuối năm", group))
        columns += [Column(CHILDREN_TITLES[c], group, width=11) for c in CHILDREN_COLUMNS]

    def cells(u: UnitFigures) -> list:
        out: list[Any] = []
        for status in (POOR, NEAR_POOR):
            out.append(u.households[status].end)
            out += [u.children[status].get(c, 0) for c in CHILDREN_COLUMNS]
        return out

    notes = [
        *_notes(rs),
        "Trẻ em: thành viên dưới 16 tuổi của hộ ngày 31/12. Thẻ BHYT còn hạn ngày "
        f"{rs.as_of:%d/%m/%Y}."
        if rs.as_of
        else "",
        "Tình trạng đi học theo hồ sơ hiện tại của thành viên. Ứng dụng không ghi tình trạng "
        "suy dinh dưỡng của từng trẻ: cột suy dinh dưỡng đếm hộ thiếu hụt chỉ số dinh dưỡng "
        "của phiếu B2 (chỉ có từ chuẩn nghèo 2022–2025).",
    ]
    title = f"TRẺ EM THUỘC HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI NĂM {rs.year}"
    return Table("children", title, columns, _unit_lines(rs, cells), [n for n in notes if n])


def group_tables(rs: ReportSet) -> list[Table]:
    tables = []
    for group in GROUPS:
        columns = list(_LEAD)
        for status in (POOR, NEAR_POOR):
            head = LIST_TITLES[status]
            columns += [
                Column("Đầu năm", head),
                Column("Giảm trong năm", head),
                Column("Tăng trong năm", head),
                Column("Cuối năm", head),
                Column(f"Tỷ lệ trong {head.lower()} (%)", head, "pct", width=11),
            ]

        def cells(u: UnitFigures, group=group) -> list:
            out: list[Any] = []
            for status in (POOR, NEAR_POOR):
                f = u.groups[group][status]
                share = _pct(f.end, u.households[status].end)
                out += [f.start, f.decreases, f.increases, f.end, share]
            return out

        notes = [*_notes(rs), "Nhóm hộ theo hồ sơ hiện tại của hộ."]
        title = f"{GROUP_TITLES[group].upper()} THUỘC HỘ NGHÈO, HỘ CẬN NGHÈO NĂM {rs.year}"
        tables.append(Table(f"group_{group}", title, columns, _unit_lines(rs, cells), notes))
    return tables


def named_list_table(rs: ReportSet) -> Table:
    columns = [
        Column("STT", kind="text", width=5),
        Column("Mã hộ", kind="text", width=12),
        Column("Họ và tên", kind="text", width=26),
        Column("Quan hệ với chủ hộ", kind="text", width=14),
        Column("Năm sinh", kind="text", width=8),
        Column("Giới tính", kind="text", width=8),
        Column("Dân tộc", kind="text", width=9),
        Column("Thôn, tổ dân phố", kind="text", width=16),
        Column("Phân loại", kind="text", width=12),
        Column("Tình trạng", kind="text", width=13),
        Column("Số khẩu", width=7),
    ]
    lines = []
    several = len(rs.units) > 1
    for unit in rs.units:
        if not unit.named:
            continue
        if several:
            lines.append(Line([None, _marked(unit), *[None] * 9], "heading"))
        for number, household in enumerate(unit.named, start=1):
            lines.append(
                Line(
                    [
                        number,
                        household.code,
                        household.head_name,
                        None,
                        None,
                        None,
                        None,
                        household.village,
                        LIST_TITLES[household.status],
                        MARK_TITLES[household.status][household.mark],
                        household.people,
                    ],
                    "household",
                )
            )
            for member in household.members:
                lines.append(
                    Line(
                        [
                            None,
                            None,
                            member.full_name,
                            member.relation,
                            str(member.birth_year),
                            member.sex,
                            member.ethnicity,
                            None,
                            None,
                            None,
                            None,
                        ],
                        "member",
                    )
                )
    title = f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI NĂM {rs.year}"
    notes = [
        "Tình trạng: phát sinh mới, tái nghèo/tái cận nghèo, chuyển từ danh sách kia, khác "
        "tăng (chuyển đến), hoặc tiếp tục (có trong danh sách đầu năm). Thành viên của hộ "
        "ngày 31/12."
    ]
    return Table("named", title, columns, lines, notes)


def sheets(rs: ReportSet, *, named_list: bool | None = None) -> list[Sheet]:
    """Every sheet of the set; ``named_list`` (default: the set has one) adds the last."""
    found = [
        Sheet("1. Số hộ", "Biểu 1", [households_table(rs)]),
        Sheet("2. Nhân khẩu", "Biểu 2", [people_table(rs)]),
        Sheet("3. Thiếu hụt", "Biểu 3", deprivation_tables(rs)),
        Sheet("4. Nguyên nhân", "Biểu 4", cause_tables(rs)),
        Sheet("5. Trẻ em", "Biểu 5", [children_table(rs)]),
        Sheet("6. Nhóm đối tượng", "Biểu 6", group_tables(rs)),
    ]
    if rs.has_named_list if named_list is None else named_list:
        found.append(Sheet("7. Danh sách hộ", "Biểu 7", [named_list_table(rs)]))
    return found


def subtitle(rs: ReportSet) -> str:
    text = f"Đơn vị: {rs.root_name} — Chuẩn nghèo: {rs.standard or '–'}"
    if rs.standard_name:
        text += f" ({rs.standard_name})"
    return text


# --- Workbook ----------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="center", wrap_text=True)
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_BOLD_LINES = ("group", "total", "heading", "household", "rate")


def header_height(text: str, width: float, *, line_height: float = 15.0) -> float:
    """Points of row height for ``text`` wrapped in a column ``width`` characters wide."""
    lines = sum(max(1, math.ceil(len(part) / max(width * 0.95, 1))) for part in text.split("\n"))
    return line_height * lines + 4


def _write_table(ws, row: int, table: Table, rs: ReportSet) -> int:
    """Write ``table`` from ``row``; return the next free row."""
    width = len(table.columns)
    if table.title:
        ws.cell(row, 1, spreadsheet_safe(table.title)).font = _BOLD
        row += 1
    # Header: the group row (merged across each group) and the column row; a column
    # without a group is merged over both.
    top = row
    if table.has_groups:
        col = 1
        for group, span in table.header_groups:
            if not group:
                ws.cell(top, col, spreadsheet_safe(table.columns[col - 1].title))
                ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
                col += span
                continue
            ws.cell(top, col, spreadsheet_safe(group))
            if span > 1:
                ws.merge_cells(
                    start_row=top, start_column=col, end_row=top, end_column=col + span - 1
                )
            col += span
        for col, column in enumerate(table.columns, start=1):
            if column.group:
                ws.cell(top + 1, col, spreadsheet_safe(column.title))
        header_rows = (top, top + 1)
    else:
        for col, column in enumerate(table.columns, start=1):
            ws.cell(top, col, spreadsheet_safe(column.title))
        header_rows = (top,)
    for header_row in header_rows:
        for col in range(1, width + 1):
            cell = ws.cell(header_row, col)
            cell.font, cell.alignment, cell.border = _BOLD, _CENTRE, _BOX
    ws.row_dimensions[header_rows[-1]].height = max(
        header_height(c.title, c.width) for c in table.columns if c.group or not table.has_groups
    )
    if table.has_groups:
        ws.row_dimensions[top].height = max(
            header_height(group, 9.5 * span) for group, span in table.header_groups if group
        )
    row = header_rows[-1] + 1
    for col in range(1, width + 1):
        cell = ws.cell(row, col, f"({col})")
        cell.alignment, cell.border = _CENTRE, _BOX
    row += 1
    for line in table.lines:
        for col, (column, value) in enumerate(zip(table.columns, line.cells, strict=True), 1):
            cell = ws.cell(row, col, spreadsheet_safe(value))
            cell.border = _BOX
            if line.kind_of(column) in _FORMATS:
                cell.number_format = _FORMATS[line.kind_of(column)]
            if line.kind in _BOLD_LINES:
                cell.font = _BOLD
            if col == 2 or column.kind == "text":
                cell.alignment = _WRAP
        if line.kind == "heading":
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
        row += 1
    for note in table.notes:
        ws.cell(row, 1, spreadsheet_safe(note))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        ws.cell(row, 1).alignment = _WRAP
        total_width = sum(c.width for c in table.columns)
        ws.row_dimensions[row].height = header_height(note, total_width)
        row += 1
    return row + 1


def _column_widths(ws, sheet: Sheet) -> None:
    widths: dict[int, float] = {}
    for table in sheet.tables:
        for col, column in enumerate(table.columns, start=1):
            widths[col] = max(widths.get(col, 0), column.width)
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def _signatures(ws, row: int, width: int, day: datetime.date) -> None:
    right = max(width - 5, 3)
    ws.cell(row, right, _date_line("Hạ Long", day)).alignment = _CENTRE
    ws.merge_cells(start_row=row, start_column=right, end_row=row, end_column=width)
    row += 1
    ws.cell(row, 2, PREPARER).font = _BOLD
    ws.cell(row, right, HEAD).font = _BOLD
    ws.cell(row, right).alignment = _CENTRE
    ws.merge_cells(start_row=row, start_column=right, end_row=row, end_column=width)
    row += 1
    ws.cell(row, 2, "(Ký, ghi rõ họ tên)")
    ws.cell(row, right, "(Ký, đóng dấu)").alignment = _CENTRE
    ws.merge_cells(start_row=row, start_column=right, end_row=row, end_column=width)


def write_xlsx(rs: ReportSet, out: IO[bytes] | str, *, on: datetime.date | None = None) -> None:
    """The set as a workbook, one worksheet per sheet, printed landscape on A4 width."""
    day = on or timezone.localdate()
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets(rs):
        ws = workbook.create_sheet(sheet.name)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        _column_widths(ws, sheet)
        width = max(len(t.columns) for t in sheet.tables)
        ws.cell(1, 1, f"{sheet.title}. {sheet.tables[0].title}").font = _TITLE
        ws.cell(2, 1, spreadsheet_safe(subtitle(rs)))
        ws.cell(3, 1, f"(Theo mẫu báo cáo {FORM_REFERENCE})").font = Font(italic=True)
        row = 5
        for number, table in enumerate(sheet.tables):
            if number == 0:
                # The sheet's first table carries its title in row 1 already.
                table = Table(table.key, "", table.columns, table.lines, table.notes)
            row = _write_table(ws, row, table, rs)
        _signatures(ws, row, width, day)
    workbook.save(out)


# --- Print and PDF ------------------------------------------------------------------------

DOCUMENT_TEMPLATE = "halong/report_set/document.html"


def document_context(rs: ReportSet, *, on: datetime.date | None = None) -> dict:
    """The context of the printed set (also the page's tables)."""
    day = on or timezone.localdate()
    return {
        "report_set": rs,
        "sheets": sheets(rs),
        "subtitle": subtitle(rs),
        "form_reference": FORM_REFERENCE,
        "document_date": day,
        "date_line": _date_line("Hạ Long", day),
        "signatures": [{"title": PREPARER}, {"title": HEAD, "subtitle": "(Ký, đóng dấu)"}],
    }


def render_html(rs: ReportSet, *, on: datetime.date | None = None, as_pdf: bool = True) -> str:
    context = {**document_context(rs, on=on), "as_pdf": as_pdf}
    return render_to_string(DOCUMENT_TEMPLATE, context)


def write_pdf(rs: ReportSet, *, on: datetime.date | None = None) -> bytes:
    """The set as a PDF (WeasyPrint, the vendored DejaVu fonts), A4 landscape."""
    return html_to_pdf(render_html(rs, on=on))


def cell_text(value, kind: str) -> str:
    """A cell as printed: thousands with ``.``, rates with ``,`` and two decimals."""
    if value is None or value == "":
        return ""
    if kind == "pct" and isinstance(value, int | float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if kind in ("int", "vnd") and isinstance(value, int):
        text = f"{value:,}".replace(",", ".")
        return f"{text} ₫" if kind == "vnd" else text
    return str(value)
