"""Pages of units and committees: scoping (404), permissions (403), writes."""

import datetime
import re

import pytest
from django.urls import reverse

from communes.models import AdministrativeUnit, Membership, Role, UnitKind
from tests.conftest import committee_of, legacy, unit
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def halong_committee(units):
    return committee_of(unit("6688"))


def test_unit_list_shows_current_and_former_units_when_ward_officer(client, halong_officer):
    client.force_login(halong_officer)
    response = client.get(reverse("communes:unit_list"))
    assert [u.name for u in response.context["current"]] == ["Phường Hạ Long"]
    assert {u.name for u in response.context["former"]} == {"Phường Hồng Hà", "Phường Hồng Hải"}
    assert "Phường Bãi Cháy" not in response.content.decode()


def test_unit_detail_is_404_when_unit_is_outside_scope(client, halong_officer):
    client.force_login(halong_officer)
    response = client.get(reverse("communes:unit_detail", args=[unit("6673").pk]))
    assert response.status_code == 404


def test_unit_detail_lists_predecessors_when_ward_was_merged(client, halong_officer):
    client.force_login(halong_officer)
    response = client.get(reverse("communes:unit_detail", args=[unit("6688").pk]))
    body = response.content.decode()
    assert "Phường Hồng Hải" in body and "Phường Hồng Hà" in body
    assert response.context["can_manage_villages"] is True


def test_officer_adds_village_when_posting_a_name(client, halong_officer):
    client.force_login(halong_officer)
    ward = unit("6688")
    response = client.post(
        reverse("communes:village_create", args=[ward.pk]), {"name": "Tổ 5 khu 3"}
    )
    assert response.status_code == 302
    village = ward.children.get()
    assert (village.name, village.kind, village.code, village.area) == (
        "Tổ 5 khu 3",
        UnitKind.VILLAGE,
        "6688.01",
        ward.area,
    )
    assert village.history.first().history_user == halong_officer


