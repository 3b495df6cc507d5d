import datetime
import io

import pytest
from django.core.management import call_command

from communes.models import AdministrativeUnit, Area, UnitKind, UnitSuccession
from communes.unit_loading import LoadResult, load_units

pytestmark = pytest.mark.django_db

BEFORE_YET_KIEU_MERGER = datetime.date(2019, 6, 1)
AFTER_YET_KIEU_MERGER = datetime.date(2024, 12, 1)
AFTER_REFORM = datetime.date(2025, 8, 1)

NEW_HA_LONG_UNITS = {
    "Phường Hạ Long",
    "Phường Hồng Gai",
    "Phường Bãi Cháy",
    "Phường Việt Hưng",
    "Phường Tuần Châu",
    "Phường Hà Tu",
    "Phường Hà Lầm",
    "Phường Cao Xanh",
    "Phường Hoành Bồ",
    "Xã Quảng La",
    "Xã Thống Nhất",
    "Xã Kỳ Thượng",
    "Xã Lương Minh",
}


@pytest.fixture
def loaded() -> LoadResult:
    return load_units()


@pytest.fixture
def legacy_city(loaded) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(kind=UnitKind.CITY, code="193")


def unit_on(code: str, day: datetime.date) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(day).get(code=code)


def test_load_units_creates_all_rows_when_database_empty(loaded):
    assert loaded == LoadResult(units_created=89, successions_created=35)
    assert AdministrativeUnit.objects.count() == 89
    assert UnitSuccession.objects.count() == 35


def test_province_and_city_loaded_when_run(legacy_city):
    province = legacy_city.parent
    assert (province.kind, province.code, province.valid_from, province.valid_to) == (
        UnitKind.PROVINCE,
        "22",
        None,
        None,
    )
    assert province.name == "Tỉnh Quảng Ninh"
    assert legacy_city.name == "Thành phố Hạ Long"
    assert legacy_city.area == Area.URBAN
    assert (legacy_city.valid_from, legacy_city.valid_to) == (None, datetime.date(2025, 7, 1))


def test_legacy_city_has_33_units_before_yet_kieu_merger(legacy_city):
    units = legacy_city.children.valid_on(BEFORE_YET_KIEU_MERGER)

    assert units.count() == 33
    assert units.filter(code="HL-YETKIEU").exists()


def test_legacy_city_has_32_units_after_yet_kieu_merger(legacy_city):
    units = legacy_city.children.valid_on(AFTER_YET_KIEU_MERGER)

    assert units.count() == 32
    assert not units.filter(code="HL-YETKIEU").exists()
    assert set(units.values_list("valid_to", flat=True)) == {datetime.date(2025, 7, 1)}


def test_legacy_city_has_no_units_after_reform(legacy_city):
    assert legacy_city.children.valid_on(AFTER_REFORM).count() == 0
    assert not AdministrativeUnit.objects.valid_on(AFTER_REFORM).filter(code="193").exists()


def test_legacy_units_succeeded_by_13_new_units_after_reform(legacy_city):
    successors = AdministrativeUnit.objects.valid_on(AFTER_REFORM).filter(
        successions_in__predecessor__parent=legacy_city
    )

    assert set(successors.values_list("name", flat=True)) == NEW_HA_LONG_UNITS
    assert set(successors.values_list("parent", flat=True)) == {legacy_city.parent_id}


def test_every_legacy_unit_has_a_successor_when_loaded(legacy_city):
    without_successor = legacy_city.children.filter(successions_out__isnull=True)

    assert list(without_successor) == []


def test_province_has_54_units_after_reform(legacy_city):
    units = legacy_city.parent.children.valid_on(AFTER_REFORM)

    assert units.count() == 54
    assert set(units.values_list("valid_from", flat=True)) == {datetime.date(2025, 7, 1)}
    assert set(units.values_list("valid_to", flat=True)) == {None}
    assert units.filter(kind=UnitKind.WARD).count() == 30
    assert units.filter(kind=UnitKind.COMMUNE).count() == 22
    assert set(units.filter(kind=UnitKind.SPECIAL_ZONE).values_list("name", flat=True)) == {
        "Đặc khu Vân Đồn",
        "Đặc khu Cô Tô",
    }


