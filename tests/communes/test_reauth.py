"""Re-authentication before named exports and past a burst of citizen ID reveals."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from communes.jobs.models import Job
from communes.models import AccessKind, AccessLog
from communes.reauth import SESSION_KEY
from tests.conftest import unit
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-passw0rd"


@pytest.fixture
def officer_client(client, halong_officer):
    halong_officer.set_password(PASSWORD)
    halong_officer.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(halong_officer)
    return client


def _age_sign_in(client, seconds=16 * 60):
    session = client.session
    session[SESSION_KEY] = time.time() - seconds
    session.save()


def _export_url():
    return reverse("households:household_export") + f"?unit={unit('6688').pk}&format=csv"


def _export_started(response) -> bool:
    """The export runs as a background job: its page follows."""
    return response.status_code == 302 and response["Location"].startswith("/jobs/")


def test_a_fresh_sign_in_exports_at_once(officer_client):
    assert _export_started(officer_client.get(_export_url()))


def test_an_export_sixteen_minutes_after_sign_in_asks_for_the_password(officer_client):
    _age_sign_in(officer_client)

    response = officer_client.get(_export_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauthenticate"))
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()
    assert not Job.objects.exists()
    confirm = response["Location"]
    wrong = officer_client.post(confirm, {"password": "nope", "next": _export_url()})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    right = officer_client.post(confirm, {"password": PASSWORD, "next": _export_url()})
    assert right.status_code == 302 and right["Location"] == _export_url()
    assert _export_started(officer_client.get(_export_url()))


def test_reveals_past_the_burst_need_the_password_and_refusals_are_logged(
    officer_client, halong_officer, settings
):
    settings.REVEAL_BURST = 3
    household = HouseholdFactory(unit=unit("6688"))
    member = MemberFactory(household=household, citizen_id="022185009876", sex="female")
    url = reverse("households:member_citizen_id", args=[member.pk])
    _age_sign_in(officer_client)

    for _ in range(3):
        assert officer_client.post(url).status_code == 200
    refused = officer_client.post(url)
    htmx = officer_client.post(url, headers={"HX-Request": "true"})

    assert refused.status_code == 302 and refused["Location"].startswith(reverse("reauthenticate"))
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(reverse("reauthenticate"))
    reveals = AccessLog.objects.filter(kind=AccessKind.REVEAL_CITIZEN_ID, user=halong_officer)
    assert reveals.filter(detail__refused=True).count() == 2
    assert reveals.count() == 5

    officer_client.post(reverse("reauthenticate"), {"password": PASSWORD})
    assert b"022185009876" in officer_client.post(url).content
