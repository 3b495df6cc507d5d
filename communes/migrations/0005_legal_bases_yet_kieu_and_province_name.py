"""Correct two facts that earlier ``load_units`` runs wrote into existing databases.

- The Yết Kiêu → Trần Hưng Đạo merger rests on NQ 1199/NQ-UBTVQH15 of
  28/9/2024, not on NQ 1278.
- The province is "Tỉnh Quảng Ninh" (the package's "Thành phố Quảng Ninh"
  is not confirmed by a primary text).

The unit's change is written to its history like any other edit. Running
``load_units`` again gives the same result; reversing changes nothing.
"""

from django.db import migrations
from django.utils import timezone

OLD_LEGAL_BASIS = "NQ 1278/NQ-UBTVQH15"
NEW_LEGAL_BASIS = "NQ 1199/NQ-UBTVQH15 (28/9/2024)"
PROVINCE_NAME = "Tỉnh Quảng Ninh"
UNIT_FIELDS = (
    "id",
    "code",
    "name",
    "kind",
    "area",
    "parent_id",
    "valid_from",
    "valid_to",
    "is_local_code",
    "created_at",
    "updated_at",
)


def correct(apps, schema_editor):
    UnitSuccession = apps.get_model("communes", "UnitSuccession")
    AdministrativeUnit = apps.get_model("communes", "AdministrativeUnit")
    HistoricalUnit = apps.get_model("communes", "HistoricalAdministrativeUnit")

    UnitSuccession.objects.filter(
        predecessor__code="HL-YETKIEU", legal_basis=OLD_LEGAL_BASIS
    ).update(legal_basis=NEW_LEGAL_BASIS)

    now = timezone.now()
    for province in AdministrativeUnit.objects.filter(kind="province", code="22").exclude(
        name=PROVINCE_NAME
    ):
        province.name = PROVINCE_NAME
        province.updated_at = now
        province.save(update_fields=["name", "updated_at"])
        HistoricalUnit.objects.create(
            **{field: getattr(province, field) for field in UNIT_FIELDS},
            history_date=now,
            history_type="~",
            history_change_reason="Tên tỉnh: Tỉnh Quảng Ninh",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("communes", "0004_membership_named_lists_grant"),
    ]

    operations = [
        migrations.RunPython(correct, migrations.RunPython.noop),
    ]
