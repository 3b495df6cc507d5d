"""manage.py annual_report: JSON and xlsx output, unit codes resolved by year."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from communes.models import UnitHouseholdCount
from tests.conftest import legacy, unit
from tests.factories import AssessmentFactory, HouseholdFactory


def run(*args) -> str:
    out = io.StringIO()
    call_command("annual_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def assess(household, year, status, unit_obj):
    return AssessmentFactory(
        household=household,
        unit=unit_obj,
        round__unit=unit_obj,
        round__year=year,
        status="recognised",
        recorded_status=status,
        member_count=3,
    )


@pytest.fixture
def data(city):
    hong_hai = legacy("6688")
    household = HouseholdFactory(unit=unit("6688"))
    assess(household, 2019, "poor", hong_hai)
    assess(household, 2020, "near_poor", hong_hai)
    UnitHouseholdCount.objects.create(unit=hong_hai, year=2019, households=5000)
    UnitHouseholdCount.objects.create(unit=hong_hai, year=2020, households=5200)
    return household


def test_json_for_the_city(data):
    report = json.loads(run("--year", "2020"))

    assert set(report) >= {"year", "standard", "units", "total"}
    assert (report["year"], report["standard"]) == (2020, "QD59-2016")
    assert len(report["units"]) == 33
    total = report["total"]
    assert total["code"] == "193"
    assert (total["poor"]["start"], total["poor"]["to_near_poor"]) == (1, 1)
    assert (total["near_poor"]["end"], total["near_poor"]["end_people"]) == (1, 3)
    row = next(r for r in report["units"] if r["code"] == "6688")
    assert row["name"] == "Phường Hồng Hải"
    assert row["poor"]["start_rate_pct"] == 0.02  # 1 / 5,000
    assert row["near_poor"]["end_rate_pct"] == 0.02  # 1 / 5,200 = 0.0192


def test_unit_code_is_resolved_with_the_year(data):
    in_2020 = json.loads(run("--year", "2020", "--unit", "6688"))
    in_2025 = json.loads(run("--year", "2025", "--unit", "6688"))

    assert in_2020["total"]["name"] == "Phường Hồng Hải"
    assert [r["code"] for r in in_2020["units"]] == ["6688"]
    assert in_2025["total"]["name"] == "Phường Hạ Long"
    assert [r["name"] for r in in_2025["units"]] == ["Phường Hạ Long"]


def test_unknown_unit_code_is_an_error(city):
    with pytest.raises(CommandError, match="No ward or commune with code '9999'"):
        run("--year", "2020", "--unit", "9999")


def test_unknown_standard_is_an_error(city):
    with pytest.raises(CommandError, match="Unknown poverty standard"):
        run("--year", "2020", "--standard", "NOPE")


def test_provincial_standard_option(data):
    report = json.loads(run("--year", "2024", "--standard", "QN-NQ13-2023"))

    assert report["standard"] == "QN-NQ13-2023"


def test_xlsx_needs_an_output_file(city):
    with pytest.raises(CommandError, match="--out"):
        run("--year", "2020", "--format", "xlsx")


def test_xlsx_is_written(data, tmp_path):
    path = tmp_path / "report.xlsx"

    run("--year", "2020", "--format", "xlsx", "--out", str(path))

    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2020"
    total = next(r for r in rows if r[1] == "Tổng cộng")
    assert total[3] == 1  # poor at the start


def test_json_written_to_a_file(data, tmp_path):
    path = tmp_path / "report.json"

    assert run("--year", "2020", "--out", str(path)) == ""

    assert json.loads(path.read_text(encoding="utf-8"))["year"] == 2020
    assert "Phường Hồng Hải" in path.read_text(encoding="utf-8")  # ensure_ascii=False


def test_standard_not_in_force_that_year_is_an_error(city):
    with pytest.raises(
        CommandError, match="in force in 2016–2021 \\(the reviews of 2015–2020\\), not in 2024"
    ):
        run("--year", "2024", "--standard", "QD59-2016")
