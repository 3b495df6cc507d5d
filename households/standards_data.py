"""Data helpers for the poverty standards loaded by migration 0002.

The standards themselves are created by ``households/migrations/
0002_load_standards.py`` (migrations keep their own copy of the data).
A provincial standard points at its province, but administrative units are
loaded later by a management command, so the link is made here, once the
unit exists.
"""

from communes.models import AdministrativeUnit, UnitKind

from .models import PovertyStandard

#: Provincial standard code → GSO code of the province that set it.
PROVINCIAL_STANDARD_PROVINCES = {"QN-NQ13-2023": "22"}


def link_provincial_standards() -> int:
    """Point each provincial standard at its province when that unit exists.

    Idempotent; returns how many standards were changed. A standard whose
    province is not loaded yet is left as it is.
    """
    changed = 0
    for standard_code, province_code in PROVINCIAL_STANDARD_PROVINCES.items():
        units = AdministrativeUnit.objects.filter(kind=UnitKind.PROVINCE, code=province_code)
        province = units.filter(valid_to__isnull=True).first() or units.first()
        if province is None:
            continue
        changed += (
            PovertyStandard.objects.filter(code=standard_code)
            .exclude(province=province)
            .update(province=province)
        )
    return changed
