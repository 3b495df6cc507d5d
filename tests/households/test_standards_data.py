"""The standards created by migration 0002 and ``link_provincial_standards``."""

import importlib

import pytest
from django.apps import apps as django_apps

from communes.models import UnitKind
from households.models import Indicator, PovertyStandard, RuleType, StandardLevel
from households.standards_data import link_provincial_standards
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("households.migrations.0002_load_standards")

ND07_CODES = [
    "employment",
    "dependents",
    "nutrition",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "information_devices",
]
QD59_CODES = [
    "health_access",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_quality",
    "housing_area",
    "water",
    "sanitation",
    "telecom",
    "information_devices",
]
#: In the order of the draft's dimensions (migration 0012): information before
#: "nước sinh hoạt, vệ sinh và môi trường".
ND351_CODES = [
    "employment",
    "dependents",
    "nutrition",
    "health_insurance",
    "adult_education",
    "school_attendance",
    "housing_quality",
    "housing_area",
    "telecom",
    "water",
    "sanitation",
    "waste",
]
INDICATOR_CODES = {
    "QD59-2016": QD59_CODES,
    "ND07-2022": ND07_CODES,
    "ND351-2027": ND351_CODES,
    "QN-NQ13-2023": ND07_CODES,
}

FIGURES = {
    # code: (first, last, poor rural, poor urban, near-poor ceiling rural/urban,
    #        average ceiling rural/urban, A-score line rural/urban)
    "QD59-2016": (2016, 2021, 700_000, 900_000, 1_000_000, 1_300_000, None, None, None, None),
    "ND07-2022": (2022, 2026, 1_500_000, 2_000_000, None, None, 2_250_000, 3_000_000, 140, 175),
    "ND351-2027": (2027, 2030, 2_200_000, 2_800_000, None, None, None, None, None, None),
    "QN-NQ13-2023": (2024, 2026, 2_100_000, 2_600_000, None, None, None, None, None, None),
}
FIGURE_FIELDS = [
    "first_year",
    "last_year",
    "poor_line_rural",
    "poor_line_urban",
    "near_poor_ceiling_rural",
    "near_poor_ceiling_urban",
    "average_ceiling_rural",
    "average_ceiling_urban",
    "score_a_line_rural",
    "score_a_line_urban",
]


def test_migration_creates_the_four_standards_when_applied():
    assert set(PovertyStandard.objects.values_list("code", flat=True)) == set(FIGURES)


@pytest.mark.parametrize("code", FIGURES)
def test_standard_has_domain_figures_when_migrated(code):
    row = PovertyStandard.objects.filter(code=code).values_list(*FIGURE_FIELDS).get()

    assert row == FIGURES[code]


@pytest.mark.parametrize("code", FIGURES)
def test_standard_has_threshold_three_and_ten_points_when_migrated(code):
    standard = PovertyStandard.objects.get(code=code)

    assert (standard.deprivation_threshold, standard.points_per_indicator) == (3, 10)


@pytest.mark.parametrize(
    ("code", "rule_type", "level"),
    [
        ("QD59-2016", RuleType.INCOME_OR_DEPRIVATION, StandardLevel.NATIONAL),
        ("ND07-2022", RuleType.LINE_AND_DEPRIVATION, StandardLevel.NATIONAL),
        ("ND351-2027", RuleType.LINE_AND_DEPRIVATION, StandardLevel.NATIONAL),
        ("QN-NQ13-2023", RuleType.LINE_AND_DEPRIVATION, StandardLevel.PROVINCIAL),
    ],
)
def test_standard_has_rule_and_level_when_migrated(code, rule_type, level):
    standard = PovertyStandard.objects.get(code=code)

    assert (standard.rule_type, standard.level) == (rule_type, level)


@pytest.mark.parametrize(
    ("code", "count"),
    [("QD59-2016", 10), ("ND07-2022", 12), ("ND351-2027", 12), ("QN-NQ13-2023", 12)],
)
def test_standard_has_indicators_in_order_when_migrated(code, count):
    codes = list(
        Indicator.objects.filter(standard__code=code)
        .order_by("order")
        .values_list("code", flat=True)
    )

    assert codes == INDICATOR_CODES[code]
    assert len(codes) == count


@pytest.mark.parametrize("code", FIGURES)
def test_indicators_have_vietnamese_texts_when_migrated(code):
    indicators = Indicator.objects.filter(standard__code=code)

    assert all(i.dimension and i.name and i.threshold for i in indicators)
    assert indicators.get(code="housing_area").threshold.endswith("nhỏ hơn 8 m².")


@pytest.mark.parametrize(
    ("code", "dimensions"),
    [
        ("QD59-2016", ["Y tế", "Giáo dục", "Nhà ở", "Điều kiện sống", "Tiếp cận thông tin"]),
        (
            "ND07-2022",
            ["Việc làm", "Y tế", "Giáo dục", "Nhà ở", "Nước sinh hoạt và vệ sinh", "Thông tin"],
        ),
    ],
)
def test_indicators_grouped_in_dimensions_when_migrated(code, dimensions):
    found = Indicator.objects.filter(standard__code=code).order_by("order")

    assert list(dict.fromkeys(i.dimension for i in found)) == dimensions
    assert all(found.filter(dimension=d).count() == 2 for d in dimensions)


