"""report_set: every block against hand-counted data, the demo's balance, the files."""

import datetime
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from communes.models import Area, UnitHouseholdCount, UnitKind
from halong.report_set import FLOW_COLUMNS, household_years, report_set
from halong.report_set_export import (
    INT_FORMAT,
    PCT_FORMAT,
    sheets,
    write_pdf,
    write_xlsx,
)
from halong.reports import annual_report
from households.models import AssessmentCause, SchoolLevel, Sex
from tests.factories import HouseholdFactory, MemberFactory, UnitFactory, standard
from tests.halong.test_reports import assess, deprive, seeded  # noqa: F401 (fixture)

POOR, NEAR_POOR = "poor", "near_poor"


@pytest.fixture
def town(db):
    """Report year 2024 of a city with an urban ward A and a rural commune B.

    Each household's story is in its comment; the expected figures below are
    counted by hand from them.
    """
    city = UnitFactory(kind=UnitKind.CITY, code="S100", name="Thành phố Thử")
    ward = UnitFactory(code="S101", name="Phường A", area=Area.URBAN, parent=city)
    commune = UnitFactory(
        code="S102", name="Xã B", kind=UnitKind.COMMUNE, area=Area.RURAL, parent=city
    )
    for unit_obj, before, now in ((ward, 1000, 1000), (commune, 500, 400)):
        UnitHouseholdCount.objects.create(
            unit=unit_obj, year=2023, households=before, people=before * 4
        )
        UnitHouseholdCount.objects.create(unit=unit_obj, year=2024, households=now, people=now * 4)
    h = {n: HouseholdFactory(unit=ward, code=f"A-{n}") for n in range(1, 7)}
    h[7] = HouseholdFactory(unit=commune, code="B-7")

    # h1: poor → poor (continuing), 4 → 5 people; ethnic minority, female head;
    # children: one of 9 with no card and not at school, one of 4 with a card at
    # preschool; deprived in nutrition and health insurance; cause: no capital.
    h[1].is_ethnic_minority = True
    h[1].save()
    h[1].head.sex = Sex.FEMALE
    h[1].head.full_name = "Lò Thị Mai"
    h[1].head.birth_year = 1985
    h[1].head.save()
    MemberFactory(household=h[1], full_name="Lò Văn Tí", birth_year=2015)
    MemberFactory(
        household=h[1],
        full_name="Lò Thị Na",
        birth_year=2020,
        health_insurance_number="TE1220000000001",
        health_insurance_expiry=datetime.date(2025, 12, 31),
        school_level=SchoolLevel.PRESCHOOL,
    )
    # A child who left in 2024 is not counted.
    MemberFactory(household=h[1], birth_year=2016, left_on=datetime.date(2024, 6, 1))
    assess(h[1], 2023, POOR, member_count=4)
    a = assess(h[1], 2024, POOR, member_count=5)
    deprive(a, "nutrition", "health_insurance")
    AssessmentCause.objects.create(assessment=a, code="no_capital", is_primary=True)
    # h2: poor → near-poor (3 → 3 people); merit family; cause: no land.
    h[2].has_revolutionary_merit = True
    h[2].save()
    assess(h[2], 2023, POOR, member_count=3)
    a = assess(h[2], 2024, NEAR_POOR, member_count=3)
    deprive(a, "water")
    AssessmentCause.objects.create(assessment=a, code="no_land", is_primary=True)
    # h3: near-poor → out: exited near-poverty (2 people at the start).
    assess(h[3], 2023, NEAR_POOR, member_count=2)
    assess(h[3], 2024, "average", member_count=2)
    # h4: never listed → new poor, 3 people, no working capacity; deprived in water.
    h[4].no_working_capacity = True
    h[4].save()
    a = assess(h[4], 2024, POOR, member_count=3)
    deprive(a, "water")
    # h5: poor in 2021, out in 2022 and 2023, near-poor in 2024 → re-entered (2 people).
    assess(h[5], 2021, POOR)
    assess(h[5], 2022, "average")
    assess(h[5], 2023, "average")
    assess(h[5], 2024, NEAR_POOR, member_count=2)
    # h6: poor in 2023 (6 people), no decision in 2024 → other decrease.
    assess(h[6], 2023, POOR, member_count=6)
    # h7: poor in ward A in 2023 (4 people), moved to commune B, poor there in 2024
    # (4 people): other decrease of A, other increase of B.
    assess(h[7], 2023, POOR, member_count=4, unit_obj=ward)
    assess(h[7], 2024, POOR, member_count=4, unit_obj=commune)
    return {"city": city, "ward": ward, "commune": commune, "h": h}


