"""Scope rules: which units each role sees, including the 2025 succession."""

import datetime

import pytest

from communes.models import AdministrativeUnit, Role
from communes.selectors import unit_scope_ids, units_for, user_scope
from tests.conftest import committee_of, legacy, unit
from tests.factories import MembershipFactory, UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return set(queryset.grassroots().values_list("name", flat=True))


def test_new_ward_officer_sees_predecessor_wards_when_merged(halong_officer):
    assert names(units_for(halong_officer)) == {
        "Phường Hạ Long",
        "Phường Hồng Hải",
        "Phường Hồng Hà",
    }


def test_new_ward_officer_sees_only_split_part_when_predecessor_was_split(units, make_member):
    officer = make_member(Role.WARD_OFFICER, unit("6706"))  # Tuần Châu took part of Hà Khẩu
    visible = names(units_for(officer))
    assert visible == {"Phường Tuần Châu", "Phường Hà Khẩu", "Phường Đại Yên"}
    assert "Phường Việt Hưng" not in visible  # Hà Khẩu's other successor


def test_ward_scope_includes_villages_of_predecessors_when_they_have_villages(halong_officer):
    village = VillageFactory(parent=legacy("6697"))  # a residential group of Hồng Hà
    assert units_for(halong_officer).filter(pk=village.pk).exists()


@pytest.mark.parametrize("role", [Role.CITY_HEAD, Role.CITY_STAFF])
def test_city_roles_see_every_unit_that_was_or_is_in_ha_long(city, make_member, role):
    user = make_member(role, city)
    visible = units_for(user).grassroots()
    legacy_ids = set(city.children.values_list("pk", flat=True))
    assert legacy_ids <= set(visible.values_list("pk", flat=True))
    current = visible.valid_on(datetime.date(2025, 8, 1))
    assert current.count() == 13
    assert {"Phường Hạ Long", "Xã Kỳ Thượng", "Xã Lương Minh"} <= names(current)
    assert visible.count() == 33 + 13


def test_city_scope_excludes_units_never_in_ha_long_when_province_has_more(city, city_staff):
    cam_pha_area = AdministrativeUnit.objects.grassroots().filter(name="Phường Cẩm Phả")
    assert cam_pha_area.exists()
    assert not units_for(city_staff).filter(pk__in=cam_pha_area).exists()


def test_member_scope_is_the_ward_when_role_is_member(halong_member):
    assert user_scope(halong_member).roles_for(unit("6688").pk) == {Role.MEMBER}
    assert names(units_for(halong_member)) == {
        "Phường Hạ Long",
        "Phường Hồng Hải",
        "Phường Hồng Hà",
    }


def test_scope_is_empty_when_user_has_no_membership(db):
    user = UserFactory()
    assert units_for(user).count() == 0
    assert user_scope(user).roles == frozenset()


def test_scope_ignores_membership_when_it_has_ended(units):
    user = UserFactory()
    MembershipFactory(
        user=user,
        committee=committee_of(unit("6673")),
        start_date=datetime.date(2025, 7, 1),
        end_date=datetime.date(2025, 9, 1),
    )
    assert units_for(user).count() == 0
    assert units_for(user, on=datetime.date(2025, 8, 1)).grassroots().count() == 3


def test_scope_ignores_membership_when_it_starts_later(units):
    user = UserFactory()
    MembershipFactory(
        user=user, committee=committee_of(unit("6673")), start_date=datetime.date(2099, 1, 1)
    )
    assert units_for(user).count() == 0


def test_superuser_sees_every_unit(units):
    admin = UserFactory(is_superuser=True)
    assert units_for(admin).count() == AdministrativeUnit.objects.count()


def test_inactive_user_sees_nothing_when_deactivated(halong_officer):
    halong_officer.is_active = False
    assert units_for(halong_officer).count() == 0


def test_roles_combine_when_user_sits_in_two_committees(units, make_member):
    user = make_member(Role.WARD_OFFICER, unit("6673"))
    MembershipFactory(user=user, committee=committee_of(unit("6688")), role=Role.MEMBER)
    user = type(user).objects.get(pk=user.pk)  # fresh scope cache
    scope = user_scope(user)
    assert scope.roles_for(unit("6673").pk) == {Role.WARD_OFFICER}
    assert scope.roles_for(unit("6688").pk) == {Role.MEMBER}


def test_unit_scope_of_legacy_ward_follows_nothing_forward(units):
    """A former ward's own scope is itself (its committee ended with it)."""
    hong_ha = legacy("6697")
    assert unit_scope_ids(hong_ha.pk) == {hong_ha.pk}


def test_scope_query_count_is_constant_when_memberships_grow(
    units, make_member, django_assert_max_num_queries
):
    user = make_member(Role.WARD_OFFICER, unit("6673"))
    with django_assert_max_num_queries(8):
        user_scope(user)
    for code in ("6688", "6706", "6661"):
        MembershipFactory(user=user, committee=committee_of(unit(code)), role=Role.MEMBER)
    user = type(user).objects.get(pk=user.pk)
    # Two queries (memberships, successions) plus one per tree level and membership.
    with django_assert_max_num_queries(2 + 4 * 3):
        scope = user_scope(user)
    assert scope.covers(unit("6706").pk)
