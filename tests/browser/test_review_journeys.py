"""A ward takes a household from registration to its certificate."""

import datetime

import pytest

from households.models import Assessment, AssessmentStatus, Household, PovertyStatus, ReviewKind
from tests.conftest import unit
from tests.factories import TEST_PASSWORD, ReviewRoundFactory, standard

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def submit(page) -> None:
    page.click("main form button[type=submit]")


def test_officer_registers_household_and_survey_classifies_it(page, halong_officer):
    ward = unit("6688")
    ReviewRoundFactory(
        unit=ward,
        year=2026,
        kind=ReviewKind.PERIODIC,
        standard=standard("ND07-2022"),
        opened_on=datetime.date(2026, 9, 1),
    )
    login(page, halong_officer.username, TEST_PASSWORD)
    page.wait_for_url("**/")

    page.goto("/households/new/")
    page.fill("input[name=code]", "HL-JOURNEY-1")
    page.fill("input[name=address]", "Số 12, tổ 3")
    page.fill("input[name=head_full_name]", "Đỗ Văn Khải")
    page.select_option("select[name=head_sex]", "male")
    page.fill("input[name=head_birth_year]", "1975")
    submit(page)
    household = Household.objects.get(code="HL-JOURNEY-1")
    page.wait_for_url(f"**/households/{household.pk}/")
    assert "Đỗ Văn Khải" in page.locator("main").inner_text()

    page.goto(f"/households/{household.pk}/members/new/")
    page.fill("input[name=full_name]", "Đỗ Thị Mến")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=birth_year]", "2012")
    page.select_option("select[name=relation]", "child")
    submit(page)
    page.wait_for_url(f"**/households/{household.pk}/")
    assert "Đỗ Thị Mến" in page.locator("main").inner_text()

    page.goto(f"/households/{household.pk}/assessments/new/")
    submit(page)
    assessment = Assessment.objects.get(household=household)
    page.wait_for_url(f"**/assessments/{assessment.pk}/**")

    page.goto(f"/assessments/{assessment.pk}/survey/")
    page.fill("input[name=surveyed_on]", "2026-10-05")
    page.fill("input[name=income_per_capita]", "1800000")
    for code in ("health_insurance", "housing_quality", "sanitation"):
        page.check(f"input[name=deprivations][value={code}]")
    page.check("input[name=causes][value=no_capital]")
    page.select_option("select[name=primary_cause]", "no_capital")
    submit(page)
    page.wait_for_url(f"**/assessments/{assessment.pk}/")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.national_status) == (
        AssessmentStatus.SURVEYED,
        PovertyStatus.POOR,
    )
    assert "Hộ nghèo" in page.locator("main").inner_text()


def test_head_records_meeting_posts_and_recognises_then_prints_certificate(page, halong_head):
    from tests.factories import AssessmentFactory, HouseholdFactory

    ward = unit("6688")
    household = HouseholdFactory(unit=ward, head__full_name="Lý Văn Sáng")
    review = ReviewRoundFactory(unit=ward, year=2026, standard=standard("ND07-2022"))
    assessment = AssessmentFactory(
        household=household,
        round=review,
        status=AssessmentStatus.SURVEYED,
        national_status=PovertyStatus.NEAR_POOR,
        recorded_status=PovertyStatus.NEAR_POOR,
        income_per_capita=1_900_000,
    )
    login(page, halong_head.username, TEST_PASSWORD)
    page.wait_for_url("**/")

    page.goto(f"/assessments/{assessment.pk}/meeting/")
    page.fill("input[name=meeting_date]", "2026-10-20")
    page.fill("input[name=chair]", "Trưởng khu phố")
    page.fill("input[name=attendees]", "30")
    page.fill("input[name=agreed]", "15")
    submit(page)
    page.wait_for_url(f"**/assessments/{assessment.pk}/")

    page.goto(f"/assessments/{assessment.pk}/post/")
    page.fill("input[name=posted_from]", "2026-10-21")
    page.fill("input[name=posted_to]", "2026-10-24")
    submit(page)
    page.wait_for_url(f"**/assessments/{assessment.pk}/")

    page.goto(f"/assessments/{assessment.pk}/decide/")
    page.fill("input[name=decision_number]", "512/QĐ-UBND")
    page.fill("input[name=decision_date]", "2026-11-02")
    page.fill("input[name=signer]", "Chủ tịch UBND phường")
    submit(page)
    page.wait_for_url(f"**/assessments/{assessment.pk}/")
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.RECOGNISED
    assert assessment.certificate_number == "001/GCN-HN.HCN"

    page.goto(f"/assessments/{assessment.pk}/certificate/")
    text = page.locator("main").inner_text()
    assert "001/GCN-HN.HCN" in text and "Lý Văn Sáng" in text
