"""The offline field survey on a phone: download, survey offline, reload, sync, conflicts."""

import datetime
import time

import pytest
from playwright.sync_api import expect

from communes.models import UnitKind
from halong.api.models import SurveySubmission
from households.models import Assessment, AssessmentStatus, PovertyStatus, ReviewKind
from households.services import review as review_services
from tests.conftest import unit
from tests.factories import (
    TEST_PASSWORD,
    AssessmentFactory,
    HouseholdFactory,
    MemberFactory,
    ReviewRoundFactory,
    VillageFactory,
    standard,
)

from .conftest import _FAILED, ARTIFACTS, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, request, live_server):
    """A phone-sized context (touch, mobile viewport) with service workers allowed."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=live_server.url,
        service_workers="allow",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.fixture
def village_round():
    """A village of Phường Hạ Long with three listed households in the 2026 review."""
    ward = unit("6688")
    village = VillageFactory(parent=ward, kind=UnitKind.VILLAGE, code="6688.95", name="Tổ 95")
    review_round = ReviewRoundFactory(
        unit=ward,
        year=2026,
        kind=ReviewKind.PERIODIC,
        standard=standard("ND07-2022"),
        opened_on=datetime.date(2026, 9, 1),
    )
    assessments = []
    for n, head in enumerate(["Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường"], start=1):
        household = HouseholdFactory(
            unit=ward, village=village, code=f"HL-95-{n}", head__full_name=head
        )
        MemberFactory(household=household, birth_year=2015)
        assessments.append(AssessmentFactory(household=household, round=review_round))
    return village, review_round, assessments


def wait_until(page, expression: str, timeout: float = 20) -> None:
    """Poll ``expression`` in the page (``wait_for_function`` evaluates strings with
    ``eval``, which the app's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(200)


def open_app_and_download(page, user, village) -> None:
    login(page, user.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/survey/")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_selector(f"#village option[value='{village.pk}']", state="attached")
    page.select_option("#village", str(village.pk))
    page.click("[data-action=download]")
    page.wait_for_selector("[data-household]")
    # The service worker controls the page, so the app opens without a network.
    wait_until(page, "navigator.serviceWorker.controller !== null")


def goto_step(page, assessment, step: int) -> None:
    page.goto(f"/survey/#/s/{assessment.pk}/{step}")
    page.wait_for_selector(f".survey-steps li.active a[href$='/{step}']")


def answer_income(page, assessment, income: str) -> None:
    goto_step(page, assessment, 1)
    page.fill("#f-income_per_capita", income)


def answer_rest(page, assessment, deprivations=("health_insurance", "water", "sanitation")):
    goto_step(page, assessment, 2)
    for code in deprivations:
        page.check(f"#deprivations-{code}")
    goto_step(page, assessment, 3)
    page.check("#causes-no_capital")
    page.select_option("#f-primary_cause", "no_capital")


def queue(page, assessment) -> None:
    goto_step(page, assessment, 4)
    page.click("[data-action=ready]")
    page.wait_for_selector("[data-tab=sync].active, [data-tab=todo].active")


def open_list(page, village_round_obj, tab: str) -> None:
    village, review_round, _ = village_round_obj
    page.goto(f"/survey/#/w/{review_round.pk}:{village.pk}/{tab}")
    page.wait_for_selector(f"[data-tab={tab}].active")


def test_survey_two_households_offline_reload_then_sync(phone, halong_officer, village_round):
    page = phone
    village, _round, (first, second, _third) = village_round
    open_app_and_download(page, halong_officer, village)

    page.context.set_offline(True)
    answer_income(page, first, "1200000")
    answer_rest(page, first)
    queue(page, first)
    answer_income(page, second, "3500000")
    goto_step(page, second, 2)
    page.check("#deprivations-water")
    wait_until(page, "document.getElementById('saved-note').textContent.includes(':')")

    # Reloaded offline: the app opens from the service worker, the drafts are there.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#deprivations-water").is_checked()
    goto_step(page, second, 1)
    assert page.locator("#f-income_per_capita").input_value() == "3500000"
    open_list(page, village_round, "sync")
    expect(page.locator("[data-household='HL-95-1']")).to_be_visible()
    assert page.locator("[data-tab=sync]").inner_text().endswith("(1)")
    goto_step(page, second, 3)
    page.select_option("#f-primary_cause", "")
    queue(page, second)
    assert Assessment.objects.filter(status=AssessmentStatus.SURVEYED).count() == 0

    page.context.set_offline(False)  # back online: the queue goes up by itself
    open_list(page, village_round, "done")
    page.wait_for_selector("[data-tab=done]:has-text('(2)')")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.national_status) == (AssessmentStatus.SURVEYED, PovertyStatus.POOR)
    assert second.status == AssessmentStatus.SURVEYED
    assert second.national_status not in ("", PovertyStatus.POOR, PovertyStatus.NEAR_POOR)
    assert first.income_per_capita == 1_200_000 and first.surveyed_by == halong_officer
    page.click("[data-household='HL-95-1']")
    expect(page.locator("[data-result=poor]")).to_be_visible()


def test_conflict_is_resolved_field_by_field(phone, halong_officer, halong_head, village_round):
    page = phone
    village, _round, (first, _second, _third) = village_round
    open_app_and_download(page, halong_officer, village)
    page.context.set_offline(True)
    answer_income(page, first, "1200000")
    answer_rest(page, first)
    queue(page, first)
    # Meanwhile the ward head surveys the same household at the office.
    review_services.assessment_survey(
        actor=halong_head,
        assessment=first,
        version=1,
        surveyed_on=datetime.date(2026, 9, 15),
        income_per_capita=900_000,
        score_a=None,
        deprivation_codes={"health_insurance", "water", "sanitation"},
        causes=["no_land"],
        primary_cause="no_land",
        support_needs=[],
    )
    page.context.set_offline(False)
    open_list(page, village_round, "sync")
    page.wait_for_selector("[data-household='HL-95-1'] .text-bg-danger")
    page.click("[data-household='HL-95-1']")
    page.wait_for_selector("#conflict-form")
    expect(page.locator(".conflict-field[data-field=income_per_capita]")).to_be_visible()
    first.refresh_from_db()
    assert first.income_per_capita == 900_000  # nothing overwritten meanwhile

    page.click("[data-action=resolve]")  # nothing chosen yet: asked for each
    expect(page.locator("#conflict-error .alert")).to_be_visible()
    for field in page.locator(".conflict-field").evaluate_all(
        "els => els.map(e => e.dataset.field)"
    ):
        keep = "mine" if field == "income_per_capita" else "theirs"
        page.check(f"#{keep}-{field}")
    page.click("[data-action=resolve]")
    page.wait_for_selector("[data-tab=sync].active")
    open_list(page, village_round, "done")
    page.wait_for_selector("[data-household='HL-95-1']")
    first.refresh_from_db()
    assert first.income_per_capita == 1_200_000
    assert [c.code for c in first.causes.all()] == ["no_land"]
    assert first.surveyed_on == datetime.date(2026, 9, 15)


def test_a_dropped_answer_is_sent_again_without_a_second_survey(
    phone, halong_officer, village_round
):
    page = phone
    village, _round, (first, _second, _third) = village_round
    open_app_and_download(page, halong_officer, village)
    page.context.set_offline(True)
    answer_income(page, first, "1200000")
    answer_rest(page, first)
    queue(page, first)

    def record_then_drop(route):
        route.fetch()  # the server records the survey…
        route.abort("connectionreset")  # …and the phone never hears back

    page.route("**/api/v1/survey/submissions/", record_then_drop)
    open_list(page, village_round, "sync")
    page.context.set_offline(False)
    page.wait_for_selector("#flash .alert-warning")
    assert SurveySubmission.objects.count() == 1
    page.unroute("**/api/v1/survey/submissions/")
    open_list(page, village_round, "sync")
    expect(page.locator("[data-household='HL-95-1']")).to_be_visible()  # still queued

    page.click("[data-action=sync]")
    open_list(page, village_round, "done")
    page.wait_for_selector("[data-household='HL-95-1']")
    assert SurveySubmission.objects.count() == 1
    first.refresh_from_db()
    assert first.status == AssessmentStatus.SURVEYED
    assert first.version == 2  # surveyed once: listed (1) → surveyed (2)
