"""Register services: households, members, moves and successions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from communes.models import Role, UnitKind
from households.models import Household, Member, Relation, Sex
from households.services.common import StaleEdit
from households.services.registry import (
    household_create,
    household_move_unit,
    household_set_head,
    household_update,
    households_follow_succession,
    member_add,
    member_leave,
    member_move,
    member_update,
    refresh_search_text,
)
from tests.conftest import REFORM, legacy, unit
from tests.factories import HouseholdFactory, MemberFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db

DUC_ID = "022085001234"  # Quảng Ninh, male, born 1985
LAN_ID = "022187004321"  # Quảng Ninh, female, born 1987
DAY = datetime.date(2025, 9, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def head_data(**overrides) -> dict:
    data = {"full_name": "Nguyễn Văn Đức", "sex": Sex.MALE, "birth_year": 1985}
    data["citizen_id"] = DUC_ID
    return data | overrides


def create(actor, **overrides) -> Household:
    kwargs = {"unit": unit("6688"), "village": None, "code": "HL-001", "head": head_data()}
    return household_create(actor=actor, **(kwargs | overrides))


def lan(household, **overrides) -> dict:
    data = {
        "full_name": "Trần Thị Lan",
        "sex": Sex.FEMALE,
        "birth_year": 1987,
        "relation": Relation.SPOUSE,
        "citizen_id": LAN_ID,
    }
    return data | overrides


# --- household_create ------------------------------------------------------------


def test_household_create_creates_household_and_head_when_valid(halong_officer):
    village = VillageFactory(parent=unit("6688"))
    household = create(halong_officer, village=village, address="Số 5, tổ 3")
    household.refresh_from_db()
    head = household.head
    assert (household.unit, household.village, household.code) == (unit("6688"), village, "HL-001")
    assert (head.full_name, head.relation, head.citizen_id, head.household_id) == (
        "Nguyễn Văn Đức",
        Relation.HEAD,
        DUC_ID,
        household.pk,
    )
    assert head.search_name == "nguyen van duc"
    assert household.search_text == f"hl-001 nguyen van duc {DUC_ID}"
    assert household.history.first().history_user == halong_officer
    assert head.history.first().history_user == halong_officer


def test_household_create_refuses_duplicate_code_when_same_unit(halong_officer):
    create(halong_officer)
    with pytest.raises(ValidationError) as excinfo:
        create(halong_officer, head=head_data(citizen_id=""))
    assert "already has a household with the code HL-001" in str(excinfo.value.message_dict["code"])
    assert Household.objects.count() == 1
    assert Member.objects.count() == 1


def test_household_create_allows_same_code_when_other_unit(halong_officer, make_member):
    create(halong_officer)
    baichay_officer = make_member(Role.WARD_OFFICER, unit("6673"))
    other = create(baichay_officer, unit=unit("6673"), head=head_data(citizen_id=""))
    assert other.code == "HL-001"


def test_household_create_refuses_village_of_another_unit(halong_officer):
    foreign_village = VillageFactory(parent=unit("6673"))
    with pytest.raises(ValidationError) as excinfo:
        create(halong_officer, village=foreign_village)
    assert "does not belong to Phường Hạ Long" in str(excinfo.value.message_dict["village"])
    assert not Household.objects.exists()


def test_household_create_keys_head_errors_with_prefix_and_saves_nothing(halong_officer):
    with pytest.raises(ValidationError) as excinfo:
        create(halong_officer, head=head_data(citizen_id="022185001234"))
    assert "4th digit says female" in str(excinfo.value.message_dict["head_citizen_id"])
    assert not Household.objects.exists()
    assert not Member.objects.exists()


@pytest.mark.parametrize("who", ["city_staff", "halong_member", "baichay_officer"])
def test_household_create_is_denied_when_role_may_not_edit_unit(request, who):
    with pytest.raises(PermissionDenied):
        create(request.getfixturevalue(who))
    assert not Household.objects.exists()


# --- citizen ID uniqueness -------------------------------------------------------------


def test_member_add_refuses_citizen_id_of_current_member_naming_household(halong_officer):
    first = create(halong_officer)
    second = create(
        halong_officer, code="HL-002", head=head_data(full_name="Lê Văn Ba", citizen_id="")
    )
    with pytest.raises(ValidationError) as excinfo:
        member_add(
            actor=halong_officer,
            household=second,
            **lan(second, citizen_id=DUC_ID, sex=Sex.MALE, birth_year=1985),
        )
    message = str(excinfo.value.message_dict["citizen_id"])
    assert "Nguyễn Văn Đức" in message and first.code in message
    assert second.members.count() == 1


def test_member_add_gives_neutral_message_when_clash_is_outside_scope(halong_officer):
    HouseholdFactory(unit=unit("6673"), code="BC-009", head__citizen_id=DUC_ID)
    household = create(halong_officer, head=head_data(citizen_id=""))
    with pytest.raises(ValidationError) as excinfo:
        member_add(
            actor=halong_officer,
            household=household,
            **lan(household, citizen_id=DUC_ID, sex=Sex.MALE, birth_year=1985),
        )
    message = str(excinfo.value.message_dict["citizen_id"])
    assert "cannot be used here" in message and "already recorded" not in message
    assert "BC-009" not in message


def test_member_add_allows_citizen_id_when_old_row_left(halong_officer):
    household = create(halong_officer)
    spouse = member_add(actor=halong_officer, household=household, **lan(household))
    member_leave(actor=halong_officer, member=spouse, on=DAY, reason="Moved away")
    again = member_add(actor=halong_officer, household=household, **lan(household))
    assert again.pk != spouse.pk
    assert list(
        Member.objects.filter(citizen_id=LAN_ID).values_list("left_on", flat=True).order_by("pk")
    ) == [DAY, None]


def test_member_add_refuses_citizen_id_disagreeing_with_birth_year(halong_officer):
    household = create(halong_officer)
    with pytest.raises(ValidationError) as excinfo:
        member_add(actor=halong_officer, household=household, **lan(household, birth_year=1988))
    assert "5th–6th digits (87)" in str(excinfo.value.message_dict["citizen_id"])
    assert household.members.count() == 1


def test_member_add_refuses_second_head(halong_officer):
    household = create(halong_officer)
    with pytest.raises(ValidationError) as excinfo:
        member_add(
            actor=halong_officer, household=household, **lan(household, relation=Relation.HEAD)
        )
    assert "relation" in excinfo.value.message_dict


# --- member_update / leave / set head ----------------------------------------------------


def test_member_update_refreshes_search_name_and_text(halong_officer):
    household = create(halong_officer)
    spouse = member_add(actor=halong_officer, household=household, **lan(household))
    member_update(actor=halong_officer, member=spouse, full_name="Trần Thị Hương")
    spouse.refresh_from_db()
    household.refresh_from_db()
    assert spouse.search_name == "tran thi huong"
    assert "tran thi huong" in household.search_text and "lan" not in household.search_text


def test_member_leave_refuses_head_while_head(halong_officer):
    household = create(halong_officer)
    with pytest.raises(ValidationError) as excinfo:
        member_leave(actor=halong_officer, member=household.head, on=DAY, reason="Died")
    assert "make another member head first" in str(excinfo.value)
    household.head.refresh_from_db()
    assert household.head.left_on is None


def test_member_leave_removes_member_from_search_text(halong_officer):
    household = create(halong_officer)
    spouse = member_add(actor=halong_officer, household=household, **lan(household))
    member_leave(actor=halong_officer, member=spouse, on=DAY, reason="Married out")
    household.refresh_from_db()
    spouse.refresh_from_db()
    assert (spouse.left_on, spouse.left_reason) == (DAY, "Married out")
    assert "lan" not in household.search_text


def test_household_set_head_makes_former_head_other(halong_officer):
    household = create(halong_officer)
    former = household.head
    spouse = member_add(actor=halong_officer, household=household, **lan(household))
    household_set_head(actor=halong_officer, household=household, member=spouse)
    household.refresh_from_db()
    former.refresh_from_db()
    spouse.refresh_from_db()
    assert household.head == spouse
    assert (spouse.relation, former.relation) == (Relation.HEAD, Relation.OTHER)
    member_leave(actor=halong_officer, member=former, on=DAY, reason="Moved away")


def test_household_set_head_is_denied_when_actor_may_only_read(halong_officer, city_staff):
    household = create(halong_officer)
    spouse = member_add(actor=halong_officer, household=household, **lan(household))
    with pytest.raises(PermissionDenied):
        household_set_head(actor=city_staff, household=household, member=spouse)
    household.refresh_from_db()
    assert household.head.full_name == "Nguyễn Văn Đức"


# --- member_move -----------------------------------------------------------------------


def test_member_move_closes_old_row_and_opens_new_one(halong_officer):
    source = create(halong_officer)
    target = create(
        halong_officer, code="HL-002", head=head_data(full_name="Lê Văn Ba", citizen_id="")
    )
    spouse = member_add(actor=halong_officer, household=source, **lan(source))
    moved = member_move(
        actor=halong_officer, member=spouse, to_household=target, relation=Relation.SPOUSE, on=DAY
    )
    spouse.refresh_from_db()
    assert (spouse.left_on, spouse.left_reason) == (DAY, "Moved to household HL-002")
    assert (moved.household, moved.relation, moved.citizen_id, moved.full_name, moved.left_on) == (
        target,
        Relation.SPOUSE,
        LAN_ID,
        "Trần Thị Lan",
        None,
    )
    source.refresh_from_db()
    target.refresh_from_db()
    assert LAN_ID not in source.search_text and LAN_ID in target.search_text
    assert moved.history.first().history_user == halong_officer


def test_member_move_refuses_head(halong_officer):
    source = create(halong_officer)
    target = create(
        halong_officer, code="HL-002", head=head_data(full_name="Lê Văn Ba", citizen_id="")
    )
    with pytest.raises(ValidationError):
        member_move(
            actor=halong_officer,
            member=source.head,
            to_household=target,
            relation=Relation.OTHER,
            on=DAY,
        )
    assert target.members.count() == 1
    assert source.head.left_on is None


def test_member_move_is_denied_when_target_not_editable(halong_officer):
    source = create(halong_officer)
    spouse = member_add(actor=halong_officer, household=source, **lan(source))
    foreign = HouseholdFactory(unit=unit("6673"))
    with pytest.raises(PermissionDenied):
        member_move(
            actor=halong_officer,
            member=spouse,
            to_household=foreign,
            relation=Relation.OTHER,
            on=DAY,
        )
    spouse.refresh_from_db()
    assert spouse.left_on is None
    assert foreign.members.count() == 1


# --- household_update ---------------------------------------------------------------------


def test_household_update_saves_and_bumps_version(halong_officer):
    household = create(halong_officer)
    household_update(
        actor=halong_officer,
        household=household,
        version=household.version,
        code="HL-010",
        address="Tổ 4",
    )
    household.refresh_from_db()
    assert (household.code, household.address, household.version) == ("HL-010", "Tổ 4", 2)
    assert household.search_text.startswith("hl-010 ")


def test_household_update_raises_stale_edit_and_saves_nothing_when_version_old(halong_officer):
    household = create(halong_officer)
    opened_with = household.version
    household_update(
        actor=halong_officer, household=household, version=opened_with, address="First"
    )
    late = Household.objects.get(pk=household.pk)
    with pytest.raises(StaleEdit):
        household_update(
            actor=halong_officer, household=late, version=opened_with, address="Second"
        )
    late.refresh_from_db()
    assert (late.address, late.version) == ("First", opened_with + 1)


def test_household_update_is_denied_when_actor_may_only_read(halong_officer, city_staff):
    household = create(halong_officer)
    with pytest.raises(PermissionDenied):
        household_update(
            actor=city_staff, household=household, version=household.version, address="X"
        )
    household.refresh_from_db()
    assert household.address == ""


def test_refresh_search_text_folds_current_members_only(halong_officer):
    household = create(halong_officer)
    MemberFactory(household=household, full_name="Đỗ Thị Hằng", left_on=DAY)
    MemberFactory(household=household, full_name="Phạm Quốc Việt")
    refresh_search_text(household)
    household.refresh_from_db()
    text = household.search_text
    assert text.startswith("hl-001 ")
    assert f"nguyen van duc {DUC_ID}" in text and "pham quoc viet" in text
    assert "hang" not in text


# --- successions ----------------------------------------------------------------------------


def test_follow_succession_moves_whole_merger_and_leaves_split(units):
    admin = UserFactory(is_superuser=True)
    hong_ha = legacy("6697")
    village = VillageFactory(parent=hong_ha)
    merged = HouseholdFactory(unit=hong_ha, village=village, code="HH-1")
    split = HouseholdFactory(unit=legacy("6655"), code="HK-1")
    current = HouseholdFactory(unit=unit("6688"), code="HL-1")
    result = households_follow_succession(actor=admin, on=REFORM)
    assert result.moved == [merged]
    assert result.needs_choice == [split]
    merged.refresh_from_db()
    split.refresh_from_db()
    current.refresh_from_db()
    assert (merged.unit, merged.village) == (unit("6688"), None)
    assert merged.history.first().history_user == admin
    assert "Phường Hồng Hà" in merged.history.first().history_change_reason
    assert split.unit == legacy("6655")
    assert current.unit == unit("6688")


def test_follow_succession_does_nothing_before_the_unit_ended(units):
    admin = UserFactory(is_superuser=True)
    household = HouseholdFactory(unit=legacy("6697"))
    result = households_follow_succession(actor=admin, on=REFORM - datetime.timedelta(days=1))
    assert (result.moved, result.needs_choice) == ([], [])
    household.refresh_from_db()
    assert household.unit == legacy("6697")


def test_follow_succession_touches_only_actor_editable_units(halong_officer):
    mine = HouseholdFactory(unit=legacy("6697"))
    other = HouseholdFactory(unit=legacy("6673"))
    result = households_follow_succession(actor=halong_officer, on=REFORM)
    assert result.moved == [mine]
    other.refresh_from_db()
    assert other.unit == legacy("6673")


def test_follow_succession_blocks_when_code_taken_in_successor(units):
    admin = UserFactory(is_superuser=True)
    HouseholdFactory(unit=unit("6688"), code="X-1")
    clash = HouseholdFactory(unit=legacy("6697"), code="X-1")
    result = households_follow_succession(actor=admin, on=REFORM)
    assert [h for h, _ in result.blocked] == [clash]
    clash.refresh_from_db()
    assert clash.unit == legacy("6697")


def test_household_move_unit_moves_to_chosen_successor(units):
    admin = UserFactory(is_superuser=True)
    tuan_chau = unit("6706")
    village = VillageFactory(parent=tuan_chau, kind=UnitKind.VILLAGE)
    household = HouseholdFactory(unit=legacy("6655"))
    household_move_unit(actor=admin, household=household, unit=tuan_chau, village=village)
    household.refresh_from_db()
    assert (household.unit, household.village) == (tuan_chau, village)


def test_household_move_unit_refuses_unit_that_is_not_a_successor(units):
    admin = UserFactory(is_superuser=True)
    household = HouseholdFactory(unit=legacy("6655"))
    with pytest.raises(ValidationError) as excinfo:
        household_move_unit(actor=admin, household=household, unit=unit("6688"))
    assert "not a successor" in str(excinfo.value.message_dict["unit"])
    household.refresh_from_db()
    assert household.unit == legacy("6655")


def test_follow_succession_command_moves_households_and_lists_split_ones(units):
    import io

    from django.core.management import CommandError, call_command

    admin = UserFactory(username="root", is_superuser=True)
    merged = HouseholdFactory(unit=legacy("6697"))  # Hồng Hà → Hạ Long
    split = HouseholdFactory(unit=legacy("6655"))  # Hà Khẩu → Việt Hưng + Tuần Châu
    out = io.StringIO()
    with pytest.raises(CommandError, match="not moved"):
        call_command(
            "follow_succession", "--date", "2025-07-01", "--user", admin.username, stdout=out
        )
    merged.refresh_from_db()
    split.refresh_from_db()
    assert merged.unit == unit("6688")
    assert split.unit == legacy("6655")
    assert f"Phường Hà Khẩu: {split.code}" in out.getvalue()
