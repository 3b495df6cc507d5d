"""Files are refused before parsing when they are not what they claim, too large or bombs."""

import zipfile

import pytest
from django.utils import translation

from households.transfer import reading
from households.transfer.reading import FileRefused, open_table

from .test_transfer_helpers import household, write_workbook


def _refused(path, name=None) -> str:
    with translation.override("en"), pytest.raises(FileRefused) as caught:
        open_table(path, name or path.name)
    return str(caught.value)


def test_text_renamed_to_xlsx_is_refused(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_text("household_code,unit_code\nHL-1,6688\n")
    assert "not a real Excel workbook" in _refused(path)


def test_old_xls_renamed_is_refused(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(reading.OLE_MAGIC + b"\0" * 600)
    assert "old Excel file (.xls)" in _refused(path)


def test_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "list.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "not a real Excel workbook" in _refused(path)


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    assert path.stat().st_size < 100_000
    assert "expands to too much data" in _refused(path)


def test_oversized_file_is_refused(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "big.xlsx", [household()])
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1000)
    assert "too large" in _refused(path)


def test_workbook_renamed_to_csv_is_refused(tmp_path):
    path = write_workbook(tmp_path / "list.xlsx", [household()])
    renamed = path.rename(tmp_path / "list.csv")
    assert "not a CSV file" in _refused(renamed)


def test_csv_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes("household_code,head_name\nHL-1,Nguyễn Văn Đức\n".encode("utf-16"))
    assert _refused(path)


def test_other_extensions_are_refused(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("x")
    assert ".xlsx" in _refused(path)


def test_real_workbook_is_read_with_excel_row_numbers(tmp_path):
    path = write_workbook(tmp_path / "list.xlsx", [household(), {}, household("HL-2")])

    table = open_table(path, path.name)

    assert [number for number, _values in table.households.rows] == [2, 4]
    assert table.members is None


def _with_sheet_xml(tmp_path, xml: bytes):
    """A real workbook whose first sheet's XML is replaced by ``xml``."""
    source = write_workbook(tmp_path / "source.xlsx", [household()])
    path = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as evil:
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = xml
            evil.writestr(entry, data)
    return path


def test_external_entity_xxe_is_refused(tmp_path):
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    assert "declares XML entities" in _refused(_with_sheet_xml(tmp_path, xml))


def test_billion_laughs_is_refused(tmp_path):
    entities = b"".join(
        b'<!ENTITY l%d "%s">' % (n, b"&l%d;" % (n - 1) * 10 if n else b"lol") for n in range(10)
    )
    xml = (
        b'<?xml version="1.0"?><!doctype w [' + entities + b"]>"
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    assert "declares XML entities" in _refused(_with_sheet_xml(tmp_path, xml))


def test_zip_bomb_whose_directory_lies_about_sizes_is_refused(tmp_path):
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    data = bytearray(path.read_bytes())
    # Claim 1,000 bytes uncompressed in the central directory (offset 24 of each entry).
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        data[position + 24 : position + 28] = (1000).to_bytes(4, "little")
        position += 4
    path.write_bytes(bytes(data))
    assert _refused(path)  # refused, whatever it says: nothing was parsed