def test_village_create_refuses_duplicate_name_when_same_ward(client, halong_officer):
    client.force_login(halong_officer)
    ward = unit("6688")
    url = reverse("communes:village_create", args=[ward.pk])
    client.post(url, {"name": "Tổ 1"})
    response = client.post(url, {"name": "tổ 1"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert ward.children.count() == 1


@pytest.mark.parametrize("who", ["halong_member", "city_staff", "city_head"])
def test_village_create_is_403_when_role_may_only_read(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    ward = unit("6688")
    response = client.post(reverse("communes:village_create", args=[ward.pk]), {"name": "X"})
    assert response.status_code == 403
    assert not ward.children.exists()


def test_village_create_is_403_when_ward_no_longer_exists(client, halong_officer):
    client.force_login(halong_officer)
    hong_ha = legacy("6697")
    response = client.post(reverse("communes:village_create", args=[hong_ha.pk]), {"name": "X"})
    assert response.status_code == 403


def test_village_create_is_404_when_ward_is_another_wards(client, baichay_officer):
    client.force_login(baichay_officer)
    response = client.post(
        reverse("communes:village_create", args=[unit("6688").pk]), {"name": "X"}
    )
    assert response.status_code == 404
    assert not AdministrativeUnit.objects.filter(kind=UnitKind.VILLAGE).exists()


def test_committee_list_shows_only_committees_in_scope(client, halong_officer, units):
    committee_of(unit("6673"))
    own = committee_of(unit("6688"))
    client.force_login(halong_officer)
    response = client.get(reverse("communes:committee_list"))
    assert list(response.context["committees"]) == [own]


def test_head_adds_existing_user_when_username_known(client, halong_head, halong_committee):
    newcomer = UserFactory(username="tran.b")
    client.force_login(halong_head)
    response = client.post(
        reverse("communes:membership_add", args=[halong_committee.pk]),
        {
            "username": "tran.b",
            "role": Role.MEMBER,
            "position": "Chủ tịch Hội Phụ nữ",
            "start_date": "01/09/2025",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert (membership.committee, membership.role, membership.start_date) == (
        halong_committee,
        Role.MEMBER,
        datetime.date(2025, 9, 1),
    )


def test_head_creates_account_with_a_username_the_app_chooses(
    client, halong_head, halong_committee
):
    client.force_login(halong_head)
    response = client.post(
        reverse("communes:membership_add", args=[halong_committee.pk]),
        {
            "full_name": "  Lê   Văn Cường ",
            "role": Role.WARD_OFFICER,
            "start_date": "2025-09-01",
        },
        follow=True,
    )
    user = Membership.objects.get(committee=halong_committee, role=Role.WARD_OFFICER).user
    assert (user.first_name, user.last_name) == ("Lê Văn", "Cường")
    assert re.fullmatch(r"halong\.cuong\.\d{4}", user.username)
    assert user.has_usable_password()
    body = response.content.decode()
    assert user.username in body
    assert "temporary password" in body or "mật khẩu tạm" in body


def test_membership_add_refuses_city_role_when_committee_is_a_wards(
    client, halong_head, halong_committee
):
    client.force_login(halong_head)
    response = client.post(
        reverse("communes:membership_add", args=[halong_committee.pk]),
        {"username": "x", "full_name": "A B", "role": Role.CITY_HEAD, "start_date": "2025-09-01"},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Membership.objects.filter(user__username="x").exists()


def test_membership_add_requires_full_name_when_account_is_new(
    client, halong_head, halong_committee
):
    client.force_login(halong_head)
    before = UserFactory._meta.model.objects.count()
    response = client.post(
        reverse("communes:membership_add", args=[halong_committee.pk]),
        {"role": Role.MEMBER, "start_date": "2025-09-01"},
    )
    assert "full_name" in response.context["form"].errors
    assert UserFactory._meta.model.objects.count() == before


def _add_existing(client, committee, username):
    return client.post(
        reverse("communes:membership_add", args=[committee.pk]),
        {"username": username, "role": Role.MEMBER, "start_date": "2025-09-01"},
    )


@pytest.mark.parametrize("account", ["admin", "officer_elsewhere", "city_boss", "retired"])
def test_head_cannot_attach_accounts_used_elsewhere_and_learns_nothing_about_them(
    client, city, make_member, halong_head, halong_committee, account
):
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    make_member(Role.WARD_OFFICER, unit("6673"), username="officer_elsewhere")
    make_member(Role.CITY_HEAD, city, username="city_boss")
    UserFactory(username="retired", is_active=False)
    client.force_login(halong_head)
    before = Membership.objects.count()

    refused = _add_existing(client, halong_committee, account)
    unknown = _add_existing(client, halong_committee, "no-such-account")

    assert refused.status_code == unknown.status_code == 200
    assert refused.context["form"].errors == unknown.context["form"].errors
    assert list(refused.context["form"].errors) == ["username"]
    assert Membership.objects.count() == before


def test_head_attaches_an_account_whose_memberships_ended(
    client, units, make_member, halong_head, halong_committee
):
    former = make_member(Role.WARD_OFFICER, unit("6673"), username="former")
    former.memberships.update(end_date=datetime.date(2025, 8, 1))
    client.force_login(halong_head)

    assert _add_existing(client, halong_committee, "former").status_code == 302
    assert former.memberships.filter(committee=halong_committee).exists()


def test_administrator_attaches_an_account_used_elsewhere(
    client, units, make_member, halong_committee
):
    officer = make_member(Role.WARD_OFFICER, unit("6673"), username="officer_elsewhere")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert _add_existing(client, halong_committee, "officer_elsewhere").status_code == 302
    assert officer.memberships.filter(committee=halong_committee).exists()


@pytest.mark.parametrize("who", ["halong_officer", "halong_member", "city_head", "city_staff"])
def test_membership_add_is_403_when_not_head_of_this_committee(
    client, request, who, halong_committee
):
    client.force_login(request.getfixturevalue(who))
    before = Membership.objects.count()
    response = client.post(
        reverse("communes:membership_add", args=[halong_committee.pk]),
        {"username": "x", "full_name": "A B", "role": Role.MEMBER, "start_date": "2025-09-01"},
    )
    assert response.status_code == 403
    assert Membership.objects.count() == before


def test_membership_add_is_404_when_committee_is_another_wards(
    client, units, make_member, halong_committee
):
    baichay_head = make_member(Role.WARD_HEAD, unit("6673"))
    client.force_login(baichay_head)
    response = client.get(reverse("communes:membership_add", args=[halong_committee.pk]))
    assert response.status_code == 404


def test_head_changes_role_when_membership_open(client, halong_head, halong_member):
    membership = halong_member.memberships.get()
    client.force_login(halong_head)
    response = client.post(
        reverse("communes:membership_edit", args=[membership.pk]),
        {"role": Role.WARD_OFFICER, "position": "Công chức LĐ-TB&XH"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.position) == (Role.WARD_OFFICER, "Công chức LĐ-TB&XH")
    assert membership.history.first().history_user == halong_head


def test_head_cannot_change_own_role(client, halong_head):
    membership = halong_head.memberships.get()
    client.force_login(halong_head)
    response = client.post(
        reverse("communes:membership_edit", args=[membership.pk]), {"role": Role.MEMBER}
    )
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.WARD_HEAD


def test_head_ends_membership_and_user_loses_scope(client, halong_head, halong_member):
    membership = halong_member.memberships.get()
    client.force_login(halong_head)
    response = client.post(
        reverse("communes:membership_end", args=[membership.pk]), {"end_date": "2025-10-01"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end_date == datetime.date(2025, 10, 1)
    client.force_login(halong_member)
    assert client.get(reverse("communes:unit_detail", args=[unit("6688").pk])).status_code == 404


def test_membership_end_refuses_date_before_start(client, halong_head, halong_member):
    membership = halong_member.memberships.get()
    client.force_login(halong_head)
    response = client.post(
        reverse("communes:membership_end", args=[membership.pk]), {"end_date": "2025-01-01"}
    )
    assert "end_date" in response.context["form"].errors
    membership.refresh_from_db()
    assert membership.end_date is None


def test_membership_end_is_403_when_officer_tries(client, halong_officer, halong_member):
    membership = halong_member.memberships.get()
    client.force_login(halong_officer)
    response = client.post(
        reverse("communes:membership_end", args=[membership.pk]), {"end_date": "2025-10-01"}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.end_date is None


def test_city_head_manages_city_committee(client, city_head, city):
    client.force_login(city_head)
    response = client.post(
        reverse("communes:membership_add", args=[committee_of(city).pk]),
        {"full_name": "Phan Văn Đức", "role": Role.CITY_STAFF, "start_date": "2025-09-01"},
    )
    assert response.status_code == 302
    added = Membership.objects.get(user__last_name="Đức")
    assert added.role == Role.CITY_STAFF and added.user.username.startswith("halong.duc.")


def test_membership_views_refuse_get_state_change(client, halong_head, halong_member):
    membership = halong_member.memberships.get()
    client.force_login(halong_head)
    response = client.get(reverse("communes:membership_end", args=[membership.pk]))
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.end_date is None


def test_membership_ended_is_not_shown_as_active_member(halong_member):
    MembershipFactory(
        user=halong_member,
        committee=committee_of(unit("6673")),
        role=Role.MEMBER,
        end_date=datetime.date(2025, 8, 1),
    )
    assert halong_member.memberships.active_on(datetime.date(2025, 9, 1)).count() == 1
