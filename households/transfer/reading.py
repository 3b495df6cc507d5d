"""Opening uploaded tables safely: size, real format, zip bombs, encodings.

Every check runs before openpyxl (or the csv module) parses anything: a
file that is too large, is not what its name says, or would inflate beyond
a fixed budget is refused with ``FileRefused`` and a message for the user.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from .columns import MEMBERS_SHEET_NAMES, header_key

#: Largest accepted upload (a ward's 10,000 households with members is ~2 MB as .xlsx).
MAX_FILE_BYTES = getattr(settings, "HOUSEHOLD_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
#: Largest total size of the parts of an .xlsx once decompressed.
MAX_UNCOMPRESSED_BYTES = getattr(settings, "HOUSEHOLD_IMPORT_MAX_UNCOMPRESSED", 300 * 1024 * 1024)
#: Spreadsheet XML compresses 5–20×; a zip bomb compresses hundreds of times.
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 2_000
MAX_ROWS = 200_000
MAX_COLUMNS = 200
#: Reading reports its progress every this many rows.
PROGRESS_ROWS = 500
#: Called with a count of rows (read, checked or saved) as an import goes.
RowCounter = Callable[[int], None]
EXTENSIONS = (".xlsx", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other old Office files


class FileRefused(Exception):
    """The file was refused before parsing; ``str(error)`` is the user's message."""


@dataclass
class Sheet:
    """One sheet: its header cells and its data rows with their Excel row numbers."""

    name: str
    header: list[Any] = field(default_factory=list)
    #: (Excel row number, cell values) of every non-empty row below the header.
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    #: Filled by the importer: column key / indicator code → 0-based column index.
    columns: dict[str, int] = field(default_factory=dict)
    indicators: dict[str, int] = field(default_factory=dict)


@dataclass
class Table:
    households: Sheet
    members: Sheet | None = None


def check_upload(name: str, size: int) -> str:
    """The lower-case extension of an upload, or ``FileRefused`` (before reading it)."""
    extension = Path(name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise FileRefused(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    if size > MAX_FILE_BYTES:
        raise FileRefused(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": MAX_FILE_BYTES // 1024 // 1024}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))
    return extension


def open_table(path: Path | str, name: str, progress: RowCounter | None = None) -> Table:
    """Check and parse the file at ``path`` (uploaded as ``name``).

    ``progress``, when given, is called with the number of rows read so far
    (both sheets), as reading goes."""
    path = Path(path)
    extension = check_upload(name, path.stat().st_size)
    with path.open("rb") as handle:
        head = handle.read(8)
    if extension == ".xlsx":
        if head.startswith(OLE_MAGIC):
            raise FileRefused(
                _("This is an old Excel file (.xls) renamed: open it and save it as .xlsx.")
            )
        if not head.startswith(ZIP_MAGIC):
            raise FileRefused(_("This file is not a real Excel workbook (.xlsx)."))
        _check_zip(path)
        return _read_xlsx(path, progress)
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise FileRefused(_("This file is a workbook, not a CSV file: name it .xlsx."))
    return _read_csv(path, progress)


def _check_zip(path: Path) -> None:
    """Refuse zip bombs: count what decompression really produces, within a budget."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise FileRefused(_("This file is not a real Excel workbook (.xlsx).")) from error
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise FileRefused(_("This file is not a real Excel workbook (.xlsx)."))
        if len(entries) > MAX_ZIP_ENTRIES:
            raise FileRefused(_("The workbook has too many parts to be a household list."))
        compressed = sum(entry.compress_size for entry in entries)
        declared = sum(entry.file_size for entry in entries)
        if declared > MAX_UNCOMPRESSED_BYTES or declared > MAX_COMPRESSION_RATIO * max(
            compressed, 1
        ):
            raise FileRefused(_("The workbook expands to too much data; it was not opened."))
        # The sizes in the directory can lie: decompress and count. A workbook's XML
        # never declares a document type: one would carry entities (XXE, billion laughs).
        total = 0
        try:
            for entry in entries:
                with archive.open(entry) as part:
                    tail = b""
                    while chunk := part.read(1024 * 1024):
                        if b"<!DOCTYPE" in (tail + chunk).upper():
                            raise FileRefused(
                                _("The workbook declares XML entities; it was not opened.")
                            )
                        tail = chunk[-16:]
                        total += len(chunk)
                        if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(
                            compressed, 1
                        ):
                            raise FileRefused(
                                _("The workbook expands to too much data; it was not opened.")
                            )
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise FileRefused(_("This file is not a real Excel workbook (.xlsx).")) from error


def _sheet(name: str, rows, progress: RowCounter | None = None, already: int = 0) -> Sheet:
    """A sheet from its rows (tuples of cell values): the first is the header;
    blank rows are skipped, Excel row numbers kept."""
    sheet = Sheet(name=name)
    for number, values in enumerate(rows, start=1):
        if progress is not None and number % PROGRESS_ROWS == 0:
            progress(already + number)
        values = values[:MAX_COLUMNS]
        if number == 1:
            sheet.header = list(values)
            continue
        if number > MAX_ROWS:
            raise FileRefused(
                _("The sheet “%(sheet)s” has more than %(limit)s rows.")
                % {"sheet": name, "limit": MAX_ROWS}
            )
        if any(value is not None and value != "" for value in values):
            sheet.rows.append((number, values))
    if progress is not None:
        progress(already + len(sheet.rows))
    return sheet


def _sheet_rows(worksheet, name: str, progress=None, already: int = 0) -> Sheet:
    return _sheet(name, worksheet.iter_rows(values_only=True), progress, already)


def _read_xlsx(path: Path, progress: RowCounter | None = None) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on malformed parts
        raise FileRefused(_("This file is not a real Excel workbook (.xlsx).")) from error
    try:
        worksheets = workbook.worksheets
        if not worksheets:
            raise FileRefused(_("The workbook has no sheet."))
        households = _sheet_rows(worksheets[0], worksheets[0].title, progress)
        members = None
        for worksheet in worksheets[1:]:
            if header_key(worksheet.title) in MEMBERS_SHEET_NAMES:
                members = _sheet_rows(
                    worksheet, worksheet.title, progress, already=len(households.rows)
                )
                break
    except FileRefused:
        raise
    except Exception as error:
        raise FileRefused(_("This file is not a real Excel workbook (.xlsx).")) from error
    finally:
        workbook.close()
    return Table(households=households, members=members)


def _read_csv(path: Path, progress: RowCounter | None = None) -> Table:
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise FileRefused(_("This file is not a text CSV file."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            _("The CSV file is not in UTF-8: save it from Excel as “CSV UTF-8”.")
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        sheet = _sheet(
            "CSV", (tuple(value.strip() for value in values) for values in reader), progress
        )
    except csv.Error as error:
        raise FileRefused(_("This file is not a text CSV file.")) from error
    return Table(households=sheet)
