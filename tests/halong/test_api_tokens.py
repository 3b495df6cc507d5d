"""Personal API tokens: created hashed and shown once, listed, revoked, expiring, throttled."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from halong.api.models import ApiToken
from halong.api.tokens import token_create
from tests.conftest import unit
from tests.factories import HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Token {raw}"})


def test_token_stored_as_sha256_digest_only(halong_officer):
    token, raw = token_create(user=halong_officer, name="sync")
    assert raw.startswith(f"hl_{token.prefix}_")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in repr(list(ApiToken.objects.values_list()))


def test_token_expires_in_90_days_by_default(halong_officer):
    token, _raw = token_create(user=halong_officer, name="sync")
    days = (token.expires_at - timezone.now()).total_seconds() / 86400
    assert 89.99 < days <= 90


def test_token_refused_when_days_out_of_range(halong_officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        token_create(user=halong_officer, name="sync", days=400)
    assert "days" in error.value.error_dict
    assert not ApiToken.objects.exists()


def test_token_authenticates_and_records_last_use(halong_officer):
    token, raw = token_create(user=halong_officer, name="sync")
    response = api(raw).get(HOUSEHOLDS, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_ip == "10.1.2.3"
    assert timezone.now() - token.last_used_at < datetime.timedelta(seconds=5)


def test_bearer_keyword_accepted(halong_officer):
    _token, raw = token_create(user=halong_officer, name="sync")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(HOUSEHOLDS).status_code == 200


@pytest.mark.parametrize(
    "spoil",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: "hl_ffffffff_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: "garbage",
    ],
)
def test_invalid_token_is_401(halong_officer, spoil):
    _token, raw = token_create(user=halong_officer, name="sync")
    response = api(spoil(raw)).get(HOUSEHOLDS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


def test_expired_token_is_401(halong_officer):
    token, raw = token_create(user=halong_officer, name="sync")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = api(raw).get(HOUSEHOLDS)
    assert response.status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None


def test_revoked_token_is_401(halong_officer):
    token, raw = token_create(user=halong_officer, name="sync")
    assert api(raw).get(HOUSEHOLDS).status_code == 200
    client = Client()
    client.force_login(halong_officer)
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api(raw).get(HOUSEHOLDS).status_code == 401


def test_token_of_disabled_user_is_401(halong_officer):
    _token, raw = token_create(user=halong_officer, name="sync")
    halong_officer.is_active = False
    halong_officer.save()
    assert api(raw).get(HOUSEHOLDS).status_code == 401


def test_revoking_another_users_token_is_404(halong_officer, baichay_officer):
    token, raw = token_create(user=baichay_officer, name="theirs")
    client = Client()
    client.force_login(halong_officer)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api(raw).get(HOUSEHOLDS).status_code == 200


def test_token_page_shows_new_token_once_and_lists_own_only(halong_officer, baichay_officer):
    token_create(user=baichay_officer, name="Bai Chay script")
    client = Client()
    client.force_login(halong_officer)
    response = client.post(reverse("api:token_list"), {"name": "Provincial sync", "days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=halong_officer)
    raw = response.context["created"]["raw"]
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw in response.content.decode()
    assert 29.9 < (token.expires_at - timezone.now()).total_seconds() / 86400 <= 30
    page = client.get(reverse("api:token_list")).content.decode()
    assert "Provincial sync" in page and f"hl_{token.prefix}_" in page
    assert raw not in page
    assert "Bai Chay script" not in page


def test_token_page_refuses_blank_name(halong_officer):
    client = Client()
    client.force_login(halong_officer)
    response = client.post(reverse("api:token_list"), {"name": " ", "days": 30})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_command_prints_token_alone_on_last_line(halong_officer, units):
    HouseholdFactory(unit=unit("6688"))
    out = StringIO()
    call_command("create_api_token", halong_officer.username, "--days", "7", stdout=out)
    raw = out.getvalue().splitlines()[-1]
    token = ApiToken.objects.get(user=halong_officer)
    assert raw == raw.strip() and raw.startswith(f"hl_{token.prefix}_")
    assert 6.9 < (token.expires_at - timezone.now()).total_seconds() / 86400 <= 7
    response = api(raw).get(HOUSEHOLDS)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_command_refuses_unknown_user(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody")
    assert not ApiToken.objects.exists()


def test_rate_limit_per_token_is_429(halong_officer, settings):
    settings.API_THROTTLE_RATES = {"burst": "3/minute", "sustained": "100/day"}
    _token, raw = token_create(user=halong_officer, name="a")
    _other, other_raw = token_create(user=halong_officer, name="b")
    client = api(raw)
    assert [client.get(HOUSEHOLDS).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(HOUSEHOLDS)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    # The limit is per token.
    assert api(other_raw).get(HOUSEHOLDS).status_code == 200


def test_anonymous_api_request_is_401_not_a_redirect(db):
    response = Client().get(HOUSEHOLDS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_session_post_without_csrf_token_refused(halong_officer, units):
    client = Client(enforce_csrf_checks=True)
    client.force_login(halong_officer)
    household = HouseholdFactory(unit=unit("6688"))
    response = client.post(
        f"/api/v1/households/{household.pk}/support/", {}, content_type="application/json"
    )
    assert response.status_code == 403


def test_superuser_token_reads_every_unit(db):
    admin = UserFactory(is_superuser=True, is_staff=True)
    _token, raw = token_create(user=admin, name="admin")
    assert api(raw).get("/api/v1/units/").status_code == 200
