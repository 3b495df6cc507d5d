"""Exit plan pages: scoping (404), permissions (403), forms, stale edits, query counts."""

import datetime

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from communes.models import Role
from communes.selectors import today
from households.models import PovertyStatus
from plans.models import ActionStatus, ExitPlan, PlanAction, Responsibility, TargetKind
from tests.conftest import unit
from tests.factories import (
    ExitPlanFactory,
    HouseholdFactory,
    PlanActionFactory,
    UserFactory,
    support_type,
)
from tests.plans.test_plan_services import recognised

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """The test client, speaking English (the site defaults to Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def household(units, halong_member):
    household = HouseholdFactory(unit=unit("6688"), assigned_to=halong_member)
    recognised(household)
    return household


@pytest.fixture
def plan(household):
    return ExitPlanFactory(household=household, based_on=household.assessments.get())


@pytest.fixture
def action(plan, halong_member):
    return PlanActionFactory(plan=plan, responsible=halong_member)


def login(client, user):
    client.force_login(user)
    return client


def create_url(household) -> str:
    return reverse("plans:plan_create", args=[household.pk])


def detail_url(plan) -> str:
    return reverse("plans:plan_detail", args=[plan.pk])


def stored(action) -> PlanAction:
    return PlanAction.objects.get(pk=action.pk)


def plan_post(**overrides) -> dict:
    year = today().year
    data = {"start_year": year, "end_year": year + 1, "target_exit_year": year + 1, "notes": ""}
    return data | overrides


# --- plan_create ---------------------------------------------------------------------


def test_plan_create_shows_deprivations_causes_and_checked_proposals(
    client, household, halong_officer
):
    response = login(client, halong_officer).get(create_url(household))
    page = response.content.decode()
    assert response.status_code == 200
    assert [t.code for t in response.context["targets"]] == [
        "health_insurance",
        "housing_quality",
        "no_capital",
        "illness_accident",
    ]
    assert [row["proposal"].description for row in response.context["rows"]] == [
        "Cấp thẻ BHYT cho thành viên chưa có thẻ",
        "Hỗ trợ sửa chữa nhà ở",
        "Hướng dẫn vay vốn ưu đãi NHCSXH",
        "Hỗ trợ khám chữa bệnh, cấp thẻ BHYT",
    ]
    assert page.count('name="accept"') == 4
    assert page.count(" checked") == 4


def test_plan_create_post_keeps_only_ticked_proposals(client, household, halong_officer):
    response = login(client, halong_officer).post(
        create_url(household), plan_post(accept=["1", "2"])
    )
    plan = ExitPlan.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(plan)
    assert sorted(plan.actions.values_list("target_code", flat=True)) == [
        "housing_quality",
        "no_capital",
    ]


def test_plan_create_explains_and_offers_no_form_when_household_not_poor(
    client, units, halong_officer
):
    household = HouseholdFactory(unit=unit("6688"))
    recognised(household, status=PovertyStatus.NOT_POOR, deprived=(), causes=())
    response = login(client, halong_officer).get(create_url(household))
    page = response.content.decode()
    assert "Only poor and near-poor households get an exit plan." in page
    assert 'name="start_year"' not in page


def test_plan_create_post_refused_when_household_not_poor(client, units, halong_officer):
    household = HouseholdFactory(unit=unit("6688"))
    recognised(household, status=PovertyStatus.AVERAGE, deprived=(), causes=())
    response = login(client, halong_officer).post(create_url(household), plan_post())
    assert response.status_code == 200
    assert not ExitPlan.objects.exists()


def test_plan_create_shows_error_when_target_year_outside_plan(client, household, halong_officer):
    year = today().year
    response = login(client, halong_officer).post(
        create_url(household), plan_post(target_exit_year=year + 5, accept=["0"])
    )
    assert response.context["form"].errors["target_exit_year"] == [
        "The target exit year must lie within the plan's years."
    ]
    assert not ExitPlan.objects.exists()


def test_plan_create_is_404_when_household_of_other_ward(client, household, baichay_officer):
    response = login(client, baichay_officer).post(create_url(household), plan_post())
    assert response.status_code == 404
    assert not ExitPlan.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_plan_create_is_403_when_city_staff(client, household, city_staff, method):
    response = getattr(login(client, city_staff), method)(create_url(household), plan_post())
    assert response.status_code == 403
    assert not ExitPlan.objects.exists()


def test_plan_create_is_403_when_member_of_assigned_household(client, household, halong_member):
    response = login(client, halong_member).post(create_url(household), plan_post())
    assert response.status_code == 403
    assert not ExitPlan.objects.exists()


# --- plan_detail --------------------------------------------------------------------------


def test_plan_detail_is_404_when_plan_of_other_ward(client, plan, baichay_officer):
    assert login(client, baichay_officer).get(detail_url(plan)).status_code == 404


def test_plan_detail_is_403_for_city_staff_without_the_names_grant(client, action, city_staff):
    assert login(client, city_staff).get(detail_url(action.plan)).status_code == 403


def test_plan_detail_readable_by_city_staff_without_buttons(client, action, city_staff_named):
    response = login(client, city_staff_named).get(detail_url(action.plan))
    page = response.content.decode()
    assert response.status_code == 200
    assert action.description in page
    assert reverse("plans:action_status", args=[action.pk]) not in page
    assert reverse("plans:action_create", args=[action.plan.pk]) not in page


def test_plan_detail_highlights_overdue_action_and_names_responsible(
    client, plan, halong_officer, halong_member
):
    late = PlanActionFactory(
        plan=plan, responsible=halong_member, due_date=today() - datetime.timedelta(days=3)
    )
    PlanActionFactory(plan=plan, due_date=today() + datetime.timedelta(days=3))
    response = login(client, halong_officer).get(detail_url(plan))
    page = response.content.decode()
    assert [a.is_overdue for a in response.context["actions"]] == [True, False]
    assert page.count('class="table-danger"') == 1
    assert halong_member.get_full_name() in page
    assert response.context["progress"].overdue == 1
    assert late.description in page


def test_plan_detail_shows_progress_without_dropped_actions(client, plan, halong_officer):
    PlanActionFactory(plan=plan, status=ActionStatus.DONE)
    PlanActionFactory(plan=plan, status=ActionStatus.DROPPED, dropped_reason="Không cần")
    PlanActionFactory(plan=plan)
    response = login(client, halong_officer).get(detail_url(plan))
    assert response.context["progress"].pct_done == 50
    assert '<progress class="w-100" value="50" max="100"' in response.content.decode()


def test_plan_detail_visible_to_member_owning_action_of_unassigned_household(
    client, units, make_member
):
    owner = make_member(Role.MEMBER, unit("6688"))
    household = HouseholdFactory(unit=unit("6688"))
    recognised(household)
    action = PlanActionFactory(plan__household=household, responsible=owner)
    response = login(client, owner).get(detail_url(action.plan))
    assert response.status_code == 200
    assert response.context["household_visible"] is False
    assert reverse("plans:action_status", args=[action.pk]) in response.content.decode()


#: Session, user, scope (memberships, successions, unit tree), the plan, its actions,
#: the assessment's deprivations and causes, the household check, and the session
#: write of the first request. The same number at both sizes proves there is no N+1.
# + the change history of the plan and its actions (one query per model and related model).
DETAIL_QUERIES = 27  # + the bell's unread reminders


@pytest.mark.parametrize("n_actions", [2, 10])
def test_plan_detail_query_count_does_not_grow_with_actions(
    client, plan, halong_officer, halong_member, django_assert_num_queries, n_actions
):
    for index in range(n_actions):
        PlanActionFactory(
            plan=plan,
            responsible=halong_member if index % 2 else None,
            support_type=support_type("housing_repair"),
            status=ActionStatus.DONE if index % 3 else ActionStatus.PLANNED,
        )
    login(client, halong_officer)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(detail_url(plan))
    assert len(response.context["actions"]) == n_actions


# --- action_create ----------------------------------------------------------------------


def action_post(**overrides) -> dict:
    return {
        "target_code": "cause:no_capital",
        "description": "Hướng dẫn vay vốn",
        "support_type": support_type("loan").pk,
        "responsibility": Responsibility.GRASSROOTS_OFFICER,
        "responsible": "",
        "due_date": "2026-03-31",
    } | overrides


def test_action_create_adds_action_owned_by_ward_member(
    client, plan, halong_officer, halong_member
):
    response = login(client, halong_officer).post(
        reverse("plans:action_create", args=[plan.pk]), action_post(responsible=halong_member.pk)
    )
    action = plan.actions.get()
    assert response.status_code == 302
    assert (action.target_kind, action.target_code, action.responsible) == (
        TargetKind.CAUSE,
        "no_capital",
        halong_member,
    )


def test_action_create_refused_when_responsible_from_other_ward(
    client, plan, halong_officer, baichay_officer
):
    response = login(client, halong_officer).post(
        reverse("plans:action_create", args=[plan.pk]), action_post(responsible=baichay_officer.pk)
    )
    assert "responsible" in response.context["form"].errors
    assert not plan.actions.exists()


def test_action_create_offers_only_the_assessments_targets(client, plan, halong_officer):
    response = login(client, halong_officer).get(reverse("plans:action_create", args=[plan.pk]))
    choices = response.context["form"].fields["target_code"].choices
    keys = [key for _group, options in choices[1:] for key, _label in options]
    assert keys == [
        "indicator:health_insurance",
        "indicator:housing_quality",
        "cause:no_capital",
        "cause:illness_accident",
    ]


def test_action_create_is_403_when_city_staff_posts(client, plan, city_staff):
    response = login(client, city_staff).post(
        reverse("plans:action_create", args=[plan.pk]), action_post()
    )
    assert response.status_code == 403
    assert not plan.actions.exists()


# --- action_edit ---------------------------------------------------------------------------


def edit_post(action, **overrides) -> dict:
    return (
        action_post(
            target_code=f"{action.target_kind}:{action.target_code}",
            description=action.description,
            support_type="",
            responsibility=action.responsibility,
            responsible=action.responsible_id or "",
            due_date=action.due_date.isoformat(),
            version=action.version,
        )
        | overrides
    )


def test_action_edit_saves_and_redirects_to_plan(client, action, halong_officer):
    response = login(client, halong_officer).post(
        reverse("plans:action_edit", args=[action.pk]), edit_post(action, description="Sửa mái")
    )
    assert response.status_code == 302
    assert response.url == detail_url(action.plan)
    assert (stored(action).description, stored(action).version) == ("Sửa mái", 2)


def test_action_edit_keeps_posted_values_and_warns_when_stale(
    client, action, halong_officer, halong_head
):
    stale_form = edit_post(action, description="Officer's text")
    PlanAction.objects.filter(pk=action.pk).update(description="Head's text", version=2)
    response = login(client, halong_officer).post(
        reverse("plans:action_edit", args=[action.pk]), stale_form
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your changes were not saved" in page
    assert 'value="Officer&#x27;s text"' in page
    assert (stored(action).description, stored(action).version) == ("Head's text", 2)


def test_action_edit_is_403_when_member_edits_own_action(client, action, halong_member):
    response = login(client, halong_member).post(
        reverse("plans:action_edit", args=[action.pk]), edit_post(action, description="Mine")
    )
    assert response.status_code == 403
    assert stored(action).description == action.description


def test_action_edit_is_404_when_action_of_other_ward(client, action, baichay_officer):
    response = login(client, baichay_officer).get(reverse("plans:action_edit", args=[action.pk]))
    assert response.status_code == 404


# --- action_status --------------------------------------------------------------------------


def status_post(action, **overrides) -> dict:
    data = {"status": ActionStatus.DONE, "outcome": "", "dropped_reason": ""}
    return data | {"completed_on": "", "version": action.version} | overrides


def test_action_status_lets_responsible_member_complete_own_action(client, action, halong_member):
    response = login(client, halong_member).post(
        reverse("plans:action_status", args=[action.pk]),
        status_post(action, outcome="Đã cấp thẻ BHYT"),
    )
    assert response.status_code == 302
    assert (stored(action).status, stored(action).completed_on, stored(action).outcome) == (
        ActionStatus.DONE,
        today(),
        "Đã cấp thẻ BHYT",
    )


def test_a_support_action_done_offers_the_prefilled_support_form(client, plan, halong_officer):
    from plans.models import SupportType
    from tests.factories import SupportRecordFactory

    card = SupportType.objects.get(code="health_insurance")
    action = PlanActionFactory(plan=plan, support_type=card)
    response = login(client, halong_officer).post(
        reverse("plans:action_status", args=[action.pk]),
        status_post(action, completed_on="2026-11-20"),
    )
    support_url = reverse("plans:support_create", args=[plan.household_id])
    assert response["Location"] == f"{support_url}?action={action.pk}"
    form = client.get(response["Location"]).context["form"]
    assert form.initial["action"] == action.pk
    assert form.initial["support_type"] == card.pk
    assert form.initial["given_on"] == datetime.date(2026, 11, 20)

    # Already in the ledger, or an action without a support type: back to the plan.
    recorded = PlanActionFactory(plan=plan, support_type=card)
    SupportRecordFactory(household=plan.household, support_type=card, action=recorded)
    plain = PlanActionFactory(plan=plan, support_type=None)
    for other in (recorded, plain):
        response = client.post(reverse("plans:action_status", args=[other.pk]), status_post(other))
        assert response["Location"] == detail_url(plan), other


def test_action_status_is_403_when_member_not_responsible(client, plan, household, halong_member):
    other = UserFactory()
    action = PlanActionFactory(plan=plan, responsible=other)
    response = login(client, halong_member).post(
        reverse("plans:action_status", args=[action.pk]), status_post(action)
    )
    assert response.status_code == 403
    assert (stored(action).status, stored(action).version) == (ActionStatus.PLANNED, 1)


def test_action_status_shows_error_when_dropped_without_reason(client, action, halong_officer):
    response = login(client, halong_officer).post(
        reverse("plans:action_status", args=[action.pk]),
        status_post(action, status=ActionStatus.DROPPED),
    )
    assert response.context["form"].errors["dropped_reason"] == [
        "Give the reason for dropping the action."
    ]
    assert stored(action).status == ActionStatus.PLANNED


@pytest.mark.parametrize("method", ["get", "post"])
def test_action_status_is_403_when_city_staff(client, action, city_staff, method):
    response = getattr(login(client, city_staff), method)(
        reverse("plans:action_status", args=[action.pk]), status_post(action)
    )
    assert response.status_code == 403
    assert stored(action).status == ActionStatus.PLANNED


def test_action_status_is_404_when_action_of_other_ward(client, action, baichay_officer):
    response = login(client, baichay_officer).post(
        reverse("plans:action_status", args=[action.pk]), status_post(action)
    )
    assert response.status_code == 404
    assert stored(action).status == ActionStatus.PLANNED


# --- household page section -------------------------------------------------------------------


def render_section(user, household) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "plans/includes/_household_plans.html", {"household": household}, request=request
    )


def test_household_section_lists_plans_and_offers_new_plan_to_officer(
    household, plan, halong_officer
):
    PlanActionFactory(plan=plan, status=ActionStatus.DONE)
    html = render_section(halong_officer, household)
    assert detail_url(plan) in html
    assert create_url(household) in html
    assert 'value="100"' in html


def test_household_section_offers_no_new_plan_to_member(household, halong_member):
    with translation.override("en"):
        html = render_section(halong_member, household)
    assert create_url(household) not in html
    assert "This household has no exit plan." in html


def test_household_section_offers_no_new_plan_when_household_not_poor(units, halong_officer):
    household = HouseholdFactory(unit=unit("6688"))
    recognised(household, status=PovertyStatus.NOT_POOR, deprived=(), causes=())
    assert create_url(household) not in render_section(halong_officer, household)


def test_the_action_status_is_labelled_status_not_classification():
    """ "Status" alone translates as a household's "Phân loại"; an action's is "Trạng thái"."""
    from django.utils import translation

    from plans.forms.plans import ActionStatusForm

    with translation.override("vi"):
        assert str(ActionStatusForm().fields["status"].label) == "Trạng thái"
