"""seed_demo creates the demo logins, committees and villages, idempotently."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from communes.models import AdministrativeUnit, Membership, Role, SteeringCommittee, UnitKind
from communes.selectors import units_for

pytestmark = pytest.mark.django_db

LOGINS = [
    "admin",
    "city.head",
    "city.staff",
    "halong.head",
    "halong.officer",
    "halong.member",
    "baichay.head",
    "baichay.officer",
    "baichay.member",
]


def run_seed(*args) -> str:
    out = io.StringIO()
    # Households are seeded (and tested) in tests/households/test_demo.py.
    call_command("seed_demo", "--without-households", *args, stdout=out)
    return out.getvalue()


def table_counts() -> tuple[int, ...]:
    return (
        AdministrativeUnit.objects.count(),
        SteeringCommittee.objects.count(),
        Membership.objects.count(),
    )


def test_seed_demo_prints_every_login_and_they_work():
    output = run_seed("--password", "pw-demo-123")
    for username in LOGINS:
        assert username in output
        user = get_user_model().objects.get(username=username)
        assert user.check_password("pw-demo-123")


def test_seed_demo_changes_nothing_when_run_twice():
    run_seed()
    before = table_counts()
    run_seed()
    assert table_counts() == before


def test_seed_demo_gives_each_login_its_role_and_ward():
    run_seed()
    officer = Membership.objects.get(user__username="halong.officer")
    assert (officer.role, officer.committee.unit.name, officer.committee.unit.code) == (
        Role.WARD_OFFICER,
        "Phường Hạ Long",
        "6688",
    )
    assert Membership.objects.get(user__username="baichay.head").role == Role.WARD_HEAD
    city = Membership.objects.get(user__username="city.staff").committee.unit
    assert (city.kind, city.code) == (UnitKind.CITY, "193")


def test_seed_demo_creates_villages_for_every_ward_of_the_city():
    run_seed()
    city_staff = get_user_model().objects.get(username="city.staff")
    wards = units_for(city_staff).grassroots()
    assert wards.count() == 46
    assert not wards.exclude(children__kind=UnitKind.VILLAGE).exists()
