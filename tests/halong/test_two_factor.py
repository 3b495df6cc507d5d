"""Two-factor sign-in: required for heads, city roles and administrators, optional otherwise."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-passw0rd"


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def _login(user) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrol(client) -> TOTPDevice:
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    answer = client.post(reverse("two_factor_setup"), {"token": _code(device)})
    assert answer.status_code == 200 and len(answer.context["codes"]) == 10
    return TOTPDevice.objects.get(pk=device.pk)


@pytest.mark.parametrize("who", ["halong_head", "city_staff", "city_head"])
def test_heads_and_city_roles_must_enrol_before_any_page(request, who):
    client = _login(request.getfixturevalue(who))

    response = client.get(reverse("households:household_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_administrators_must_enrol_before_the_admin(units):
    client = _login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get(reverse("admin:index"))

    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_officers_may_sign_in_without_a_second_factor(halong_officer):
    client = _login(halong_officer)

    assert client.get(reverse("households:household_list")).status_code == 200


def test_enrolment_shows_a_qr_code_then_recovery_codes_and_opens_the_site(halong_head):
    client = _login(halong_head)
    page = client.get(reverse("two_factor_setup"))
    assert b"<svg" in page.content and page.context["secret"]
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    # django-otp slows down the next try after a wrong code; skip the wait.
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)

    device = _enrol(client)

    assert device.confirmed and device.user == halong_head
    assert StaticToken.objects.filter(device__user=halong_head).count() == 10
    assert client.get(reverse("households:household_list")).status_code == 200


def test_next_sign_in_asks_for_the_code(halong_head):
    device = _enrol(_login(halong_head))
    client = _login(halong_head)

    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))
    assert client.post(reverse("two_factor_verify"), {"token": "123456"}).status_code == 200
    assert client.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()
    assert client.post(reverse("two_factor_verify"), {"token": _code(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_works_once(halong_head):
    first = _login(halong_head)
    first.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    codes = first.post(reverse("two_factor_setup"), {"token": _code(device)}).context["codes"]

    client = _login(halong_head)
    assert client.post(reverse("two_factor_verify"), {"token": codes[0]}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    again = _login(halong_head)
    assert again.post(reverse("two_factor_verify"), {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=halong_head).count() == 9


def test_recovery_codes_cannot_be_renewed_before_the_second_step(halong_head):
    _enrol(_login(halong_head))
    client = _login(halong_head)

    response = client.post(reverse("two_factor_manage"), {"action": "codes"})

    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert StaticToken.objects.filter(device__user=halong_head).count() == 10


def test_required_second_factor_cannot_be_turned_off(halong_head):
    client = _login(halong_head)
    _enrol(client)

    client.post(reverse("two_factor_manage"), {"action": "disable"})

    assert TOTPDevice.objects.filter(user=halong_head, confirmed=True).exists()


def test_optional_second_factor_can_be_turned_off(halong_officer):
    client = _login(halong_officer)
    _enrol(client)

    client.post(reverse("two_factor_manage"), {"action": "disable"})

    assert not TOTPDevice.objects.filter(user=halong_officer).exists()
    assert client.get(reverse("households:household_list")).status_code == 200


def test_lockout_stays_per_username_and_address(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert "halong.twofactor.TwoFactorMiddleware" in settings.MIDDLEWARE


def test_the_demo_says_how_to_enrol(units):
    out = io.StringIO()

    call_command("seed_demo", "--without-households", stdout=out)

    assert "Two-factor sign-in" in out.getvalue() and "QR code" in out.getvalue()
