"""The 2026–2030 standard (ND351-2027): its data as its sources set it, and a 2026
survey under it classified at the boundaries of its rule.

Expected figures are typed here from the sources cited in migration 0012
(press reports of NĐ 351/2025 and of its draft), independently of the data.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from households.models import Indicator, PovertyStandard, PovertyStatus, ReviewKind
from households.services import review as services
from tests.conftest import unit
from tests.factories import HouseholdFactory

D = datetime.date
WATER_DIMENSION = "Nước sinh hoạt, vệ sinh và môi trường"
ND351_DIMENSIONS = {
    "Việc làm": {"employment", "dependents"},
    "Y tế": {"nutrition", "health_insurance"},
    "Giáo dục": {"adult_education", "school_attendance"},
    "Nhà ở": {"housing_quality", "housing_area"},
    "Thông tin": {"telecom"},
    WATER_DIMENSION: {"water", "sanitation", "waste"},
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def nd351(db):
    return PovertyStandard.objects.get(code="ND351-2027")


def test_nd351_has_six_dimensions_and_twelve_indicators(nd351):
    found: dict[str, set[str]] = {}
    for indicator in nd351.indicators.all():
        found.setdefault(indicator.dimension, set()).add(indicator.code)
    assert found == ND351_DIMENSIONS
    assert nd351.indicators.count() == 12


def test_nd351_drops_information_devices_and_adds_waste(nd351):
    codes = set(nd351.indicators.values_list("code", flat=True))
    nd07 = set(Indicator.objects.filter(standard__code="ND07-2022").values_list("code", flat=True))
    assert codes - nd07 == {"waste"}
    assert nd07 - codes == {"information_devices"}
    # The one information indicator is the use of internet (digital) services.
    telecom = nd351.indicators.get(code="telecom")
    assert "internet" in telecom.name and "internet" in telecom.threshold


def test_nd351_renames_the_water_dimension_only_in_nd351(nd351):
    assert nd351.indicators.get(code="waste").dimension == WATER_DIMENSION
    nd07_water = Indicator.objects.get(standard__code="ND07-2022", code="water")
    assert nd07_water.dimension == "Nước sinh hoạt và vệ sinh"


def test_nd351_dependents_count_allowance_recipients(nd351):
    threshold = nd351.indicators.get(code="dependents").threshold
    assert "trợ cấp xã hội hằng tháng" in threshold and "50%" in threshold


def test_every_nd351_part_is_marked_unconfirmed_with_its_source(nd351):
    assert nd351.confirmed is False
    assert nd351.lines_confirmed is False
    assert "Nghị định 351/2025/NĐ-CP" in nd351.sources
    assert "thông tư" in nd351.sources.lower()
    for indicator in nd351.indicators.all():
        assert indicator.confirmed is False, indicator.code
        assert "Dự thảo" in indicator.source and "CHƯA ĐỐI CHIẾU" in indicator.source


def test_standards_loaded_from_their_official_texts_are_confirmed(db):
    nd07 = PovertyStandard.objects.get(code="ND07-2022")
    assert nd07.lines_confirmed is True
    assert "Nghị định 07/2021/NĐ-CP" in nd07.sources
    assert not nd07.indicators.filter(confirmed=False).exists()
    assert set(nd07.indicators.values_list("source", flat=True)) == {
        "Nghị định 07/2021/NĐ-CP, Điều 3 và Điều 4"
    }


def test_nd351_lines_and_rule(nd351):
    assert (nd351.poor_line_rural, nd351.poor_line_urban) == (2_200_000, 2_800_000)
    assert nd351.deprivation_threshold == 3
    assert nd351.rule_type == "line_and_deprivation"
    # No circular for 2026–2030 was found: no A-score line, no average ceiling.
    assert nd351.score_a_line_rural is None and nd351.score_a_line_urban is None
    assert nd351.average_ceiling_rural is None and nd351.average_ceiling_urban is None


# --- A 2026 survey under ND351 ------------------------------------------------------


def _survey_2026(officer, ward_code, *, income, codes, score_a=None):
    ward = unit(ward_code)
    review_round = services.round_open(
        actor=officer, unit=ward, year=2026, kind=ReviewKind.PERIODIC, opened_on=D(2026, 9, 1)
    )
    assert review_round.standard.code == "ND351-2027"
    assessment = services.assessment_create(
        actor=officer, household=HouseholdFactory(unit=ward), review_round=review_round
    )
    services.assessment_survey(
        actor=officer,
        assessment=assessment,
        version=assessment.version,
        surveyed_on=D(2026, 10, 1),
        member_count=3,
        income_per_capita=income,
        score_a=score_a,
        deprivation_codes=set(codes),
        causes=["no_capital"],
        primary_cause="no_capital",
        support_needs=["credit"],
    )
    assessment.refresh_from_db()
    return assessment


THREE_WITH_WASTE = {"water", "sanitation", "waste"}


@pytest.mark.parametrize(
    ("income", "codes", "expected"),
    [
        (2_800_000, THREE_WITH_WASTE, PovertyStatus.POOR),
        (2_799_999, THREE_WITH_WASTE, PovertyStatus.POOR),
        (2_800_000, {"water", "waste"}, PovertyStatus.NEAR_POOR),
        (2_800_000, set(), PovertyStatus.NEAR_POOR),
        (2_800_001, THREE_WITH_WASTE, PovertyStatus.NOT_POOR),
        (2_800_001, set(), PovertyStatus.NOT_POOR),
    ],
    ids=["line-3", "below-3", "line-2", "line-0", "above-3", "above-0"],
)
def test_2026_urban_survey_under_nd351_at_the_line(halong_officer, units, income, codes, expected):
    assessment = _survey_2026(halong_officer, "6688", income=income, codes=codes)
    assert assessment.round.standard.code == "ND351-2027"
    assert assessment.national_status == expected


def test_2026_survey_under_nd351_refuses_information_devices(halong_officer, units):
    with pytest.raises(ValidationError) as error:
        _survey_2026(
            halong_officer,
            "6688",
            income=2_000_000,
            codes={"water", "sanitation", "information_devices"},
        )
    assert "deprivation_codes" in error.value.message_dict


def test_2026_survey_under_nd351_without_income_cannot_use_an_a_score(halong_officer, units):
    # No A-score line for 2026–2030: an A-score alone does not classify.
    with pytest.raises(ValidationError):
        _survey_2026(halong_officer, "6688", income=None, codes=THREE_WITH_WASTE, score_a=100)