def test_new_ward_ha_long_has_hong_hai_and_hong_ha_as_predecessors(loaded):
    ha_long = unit_on("6688", AFTER_REFORM)
    successions = ha_long.successions_in.select_related("predecessor")

    assert {(s.predecessor.code, s.predecessor.name) for s in successions} == {
        ("6688", "Phường Hồng Hải"),
        ("6697", "Phường Hồng Hà"),
    }
    assert {(s.date, s.partial, s.legal_basis) for s in successions} == {
        (datetime.date(2025, 7, 1), False, "NQ 1679/NQ-UBTVQH15")
    }


def test_code_6688_resolves_to_hong_hai_before_reform(loaded):
    unit = unit_on("6688", datetime.date(2020, 1, 1))

    assert (unit.name, unit.kind, unit.parent.code) == ("Phường Hồng Hải", UnitKind.WARD, "193")


def test_code_6688_resolves_to_ha_long_after_reform(loaded):
    unit = unit_on("6688", AFTER_REFORM)

    assert (unit.name, unit.kind, unit.parent.code) == ("Phường Hạ Long", UnitKind.WARD, "22")


def test_code_6688_resolves_to_ha_long_on_reform_day(loaded):
    assert unit_on("6688", datetime.date(2025, 7, 1)).name == "Phường Hạ Long"
    assert unit_on("6688", datetime.date(2025, 6, 30)).name == "Phường Hồng Hải"


def test_ha_khau_successions_partial_when_split(loaded):
    ha_khau = AdministrativeUnit.objects.get(code="6655")

    assert {(s.successor.name, s.partial) for s in ha_khau.successions_out.all()} == {
        ("Phường Việt Hưng", True),
        ("Phường Tuần Châu", True),
    }


def test_dong_lam_successions_partial_when_split(loaded):
    dong_lam = AdministrativeUnit.objects.get(code="7042", valid_from=None)

    assert dong_lam.name == "Xã Đồng Lâm"
    assert {(s.successor.name, s.partial) for s in dong_lam.successions_out.all()} == {
        ("Phường Hoành Bồ", True),
        ("Xã Thống Nhất", True),
    }


def test_only_split_units_have_partial_successions(loaded):
    split = UnitSuccession.objects.filter(partial=True).values_list("predecessor__code", flat=True)

    assert sorted(split) == ["6655", "6655", "7042", "7042"]


def test_yet_kieu_has_local_code_and_succession_to_tran_hung_dao(legacy_city):
    yet_kieu = AdministrativeUnit.objects.get(code="HL-YETKIEU")
    succession = yet_kieu.successions_out.get()

    assert (yet_kieu.name, yet_kieu.kind, yet_kieu.area) == (
        "Phường Yết Kiêu",
        UnitKind.WARD,
        Area.URBAN,
    )
    assert yet_kieu.is_local_code is True
    assert yet_kieu.parent == legacy_city
    assert (yet_kieu.valid_from, yet_kieu.valid_to) == (None, datetime.date(2024, 11, 1))
    assert (succession.successor.code, succession.successor.name) == (
        "6685",
        "Phường Trần Hưng Đạo",
    )
    assert succession.successor.valid_from is None
    assert (succession.date, succession.partial, succession.legal_basis) == (
        datetime.date(2024, 11, 1),
        False,
        "NQ 1199/NQ-UBTVQH15 (28/9/2024)",
    )


def test_package_codes_not_marked_local_when_loaded(loaded):
    local = AdministrativeUnit.objects.filter(is_local_code=True)

    assert list(local.values_list("code", flat=True)) == ["HL-YETKIEU"]


