"""Household events: effects and refusals of split, merge, head change, member events, moves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from communes.models import Role
from households.event_selectors import members_on, unit_on
from households.models import (
    AssessmentStatus,
    EventKind,
    HeadChangeReason,
    Household,
    HouseholdEvent,
    HouseholdTransfer,
    Member,
    PovertyStatus,
    Relation,
    TransferStatus,
)
from households.services import events
from plans.models import ActionStatus
from tests.conftest import REFORM, committee_of, unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    MembershipFactory,
    PlanActionFactory,
    ReviewRoundFactory,
    SupportRecordFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def halong(units):
    return unit("6688")


@pytest.fixture
def baichay(units):
    return unit("6673")


@pytest.fixture
def baichay_head(baichay, make_member):
    return make_member(Role.WARD_HEAD, baichay)


@pytest.fixture
def family(halong):
    """Household HL-1: head Đức, wife Lan, son Nam, daughter-in-law Mai."""
    household = HouseholdFactory(unit=halong, code="HL-1", head__full_name="Đức")
    lan = MemberFactory(household=household, full_name="Lan", relation=Relation.SPOUSE)
    nam = MemberFactory(household=household, full_name="Nam", birth_year=2000)
    mai = MemberFactory(household=household, full_name="Mai", relation=Relation.CHILD_IN_LAW)
    return household, household.head, lan, nam, mai


def split(actor, household, members, new_head, **overrides):
    data = {
        "members": members,
        "new_head": new_head,
        "code": "HL-2",
        "village": None,
        "remaining_head": None,
        "on": DAY,
    }
    return events.household_split(actor=actor, household=household, **(data | overrides))


# --- Split --------------------------------------------------------------------------


def test_split_creates_a_household_with_the_chosen_members(halong_officer, family, halong):
    household, duc, lan, nam, mai = family
    village = VillageFactory(parent=halong)
    new = split(halong_officer, household, [nam, mai], nam, village=village)

    assert new.unit == halong and new.code == "HL-2" and new.village == village
    assert new.head.full_name == "Nam" and new.head.relation == Relation.HEAD
    assert sorted(new.members.values_list("full_name", "joined_on")) == [
        ("Mai", DAY),
        ("Nam", DAY),
    ]
    household.refresh_from_db()
    assert household.head == duc
    assert sorted(m.full_name for m in household.members.filter(left_on__isnull=True)) == [
        "Lan",
        "Đức",
    ]
    nam.refresh_from_db()
    assert nam.left_on == DAY and nam.left_reason == "Left to form household HL-2"
    kinds = HouseholdEvent.objects.values_list("household__code", "kind", "other_household__code")
    assert sorted(kinds) == [("HL-1", "split", "HL-2"), ("HL-2", "split_from", "HL-1")]
    assert new.search_text and "nam" in new.search_text and "nam" not in household.search_text


def test_split_keeps_assessments_plans_and_support_with_the_original(halong_officer, family):
    household, duc, lan, nam, mai = family
    assessment = AssessmentFactory(household=household, year=2025)
    plan = ExitPlanFactory(household=household)
    support = SupportRecordFactory(household=household)
    new = split(halong_officer, household, [nam], nam)

    assessment.refresh_from_db(), plan.refresh_from_db(), support.refresh_from_db()
    assert assessment.household == household == plan.household == support.household
    assert not new.assessments.exists() and not new.plans.exists()


def test_split_of_the_head_needs_a_new_head_for_the_original(halong_officer, family):
    household, duc, lan, nam, mai = family
    with pytest.raises(ValidationError) as error:
        split(halong_officer, household, [duc, nam], duc)
    assert "remaining_head" in error.value.error_dict
    assert "without a head" in str(error.value)
    assert Household.objects.count() == 1
    assert Member.objects.filter(left_on__isnull=False).count() == 0

    split(halong_officer, household, [duc, nam], duc, remaining_head=lan)
    household.refresh_from_db()
    assert household.head == lan
    lan.refresh_from_db()
    assert lan.relation == Relation.HEAD


@pytest.mark.parametrize(
    ("chosen", "head", "field"),
    [
        ([], None, "members"),
        (["duc", "lan", "nam", "mai"], "nam", "members"),
        (["nam"], "lan", "new_head"),
    ],
)
def test_split_refusals(halong_officer, family, chosen, head, field):
    household, duc, lan, nam, mai = family
    people = {"duc": duc, "lan": lan, "nam": nam, "mai": mai}
    with pytest.raises(ValidationError) as error:
        split(
            halong_officer,
            household,
            [people[name] for name in chosen],
            people.get(head),
            remaining_head=lan if "duc" in chosen else None,
        )
    assert field in error.value.error_dict
    assert Household.objects.count() == 1 and not HouseholdEvent.objects.exists()


def test_split_refuses_a_code_already_used(halong_officer, family, halong):
    household, duc, lan, nam, mai = family
    HouseholdFactory(unit=halong, code="HL-2")
    with pytest.raises(ValidationError) as error:
        split(halong_officer, household, [nam], nam)
    assert "code" in error.value.error_dict


def test_split_refused_for_a_member_of_the_committee(halong_member, family):
    household, duc, lan, nam, mai = family
    with pytest.raises(PermissionDenied):
        split(halong_member, household, [nam], nam)
    assert Household.objects.count() == 1


def test_split_preview_lists_the_changes_and_writes_nothing(halong_officer, family):
    household, duc, lan, nam, mai = family
    preview = events.split_preview(
        halong_officer,
        household,
        members=[nam, mai],
        new_head=nam,
        code="HL-2",
        village=None,
        remaining_head=None,
        on=DAY,
    )
    assert preview.changes[0] == "New household HL-2 in Phường Hạ Long, head Nam."
    assert "Nam, Mai leave household HL-1 on 01/03/2026" in preview.changes[1]
    assert Household.objects.count() == 1


def test_members_on_a_past_day_stay_as_they_were(halong_officer, family):
    household, duc, lan, nam, mai = family
    new = split(halong_officer, household, [nam, mai], nam)
    before = DAY - datetime.timedelta(days=1)
    assert sorted(m.full_name for m in members_on(household, before)) == [
        "Lan",
        "Mai",
        "Nam",
        "Đức",
    ]
    assert sorted(m.full_name for m in members_on(household, DAY)) == ["Lan", "Đức"]
    assert members_on(new, before) == []
    assert sorted(m.full_name for m in members_on(new, DAY)) == ["Mai", "Nam"]


# --- Merge ----------------------------------------------------------------------------


def test_merge_moves_the_members_and_closes_the_other(halong_officer, family, halong):
    household, duc, lan, nam, mai = family
    other = HouseholdFactory(unit=halong, code="HL-9", head__full_name="Bà Tư")
    assessment = AssessmentFactory(
        household=other, year=2025, status=AssessmentStatus.RECOGNISED, recorded_status="poor"
    )
    events.household_merge(actor=halong_officer, household=household, other=other, on=DAY)

    other.refresh_from_db()
    assert other.closed_on == DAY and other.merged_into == household
    assert not other.members.filter(left_on__isnull=True).exists()
    arrived = household.members.get(full_name="Bà Tư", left_on__isnull=True)
    assert arrived.relation == Relation.OTHER and arrived.joined_on == DAY
    assert household.members.filter(left_on__isnull=True).count() == 5
    assessment.refresh_from_db()
    assert assessment.household == other
    assert list(HouseholdEvent.objects.order_by("kind").values_list("household__code", "kind")) == [
        ("HL-1", "merge"),
        ("HL-9", "merged_into"),
    ]


def test_merge_across_wards_is_refused(family, baichay, halong, make_member):
    household, *_ = family
    both = make_member(Role.WARD_OFFICER, halong)
    MembershipFactory(
        user=both, committee=committee_of(baichay), role=Role.WARD_OFFICER, start_date=REFORM
    )
    other = HouseholdFactory(unit=baichay, code="BC-1")
    with pytest.raises(ValidationError) as error:
        events.household_merge(actor=both, household=household, other=other, on=DAY)
    assert "only households of the same ward merge" in str(error.value)
    other.refresh_from_db()
    assert other.closed_on is None and not HouseholdEvent.objects.exists()


def test_merge_with_no_household_of_the_ward_is_a_message_not_a_crash(halong_officer, family):
    """The confirmation posts straight to the service: a code of another ward (or none)
    gives ``other=None``, refused like on the preview (it was an AttributeError, a 500)."""
    household, *_ = family
    with pytest.raises(ValidationError) as error, translation.override("en"):
        events.household_merge(actor=halong_officer, household=household, other=None, on=DAY)
    assert error.value.message_dict == {"other_code": ["No household with this code in this ward."]}
    assert not HouseholdEvent.objects.exists()


def test_merge_of_a_household_in_an_undecided_review_is_refused(halong_officer, family, halong):
    household = family[0]
    other = HouseholdFactory(unit=halong, code="HL-3")
    AssessmentFactory(
        household=other,
        round=ReviewRoundFactory(unit=halong, year=2026),
        status=AssessmentStatus.SURVEYED,
    )
    with pytest.raises(ValidationError) as error:
        events.household_merge(actor=halong_officer, household=household, other=other, on=DAY)
    assert "2026 review of Phường Hạ Long" in error.value.message_dict["other_code"][0]
    other.refresh_from_db()
    assert other.closed_on is None and not HouseholdEvent.objects.exists()
    assert other.members.filter(left_on__isnull=True).count() == 1


def test_a_closed_household_takes_no_more_events(halong_officer, family, halong):
    household, duc, lan, nam, mai = family
    other = HouseholdFactory(unit=halong, code="HL-9")
    events.household_merge(actor=halong_officer, household=household, other=other, on=DAY)
    with pytest.raises(PermissionDenied):
        events.household_merge(actor=halong_officer, household=other, other=household, on=DAY)
    third = HouseholdFactory(unit=halong, code="HL-10")
    with pytest.raises(ValidationError) as error:
        events.household_merge(actor=halong_officer, household=third, other=other, on=DAY)
    assert "was closed on 01/03/2026" in str(error.value)


# --- Change of head -----------------------------------------------------------------------


def test_head_dies_the_widow_becomes_head(halong_officer, family):
    household, duc, lan, nam, mai = family
    events.household_change_head(
        actor=halong_officer,
        household=household,
        new_head=lan,
        reason=HeadChangeReason.DEATH,
        on=DAY,
        note="Giấy chứng tử số 12",
    )
    household.refresh_from_db()
    duc.refresh_from_db()
    assert household.head == lan and duc.left_on == DAY and duc.left_reason == "The head died"
    event = HouseholdEvent.objects.get()
    assert (event.kind, event.member, event.former_head, event.head_change_reason) == (
        EventKind.HEAD_CHANGE,
        lan,
        duc,
        "death",
    )


def test_head_change_by_agreement_keeps_the_former_head(halong_officer, family):
    household, duc, lan, nam, mai = family
    events.household_change_head(
        actor=halong_officer, household=household, new_head=nam, reason="agreement", on=DAY
    )
    duc.refresh_from_db()
    assert duc.is_current and duc.relation == Relation.OTHER


def test_head_change_refuses_a_former_member(halong_officer, family):
    household, duc, lan, nam, mai = family
    events.member_record_leaving(
        actor=halong_officer, member=mai, kind=EventKind.MEMBER_MOVED_OUT, on=DAY
    )
    with pytest.raises(ValidationError):
        events.household_change_head(
            actor=halong_officer, household=household, new_head=mai, reason="agreement", on=DAY
        )
    household.refresh_from_db()
    assert household.head == duc


# --- Member events --------------------------------------------------------------------------


def test_member_death_is_recorded_with_its_date(halong_officer, family):
    household, duc, lan, nam, mai = family
    events.member_record_leaving(
        actor=halong_officer, member=lan, kind=EventKind.MEMBER_DIED, on=DAY
    )
    lan.refresh_from_db()
    assert (lan.left_on, lan.left_reason) == (DAY, "Death of a member")
    assert lan.was_member_on(DAY - datetime.timedelta(days=1)) and not lan.was_member_on(DAY)


def test_the_head_cannot_simply_leave(halong_officer, family):
    household, duc, *_ = family
    with pytest.raises(ValidationError) as error:
        events.member_record_leaving(
            actor=halong_officer, member=duc, kind=EventKind.MEMBER_DIED, on=DAY
        )
    assert "record a change of head" in str(error.value)
    duc.refresh_from_db()
    assert duc.is_current


def test_a_birth_adds_a_member_from_that_day(halong_officer, family):
    household, *_ = family
    baby = events.member_record_joining(
        actor=halong_officer,
        household=household,
        kind=EventKind.MEMBER_BORN,
        on=DAY,
        full_name="Bé Na",
        sex="female",
        relation=Relation.GRANDCHILD,
    )
    assert (baby.birth_year, baby.birth_date, baby.joined_on) == (2026, DAY, DAY)
    assert not baby.was_member_on(datetime.date(2025, 12, 31))
    assert HouseholdEvent.objects.get().kind == EventKind.MEMBER_BORN


def test_an_event_date_cannot_be_in_the_future(halong_officer, family):
    household, duc, lan, *_ = family
    with pytest.raises(ValidationError) as error:
        events.member_record_leaving(
            actor=halong_officer,
            member=lan,
            kind=EventKind.MEMBER_DIED,
            on=datetime.date.today() + datetime.timedelta(days=2),
        )
    assert "on" in error.value.error_dict


# --- Moves between wards ----------------------------------------------------------------------


@pytest.fixture
def mover(baichay, halong):
    household = HouseholdFactory(unit=baichay, code="BC-7", head__full_name="Hùng")
    AssessmentFactory(
        household=household,
        year=2025,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=PovertyStatus.POOR,
        decision_date=datetime.date(2025, 12, 10),
    )
    return household


def propose(actor, household, to_unit, **overrides):
    data = {"to_unit": to_unit, "moving_on": DAY, "reason": "Chuyển nơi ở"}
    return events.transfer_propose(actor=actor, household=household, **(data | overrides))


def test_move_waits_for_the_receiving_head_then_goes_with_everything(
    baichay_officer, halong_head, mover, baichay, halong
):
    plan = ExitPlanFactory(household=mover)
    PlanActionFactory(plan=plan, status=ActionStatus.DONE)
    support = SupportRecordFactory(household=mover)
    mover.assigned_to = UserFactory()
    mover.save()
    transfer = propose(baichay_officer, mover, halong)
    mover.refresh_from_db()
    assert mover.unit == baichay and transfer.status == TransferStatus.PROPOSED

    village = VillageFactory(parent=halong)
    events.transfer_accept(actor=halong_head, transfer=transfer, code="HL-77", village=village)
    mover.refresh_from_db()
    assert (mover.unit, mover.code, mover.village, mover.assigned_to) == (
        halong,
        "HL-77",
        village,
        None,
    )
    assert mover.plans.get() == plan and mover.support_records.get() == support
    assessment = mover.assessments.get()
    assert assessment.unit == baichay  # the 2025 decision stays where it was made
    assert unit_on(mover, DAY - datetime.timedelta(days=1)) == baichay
    assert unit_on(mover, DAY) == halong
    event = mover.events.get()
    assert (event.kind, event.from_unit, event.to_unit, event.occurred_on) == (
        EventKind.MOVED_WARD,
        baichay,
        halong,
        DAY,
    )


def test_move_refused_by_the_receiving_head_stays(baichay_officer, halong_head, mover, baichay):
    transfer = propose(baichay_officer, mover, unit("6688"))
    with pytest.raises(ValidationError):
        events.transfer_refuse(actor=halong_head, transfer=transfer, reason="  ")
    events.transfer_refuse(actor=halong_head, transfer=transfer, reason="Không cư trú tại phường")
    transfer.refresh_from_db()
    mover.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED and mover.unit == baichay
    assert not mover.events.exists()


def test_only_the_receiving_head_decides(baichay_officer, halong_officer, mover, halong):
    transfer = propose(baichay_officer, mover, halong)
    with pytest.raises(PermissionDenied):
        events.transfer_accept(actor=halong_officer, transfer=transfer, code="X", village=None)
    with pytest.raises(PermissionDenied):
        events.transfer_accept(actor=baichay_officer, transfer=transfer, code="X", village=None)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PROPOSED


def test_move_with_an_open_plan_is_refused(baichay_officer, mover, halong):
    plan = ExitPlanFactory(household=mover)
    PlanActionFactory(plan=plan, status=ActionStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        propose(baichay_officer, mover, halong)
    assert "1 open action" in str(error.value)
    assert not HouseholdTransfer.objects.exists()


def test_accepting_is_refused_when_a_plan_action_opened_after_the_proposal(
    baichay_officer, halong_head, mover, halong, baichay
):
    transfer = propose(baichay_officer, mover, halong)
    PlanActionFactory(plan=ExitPlanFactory(household=mover), status=ActionStatus.PLANNED)
    with pytest.raises(ValidationError) as error:
        events.transfer_accept(actor=halong_head, transfer=transfer, code="HL-70", village=None)
    assert "1 open action" in str(error.value)
    transfer.refresh_from_db()
    mover.refresh_from_db()
    assert transfer.status == TransferStatus.PROPOSED and mover.unit == baichay
    assert not mover.events.exists()


def test_move_with_an_undecided_assessment_is_refused(baichay_officer, mover, halong, baichay):
    AssessmentFactory(
        household=mover,
        round=ReviewRoundFactory(unit=baichay, year=2026),
        status=AssessmentStatus.SURVEYED,
    )
    with pytest.raises(ValidationError) as error:
        propose(baichay_officer, mover, halong)
    assert "2026 review of Phường Bãi Cháy" in str(error.value)


def test_move_cannot_take_effect_before_the_last_decision(baichay_officer, mover, halong):
    with pytest.raises(ValidationError) as error:
        propose(baichay_officer, mover, halong, moving_on=datetime.date(2025, 12, 1))
    assert "moving_on" in error.value.error_dict


def test_a_pending_move_blocks_a_second_one_and_a_split(baichay_officer, mover, halong):
    propose(baichay_officer, mover, halong)
    son = MemberFactory(household=mover, full_name="Con")
    with pytest.raises(ValidationError) as error:
        propose(baichay_officer, mover, halong)
    assert "waiting for the receiving ward" in str(error.value)
    with pytest.raises(ValidationError):
        split(baichay_officer, mover, [son], son, code="BC-8")
    assert HouseholdTransfer.objects.count() == 1 and Household.objects.count() == 1


def test_cancelled_move_frees_the_household(baichay_officer, halong_head, mover, halong):
    transfer = propose(baichay_officer, mover, halong)
    events.transfer_cancel(actor=baichay_officer, transfer=transfer)
    with pytest.raises(ValidationError):
        events.transfer_accept(actor=halong_head, transfer=transfer, code="HL-1", village=None)
    assert propose(baichay_officer, mover, halong).status == TransferStatus.PROPOSED
