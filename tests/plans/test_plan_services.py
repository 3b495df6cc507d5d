"""Exit plan services: creation from proposals, actions, status, locking, progress."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from communes.models import Role
from communes.selectors import today
from households.models import AssessmentCause, AssessmentStatus, PovertyStatus
from households.services.common import StaleEdit
from plans.models import ActionStatus, ExitPlan, PlanAction, Responsibility, TargetKind
from plans.plan_selectors import household_plans, plan_progress
from plans.proposals import add_months
from plans.services import plans as services
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    PlanActionFactory,
    standard,
    support_type,
)

pytestmark = pytest.mark.django_db

DEPRIVED = ("housing_quality", "health_insurance")
CAUSES = ("no_capital", "illness_accident")  # the first one is primary


def recognised(household, status=PovertyStatus.POOR, year=2025, deprived=DEPRIVED, causes=CAUSES):
    """A recognised decision of ``year`` for ``household`` with deprivations and causes."""
    assessment = AssessmentFactory(
        household=household,
        round__year=year,
        status=AssessmentStatus.RECOGNISED,
        national_status=status,
        recorded_status=status,
    )
    assessment.deprivations.set(standard().indicators.filter(code__in=deprived))
    for index, code in enumerate(causes):
        AssessmentCause.objects.create(assessment=assessment, code=code, is_primary=index == 0)
    return assessment


def plan_kwargs(**overrides) -> dict:
    year = today().year
    return {"start_year": year, "end_year": year + 1, "target_exit_year": year + 1} | overrides


@pytest.fixture
def household(units, halong_member):
    """A poor household of ward Hạ Long, assigned to the committee member."""
    household = HouseholdFactory(unit=unit("6688"), assigned_to=halong_member)
    recognised(household)
    return household


@pytest.fixture
def plan(household):
    return ExitPlanFactory(household=household, based_on=household.assessments.get())


@pytest.fixture
def action(plan, halong_member):
    return PlanActionFactory(plan=plan, responsible=halong_member)


def action_state(action: PlanAction) -> tuple:
    action = PlanAction.objects.get(pk=action.pk)
    return (
        action.status,
        action.dropped_reason,
        action.outcome,
        action.completed_on,
        action.description,
        action.responsible_id,
        action.version,
    )


# --- plan_create --------------------------------------------------------------------


def test_plan_create_makes_every_proposal_an_action_when_accept_is_none(
    household, halong_officer, halong_member
):
    plan = services.plan_create(actor=halong_officer, household=household, **plan_kwargs())
    actions = list(plan.actions.order_by("pk"))
    assert [(a.target_kind, a.target_code) for a in actions] == [
        (TargetKind.INDICATOR, "health_insurance"),
        (TargetKind.INDICATOR, "housing_quality"),
        (TargetKind.CAUSE, "no_capital"),
        (TargetKind.CAUSE, "illness_accident"),
    ]
    assert {a.responsible for a in actions} == {halong_member}
    assert actions[1].support_type == support_type("housing_repair")
    assert actions[1].responsibility == Responsibility.LOCAL_GOVERNMENT
    assert actions[1].due_date == add_months(today(), 12)
    assert plan.based_on == household.assessments.get()
    assert plan.created_by == halong_officer


def test_plan_create_keeps_only_accepted_proposals_when_accept_given(household, halong_officer):
    plan = services.plan_create(
        actor=halong_officer, household=household, accept=[2, 0], **plan_kwargs()
    )
    assert list(plan.actions.order_by("pk").values_list("target_code", flat=True)) == [
        "health_insurance",
        "no_capital",
    ]


def test_plan_create_leaves_responsible_empty_when_household_unassigned(units, halong_officer):
    household = HouseholdFactory(unit=unit("6688"))
    recognised(household, status=PovertyStatus.NEAR_POOR)
    plan = services.plan_create(actor=halong_officer, household=household, **plan_kwargs())
    assert plan.actions.count() == 4
    assert not plan.actions.filter(responsible__isnull=False).exists()


def test_plan_create_records_actor_in_history(household, halong_officer):
    plan = services.plan_create(actor=halong_officer, household=household, **plan_kwargs())
    assert plan.history.get().history_user == halong_officer
    assert {a.history.get().history_user for a in plan.actions.all()} == {halong_officer}


def test_plan_create_refused_when_latest_decision_not_poor(units, halong_officer):
    household = HouseholdFactory(unit=unit("6688"))
    recognised(household, year=2024)
    recognised(household, status=PovertyStatus.NOT_POOR, year=2025, deprived=(), causes=())
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.plan_create(actor=halong_officer, household=household, **plan_kwargs())
    assert "Only poor and near-poor households get an exit plan" in error.value.messages[0]
    assert not ExitPlan.objects.exists()


def test_plan_create_refused_when_poor_status_not_yet_recognised(units, halong_officer):
    household = HouseholdFactory(unit=unit("6688"))
    AssessmentFactory(
        household=household, status=AssessmentStatus.POSTED, national_status=PovertyStatus.POOR
    )
    with pytest.raises(ValidationError):
        services.plan_create(actor=halong_officer, household=household, **plan_kwargs())
    assert not ExitPlan.objects.exists()


def test_plan_create_refused_when_committee_member(household, halong_member):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=halong_member, household=household, **plan_kwargs())
    assert not ExitPlan.objects.exists()


def test_plan_create_refused_when_target_exit_after_end(household, halong_officer):
    year = today().year
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=halong_officer, household=household, **plan_kwargs(target_exit_year=year + 2)
        )
    assert set(error.value.error_dict) == {"target_exit_year"}
    assert not ExitPlan.objects.exists()


def test_plan_create_refused_when_plan_with_same_start_exists(household, halong_officer):
    services.plan_create(actor=halong_officer, household=household, **plan_kwargs())
    with pytest.raises(ValidationError) as error:
        services.plan_create(actor=halong_officer, household=household, **plan_kwargs())
    assert set(error.value.error_dict) == {"start_year"}
    assert ExitPlan.objects.count() == 1


def test_plan_create_refused_when_accept_index_unknown(household, halong_officer):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=halong_officer, household=household, accept=[0, 9], **plan_kwargs()
        )
    assert set(error.value.error_dict) == {"accept"}
    assert not ExitPlan.objects.exists()


# --- plan_update ---------------------------------------------------------------------


def test_plan_update_refused_when_version_stale(plan, halong_officer):
    with pytest.raises(StaleEdit):
        services.plan_update(
            actor=halong_officer, plan=plan, version=plan.version - 1, notes="new notes"
        )
    assert ExitPlan.objects.get(pk=plan.pk).notes == ""


def test_plan_update_saves_notes_and_bumps_version(plan, halong_officer):
    services.plan_update(actor=halong_officer, plan=plan, version=plan.version, notes="Ghi chú")
    stored = ExitPlan.objects.get(pk=plan.pk)
    assert (stored.notes, stored.version) == ("Ghi chú", 2)


# --- action_add ---------------------------------------------------------------------


def add_kwargs(**overrides) -> dict:
    return {
        "target_kind": TargetKind.CAUSE,
        "target_code": "no_capital",
        "description": "Hướng dẫn vay vốn",
        "support_type": support_type("loan"),
        "responsibility": Responsibility.GRASSROOTS_OFFICER,
        "responsible": None,
        "due_date": datetime.date(2026, 3, 31),
    } | overrides


def test_action_add_accepts_member_of_the_wards_committee(plan, halong_officer, halong_member):
    action = services.action_add(
        actor=halong_officer, plan=plan, **add_kwargs(responsible=halong_member)
    )
    assert PlanAction.objects.get(pk=action.pk).responsible == halong_member


def test_action_add_refused_when_responsible_from_other_ward(plan, halong_officer, make_member):
    baichay_member = make_member(Role.MEMBER, unit("6673"))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.action_add(
            actor=halong_officer, plan=plan, **add_kwargs(responsible=baichay_member)
        )
    assert error.value.message_dict == {
        "responsible": ["Only members of this ward's committee can be responsible."]
    }
    assert not plan.actions.exists()


def test_action_add_refused_when_responsible_is_city_staff(plan, halong_officer, city_staff):
    with pytest.raises(ValidationError) as error:
        services.action_add(actor=halong_officer, plan=plan, **add_kwargs(responsible=city_staff))
    assert set(error.value.error_dict) == {"responsible"}
    assert not plan.actions.exists()


def test_action_add_refused_when_target_not_in_assessment(plan, halong_officer):
    with pytest.raises(ValidationError) as error:
        services.action_add(
            actor=halong_officer,
            plan=plan,
            **add_kwargs(target_kind=TargetKind.INDICATOR, target_code="water"),
        )
    assert set(error.value.error_dict) == {"target_code"}
    assert not plan.actions.exists()


def test_action_add_refused_when_cause_code_given_as_indicator(plan, halong_officer):
    with pytest.raises(ValidationError):
        services.action_add(
            actor=halong_officer, plan=plan, **add_kwargs(target_kind=TargetKind.INDICATOR)
        )
    assert not plan.actions.exists()


def test_action_add_refused_when_committee_member(plan, halong_member):
    with pytest.raises(PermissionDenied):
        services.action_add(actor=halong_member, plan=plan, **add_kwargs())
    assert not plan.actions.exists()


def test_action_add_refused_when_officer_of_other_ward(plan, baichay_officer):
    with pytest.raises(PermissionDenied):
        services.action_add(actor=baichay_officer, plan=plan, **add_kwargs())
    assert not plan.actions.exists()


# --- action_update --------------------------------------------------------------------


def test_action_update_saves_fields_and_bumps_version(action, halong_officer):
    services.action_update(
        actor=halong_officer,
        action=action,
        version=action.version,
        description="Sửa mái nhà",
        due_date=datetime.date(2026, 12, 31),
    )
    stored = PlanAction.objects.get(pk=action.pk)
    assert (stored.description, stored.due_date, stored.version) == (
        "Sửa mái nhà",
        datetime.date(2026, 12, 31),
        2,
    )


def test_action_update_refused_when_version_stale(action, halong_officer, halong_head):
    services.action_update(
        actor=halong_head, action=action, version=action.version, description="First"
    )
    before = action_state(action)
    stale = PlanAction.objects.get(pk=action.pk)
    with pytest.raises(StaleEdit):
        services.action_update(actor=halong_officer, action=stale, version=1, description="Second")
    assert action_state(action) == before


def test_action_update_refused_when_member_even_for_own_action(action, halong_member):
    before = action_state(action)
    with pytest.raises(PermissionDenied):
        services.action_update(
            actor=halong_member, action=action, version=action.version, description="Mine"
        )
    assert action_state(action) == before


def test_action_update_refused_when_new_responsible_from_other_ward(
    action, halong_officer, baichay_officer
):
    before = action_state(action)
    with pytest.raises(ValidationError) as error:
        services.action_update(
            actor=halong_officer, action=action, version=action.version, responsible=baichay_officer
        )
    assert set(error.value.error_dict) == {"responsible"}
    assert action_state(action) == before


# --- action_set_status -------------------------------------------------------------------


def test_action_set_status_done_by_responsible_member_sets_today(action, halong_member):
    services.action_set_status(
        actor=halong_member,
        action=action,
        version=action.version,
        status=ActionStatus.DONE,
        outcome="Thẻ BHYT số 123",
    )
    stored = PlanAction.objects.get(pk=action.pk)
    assert (stored.status, stored.completed_on, stored.outcome) == (
        ActionStatus.DONE,
        today(),
        "Thẻ BHYT số 123",
    )
    assert stored.history.latest().history_user == halong_member


def test_action_set_status_refused_when_member_not_responsible(plan, halong_member, make_member):
    other = make_member(Role.MEMBER, unit("6688"))
    action = PlanActionFactory(plan=plan, responsible=other)
    before = action_state(action)
    with pytest.raises(PermissionDenied):
        services.action_set_status(
            actor=halong_member, action=action, version=action.version, status=ActionStatus.DONE
        )
    assert action_state(action) == before


def test_action_set_status_refused_when_dropped_without_reason(action, halong_officer):
    before = action_state(action)
    with pytest.raises(ValidationError) as error:
        services.action_set_status(
            actor=halong_officer,
            action=action,
            version=action.version,
            status=ActionStatus.DROPPED,
            dropped_reason="  ",
        )
    assert set(error.value.error_dict) == {"dropped_reason"}
    assert action_state(action) == before


def test_action_set_status_dropped_keeps_reason(action, halong_officer):
    services.action_set_status(
        actor=halong_officer,
        action=action,
        version=action.version,
        status=ActionStatus.DROPPED,
        dropped_reason="Hộ đã chuyển đi",
    )
    stored = PlanAction.objects.get(pk=action.pk)
    assert (stored.status, stored.dropped_reason) == (ActionStatus.DROPPED, "Hộ đã chuyển đi")


def test_action_set_status_reopened_clears_completed_on(action, halong_officer):
    action.status, action.completed_on = ActionStatus.DONE, datetime.date(2025, 5, 1)
    action.save()
    services.action_set_status(
        actor=halong_officer, action=action, version=action.version, status=ActionStatus.IN_PROGRESS
    )
    stored = PlanAction.objects.get(pk=action.pk)
    assert (stored.status, stored.completed_on) == (ActionStatus.IN_PROGRESS, None)


def test_action_set_status_refused_when_done_in_future(action, halong_officer):
    before = action_state(action)
    with pytest.raises(ValidationError) as error:
        services.action_set_status(
            actor=halong_officer,
            action=action,
            version=action.version,
            status=ActionStatus.DONE,
            completed_on=today() + datetime.timedelta(days=1),
        )
    assert set(error.value.error_dict) == {"completed_on"}
    assert action_state(action) == before


def test_action_set_status_refused_when_version_stale(action, halong_officer):
    before = action_state(action)
    with pytest.raises(StaleEdit):
        services.action_set_status(
            actor=halong_officer, action=action, version=action.version + 1, status="done"
        )
    assert action_state(action) == before


# --- progress -------------------------------------------------------------------------------


def make_actions(plan, **statuses_and_dues):
    """``make_actions(plan, done=[due, ...], planned=[...])``."""
    for status, dues in statuses_and_dues.items():
        for due in dues:
            PlanActionFactory(
                plan=plan,
                status=status,
                due_date=due,
                dropped_reason="x" if status == ActionStatus.DROPPED else "",
            )


def test_plan_progress_counts_statuses_and_overdue_and_excludes_dropped_from_pct(plan):
    past, future = today() - datetime.timedelta(days=1), today() + datetime.timedelta(days=30)
    make_actions(
        plan,
        done=[past, future],
        dropped=[past],
        planned=[past, future],
        in_progress=[past],
    )
    progress = plan_progress(plan)
    assert (progress.total, progress.done, progress.dropped, progress.open, progress.overdue) == (
        6,
        2,
        1,
        3,
        2,
    )
    assert progress.pct_done == 40  # 2 of the 5 actions not dropped


def test_plan_progress_is_zero_when_plan_has_no_actions(plan):
    progress = plan_progress(plan)
    assert (progress.total, progress.pct_done) == (0, 0)


def test_plan_progress_not_overdue_when_due_today(plan):
    make_actions(plan, planned=[today()])
    assert plan_progress(plan).overdue == 0


@pytest.mark.parametrize("n_actions", [2, 10])
def test_household_plans_runs_one_query_whatever_the_actions(
    household, django_assert_num_queries, n_actions
):
    for start in (2024, 2025):
        plan = ExitPlanFactory(household=household, start_year=start, end_year=2026)
        make_actions(plan, done=[today()] * n_actions)
    with django_assert_num_queries(1):
        plans = household_plans(household)
    assert [p.start_year for p in plans] == [2025, 2024]
    assert [p.progress.done for p in plans] == [n_actions, n_actions]
