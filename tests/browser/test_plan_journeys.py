"""A head plans a poor household's exit, assigns it, the member follows it up;
support entered twice is caught."""

import datetime

import pytest

from households.models import AssessmentCause, AssessmentStatus, Indicator, PovertyStatus
from plans.models import ExitPlan, SupportRecord
from tests.conftest import unit
from tests.factories import (
    TEST_PASSWORD,
    AssessmentFactory,
    HouseholdFactory,
    ReviewRoundFactory,
    standard,
)

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def poor_household(units):
    ward = unit("6688")
    household = HouseholdFactory(unit=ward, code="HL-PLAN-1", head__full_name="Mai Văn Tứ")
    nd07 = standard("ND07-2022")
    assessment = AssessmentFactory(
        household=household,
        round=ReviewRoundFactory(unit=ward, year=2025, standard=nd07),
        status=AssessmentStatus.RECOGNISED,
        national_status=PovertyStatus.POOR,
        recorded_status=PovertyStatus.POOR,
        income_per_capita=1_200_000,
        decision_date=datetime.date(2025, 12, 10),
    )
    assessment.deprivations.set(
        Indicator.objects.filter(
            standard=nd07, code__in=["housing_quality", "health_insurance", "sanitation"]
        )
    )
    AssessmentCause.objects.create(assessment=assessment, code="no_capital", is_primary=True)
    return household


def test_head_plans_and_assigns_then_member_sees_case(
    page, poor_household, halong_head, halong_member
):
    login(page, halong_head.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/households/{poor_household.pk}/")
    page.click(f"a[href='/households/{poor_household.pk}/plans/new/']")
    proposals = page.locator("main").inner_text()
    assert "Hỗ trợ sửa chữa nhà ở" in proposals  # housing_quality → house repair
    assert "Hướng dẫn vay vốn ưu đãi NHCSXH" in proposals  # no_capital → VBSP loan
    page.click("main form button[type=submit]")
    plan = ExitPlan.objects.get(household=poor_household)
    page.wait_for_url(f"**/plans/{plan.pk}/")
    assert plan.actions.count() >= 4

    page.goto(f"/units/{unit('6688').pk}/cases/assign/")
    page.check(f"input[name=households][value='{poor_household.pk}']")
    page.select_option("select[name=member]", str(halong_member.pk))
    page.click("main form[method=post] button[type=submit]:not([name=unassign])")
    page.wait_for_load_state()
    poor_household.refresh_from_db()
    assert poor_household.assigned_to == halong_member

    page.context.clear_cookies()
    login(page, halong_member.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/cases/mine/")
    text = page.locator("main").inner_text()
    assert "HL-PLAN-1" in text and "Hỗ trợ sửa chữa nhà ở" in text


def test_officer_entering_same_quarter_electricity_twice_is_warned(
    page, poor_household, halong_officer
):
    login(page, halong_officer.username, TEST_PASSWORD)
    page.wait_for_url("**/")

    def enter(source: str) -> None:
        page.goto(f"/households/{poor_household.pk}/support/new/")
        page.select_option("select[name=support_type]", label="Hỗ trợ tiền điện")
        page.fill("input[name=given_on]", "2026-04-10")
        page.fill("input[name=amount]", "147000")
        page.select_option("select[name=funding_source]", source)
        page.fill("input[name=provider]", "UBND phường Hạ Long")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()

    enter("national_programme")
    assert SupportRecord.objects.filter(household=poor_household).count() == 1
    enter("city")
    assert SupportRecord.objects.filter(household=poor_household).count() == 1
    assert page.locator("textarea[name=conflict_reason]").is_visible()
    assert "10/04/2026" in page.locator("main").inner_text()