@pytest.fixture
def town_set(town):
    return report_set(year=2024, root=town["city"], named_list=True)


def row(rs, code):
    return next(u for u in rs.units if u.code == code)


def flows(f) -> dict:
    return {c: getattr(f, c) for c in FLOW_COLUMNS if getattr(f, c)}


def test_households_sheet_counts_every_flow_by_hand(town_set):
    a, b = row(town_set, "S101"), row(town_set, "S102")

    # A poor: start h1 h2 h6 h7; h2 to near-poor, h6 and h7 other decreases; h4 new.
    assert flows(a.households[POOR]) == {
        "start": 4,
        "to_other": 1,
        "other_decrease": 2,
        "new": 1,
        "end": 2,
    }
    # A near-poor: start h3; h3 exited; h2 from poor, h5 re-entered.
    assert flows(a.households[NEAR_POOR]) == {
        "start": 1,
        "exited": 1,
        "from_other": 1,
        "re_entered": 1,
        "end": 2,
    }
    assert flows(b.households[POOR]) == {"other_increase": 1, "end": 1}
    assert a.start_rate(POOR) == 0.4 and a.end_rate(POOR) == 0.2
    assert b.end_rate(POOR) == 0.25
    total = town_set.total.households[POOR]
    assert (total.start, total.end, total.other_decrease, total.other_increase) == (4, 3, 2, 1)


def test_people_sheet_uses_start_sizes_for_decreases_and_end_sizes_for_increases(town_set):
    a, b = row(town_set, "S101"), row(town_set, "S102")

    # A poor: start 4+3+6+4 = 17; to near-poor 3, other decreases 6+4; new 3; h1 grew by 1.
    assert flows(a.people[POOR]) == {
        "start": 17,
        "to_other": 3,
        "other_decrease": 10,
        "new": 3,
        "end": 8,
    }
    assert a.people[POOR].size_change == 1
    assert flows(a.people[NEAR_POOR]) == {
        "start": 2,
        "exited": 2,
        "from_other": 3,
        "re_entered": 2,
        "end": 5,
    }
    assert flows(b.people[POOR]) == {"other_increase": 4, "end": 4}
    # Rates over the resident people entered (4 000 in A).
    assert a.people_start_rate(POOR) == 0.43 and a.people_end_rate(POOR) == 0.2


def test_every_sheet_balances_and_the_households_equal_the_annual_report(town, town_set):
    annual = annual_report(year=2024, root=town["city"])
    for figures, annual_row in zip(town_set.units, annual.units, strict=True):
        for status in (POOR, NEAR_POOR):
            assert figures.households[status].balances
            assert figures.people[status].balances
            for group in figures.groups.values():
                assert group[status].balances
            block = annual_row.block(status)
            assert flows(figures.households[status]) == {
                c: getattr(block, c) for c in FLOW_COLUMNS if getattr(block, c)
            }
            assert figures.people[status].end == block.end_people


def test_deprivations_and_causes_are_split_poor_and_near_poor(town_set):
    a = row(town_set, "S101")

    assert dict(a.deprivations[POOR]) == {"nutrition": 1, "health_insurance": 1, "water": 1}
    assert dict(a.deprivations[NEAR_POOR]) == {"water": 1}
    assert dict(a.causes[POOR]) == {"no_capital": 1}
    assert dict(a.causes[NEAR_POOR]) == {"no_land": 1}


def test_children_block_counts_members_under_16_on_31_december(town_set):
    a = row(town_set, "S101")

    # h1: two children (the one who left is not counted); h4's head is an adult.
    assert dict(a.children[POOR]) == {
        "children": 2,
        "no_insurance": 1,
        "out_of_school": 1,
        "nutrition_households": 1,
    }
    assert dict(a.children[NEAR_POOR]) == {}


