import importlib

import pytest
from django.apps import apps

from communes.models import AdministrativeUnit, UnitKind, UnitSuccession
from communes.unit_loading import load_units

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "communes.migrations.0005_legal_bases_yet_kieu_and_province_name"
)


@pytest.fixture
def old_database():
    """A database loaded before the correction: package name and NQ 1278."""
    load_units()
    AdministrativeUnit.objects.filter(kind=UnitKind.PROVINCE, code="22").update(
        name="Thành phố Quảng Ninh"
    )
    UnitSuccession.objects.filter(predecessor__code="HL-YETKIEU").update(
        legal_basis="NQ 1278/NQ-UBTVQH15"
    )


def test_migration_corrects_legal_basis_and_province_name_when_old_data(old_database):
    migration.correct(apps, None)

    province = AdministrativeUnit.objects.get(kind=UnitKind.PROVINCE, code="22")
    assert province.name == "Tỉnh Quảng Ninh"
    assert province.history.first().name == "Tỉnh Quảng Ninh"
    assert province.history.first().history_type == "~"
    succession = UnitSuccession.objects.get(predecessor__code="HL-YETKIEU")
    assert succession.legal_basis == "NQ 1199/NQ-UBTVQH15 (28/9/2024)"
    assert load_units().changes == 0


def test_migration_changes_nothing_when_data_already_correct():
    load_units()
    history_rows = AdministrativeUnit.history.count()

    migration.correct(apps, None)

    assert AdministrativeUnit.history.count() == history_rows
