"""Lockout per username + address, session limits, CSP without inline code, error pages."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from halong.middleware import SESSION_STARTED_KEY
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _fail(client: Client, username: str, ip: str):
    return client.post(
        reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_lockout_is_per_username_and_address(halong_officer, halong_head):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, halong_officer.username, "10.0.0.1")
    locked = client.post(
        reverse("login"),
        {"username": halong_officer.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # A colleague in the same ward office (same address) still logs in.
    colleague = Client()
    response = colleague.post(
        reverse("login"),
        {"username": halong_head.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    # The same user from another address is not locked either.
    elsewhere = Client()
    response = elsewhere.post(
        reverse("login"),
        {"username": halong_officer.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username=halong_officer.username).count() == 1


def test_lockout_and_session_settings():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours: 15 minutes
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_session_ends_after_the_absolute_lifetime(client, halong_officer):
    client.force_login(halong_officer)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302  # logged out for good


@pytest.mark.django_db
def test_idle_session_expires(client, halong_officer):
    client.force_login(halong_officer)
    client.get(reverse("home"))
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


TAG_SCRIPT_INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["']""", re.I)


@pytest.mark.parametrize("path", sorted((ROOT / "templates").rglob("*.html")), ids=str)
def test_templates_have_no_inline_script_or_style(path):
    text = re.sub(r"\{#.*?#\}", "", path.read_text())
    text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
    assert not TAG_SCRIPT_INLINE.search(text), "inline <script>"
    assert not INLINE_HANDLER.search(text), "inline event handler"
    assert not INLINE_STYLE.search(text), "inline style attribute"


@pytest.mark.django_db
def test_csp_forbids_inline_code(client, halong_officer):
    client.force_login(halong_officer)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_error_pages_leak_nothing(client, halong_officer):
    client.force_login(halong_officer)
    response = client.get("/households/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Traceback" not in page and "households/<int" not in page
    assert "URLconf" not in page and "SECRET_KEY" not in page


@pytest.mark.django_db
def test_server_error_page_is_generic(client, halong_officer, monkeypatch):
    from halong import views

    def boom(request):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(views.dashboard, "dashboard_scope", boom)
    client.raise_request_exception = False
    client.force_login(halong_officer)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    assert "secret detail" not in response.content.decode()


def test_check_deploy_is_clean_in_production():
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "k" * 60 + "-not-a-real-key-#%&",
        "DJANGO_ENV": "production",
        "ALLOWED_HOSTS": "halong.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
