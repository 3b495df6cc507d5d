"""Data: Quảng Ninh's provincial standard makes its lists in its years in force, and
the ``HouseholdYear`` rows of the decisions already recorded."""

from django.db import migrations

QN_NQ13 = "QN-NQ13-2023"
LEGAL_BASIS = (
    "Nghị quyết 13/2023/NQ-HĐND của HĐND tỉnh Quảng Ninh (chuẩn nghèo đa chiều của tỉnh "
    "giai đoạn 2023–2025); QĐ 24/2021/QĐ-TTg"
)
NOTES = (
    "Trong các năm chuẩn tỉnh có hiệu lực (theo dữ liệu của chuẩn), danh sách hộ nghèo, cận "
    "nghèo, quyết định công nhận và giấy chứng nhận của tỉnh Quảng Ninh theo chuẩn tỉnh; "
    "phân loại theo chuẩn quốc gia vẫn được tính và báo cáo bên cạnh. Các năm khác và nơi "
    "khác: chuẩn quốc gia."
)


def add_quang_ninh(apps, schema_editor):
    PovertyStandard = apps.get_model("households", "PovertyStandard")
    ListMakingStandard = apps.get_model("households", "ListMakingStandard")
    standard = PovertyStandard.objects.filter(code=QN_NQ13).first()
    if standard is None:
        return
    ListMakingStandard.objects.get_or_create(
        standard=standard,
        defaults={
            "first_year": standard.first_year,
            "last_year": standard.last_year,
            "legal_basis": LEGAL_BASIS,
            "notes": NOTES,
        },
    )


def remove_quang_ninh(apps, schema_editor):
    apps.get_model("households", "ListMakingStandard").objects.filter(
        standard__code=QN_NQ13
    ).delete()


def build_household_years(apps, schema_editor):
    from dataclasses import asdict

    from households.household_years import compute_years, decision_from

    Assessment = apps.get_model("households", "Assessment")
    HouseholdYear = apps.get_model("households", "HouseholdYear")
    settings = list(
        apps.get_model("households", "ListMakingStandard").objects.values_list(
            "standard_id", "first_year", "last_year"
        )
    )

    def provincial_decides(standard_id, list_year):
        return any(s == standard_id and first <= list_year <= last for s, first, last in settings)

    decisions = {}
    rows = (
        Assessment.objects.filter(status="recognised")
        .exclude(recorded_status="")
        .values_list(
            "pk",
            "household_id",
            "year",
            "unit_id",
            "recorded_status",
            "national_status",
            "provincial_status",
            "comparison_status",
            "round__kind",
            "round__provincial_standard_id",
        )
        .order_by()
    )
    for values in rows.iterator():
        decisions.setdefault(values[1], []).append(decision_from(values, provincial_decides))
    departures = {}
    events = apps.get_model("households", "HouseholdEvent").objects.filter(
        kind__in=("moved_ward", "merged_into")
    )
    for household, kind, day in events.values_list("household_id", "kind", "occurred_on"):
        left_by = "moved_out" if kind == "moved_ward" else "merged_away"
        departures.setdefault(household, []).append((left_by, day))
    batch = []
    for household, found in decisions.items():
        rows = compute_years(household, found, departures.get(household, ()))
        batch.extend(HouseholdYear(**asdict(row)) for row in rows)
    HouseholdYear.objects.bulk_create(batch, batch_size=1000)


def drop_household_years(apps, schema_editor):
    apps.get_model("households", "HouseholdYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0011_household_years_and_list_making_standard"),
    ]

    operations = [
        migrations.RunPython(add_quang_ninh, remove_quang_ninh),
        migrations.RunPython(build_household_years, drop_household_years),
    ]
