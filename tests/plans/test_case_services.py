"""Case assignment (service) and the case selectors: my cases, my actions, member load."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from communes.models import Role
from households.models import AssessmentStatus, Household, PovertyStatus
from plans import case_selectors as selectors
from plans.models import ActionStatus, PlanAction
from plans.services.cases import case_assign
from tests.conftest import committee_of, unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MembershipFactory,
    PlanActionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def recognise(household, year: int, status: str) -> None:
    AssessmentFactory(
        household=household,
        round__year=year,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=status,
    )


def poor_household(unit_code: str = "6688", status=PovertyStatus.POOR, **kwargs) -> Household:
    household = HouseholdFactory(unit=unit(unit_code), **kwargs)
    recognise(household, 2025, status)
    return household


def action_on(household, responsible, due: datetime.date, **kwargs) -> PlanAction:
    plan = household.plans.first() or ExitPlanFactory(household=household)
    return PlanActionFactory(plan=plan, responsible=responsible, due_date=due, **kwargs)


def assignees(households) -> list:
    return list(
        Household.objects.filter(pk__in=[h.pk for h in households])
        .order_by("pk")
        .values_list("assigned_to_id", flat=True)
    )


# --- case_assign: who may assign ---------------------------------------------------------


def test_case_assign_sets_member_when_ward_head(halong_head, halong_member):
    households = [poor_household(), poor_household()]
    count = case_assign(actor=halong_head, households=households, member=halong_member)
    assert count == 2
    assert assignees(households) == [halong_member.pk, halong_member.pk]


def test_case_assign_refused_when_ward_officer(halong_officer, halong_member):
    household = poor_household()
    with pytest.raises(PermissionDenied):
        case_assign(actor=halong_officer, households=[household], member=halong_member)
    assert assignees([household]) == [None]


def test_case_assign_refused_when_committee_member(halong_member):
    household = poor_household()
    with pytest.raises(PermissionDenied):
        case_assign(actor=halong_member, households=[household], member=halong_member)
    assert assignees([household]) == [None]


def test_case_assign_refused_when_city_head(city_head, halong_member):
    household = poor_household()
    with pytest.raises(PermissionDenied):
        case_assign(actor=city_head, households=[household], member=halong_member)
    assert assignees([household]) == [None]


# --- case_assign: to whom ----------------------------------------------------------------


def test_case_assign_refused_when_member_of_other_ward(halong_head, make_member):
    baichay_member = make_member(Role.MEMBER, unit("6673"))
    household = poor_household()
    with pytest.raises(ValidationError) as error:
        case_assign(actor=halong_head, households=[household], member=baichay_member)
    assert "member" in error.value.message_dict
    assert assignees([household]) == [None]


def test_case_assign_refused_when_membership_ended(halong_head, units):
    former = UserFactory()
    MembershipFactory(
        user=former,
        committee=committee_of(unit("6688")),
        role=Role.MEMBER,
        start_date=datetime.date(2025, 7, 1),
        end_date=today(),
    )
    household = poor_household()
    with pytest.raises(ValidationError) as error:
        case_assign(actor=halong_head, households=[household], member=former)
    assert list(error.value.message_dict) == ["member"]
    assert assignees([household]) == [None]


def test_case_assign_refused_when_member_has_city_role_only(halong_head, city_staff):
    household = poor_household()
    with pytest.raises(ValidationError):
        case_assign(actor=halong_head, households=[household], member=city_staff)
    assert assignees([household]) == [None]


def test_case_assign_accepts_officer_and_head_as_assignee(halong_head, halong_officer):
    household = poor_household()
    case_assign(actor=halong_head, households=[household], member=halong_officer)
    assert assignees([household]) == [halong_officer.pk]


def test_case_assign_unassigns_when_member_is_none(halong_head, halong_member):
    household = poor_household(assigned_to=halong_member)
    assert case_assign(actor=halong_head, households=[household], member=None) == 1
    assert assignees([household]) == [None]


def test_case_assign_refused_when_no_households(halong_head, halong_member):
    with pytest.raises(ValidationError) as error:
        case_assign(actor=halong_head, households=[], member=halong_member)
    assert list(error.value.message_dict) == ["households"]


# --- case_assign: all or nothing, history ----------------------------------------------


def test_case_assign_changes_nothing_when_one_household_of_other_ward(halong_head, halong_member):
    ours = [poor_household(), poor_household()]
    theirs = poor_household("6673")
    with pytest.raises(PermissionDenied):
        case_assign(actor=halong_head, households=[*ours, theirs], member=halong_member)
    assert assignees([*ours, theirs]) == [None, None, None]


def test_case_assign_changes_nothing_when_member_invalid_for_one_ward(
    halong_head, halong_member, make_member
):
    """A head of two wards: the member belongs to only one of them."""
    MembershipFactory(
        user=halong_head,
        committee=committee_of(unit("6673")),
        role=Role.WARD_HEAD,
        start_date=datetime.date(2025, 7, 1),
    )
    ours, theirs = poor_household(), poor_household("6673")
    with pytest.raises(ValidationError):
        case_assign(actor=halong_head, households=[ours, theirs], member=halong_member)
    assert assignees([ours, theirs]) == [None, None]


def test_case_assign_writes_history_attributed_to_actor(halong_head, halong_member):
    households = [poor_household(), poor_household()]
    case_assign(actor=halong_head, households=households, member=halong_member)
    for household in households:
        last = household.history.order_by("-history_date", "-history_id").first()
        assert last.history_user_id == halong_head.pk
        assert last.assigned_to_id == halong_member.pk
        assert last.history_type == "~"


def test_case_assign_counts_only_changed_households(halong_head, halong_member):
    already = poor_household(assigned_to=halong_member)
    new = poor_household()
    history_before = already.history.count()
    assert case_assign(actor=halong_head, households=[already, new], member=halong_member) == 1
    assert already.history.count() == history_before


# --- case_assign: open actions follow the case ------------------------------------------


def test_case_assign_moves_open_actions_of_previous_assignee(
    halong_head, halong_officer, halong_member
):
    household = poor_household(assigned_to=halong_officer)
    open_action = action_on(household, halong_officer, days(10))
    case_assign(actor=halong_head, households=[household], member=halong_member)
    open_action.refresh_from_db()
    assert open_action.responsible_id == halong_member.pk
    assert open_action.history.first().history_user_id == halong_head.pk


def test_case_assign_keeps_done_and_others_actions(
    halong_head, halong_officer, halong_member, make_member
):
    someone_else = make_member(Role.MEMBER, unit("6688"))
    household = poor_household(assigned_to=halong_officer)
    done = action_on(household, halong_officer, days(-10), status=ActionStatus.DONE)
    theirs = action_on(household, someone_else, days(10))
    case_assign(actor=halong_head, households=[household], member=halong_member)
    done.refresh_from_db()
    theirs.refresh_from_db()
    assert (done.responsible_id, theirs.responsible_id) == (halong_officer.pk, someone_else.pk)


def test_case_assign_keeps_actions_when_move_disabled(halong_head, halong_officer, halong_member):
    household = poor_household(assigned_to=halong_officer)
    action = action_on(household, halong_officer, days(10))
    case_assign(
        actor=halong_head, households=[household], member=halong_member, move_open_actions=False
    )
    action.refresh_from_db()
    assert action.responsible_id == halong_officer.pk


# --- my_cases / my_actions ---------------------------------------------------------------


def test_my_cases_lists_only_households_assigned_to_user(halong_member, halong_officer):
    mine = poor_household(assigned_to=halong_member)
    poor_household(assigned_to=halong_officer)
    poor_household()
    assert [h.pk for h in selectors.my_cases(halong_member, today())] == [mine.pk]


def test_my_cases_lists_only_the_users_open_actions(halong_member, halong_officer):
    household = poor_household(assigned_to=halong_member)
    mine = action_on(household, halong_member, days(5))
    action_on(household, halong_officer, days(5))
    action_on(household, halong_member, days(5), status=ActionStatus.DONE)
    [case] = selectors.my_cases(halong_member, today())
    assert [a.pk for a in case.open_actions] == [mine.pk]
    assert (case.open_action_count, case.overdue_action_count) == (1, 0)


def test_my_cases_orders_overdue_first(halong_member):
    quiet = poor_household(assigned_to=halong_member, code="A-QUIET")
    open_only = poor_household(assigned_to=halong_member, code="B-OPEN")
    late = poor_household(assigned_to=halong_member, code="C-LATE")
    later = poor_household(assigned_to=halong_member, code="D-LATER")
    action_on(open_only, halong_member, days(3))
    action_on(late, halong_member, days(-30))
    action_on(later, halong_member, days(-2))
    cases = selectors.my_cases(halong_member, today())
    assert [h.code for h in cases] == [late.code, later.code, open_only.code, quiet.code]


def test_my_cases_lists_a_households_overdue_actions_first(halong_member):
    household = poor_household(assigned_to=halong_member)
    soon = action_on(household, halong_member, days(3))
    overdue = action_on(household, halong_member, days(-3))
    [case] = selectors.my_cases(halong_member, today())
    assert [(a.pk, a.is_overdue) for a in case.open_actions] == [
        (overdue.pk, True),
        (soon.pk, False),
    ]


def test_my_cases_shows_latest_recognised_status(halong_member):
    household = poor_household(assigned_to=halong_member)
    recognise(household, 2024, PovertyStatus.NEAR_POOR)
    [case] = selectors.my_cases(halong_member, today())
    assert (case.recorded_status, case.status_year) == (PovertyStatus.POOR, 2025)


def test_my_actions_includes_own_actions_on_households_assigned_to_others(halong_member):
    assigned = action_on(poor_household(assigned_to=halong_member), halong_member, days(5))
    elsewhere = action_on(poor_household(), halong_member, days(6))  # someone else's case
    assert [a.pk for a in selectors.my_actions(halong_member)] == [assigned.pk, elsewhere.pk]


def test_my_actions_excludes_actions_outside_the_users_wards(halong_member):
    mine = action_on(poor_household(assigned_to=halong_member), halong_member, days(5))
    action_on(poor_household("6673"), halong_member, days(5))  # Bãi Cháy: not their ward
    assert [a.pk for a in selectors.my_actions(halong_member)] == [mine.pk]


# --- member_load / assignable_members ----------------------------------------------------


def test_member_load_counts_cases_open_and_overdue_actions(
    halong_head, halong_officer, halong_member
):
    a = poor_household(assigned_to=halong_member)
    b = poor_household(assigned_to=halong_member)
    poor_household(assigned_to=halong_officer)
    poor_household("6673", assigned_to=halong_member)  # another ward: not counted
    action_on(a, halong_member, days(-1))
    action_on(a, halong_member, days(-40))
    action_on(b, halong_member, days(0))  # due today: open, not overdue
    action_on(b, halong_member, days(-5), status=ActionStatus.DONE)
    action_on(b, halong_officer, days(-5))
    loads = {
        load.user.pk: (load.role, load.cases, load.open_actions, load.overdue_actions)
        for load in selectors.member_load(unit("6688"), today())
    }
    assert loads == {
        halong_head.pk: (Role.WARD_HEAD, 0, 0, 0),
        halong_officer.pk: (Role.WARD_OFFICER, 1, 1, 1),
        halong_member.pk: (Role.MEMBER, 2, 3, 2),
    }


def test_member_load_lists_heads_then_officers_then_members(
    halong_member, halong_officer, halong_head
):
    roles = [load.role for load in selectors.member_load(unit("6688"), today())]
    assert roles == [Role.WARD_HEAD, Role.WARD_OFFICER, Role.MEMBER]


def test_assignable_members_excludes_ended_and_other_committees(
    halong_head, halong_member, baichay_officer, city_staff
):
    former = UserFactory()
    MembershipFactory(
        user=former,
        committee=committee_of(unit("6688")),
        role=Role.MEMBER,
        start_date=datetime.date(2025, 7, 1),
        end_date=today(),
    )
    members = set(selectors.assignable_members(unit("6688")).values_list("pk", flat=True))
    assert members == {halong_head.pk, halong_member.pk}


def test_visible_households_or_404_when_one_is_out_of_scope(halong_head):
    ours, theirs = poor_household(), poor_household("6673")
    with pytest.raises(Http404):
        selectors.visible_households_or_404(halong_head, [ours.pk, theirs.pk])


def test_case_candidates_keeps_only_poor_and_near_poor(halong_head):
    poor = poor_household()
    near = poor_household(status=PovertyStatus.NEAR_POOR)
    poor_household(status=PovertyStatus.AVERAGE)
    HouseholdFactory(unit=unit("6688"))  # never assessed
    exited = poor_household()
    recognise(exited, 2026, PovertyStatus.NOT_POOR)
    candidates = selectors.case_candidates(halong_head, unit("6688"))
    assert set(candidates.values_list("pk", flat=True)) == {poor.pk, near.pk}
