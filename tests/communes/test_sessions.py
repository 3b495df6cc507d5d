"""Signed-in sessions: seen and ended by their user, a head, or by disabling the account."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from communes.models import Membership, UserSession

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-passw0rd"


def _signed_in(user) -> Client:
    if not user.check_password(PASSWORD):  # (a new password would end the other sessions)
        user.set_password(PASSWORD)
        user.save()
    client = Client(HTTP_USER_AGENT="Firefox test")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_a_user_sees_their_sessions_and_ends_another_one(halong_officer):
    laptop, phone = _signed_in(halong_officer), _signed_in(halong_officer)

    page = laptop.get(reverse("communes:session_list"))
    sessions = page.context["sessions"]
    assert len(sessions) == 2 and sum(s.is_current for s in sessions) == 1
    other = next(s for s in sessions if not s.is_current)
    laptop.post(reverse("communes:session_list"), {"session": other.session_key})

    assert _in(laptop) and not _in(phone)
    assert not Session.objects.filter(session_key=other.session_key).exists()


def test_end_all_other_sessions_keeps_this_one(halong_officer):
    laptop, phone, tablet = (_signed_in(halong_officer) for _ in range(3))

    laptop.post(reverse("communes:session_list"), {"action": "others"})

    assert _in(laptop) and not _in(phone) and not _in(tablet)


def test_another_users_session_cannot_be_ended_from_ones_own_page(halong_officer, halong_member):
    theirs = _signed_in(halong_member)
    mine = _signed_in(halong_officer)
    key = UserSession.objects.get(user=halong_member).session_key

    mine.post(reverse("communes:session_list"), {"session": key})

    assert _in(theirs)


def test_a_head_signs_a_member_out_everywhere(halong_head, halong_member):
    member_client = _signed_in(halong_member)
    head = _signed_in(halong_head)
    membership = Membership.objects.get(user=halong_member)

    response = head.post(reverse("communes:membership_sessions_end", args=[membership.pk]))

    assert response.status_code == 302 and not _in(member_client) and _in(head)


def test_an_officer_cannot_sign_others_out(halong_officer, halong_member):
    member_client = _signed_in(halong_member)
    officer = _signed_in(halong_officer)
    membership = Membership.objects.get(user=halong_member)

    response = officer.post(reverse("communes:membership_sessions_end", args=[membership.pk]))

    assert response.status_code == 403 and _in(member_client)


def test_disabling_an_account_ends_its_sessions_at_once(halong_member):
    member_client = _signed_in(halong_member)

    halong_member.is_active = False
    halong_member.save()

    assert not UserSession.objects.filter(user=halong_member).exists()
    assert not _in(member_client)


def test_signing_out_forgets_the_session(halong_member):
    client = _signed_in(halong_member)

    client.post(reverse("logout"))

    assert not UserSession.objects.filter(user=halong_member).exists()
