"""Every ward, commune, township and special zone has an area (urban or rural).

A blank area was read three ways (the survey failed, the import assumed rural,
the report urban). The blanks are filled from the unit's kind as the unit
loader does (``communes.unit_loading.DIVISION_TYPES``: phường and thị trấn
urban, xã and đặc khu rural), then a constraint keeps it so.
"""

from django.db import migrations, models
from django.utils import timezone

AREA_OF_KIND = {
    "ward": "urban",
    "township": "urban",
    "commune": "rural",
    "special_zone": "rural",
}


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


def fill_blank_areas(apps, schema_editor):
    """Fill each blank area from the kind, written to the unit's history like an edit."""
    AdministrativeUnit = apps.get_model("communes", "AdministrativeUnit")
    HistoricalUnit = apps.get_model("communes", "HistoricalAdministrativeUnit")
    now = timezone.now()
    blank = AdministrativeUnit.objects.filter(kind__in=AREA_OF_KIND).exclude(
        area__in=("urban", "rural")
    )
    for unit in blank:
        unit.area = AREA_OF_KIND[unit.kind]
        unit.updated_at = now
        unit.save(update_fields=["area", "updated_at"])
        HistoricalUnit.objects.create(
            **{field: getattr(unit, field) for field in UNIT_FIELDS},
            history_date=now,
            history_type="~",
            history_change_reason=f"Khu vực: {'thành thị' if unit.area == 'urban' else 'nông thôn'}",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("communes", "0009_access_log_units"),
    ]

    operations = [
        migrations.RunPython(fill_blank_areas, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="administrativeunit",
            constraint=models.CheckConstraint(
                condition=~models.Q(kind__in=("ward", "commune", "township", "special_zone"))
                | models.Q(area__in=["urban", "rural"]),
                name="unit_grassroots_area_required",
                violation_error_message=(
                    "A ward, commune, township or special zone needs its area (urban or "
                    "rural): the poverty lines depend on it."
                ),
            ),
        ),
    ]
