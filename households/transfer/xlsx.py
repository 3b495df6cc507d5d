"""A minimal streaming .xlsx writer for large exports.

openpyxl's write-only mode builds an element per cell and serialises it
through ``et_xmlfile`` (no lxml here): about 9 s per 10,000 households with
their 40,000 members, so a province (100,000) takes ~90 s whatever the
queries (bench/export.py ``--floor``). This writer formats each row as one
string of SpreadsheetML (inline strings, numbers, booleans and dates with one
``dd/mm/yyyy`` style) into a temporary file per sheet and zips the parts at
the end, about ten times faster. It writes only what the exports need: no
shared strings, formulas, widths or other styles. Excel, LibreOffice and
openpyxl (our importer) read the result.
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from xml.sax.saxutils import quoteattr

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXCEL_EPOCH = datetime.date(1899, 12, 30)
#: Excel counts a 29/2/1900 that never was; openpyxl's ``to_excel`` handles earlier dates.
LEAP_BUG_END = datetime.date(1900, 3, 1)
#: Style index of dates (``cellXfs`` of ``STYLES``).
DATE_STYLE = 1
DATE_FORMAT = "dd/mm/yyyy"
#: Characters XML 1.0 cannot hold are dropped; markup characters are escaped.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_ESCAPES.update(
    {c: None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | {0xFFFE: None, 0xFFFF: None}
)
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

STYLES = f"""{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>\
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""


def _text(value: str) -> str:
    if _NEEDS_ESCAPE.search(value):
        value = value.translate(_ESCAPES)
    return value


class StreamingWorkbook:
    """Sheets filled row by row, in any interleaving, then ``save``\\ d once.

    Each sheet's XML goes to its own temporary file, so memory holds one row
    at a time; ``save`` zips them and deletes them (as does ``close``).
    """

    def __init__(self, sheet_names: Iterable[str]):
        self._dir = tempfile.TemporaryDirectory(prefix="export-")
        self._sheets: dict[str, _Sheet] = {}
        for number, name in enumerate(sheet_names, start=1):
            path = os.path.join(self._dir.name, f"sheet{number}.xml")
            self._sheets[name] = _Sheet(path)

    def append(self, sheet: str, values: list) -> None:
        self._sheets[sheet].append(values)

    def save(self, path: str) -> None:
        try:
            for sheet in self._sheets.values():
                sheet.finish()
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
                archive.writestr("[Content_Types].xml", self._content_types())
                archive.writestr("_rels/.rels", self._package_rels())
                archive.writestr("xl/workbook.xml", self._workbook())
                archive.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
                archive.writestr("xl/styles.xml", STYLES)
                for number, sheet in enumerate(self._sheets.values(), start=1):
                    archive.write(sheet.path, f"xl/worksheets/sheet{number}.xml")
        finally:
            self.close()

    def close(self) -> None:
        for sheet in self._sheets.values():
            sheet.close()
        self._dir.cleanup()

    def _content_types(self) -> str:
        sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
            for n in range(1, len(self._sheets) + 1)
        )
        return (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheets}</Types>"
        )

    def _package_rels(self) -> str:
        return (
            f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(self._sheets, start=1)
        )
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f"<sheets>{sheets}</sheets></workbook>"
        )

    def _workbook_rels(self) -> str:
        count = len(self._sheets)
        sheets = "".join(
            f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        styles = f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
        return f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">{sheets}{styles}</Relationships>'


class _Sheet:
    def __init__(self, path: str):
        self.path = path
        self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by finish/close)
        self._file.write(f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}"><sheetData>')
        self._rows = 0
        self._letters: list[str] = []

    def append(self, values: list) -> None:
        self._rows += 1
        n = self._rows
        if len(values) > len(self._letters):
            self._letters = [get_column_letter(i) for i in range(1, len(values) + 1)]
        cells = [f'<row r="{n}">']
        add = cells.append
        for letter, value in zip(self._letters, values, strict=False):
            kind = type(value)
            if value is None or value == "":
                continue
            if kind is str:
                add(f'<c r="{letter}{n}" t="inlineStr"><is><t xml:space="preserve">')
                add(_text(value))
                add("</t></is></c>")
            elif kind is int or kind is float or kind is Decimal:
                add(f'<c r="{letter}{n}"><v>{value}</v></c>')
            elif kind is bool:
                add(f'<c r="{letter}{n}" t="b"><v>{int(value)}</v></c>')
            elif kind is datetime.date:
                serial = (value - EXCEL_EPOCH).days if value >= LEAP_BUG_END else to_excel(value)
                add(f'<c r="{letter}{n}" s="{DATE_STYLE}"><v>{serial}</v></c>')
            elif kind is datetime.datetime:
                delta = value.replace(tzinfo=None) - datetime.datetime(1899, 12, 30)
                add(
                    f'<c r="{letter}{n}" s="{DATE_STYLE}"><v>{delta / datetime.timedelta(1)}</v></c>'
                )
            else:
                add(f'<c r="{letter}{n}" t="inlineStr"><is><t xml:space="preserve">')
                add(_text(str(value)))
                add("</t></is></c>")
        add("</row>")
        self._file.write("".join(cells))

    def finish(self) -> None:
        if not self._file.closed:
            self._file.write("</sheetData></worksheet>")
            self._file.close()

    def close(self) -> None:
        self._file.close()
