"""Household event pages: form → confirmation → all-or-nothing write; moves decided by the receiver."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from communes.models import Role
from households.models import (
    Household,
    HouseholdEvent,
    HouseholdTransfer,
    Member,
    Relation,
    TransferStatus,
)
from tests.conftest import unit
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

DAY = "2026-03-01"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def login(user) -> Client:
    """A client signed in as ``user``, speaking English (the site defaults to Vietnamese)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def family(units):
    household = HouseholdFactory(unit=unit("6688"), code="HL-1", head__full_name="Đức")
    nam = MemberFactory(household=household, full_name="Nam Con Trai", birth_year=2000)
    return household, nam


def test_split_shows_the_changes_before_saving(halong_officer, family):
    household, nam = family
    client = login(halong_officer)
    url = reverse("households:event_split", args=[household.pk])
    data = {
        "members": [nam.pk],
        "new_head": nam.pk,
        "code": "HL-2",
        "on": DAY,
        "version": household.version,
    }
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "What will change" in body and "New household HL-2" in body
    assert Household.objects.count() == 1

    response = client.post(url, data | {"confirm": "1"})
    new = Household.objects.get(code="HL-2")
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.head.full_name == "Nam Con Trai"

    page = client.get(household.get_absolute_url()).content.decode()
    assert "Members left to form a new household" in page and "HL-2" in page


def test_split_without_a_head_for_the_original_shows_the_error(halong_officer, family):
    household, nam = family
    client = login(halong_officer)
    response = client.post(
        reverse("households:event_split", args=[household.pk]),
        {
            "members": [household.head_id],
            "new_head": household.head_id,
            "code": "HL-2",
            "on": DAY,
            "confirm": "1",
        },
    )
    assert response.status_code == 200
    assert "would be left without a head" in response.content.decode()
    assert Household.objects.count() == 1


def test_member_cannot_open_the_event_forms(halong_member, family):
    household, nam = family
    household.assigned_to = halong_member
    household.save()
    client = login(halong_member)
    assert client.get(reverse("households:event_split", args=[household.pk])).status_code == 403


def test_move_proposed_then_accepted_by_the_receiving_head(
    baichay_officer, halong_head, units, make_member
):
    household = HouseholdFactory(unit=unit("6673"), code="BC-5", head__full_name="Hùng Chuyển")
    sender = login(baichay_officer)
    url = reverse("households:transfer_propose", args=[household.pk])
    data = {"to_unit": unit("6688").pk, "moving_on": DAY, "reason": "Chuyển nhà"}
    assert "What will change" in sender.post(url, data).content.decode()
    response = sender.post(url, data | {"confirm": "1"})
    transfer = HouseholdTransfer.objects.get()
    assert response["Location"] == transfer.get_absolute_url()

    receiver = login(halong_head)
    # Not yet theirs: the household page is another ward's.
    assert receiver.get(household.get_absolute_url()).status_code == 404
    detail = receiver.get(transfer.get_absolute_url()).content.decode()
    assert "Hùng Chuyển" in detail and "Accept the household" in detail
    officer = login(make_member(Role.WARD_OFFICER, unit("6688")))
    assert officer.get(reverse("households:transfer_accept", args=[transfer.pk])).status_code == 403

    accept = reverse("households:transfer_accept", args=[transfer.pk])
    response = receiver.post(accept, {"code": "HL-50", "confirm": "1"})
    household.refresh_from_db()
    assert response["Location"] == household.get_absolute_url()
    assert household.unit == unit("6688") and household.code == "HL-50"
    assert receiver.get(household.get_absolute_url()).status_code == 200
    assert sender.get(household.get_absolute_url()).status_code == 404
    # The sending ward still sees the move it proposed.
    assert "Accepted" in sender.get(transfer.get_absolute_url()).content.decode()


def test_refusal_needs_a_reason(baichay_officer, halong_head, units):
    household = HouseholdFactory(unit=unit("6673"))
    transfer = HouseholdTransfer.objects.create(
        household=household,
        from_unit=household.unit,
        to_unit=unit("6688"),
        moving_on=datetime.date(2026, 3, 1),
        reason="x",
    )
    client = login(halong_head)
    url = reverse("households:transfer_refuse", args=[transfer.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    client.post(url, {"reason": "Không thuộc địa bàn"})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED


def test_birth_is_recorded_from_the_household_page(halong_officer, family):
    household, nam = family
    client = login(halong_officer)
    response = client.post(
        reverse("households:event_member_joining", args=[household.pk]),
        {
            "kind": "member_born",
            "on": DAY,
            "full_name": "Bé Mới",
            "sex": "female",
            "ethnicity": "Kinh",
            "relation": Relation.GRANDCHILD,
        },
    )
    assert response.status_code == 302
    baby = Member.objects.get(full_name="Bé Mới")
    assert baby.birth_year == 2026 and baby.joined_on == datetime.date(2026, 3, 1)
    assert HouseholdEvent.objects.get().member == baby
