"""An agency list as the receiving office files it: an xlsx with the issuing unit,
the title and period, the numbered table and the signature block."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from communes.text import spreadsheet_safe

from .agency_lists import AgencyList

MONEY_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: The table starts on this row (after the heading block).
HEADER_ROW = 6


def workbook(agency_list: AgencyList, *, issuer: str, made_on: datetime.date) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = agency_list.kind
    width = len(agency_list.columns)
    sheet["A1"] = issuer.upper()
    sheet["A1"].font = Font(bold=True)
    right = get_column_letter(max(width - 3, 1))
    sheet[f"{right}1"] = _("SOCIALIST REPUBLIC OF VIETNAM")
    sheet[f"{right}1"].font = Font(bold=True)
    sheet[f"{right}2"] = _("Independence – Freedom – Happiness")
    sheet["A3"] = agency_list.title.upper()
    sheet["A3"].font = Font(bold=True, size=13)
    sheet["A4"] = _("Period: %(period)s · made on %(day)s") % {
        "period": agency_list.period,
        "day": made_on.strftime("%d/%m/%Y"),
    }
    for column, label in enumerate(agency_list.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=label)
        cell.font = Font(bold=True)
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(column)].width = 6 if column == 1 else 18
    sheet.row_dimensions[HEADER_ROW].height = 32
    for offset, row in enumerate(agency_list.rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=HEADER_ROW + offset, column=column, value=spreadsheet_safe(value))
            cell.border = BOX
            if column - 1 in agency_list.money_columns:
                cell.number_format = MONEY_FORMAT
            elif column - 1 in agency_list.date_columns:
                cell.number_format = DATE_FORMAT
    end = HEADER_ROW + len(agency_list.rows) + 2
    sheet.cell(row=end, column=1, value=_("Total: %(rows)s rows") % {"rows": len(agency_list.rows)})
    sheet.cell(row=end + 1, column=2, value=_("Prepared by")).font = Font(bold=True)
    sheet.cell(
        row=end + 1, column=max(width - 2, 3), value=_("On behalf of the People's Committee")
    )
    sheet.cell(row=end + 1, column=max(width - 2, 3)).font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return book


def xlsx_chunks(agency_list: AgencyList, *, issuer: str, made_on: datetime.date) -> Iterator[bytes]:
    buffer = io.BytesIO()
    workbook(agency_list, issuer=issuer, made_on=made_on).save(buffer)
    yield buffer.getvalue()
