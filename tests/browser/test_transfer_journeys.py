"""A ward officer imports households from the template, fixes a bad row and exports the list."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from households.models import Household
from households.transfer.columns import HOUSEHOLD_COLUMNS, column_lookup, header_key
from tests.factories import TEST_PASSWORD

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

GOOD_CITIZEN_ID = "022080000123"
ROW = {
    "household_code": "HL-WEB-1",
    "unit_code": "6688",
    "head_name": "Phạm Văn Thắng",
    "head_citizen_id": "02208000012",  # 11 digits
    "head_sex": "nam",
    "head_birth_year": 1980,
}


def fill_template(template: Path, out: Path, row: dict) -> int:
    """Save the template with one household row placed by the header's labels;
    returns the position of the head's citizen-ID column."""
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    lookup = column_lookup(HOUSEHOLD_COLUMNS)
    keys = [lookup.get(header_key(cell.value or "")) for cell in sheet[1]]
    sheet.append([row.get(key) for key in keys])
    workbook.save(out)
    return keys.index("head_citizen_id")


def upload(page, path: Path) -> None:
    page.goto("/households/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/jobs/*/")  # the check runs as a job; its page shows the preview
    page.wait_for_selector(".job-state-done, .job-state-failed")


def test_officer_imports_fixes_a_bad_row_and_exports_the_list(page, halong_officer, tmp_path):
    login(page, halong_officer.username, TEST_PASSWORD)
    page.wait_for_url("**/")

    page.goto("/households/import/")
    with page.expect_download() as template_download:
        page.locator("main a[download]").first.click()
    template = tmp_path / "template.xlsx"
    template_download.value.save_as(template)

    bad = tmp_path / "bad.xlsx"
    column = fill_template(template, bad, ROW)
    upload(page, bad)
    problem = page.locator("main table tbody tr").filter(has_text="Số CCCD chủ hộ")
    cells = problem.locator("td").all_inner_texts()
    assert cells[1] == "2"  # the Excel row
    assert cells[2].startswith(chr(ord("A") + column))  # the column's letter and label
    assert not Household.objects.exists()

    good = tmp_path / "good.xlsx"
    fill_template(template, good, ROW | {"head_citizen_id": GOOD_CITIZEN_ID})
    upload(page, good)
    page.click("#job-status form button[type=submit]")  # confirm: another job
    page.wait_for_selector("#job-status .alert-success")
    page.click("#job-status a.btn-primary")  # open the households
    page.wait_for_url("**/households/?unit=*")
    assert "HL-WEB-1" in page.locator("main").inner_text()
    assert Household.objects.get(code="HL-WEB-1").head.citizen_id == GOOD_CITIZEN_ID

    page.locator("main a[href*='/households/export/']:not([href*='format=csv'])").click()
    page.wait_for_url("**/jobs/*/")
    with page.expect_download() as export_download:
        page.click("#job-status a[href$='/download/']")
    exported = tmp_path / export_download.value.suggested_filename
    export_download.value.save_as(exported)
    assert exported.suffix == ".xlsx"
    rows = load_workbook(exported, read_only=True).worksheets[0].iter_rows(values_only=True)
    assert "HL-WEB-1" in {row[0] for row in rows}