@pytest.mark.parametrize(
    ("code", "children"),
    [
        ("QD59-2016", {"health_insurance", "school_attendance"}),
        ("ND07-2022", {"nutrition", "health_insurance", "school_attendance"}),
        ("ND351-2027", {"nutrition", "health_insurance", "school_attendance"}),
        ("QN-NQ13-2023", {"nutrition", "health_insurance", "school_attendance"}),
    ],
)
def test_childrens_indicators_marked_when_migrated(code, children):
    marked = Indicator.objects.filter(standard__code=code, is_child_indicator=True)

    assert set(marked.values_list("code", flat=True)) == children


def test_only_nd351_is_unconfirmed_when_migrated():
    unconfirmed = PovertyStandard.objects.filter(confirmed=False)

    assert list(unconfirmed.values_list("code", flat=True)) == ["ND351-2027"]
    assert "CHƯA XÁC NHẬN" in unconfirmed.get().notes


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (2016, "QD59-2016"),
        (2021, "QD59-2016"),
        (2022, "ND07-2022"),
        (2026, "ND07-2022"),
        (2027, "ND351-2027"),
        (2030, "ND351-2027"),
    ],
)
def test_national_standard_in_force_in_list_year_when_migrated(year, code):
    assert PovertyStandard.national_for(year).code == code


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (2015, "QD59-2016"),
        (2020, "QD59-2016"),
        (2021, "ND07-2022"),
        (2025, "ND07-2022"),
        (2026, "ND351-2027"),
        (2029, "ND351-2027"),
    ],
)
def test_national_standard_of_periodic_review_year_when_migrated(year, code):
    standard = PovertyStandard.for_review_year(year)

    assert standard.code == code
    assert standard.applies_to_review(year)


@pytest.mark.parametrize(
    ("review_year", "found"), [(2022, False), (2023, True), (2025, True), (2026, False)]
)
def test_provincial_standard_of_review_year_when_in_period(review_year, found):
    standard = PovertyStandard.for_review_year(review_year, StandardLevel.PROVINCIAL)

    assert (standard.code if standard else None) == ("QN-NQ13-2023" if found else None)


def test_years_in_force_are_cited_in_the_notes_when_migrated():
    nd07 = PovertyStandard.objects.get(code="ND07-2022")
    provincial = PovertyStandard.objects.get(code="QN-NQ13-2023")

    assert "351/2025/NĐ-CP" in nd07.notes and "2027" in nd07.notes
    assert "CHƯA ĐỐI CHIẾU" in provincial.notes


def test_provincial_standard_has_no_province_when_units_not_loaded():
    assert PovertyStandard.objects.get(code="QN-NQ13-2023").province is None


def test_link_provincial_standards_sets_province_when_unit_exists():
    province = UnitFactory(kind=UnitKind.PROVINCE, code="22", name="Tỉnh Quảng Ninh", area="")

    changed = link_provincial_standards()

    assert changed == 1
    assert PovertyStandard.objects.get(code="QN-NQ13-2023").province == province


def test_link_provincial_standards_changes_nothing_when_run_twice():
    UnitFactory(kind=UnitKind.PROVINCE, code="22", name="Tỉnh Quảng Ninh", area="")
    link_provincial_standards()

    assert link_provincial_standards() == 0


def test_link_provincial_standards_changes_nothing_when_unit_missing():
    UnitFactory(kind=UnitKind.WARD, code="22")

    assert link_provincial_standards() == 0
    assert PovertyStandard.objects.get(code="QN-NQ13-2023").province is None


def test_link_provincial_standards_leaves_national_standards_when_linking():
    UnitFactory(kind=UnitKind.PROVINCE, code="22", name="Tỉnh Quảng Ninh", area="")

    link_provincial_standards()

    assert not PovertyStandard.objects.filter(level=StandardLevel.NATIONAL, province__isnull=False)


def test_migration_links_province_when_unit_exists_at_migration_time():
    province = UnitFactory(kind=UnitKind.PROVINCE, code="22", name="Tỉnh Quảng Ninh", area="")

    migration.load_standards(django_apps, None)

    assert PovertyStandard.objects.get(code="QN-NQ13-2023").province == province


def test_migration_reverse_deletes_standards_and_indicators_when_unapplied():
    migration.unload_standards(django_apps, None)

    assert not PovertyStandard.objects.exists()
    assert not Indicator.objects.exists()


def test_migration_forward_is_idempotent_when_run_again():
    migration.load_standards(django_apps, None)

    assert PovertyStandard.objects.count() == 4
    assert Indicator.objects.count() == 10 + 12 + 12 + 12
