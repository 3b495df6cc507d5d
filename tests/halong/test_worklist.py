"""The home page's work list (issue 23 item 6): each kind of item, its counts and links."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from communes.selectors import today
from halong.worklist import SHOWN, work_list
from households.models import AssessmentStatus, PovertyStatus, ReviewKind
from plans.models import ActionStatus
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    PlanActionFactory,
    ReviewRoundFactory,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def poor(ward, code):
    household = HouseholdFactory(unit=ward, code=code)
    AssessmentFactory(
        household=household,
        round__year=2025,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=PovertyStatus.POOR,
        decision_date=datetime.date(2025, 12, 10),
    )
    return household


def test_an_officers_actions_overdue_and_due_soon(halong_officer):
    ward, day = unit("6688"), today()
    plan = ExitPlanFactory(household=poor(ward, "HL-1"))
    late = PlanActionFactory(plan=plan, responsible=halong_officer, due_date=day - DAY)
    soon = PlanActionFactory(plan=plan, responsible=halong_officer, due_date=day + 14 * DAY)
    PlanActionFactory(plan=plan, responsible=halong_officer, due_date=day + 15 * DAY)  # later
    PlanActionFactory(
        plan=plan, responsible=halong_officer, due_date=day - DAY, status=ActionStatus.DONE
    )
    PlanActionFactory(plan=plan, due_date=day - DAY)  # someone else's

    work = work_list(halong_officer, day)

    assert (work.overdue_actions, work.overdue_action_count) == ([late], 1)
    assert (work.due_soon_actions, work.due_soon_action_count) == ([soon], 1)


def test_counts_cover_more_than_the_items_shown(halong_officer):
    day = today()
    plan = ExitPlanFactory(household=poor(unit("6688"), "HL-1"))
    for _ in range(SHOWN + 3):
        PlanActionFactory(plan=plan, responsible=halong_officer, due_date=day - DAY)

    work = work_list(halong_officer, day)

    assert len(work.overdue_actions) == SHOWN and work.overdue_action_count == SHOWN + 3


def test_households_waiting_at_each_step_of_the_open_rounds(halong_officer):
    ward = unit("6688")
    open_round = ReviewRoundFactory(unit=ward, year=2026)
    closed = ReviewRoundFactory(unit=ward, year=2024, closed_on=datetime.date(2024, 12, 20))
    for status in (AssessmentStatus.LISTED, AssessmentStatus.LISTED, AssessmentStatus.POSTED):
        AssessmentFactory(round=open_round, household__unit=ward, status=status)
    AssessmentFactory(round=open_round, household__unit=ward, status=AssessmentStatus.RECOGNISED)
    AssessmentFactory(round=closed, household__unit=ward, status=AssessmentStatus.LISTED)
    other = ReviewRoundFactory(unit=unit("6673"), year=2026)
    AssessmentFactory(round=other, household__unit=unit("6673"), status=AssessmentStatus.LISTED)

    steps = work_list(halong_officer, today()).review_steps

    assert [(s.review_round, s.status, s.count) for s in steps] == [
        (open_round, AssessmentStatus.LISTED, 2),
        (open_round, AssessmentStatus.POSTED, 1),
    ]
    assert steps[0].url == f"{open_round.get_absolute_url()}#step-listed"


def test_a_head_sees_unassigned_cases_and_an_officer_does_not(halong_head, halong_officer):
    ward = unit("6688")
    poor(ward, "HL-1")
    poor(ward, "HL-2").__class__.objects.filter(code="HL-2").update(assigned_to=halong_officer)

    head_work = work_list(halong_head, today())

    assert [(u.unit, u.count) for u in head_work.unassigned] == [(ward, 1)]
    assert head_work.unassigned[0].url.startswith(reverse("plans:case_assign", args=[ward.pk]))
    assert work_list(halong_officer, today()).unassigned == []


def test_applications_near_their_deadline(halong_officer):
    ward, day = unit("6688"), today()
    regular = ReviewRoundFactory(unit=ward, year=day.year, kind=ReviewKind.REGULAR)
    late = AssessmentFactory(
        round=regular,
        household__unit=ward,
        status=AssessmentStatus.LISTED,
        application_date=day - 60 * DAY,
    )
    decided = AssessmentFactory(
        round=regular,
        household__unit=ward,
        status=AssessmentStatus.RECOGNISED,
        application_date=day - 60 * DAY,
    )

    applications = work_list(halong_officer, day).applications

    assert applications == [late] and decided not in applications
    assert applications[0].deadline_state == "overdue"


def test_the_home_page_shows_the_work_list_to_ward_roles_not_to_city_roles(
    client, halong_officer, halong_member, city_staff
):
    plan = ExitPlanFactory(household=poor(unit("6688"), "HL-1"))
    PlanActionFactory(
        plan=plan, responsible=halong_member, due_date=today() - DAY, description="Cấp thẻ BHYT"
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(halong_member)
    page = client.get(reverse("home"))
    assert page.context["work"].overdue_action_count == 1
    assert "Cấp thẻ BHYT" in page.content.decode() and "Your work list" in page.content.decode()

    client.force_login(halong_officer)
    assert "Your work list" in client.get(reverse("home")).content.decode()

    client.force_login(city_staff)
    page = client.get(reverse("home"))
    assert "work" not in page.context and "Your work list" not in page.content.decode()
