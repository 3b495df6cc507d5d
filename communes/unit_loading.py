"""Load Quảng Ninh's administrative units and their successions.

The source is the ``vietnam-provinces`` package: its current (post-2025)
units, its legacy (pre-2025) units and its legacy → current ward conversion.
We load the province, the legacy Hạ Long city with its 32 wards/communes,
ward Yết Kiêu (abolished in 2024, absent from the package), all current
units of the province, and a succession from every legacy unit of the city
to the current unit(s) it became.

GSO codes were reused by the 2025 reform (6688 was Hồng Hải, is now Hạ Long),
so a row is identified by ``(kind, code, valid_from)``, never by code alone.
Loading is idempotent: rows are looked up by that key and only fields that
differ from the source are written. Nothing is ever deleted, because cases
and committees point at units.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, Ward

# The conversion table is not re-exported, but the public bridge
# (``Ward.search_from_legacy``) drops the "partly merged" flag that tells a
# split from a merger, and we need that flag for ``UnitSuccession.partial``.
from vietnam_provinces._ward_conversion_2025 import EFFECTIVE_DATE, OLD_TO_NEW
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import DistrictCode as LegacyDistrictCode
from vietnam_provinces.legacy import Ward as LegacyWard

from .models import AdministrativeUnit, Area, UnitKind, UnitSuccession

PROVINCE_CODE = 22
LEGACY_CITY_CODE = 193

#: First day of the two-level local government (NQ 1679/NQ-UBTVQH15).
REFORM_2025 = datetime.date.fromisoformat(EFFECTIVE_DATE)
REFORM_2025_LEGAL_BASIS = "NQ 1679/NQ-UBTVQH15"

#: Ward Yết Kiêu was merged into ward Trần Hưng Đạo; the package's legacy
#: data is a 2025 snapshot and no longer lists it, so it gets a local code.
YET_KIEU_CODE = "HL-YETKIEU"
YET_KIEU_NAME = "Phường Yết Kiêu"
YET_KIEU_END = datetime.date(2024, 11, 1)
YET_KIEU_SUCCESSOR_CODE = "6685"  # legacy ward Trần Hưng Đạo
#: Nghị quyết 1199/NQ-UBTVQH15 of 28/9/2024 (arrangement of Quảng Ninh's
#: district- and commune-level units 2023-2025), in force 1/11/2024.
YET_KIEU_LEGAL_BASIS = "NQ 1199/NQ-UBTVQH15 (28/9/2024)"

#: The province's name. The package's 2026 data calls it "Thành phố Quảng
#: Ninh"; no primary text we found says the province became a centrally-run
#: city (NQ 1679/NQ-UBTVQH15 of 16/6/2025 still speaks of "tỉnh Quảng Ninh"),
#: so the package's name is overridden here.
PROVINCE_NAME = "Tỉnh Quảng Ninh"

#: Division type (the package's value) → (kind, area). Legacy and current
#: types share their values, so one table serves both.
DIVISION_TYPES: dict[str, tuple[str, str]] = {
    "phường": (UnitKind.WARD, Area.URBAN),
    "thị trấn": (UnitKind.TOWNSHIP, Area.URBAN),
    "xã": (UnitKind.COMMUNE, Area.RURAL),
    "đặc khu": (UnitKind.SPECIAL_ZONE, Area.RURAL),
}

UnitKey = tuple[str, str, datetime.date | None]  # (kind, code, valid_from)

UNIT_FIELDS = ("name", "area", "parent_id", "valid_to", "is_local_code")
SUCCESSION_FIELDS = ("date", "partial", "legal_basis")


@dataclass
class LoadResult:
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_unchanged: int = 0

    @property
    def changes(self) -> int:
        return (
            self.units_created
            + self.units_updated
            + self.successions_created
            + self.successions_updated
        )

    def summary(self) -> str:
        return (
            f"Units: {self.units_created} created, {self.units_updated} updated, "
            f"{self.units_unchanged} unchanged. "
            f"Successions: {self.successions_created} created, "
            f"{self.successions_updated} updated, {self.successions_unchanged} unchanged."
        )


@dataclass(frozen=True)
class UnitSpec:
    """One unit as the source describes it."""

    kind: str
    code: str
    name: str
    area: str = ""
    parent: UnitKey | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    is_local_code: bool = False

    @property
    def key(self) -> UnitKey:
        return (self.kind, self.code, self.valid_from)


@dataclass(frozen=True)
class SuccessionSpec:
    predecessor: UnitKey
    successor: UnitKey
    date: datetime.date
    partial: bool
    legal_basis: str


def _kind_and_area(division_type: str) -> tuple[str, str]:
    try:
        return DIVISION_TYPES[division_type]
    except KeyError:
        raise ValueError(f"Unknown division type {division_type!r}") from None


def unit_specs() -> list[UnitSpec]:
    """The units to load, each parent before its children."""
    province = Province.from_code(ProvinceCode(PROVINCE_CODE))
    province_spec = UnitSpec(kind=UnitKind.PROVINCE, code=str(PROVINCE_CODE), name=PROVINCE_NAME)

    city = LegacyDistrict.from_code(LegacyDistrictCode(LEGACY_CITY_CODE))
    city_spec = UnitSpec(
        kind=UnitKind.CITY,
        code=str(LEGACY_CITY_CODE),
        name=city.name,
        area=Area.URBAN,
        parent=province_spec.key,
        valid_to=REFORM_2025,
    )

    specs = [province_spec, city_spec]
    # Hoành Bồ district's former units count as the city's since before
    # records (valid_from empty), as the city's own reports treat them.
    for ward in sorted(LegacyWard.iter_by_district(city.code), key=lambda w: int(w.code)):
        kind, area = _kind_and_area(ward.division_type.value)
        specs.append(
            UnitSpec(
                kind=kind,
                code=str(int(ward.code)),
                name=ward.name,
                area=area,
                parent=city_spec.key,
                valid_to=REFORM_2025,
            )
        )
    specs.append(
        UnitSpec(
            kind=UnitKind.WARD,
            code=YET_KIEU_CODE,
            name=YET_KIEU_NAME,
            area=Area.URBAN,
            parent=city_spec.key,
            valid_to=YET_KIEU_END,
            is_local_code=True,
        )
    )
    for ward in sorted(Ward.iter_by_province(province.code), key=lambda w: int(w.code)):
        kind, area = _kind_and_area(ward.division_type.value)
        specs.append(
            UnitSpec(
                kind=kind,
                code=str(int(ward.code)),
                name=ward.name,
                area=area,
                parent=province_spec.key,
                valid_from=REFORM_2025,
            )
        )
    return specs


def succession_specs(units: Iterable[UnitSpec]) -> list[SuccessionSpec]:
    """Yết Kiêu → Trần Hưng Đạo, and every legacy city unit → its current unit(s)."""
    units = list(units)
    city_key = (UnitKind.CITY, str(LEGACY_CITY_CODE), None)
    legacy_by_code = {u.code: u for u in units if u.parent == city_key}
    current_by_code = {u.code: u for u in units if u.valid_from == REFORM_2025}

    specs = [
        SuccessionSpec(
            predecessor=legacy_by_code[YET_KIEU_CODE].key,
            successor=legacy_by_code[YET_KIEU_SUCCESSOR_CODE].key,
            date=YET_KIEU_END,
            partial=False,
            legal_basis=YET_KIEU_LEGAL_BASIS,
        )
    ]
    for code, legacy in legacy_by_code.items():
        if legacy.is_local_code:
            continue
        entry = OLD_TO_NEW.get(int(code))
        if entry is None:
            raise ValueError(f"No 2025 conversion for legacy unit {code} {legacy.name}")
        for new_ward in entry.new_wards:
            successor = current_by_code.get(str(new_ward.code))
            if successor is None:
                raise ValueError(
                    f"Legacy unit {code} became {new_ward.code}, which is not a current unit "
                    f"of province {PROVINCE_CODE}"
                )
            specs.append(
                SuccessionSpec(
                    predecessor=legacy.key,
                    successor=successor.key,
                    date=REFORM_2025,
                    partial=entry.old_ward.is_partly_merged,
                    legal_basis=REFORM_2025_LEGAL_BASIS,
                )
            )
    return specs


@functools.cache
def parts_outside_the_city() -> dict[str, tuple[str, ...]]:
    """Current unit code → "Xã X (Huyện Y)" of the legacy units outside the legacy city
    that it also took in on 1/7/2025 (the package's conversion table).

    Kỳ Thượng and Lương Minh took in communes of Ba Chẽ: the city's records
    (and so its reports) cover only their former Hạ Long parts.
    """
    reached = {
        new_ward.code
        for entry in OLD_TO_NEW.values()
        if entry.old_ward.district_code == LEGACY_CITY_CODE
        for new_ward in entry.new_wards
    }
    outside: dict[str, list[str]] = {}
    for code, entry in sorted(OLD_TO_NEW.items()):
        old = entry.old_ward
        if old.district_code == LEGACY_CITY_CODE or old.province_code != PROVINCE_CODE:
            continue
        for new_ward in entry.new_wards:
            if new_ward.code not in reached:
                continue
            try:
                ward = LegacyWard.from_code(code)
                district = LegacyDistrict.from_code(LegacyDistrictCode(old.district_code))
                label = f"{ward.name} ({district.name})"
            except (KeyError, ValueError):
                label = str(code)
            outside.setdefault(str(new_ward.code), []).append(label)
    return {code: tuple(labels) for code, labels in outside.items()}


def _report(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _apply(obj, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; return the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _load_unit_rows(
    specs: list[UnitSpec], result: LoadResult, stdout: TextIO | None
) -> dict[UnitKey, AdministrativeUnit]:
    existing = {
        (u.kind, u.code, u.valid_from): u
        for u in AdministrativeUnit.objects.filter(code__in={s.code for s in specs})
    }
    units: dict[UnitKey, AdministrativeUnit] = {}
    for spec in specs:
        values = {
            "name": spec.name,
            "area": spec.area,
            "parent_id": units[spec.parent].pk if spec.parent else None,
            "valid_to": spec.valid_to,
            "is_local_code": spec.is_local_code,
        }
        unit = existing.get(spec.key)
        if unit is None:
            unit = AdministrativeUnit(
                kind=spec.kind, code=spec.code, valid_from=spec.valid_from, **values
            )
            unit.save()
            result.units_created += 1
            _report(stdout, f"Created {spec.kind} {spec.code} {spec.name}")
        elif changed := _apply(unit, values):
            unit.save(update_fields=[*changed, "updated_at"])
            result.units_updated += 1
            _report(stdout, f"Updated {spec.kind} {spec.code} {spec.name}: {', '.join(changed)}")
        else:
            result.units_unchanged += 1
        units[spec.key] = unit
    return units


def _load_succession_rows(
    specs: list[SuccessionSpec],
    units: dict[UnitKey, AdministrativeUnit],
    result: LoadResult,
    stdout: TextIO | None,
) -> None:
    existing = {
        (s.predecessor_id, s.successor_id): s
        for s in UnitSuccession.objects.filter(
            predecessor__in=[units[spec.predecessor] for spec in specs]
        )
    }
    for spec in specs:
        predecessor, successor = units[spec.predecessor], units[spec.successor]
        values = {"date": spec.date, "partial": spec.partial, "legal_basis": spec.legal_basis}
        label = f"{predecessor.code} {predecessor.name} → {successor.code} {successor.name}"
        succession = existing.get((predecessor.pk, successor.pk))
        if succession is None:
            UnitSuccession.objects.create(predecessor=predecessor, successor=successor, **values)
            result.successions_created += 1
            _report(stdout, f"Created succession {label}")
        elif changed := _apply(succession, values):
            succession.save(update_fields=changed)
            result.successions_updated += 1
            _report(stdout, f"Updated succession {label}: {', '.join(changed)}")
        else:
            result.successions_unchanged += 1


@transaction.atomic
def load_units(*, stdout: TextIO | None = None) -> LoadResult:
    """Create or update Quảng Ninh's units and Hạ Long's successions.

    Writes one line per created or updated row to ``stdout`` when given.
    Running it again on an unchanged source changes nothing.
    """
    result = LoadResult()
    units = unit_specs()
    rows = _load_unit_rows(units, result, stdout)
    _load_succession_rows(succession_specs(units), rows, result, stdout)
    return result