def test_legacy_units_kind_and_area_follow_division_type(legacy_city):
    units = {u.code: u for u in legacy_city.children.all()}

    assert (units["6688"].name, units["6688"].kind, units["6688"].area) == (
        "Phường Hồng Hải",
        UnitKind.WARD,
        Area.URBAN,
    )
    assert (units["7042"].kind, units["7042"].area) == (UnitKind.COMMUNE, Area.RURAL)
    assert legacy_city.children.filter(kind=UnitKind.WARD).count() == 21
    assert legacy_city.children.filter(kind=UnitKind.COMMUNE).count() == 12
    assert set(legacy_city.children.filter(kind=UnitKind.WARD).values_list("area", flat=True)) == {
        Area.URBAN
    }
    assert set(
        legacy_city.children.filter(kind=UnitKind.COMMUNE).values_list("area", flat=True)
    ) == {Area.RURAL}


def test_new_units_area_follows_division_type(loaded):
    assert unit_on("6688", AFTER_REFORM).area == Area.URBAN
    assert unit_on("7060", AFTER_REFORM).area == Area.RURAL  # Xã Thống Nhất
    assert AdministrativeUnit.objects.get(name="Đặc khu Vân Đồn").area == Area.RURAL


def test_load_units_changes_nothing_when_run_twice(loaded):
    unit_stamps = dict(AdministrativeUnit.objects.values_list("pk", "updated_at"))
    successions = set(UnitSuccession.objects.values_list("pk", "date", "partial", "legal_basis"))
    history_rows = AdministrativeUnit.history.count()

    second = load_units()

    assert second == LoadResult(units_unchanged=89, successions_unchanged=35)
    assert second.changes == 0
    assert dict(AdministrativeUnit.objects.values_list("pk", "updated_at")) == unit_stamps
    assert (
        set(UnitSuccession.objects.values_list("pk", "date", "partial", "legal_basis"))
        == successions
    )
    assert AdministrativeUnit.history.count() == history_rows


def test_load_units_restores_source_values_when_rows_edited(loaded):
    AdministrativeUnit.objects.filter(code="6697").update(name="Hồng Hà (typo)", area=Area.RURAL)
    UnitSuccession.objects.filter(predecessor__code="6655").update(partial=False)
    out = io.StringIO()

    result = load_units(stdout=out)

    assert result == LoadResult(
        units_updated=1,
        units_unchanged=88,
        successions_updated=2,
        successions_unchanged=33,
    )
    assert AdministrativeUnit.objects.get(code="6697").name == "Phường Hồng Hà"
    assert AdministrativeUnit.objects.get(code="6697").area == Area.URBAN
    assert UnitSuccession.objects.filter(predecessor__code="6655", partial=True).count() == 2
    assert "Updated ward 6697 Phường Hồng Hà: name, area" in out.getvalue()


def test_command_prints_summary_when_run():
    out = io.StringIO()

    call_command("load_units", stdout=out)

    assert out.getvalue().strip() == (
        "Units: 89 created, 0 updated, 0 unchanged. "
        "Successions: 35 created, 0 updated, 0 unchanged."
    )
    assert AdministrativeUnit.objects.count() == 89


def test_command_reports_no_changes_when_run_again(loaded):
    out = io.StringIO()

    call_command("load_units", stdout=out)

    assert out.getvalue().strip() == (
        "Units: 0 created, 0 updated, 89 unchanged. "
        "Successions: 0 created, 0 updated, 35 unchanged."
    )


def test_command_lists_each_change_when_verbose():
    out = io.StringIO()

    call_command("load_units", stdout=out, verbosity=2)

    lines = out.getvalue().splitlines()
    assert "Created ward 6688 Phường Hồng Hải" in lines
    assert "Created ward 6688 Phường Hạ Long" in lines
    assert "Created succession 6655 Phường Hà Khẩu → 6706 Phường Tuần Châu" in lines
    assert len(lines) == 89 + 35 + 1