def test_groups_follow_their_households_through_the_year(town_set):
    a = row(town_set, "S101")

    minority = a.groups["ethnic_minority"][POOR]
    assert (minority.start, minority.decreases, minority.increases, minority.end) == (1, 0, 0, 1)
    assert a.groups["female_head"][POOR].end == 1
    merit_poor, merit_near = a.groups["merit"][POOR], a.groups["merit"][NEAR_POOR]
    assert (merit_poor.start, merit_poor.to_other, merit_poor.end) == (1, 1, 0)
    assert (merit_near.from_other, merit_near.end) == (1, 1)
    assert a.groups["no_working_capacity"][POOR].new == 1


def test_named_list_marks_each_household_and_lists_its_members(town, town_set):
    a, b = row(town_set, "S101"), row(town_set, "S102")

    marks = {(n.code, n.status): n.mark for n in a.named}
    assert marks == {
        ("A-1", POOR): "continuing",
        ("A-4", POOR): "new",
        ("A-2", NEAR_POOR): "from_other",
        ("A-5", NEAR_POOR): "re_entered",
    }
    assert [(n.code, n.mark) for n in b.named] == [("B-7", "other_increase")]
    h1 = next(n for n in a.named if n.code == "A-1")
    assert h1.head_name == "Lò Thị Mai"
    # The head first, then by age; the member who left in 2024 is not on the list.
    assert [m.full_name for m in h1.members] == ["Lò Thị Mai", "Lò Văn Tí", "Lò Thị Na"]
    assert h1.members[0].relation == "Chủ hộ" and h1.members[0].sex == "Nữ"


def test_the_adapter_gives_one_record_per_household(town):
    units = [town["ward"].pk, town["commune"].pk]
    years = household_years(year=2024, unit_ids=units, standard=standard("ND07-2022"))

    by_id = {y.household_id: y for y in years}
    h = town["h"]
    assert len(years) == len(by_id) == 7
    h7 = by_id[h[7].pk]
    assert (h7.start_unit, h7.end_unit) == (town["ward"].pk, town["commune"].pk)
    assert h7.moves == (
        (town["ward"].pk, POOR, "other_decrease"),
        (town["commune"].pk, POOR, "other_increase"),
    )
    assert by_id[h[6].pk].assessment_id is None


def test_a_ward_root_has_the_named_list_and_the_city_not_by_default(town):
    assert report_set(year=2024, root=town["ward"]).has_named_list is True
    city_set = report_set(year=2024, root=town["city"])
    assert city_set.has_named_list is False
    assert [s.name for s in sheets(city_set)][-1] == "6. Nhóm đối tượng"


# --- The files --------------------------------------------------------------------------


def workbook_of(rs):
    out = io.BytesIO()
    write_xlsx(rs, out, on=datetime.date(2025, 1, 6))
    out.seek(0)
    return load_workbook(out)


def find(ws, value):
    for cells in ws.iter_rows():
        for cell in cells:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not in {ws.title}")


def test_workbook_reopens_with_every_sheet_and_its_number_formats(town_set):
    workbook = workbook_of(town_set)

    assert workbook.sheetnames == [
        "1. Số hộ",
        "2. Nhân khẩu",
        "3. Thiếu hụt",
        "4. Nguyên nhân",
        "5. Trẻ em",
        "6. Nhóm đối tượng",
        "7. Danh sách hộ",
    ]
    ws = workbook["1. Số hộ"]
    assert ws["A1"].value.startswith("Biểu 1. KẾT QUẢ RÀ SOÁT HỘ NGHÈO")
    assert "Khác giảm" in [c.value for c in ws[6]] and "Khác tăng" in [c.value for c in ws[6]]
    total = find(ws, "Tổng cộng").row
    values = [c.value for c in ws[total]]
    # households 1 400; poor: start 4 (0.27 %), 0 exited, 1 to near-poor, 2 other
    # decreases, 1 new, 0, 0, 1 other increase, end 3 (0.21 %).
    assert values[2:14] == [1400, 4, 0.27, 0, 1, 2, 1, 0, 0, 1, 3, 0.21]
    assert ws.cell(total, 3).number_format == INT_FORMAT
    assert ws.cell(total, 5).number_format == PCT_FORMAT
    # The column titles' row is tall enough for the wrapped labels.
    assert ws.row_dimensions[6].height >= 45
    # The deprivations' rate line: shares of the end list, two decimals.
    deprivations = workbook["3. Thiếu hụt"]
    rate = find(deprivations, "Tỷ lệ (%)")
    shares = [c for c in deprivations[rate.row][3:] if c.value is not None]
    assert shares and all(c.number_format == PCT_FORMAT for c in shares)
    named = workbook["7. Danh sách hộ"]
    assert find(named, "Lò Thị Mai").font.b is True
    assert find(named, "Tái cận nghèo") is not None


