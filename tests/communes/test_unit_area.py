"""Every ward, commune, township and special zone has an area (urban or rural)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from communes.models import AdministrativeUnit, Area, UnitKind
from tests.factories import UnitFactory

BEFORE = [("communes", "0009_access_log_units")]
AFTER = [("communes", "0010_unit_area_required_for_grassroots")]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [UnitKind.WARD, UnitKind.COMMUNE, UnitKind.SPECIAL_ZONE])
def test_grassroots_unit_without_area_is_refused_with_a_translated_message(kind):
    unit = AdministrativeUnit(code="T1", name="Xã Thử", kind=kind, area="")

    with translation.override("vi"), pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "khu vực" in " ".join(error.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()
    assert not AdministrativeUnit.objects.filter(code="T1").exists()


@pytest.mark.django_db
def test_city_and_village_need_no_area():
    city = UnitFactory(kind=UnitKind.CITY, area="")
    village = UnitFactory(kind=UnitKind.VILLAGE, area="", parent=city)

    assert AdministrativeUnit.objects.filter(pk__in=[city.pk, village.pk], area="").count() == 2


@pytest.mark.django_db(transaction=True)
def test_migration_fills_blank_areas_from_the_kind_and_records_history():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Unit = old.get_model("communes", "AdministrativeUnit")
    ward = Unit.objects.create(code="T1", name="Phường Thử", kind="ward", area="")
    commune = Unit.objects.create(code="T2", name="Xã Thử", kind="commune", area="")
    kept = Unit.objects.create(code="T3", name="Xã Thành Thị", kind="commune", area="urban")
    city = Unit.objects.create(code="T4", name="Thành phố Thử", kind="city", area="")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    areas = dict(
        AdministrativeUnit.objects.filter(
            pk__in=[ward.pk, commune.pk, kept.pk, city.pk]
        ).values_list("code", "area")
    )
    assert areas == {"T1": Area.URBAN, "T2": Area.RURAL, "T3": Area.URBAN, "T4": ""}
    history = AdministrativeUnit.objects.get(pk=commune.pk).history.first()
    assert (history.area, history.history_type) == (Area.RURAL, "~")
    with pytest.raises(IntegrityError), transaction.atomic():
        AdministrativeUnit.objects.filter(pk=ward.pk).update(area="")
