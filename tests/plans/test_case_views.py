"""Case pages: my cases, assignment, members' load: scope (404), roles (403), queries."""

import datetime
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from communes.models import Role
from households.models import AssessmentStatus, Household, PovertyStatus
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    PlanActionFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """The test client, speaking English (the site defaults to Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, user):
    client.force_login(user)
    return client


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def poor_household(unit_code="6688", status=PovertyStatus.POOR, **kwargs) -> Household:
    household = HouseholdFactory(unit=unit(unit_code), **kwargs)
    AssessmentFactory(
        household=household, status=AssessmentStatus.RECOGNISED, recorded_status=status
    )
    return household


def action_on(household, responsible, due: datetime.date, **kwargs):
    plan = household.plans.first() or ExitPlanFactory(household=household)
    return PlanActionFactory(plan=plan, responsible=responsible, due_date=due, **kwargs)


def assign_url(unit_obj, **params) -> str:
    url = reverse("plans:case_assign", args=[unit_obj.pk])
    return url + ("?" + urlencode(params) if params else "")


def load_url(unit_obj) -> str:
    return reverse("plans:member_load", args=[unit_obj.pk])


def assignees(households) -> list:
    return list(
        Household.objects.filter(pk__in=[h.pk for h in households])
        .order_by("pk")
        .values_list("assigned_to_id", flat=True)
    )


# --- My cases ---------------------------------------------------------------------------


def test_my_cases_redirects_to_login_when_anonymous(client):
    response = client.get(reverse("plans:my_cases"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_my_cases_lists_only_own_households_when_member(client, halong_member, halong_officer):
    mine = poor_household(assigned_to=halong_member)
    poor_household(assigned_to=halong_officer)
    response = login(client, halong_member).get(reverse("plans:my_cases"))
    assert [h.pk for h in response.context["households"]] == [mine.pk]
    assert mine.get_absolute_url() in response.text


def test_my_cases_shows_only_own_actions_overdue_highlighted(client, halong_member, halong_officer):
    household = poor_household(assigned_to=halong_member)
    action_on(household, halong_member, days(-3), description="Sửa mái nhà")
    action_on(household, halong_officer, days(-3), description="Việc của cán bộ")
    response = login(client, halong_member).get(reverse("plans:my_cases"))
    assert "Sửa mái nhà" in response.text
    assert "Việc của cán bộ" not in response.text
    assert "overdue" in response.text
    assert response.context["overdue_total"] == 1


def test_my_cases_links_action_to_its_status_page(client, halong_member):
    household = poor_household(assigned_to=halong_member)
    action = action_on(household, halong_member, days(5))
    response = login(client, halong_member).get(reverse("plans:my_cases"))
    try:
        expected = reverse("plans:action_status", args=[action.pk])
    except NoReverseMatch:  # the status page is not wired yet: the household page
        expected = household.get_absolute_url()
    assert f'href="{expected}"' in response.text


def test_my_cases_lists_other_open_actions_of_user(client, halong_officer, halong_member):
    household = poor_household(assigned_to=halong_member)
    action = action_on(household, halong_officer, days(5))
    response = login(client, halong_officer).get(reverse("plans:my_cases"))
    assert response.context["households"] == []
    assert [a.pk for a in response.context["other_actions"]] == [action.pk]


# --- Assign: access --------------------------------------------------------------------


def test_case_assign_page_lists_poor_and_near_poor_when_head(client, halong_head):
    poor = poor_household()
    near = poor_household(status=PovertyStatus.NEAR_POOR)
    poor_household(status=PovertyStatus.AVERAGE)
    poor_household("6673")
    response = login(client, halong_head).get(assign_url(unit("6688")))
    assert response.status_code == 200
    assert {h.pk for h in response.context["page_obj"]} == {poor.pk, near.pk}


@pytest.mark.parametrize("user", ["halong_officer", "halong_member", "city_head"])
def test_case_assign_page_forbidden_when_not_ward_head(client, request, user):
    response = login(client, request.getfixturevalue(user)).get(assign_url(unit("6688")))
    assert response.status_code == 403


def test_case_assign_page_not_found_when_unit_outside_scope(client, halong_head):
    response = login(client, halong_head).get(assign_url(unit("6673")))
    assert response.status_code == 404


def test_case_assign_filters_unassigned_village_and_status(client, halong_head, halong_member):
    village = VillageFactory(parent=unit("6688"))
    match = poor_household(village=village, status=PovertyStatus.NEAR_POOR)
    poor_household(village=village, status=PovertyStatus.POOR)
    poor_household(village=village, status=PovertyStatus.NEAR_POOR, assigned_to=halong_member)
    poor_household(status=PovertyStatus.NEAR_POOR)
    response = login(client, halong_head).get(
        assign_url(unit("6688"), village=village.pk, status="near_poor", assigned="none")
    )
    assert [h.pk for h in response.context["page_obj"]] == [match.pk]


def test_case_assign_filters_by_assignee(client, halong_head, halong_member, halong_officer):
    mine = poor_household(assigned_to=halong_member)
    poor_household(assigned_to=halong_officer)
    response = login(client, halong_head).get(assign_url(unit("6688"), assigned=halong_member.pk))
    assert [h.pk for h in response.context["page_obj"]] == [mine.pk]


# --- Assign: POST ----------------------------------------------------------------------


def test_case_assign_post_assigns_ticked_households_when_head(client, halong_head, halong_member):
    ticked = [poor_household(), poor_household()]
    untouched = poor_household()
    response = login(client, halong_head).post(
        assign_url(unit("6688")),
        {"households": [h.pk for h in ticked], "member": halong_member.pk},
        follow=True,
    )
    assert assignees([*ticked, untouched]) == [halong_member.pk, halong_member.pk, None]
    assert "2 households assigned to" in response.text


def test_case_assign_page_renders_ids_without_thousand_separators(client, halong_head):
    poor_household(pk=123456)
    response = login(client, halong_head).get(assign_url(unit("6688")))
    assert 'name="households" value="123456"' in response.text


def test_case_assign_post_forbidden_when_officer(client, halong_officer, halong_member):
    household = poor_household()
    response = login(client, halong_officer).post(
        assign_url(unit("6688")), {"households": [household.pk], "member": halong_member.pk}
    )
    assert response.status_code == 403
    assert assignees([household]) == [None]


def test_case_assign_post_forbidden_when_member(client, halong_member):
    household = poor_household()
    response = login(client, halong_member).post(
        assign_url(unit("6688")), {"households": [household.pk], "member": halong_member.pk}
    )
    assert response.status_code == 403
    assert assignees([household]) == [None]


def test_case_assign_post_not_found_when_one_household_of_other_ward(
    client, halong_head, halong_member
):
    ours, theirs = poor_household(), poor_household("6673")
    response = login(client, halong_head).post(
        assign_url(unit("6688")),
        {"households": [ours.pk, theirs.pk], "member": halong_member.pk},
    )
    assert response.status_code == 404
    assert assignees([ours, theirs]) == [None, None]


def test_case_assign_post_refused_when_member_of_other_ward(client, halong_head, make_member):
    baichay_member = make_member(Role.MEMBER, unit("6673"))
    household = poor_household()
    response = login(client, halong_head).post(
        assign_url(unit("6688")), {"households": [household.pk], "member": baichay_member.pk}
    )
    assert response.status_code == 200
    assert "member" in response.context["form"].errors
    assert assignees([household]) == [None]


def test_case_assign_post_unassigns_when_no_member(client, halong_head, halong_member):
    household = poor_household(assigned_to=halong_member)
    login(client, halong_head).post(
        assign_url(unit("6688")), {"households": [household.pk], "unassign": "1"}
    )
    assert assignees([household]) == [None]


def test_case_assign_post_refused_when_no_member_chosen(client, halong_head, halong_member):
    household = poor_household(assigned_to=halong_member)
    response = login(client, halong_head).post(
        assign_url(unit("6688")), {"households": [household.pk]}
    )
    assert "member" in response.context["form"].errors
    assert assignees([household]) == [halong_member.pk]


def test_case_assign_post_refused_when_nothing_ticked(client, halong_head, halong_member):
    poor_household()
    response = login(client, halong_head).post(
        assign_url(unit("6688")), {"member": halong_member.pk}
    )
    assert response.status_code == 200
    assert "households" in response.context["form"].errors


# --- Members' load -----------------------------------------------------------------------


@pytest.mark.parametrize("user", ["halong_head", "halong_officer", "city_staff", "city_head"])
def test_member_load_visible_to_heads_officers_and_city(client, request, user):
    response = login(client, request.getfixturevalue(user)).get(load_url(unit("6688")))
    assert response.status_code == 200


def test_member_load_forbidden_when_member(client, halong_member):
    response = login(client, halong_member).get(load_url(unit("6688")))
    assert response.status_code == 403


def test_member_load_not_found_when_unit_outside_scope(client, baichay_officer):
    response = login(client, baichay_officer).get(load_url(unit("6688")))
    assert response.status_code == 404


def test_member_load_shows_counts(client, halong_officer, halong_member):
    household = poor_household(assigned_to=halong_member)
    action_on(household, halong_member, days(-1))
    action_on(household, halong_member, days(3))
    poor_household()
    response = login(client, halong_officer).get(load_url(unit("6688")))
    loads = {load.user.pk: load for load in response.context["loads"]}
    member = loads[halong_member.pk]
    assert (member.cases, member.open_actions, member.overdue_actions) == (1, 2, 1)
    assert response.context["unassigned"] == 1


# --- Query counts ----------------------------------------------------------------------

MY_CASES_QUERIES = 13  # + the bell's unread reminders
LOAD_QUERIES = 15


def make_cases(size: int, member) -> None:
    for i in range(size):
        household = poor_household(assigned_to=member)
        action_on(household, member, days(-i - 1))
        action_on(household, member, days(i + 1))


@pytest.mark.parametrize("size", [2, 8])
def test_my_cases_query_count_does_not_grow_with_cases(
    client, halong_member, django_assert_num_queries, size
):
    make_cases(size, halong_member)
    login(client, halong_member)
    with django_assert_num_queries(MY_CASES_QUERIES):
        response = client.get(reverse("plans:my_cases"))
    assert len(response.context["households"]) == size


@pytest.mark.parametrize("size", [2, 8])
def test_member_load_query_count_does_not_grow_with_members(
    client, halong_head, make_member, django_assert_num_queries, size
):
    for _ in range(size):
        make_cases(2, make_member(Role.MEMBER, unit("6688")))
    login(client, halong_head)
    with django_assert_num_queries(LOAD_QUERIES):
        response = client.get(load_url(unit("6688")))
    assert len(response.context["loads"]) == size + 1
