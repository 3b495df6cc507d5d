"""Journeys about who reaches what: city staff read aggregates and download the
annual report, a member completes their plan action, and an officer cannot open
another ward's household by typing its address."""

import datetime
import io

import openpyxl
import pytest

from communes.models import AccessKind, AccessLog
from households.models import AssessmentStatus, PovertyStatus
from plans.models import ActionStatus
from tests.conftest import unit
from tests.factories import (
    TEST_PASSWORD,
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    PlanActionFactory,
    ReviewRoundFactory,
    standard,
)

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANARY = "Lò Thị Hoàng Yến"


def _recognised_poor(ward, code: str, name: str):
    household = HouseholdFactory(unit=ward, code=code, head__full_name=name)
    assessment = AssessmentFactory(
        household=household,
        round=ReviewRoundFactory(unit=ward, year=2025, standard=standard("ND07-2022")),
        status=AssessmentStatus.RECOGNISED,
        national_status=PovertyStatus.POOR,
        recorded_status=PovertyStatus.POOR,
        income_per_capita=1_200_000,
        decision_date=datetime.date(2025, 12, 10),
    )
    return household, assessment


def test_city_staff_opens_dashboard_and_downloads_the_annual_report(page, units, city_staff):
    household, _ = _recognised_poor(unit("6688"), "HL-REP-1", CANARY)
    login(page, city_staff.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    assert page.locator("main h1").count() >= 1
    assert CANARY not in page.content()  # aggregates only
    page.goto("/reports/")
    assert CANARY not in page.content()
    page.click("a[href*='format=xlsx']")
    page.wait_for_url("**/jobs/*/")  # the workbook is made by a job
    with page.expect_download() as download_info:
        page.click("#job-status a[href$='/download/']")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    data = download.path().read_bytes()
    assert data[:2] == b"PK"
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames
    assert CANARY not in repr([list(ws.values) for ws in workbook.worksheets])
    entry = AccessLog.objects.get(kind=AccessKind.REPORT)
    assert entry.user == city_staff and entry.label == download.suggested_filename
    # Without the names grant, a household page is refused.
    response = page.goto(f"/households/{household.pk}/")
    assert response.status == 403
    assert CANARY not in page.content()


def test_member_completes_a_plan_action(page, units, halong_member):
    household, assessment = _recognised_poor(unit("6688"), "HL-ACT-1", "Mai Văn Tứ")
    household.assigned_to = halong_member
    household.save()
    plan = ExitPlanFactory(household=household, based_on=assessment)
    action = PlanActionFactory(plan=plan, responsible=halong_member)
    login(page, halong_member.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/cases/mine/")
    page.click(f"a[href='/actions/{action.pk}/status/']")
    page.check(f"input[name=status][value={ActionStatus.DONE}]")
    page.fill("textarea[name=outcome]", "Đã sửa xong mái nhà")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/plans/{plan.pk}/")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.outcome == "Đã sửa xong mái nhà"
    assert "Đã sửa xong mái nhà" in page.locator("main").inner_text()


def test_officer_cannot_reach_another_wards_household_by_url(page, units, halong_officer):
    other = HouseholdFactory(
        unit=unit("6673"), code="BC-CANARY", head__full_name=CANARY, head__citizen_id="022185009876"
    )
    login(page, halong_officer.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    for path in (
        f"/households/{other.pk}/",
        f"/households/{other.pk}/edit/",
        f"/members/{other.head_id}/edit/",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        body = page.content()
        assert CANARY not in body and "022185009876" not in body
        assert page.locator("main h1").inner_text() == "Không tìm thấy trang"
    assert not AccessLog.objects.exists()