def test_workbook_text_cannot_run_as_a_formula(town):
    town["ward"].name = '=HYPERLINK("http://x","y")'
    town["ward"].save()
    workbook = workbook_of(report_set(year=2024, root=town["city"]))

    for ws in workbook:
        for cells in ws.iter_rows():
            for cell in cells:
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), cell


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler)")
def test_pdf_has_the_headings_of_every_sheet(town, tmp_path):
    pdf = write_pdf(report_set(year=2024, root=town["ward"]), on=datetime.date(2025, 1, 6))
    path = tmp_path / "set.pdf"
    path.write_bytes(pdf)

    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in (
        "BÁO CÁO KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024",
        "BIỂU 1. KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2024 (SỐ HỘ)",
        "(SỐ NHÂN KHẨU)",
        "MỨC ĐỘ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO",
        "NGUYÊN NHÂN HỘ CẬN NGHÈO",
        "TRẺ EM THUỘC HỘ NGHÈO",
        "HỘ CÓ CHỦ HỘ LÀ NỮ",
        "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO CUỐI NĂM 2024",
        "Lò Thị Mai",
        "TRƯỞNG BAN CHỈ ĐẠO",
    ):
        assert heading in text, heading


# --- The demo ------------------------------------------------------------------------


@pytest.fixture
def demo(seeded, db):  # noqa: F811
    """The seeded database (test_reports.seeded); each test's writes are rolled back."""


def test_demo_report_sets_balance_per_unit_and_year_and_match_the_annual_report(demo):
    for year in range(2016, 2026):
        rs = report_set(year=year)
        annual = annual_report(year=year)
        assert [u.code for u in rs.units] == [r.code for r in annual.units]
        for figures, annual_row in zip(rs.units, annual.units, strict=True):
            for status in (POOR, NEAR_POOR):
                where = (year, figures.code, status)
                assert figures.households[status].balances, where
                assert figures.people[status].balances, where
                for group in figures.groups.values():
                    assert group[status].balances, where
                block = annual_row.block(status)
                for column in FLOW_COLUMNS:
                    assert getattr(figures.households[status], column) == getattr(block, column), (
                        *where,
                        column,
                    )
                assert figures.people[status].end == block.end_people, where
                assert sum(figures.deprivations[status].values()) >= 0
        for status in (POOR, NEAR_POOR):
            assert rs.total.households[status].balances, (year, status)
    # The article's figures come out of the set as out of the annual report.
    assert report_set(year=2016).total.households[POOR].start == 991
    assert report_set(year=2020).total.households[POOR].end == 62


def test_demo_2025_ward_set_under_the_provincial_standard_balances(demo):
    from communes.models import AdministrativeUnit

    ward = AdministrativeUnit.objects.get(code="6673", valid_to__isnull=True)
    rs = report_set(year=2025, root=ward, standard=standard("QN-NQ13-2023"))

    assert rs.standard == "QN-NQ13-2023" and rs.has_named_list
    for figures in rs.all_rows():
        for status in (POOR, NEAR_POOR):
            assert figures.households[status].balances
            assert figures.people[status].balances
    named = sum(len(u.named) for u in rs.units)
    end = sum(rs.total.households[s].end for s in (POOR, NEAR_POOR))
    assert named == end
    assert all(n.members for u in rs.units for n in u.named if n.people)
