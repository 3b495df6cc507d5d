"""Settings are driven by the environment and safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings module in a clean interpreter with ``env``."""
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({'DEBUG': s.DEBUG, 'ENGINE': s.DATABASES['default']['ENGINE'],"
        "'NAME': str(s.DATABASES['default']['NAME']), 'HSTS': s.SECURE_HSTS_SECONDS,"
        "'SECURE_COOKIE': s.SESSION_COOKIE_SECURE, 'HOSTS': s.ALLOWED_HOSTS}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ENV", "ALLOWED_HOSTS")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "halong.settings", **env},
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_start_when_secret_key_missing_and_debug_off():
    result = load_settings()
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_settings_default_to_sqlite_under_var_when_no_database_url():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert '"ENGINE": "django.db.backends.sqlite3"' in result.stdout
    assert str(ROOT / "var" / "halong.sqlite3") in result.stdout
    assert '"DEBUG": true' in result.stdout


def test_settings_use_postgresql_when_database_url_given():
    result = load_settings(SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@db:5432/halong")
    assert '"ENGINE": "django.db.backends.postgresql"' in result.stdout
    assert '"DEBUG": false' in result.stdout


def test_production_forces_https_settings_and_debug_off():
    result = load_settings(
        SECRET_KEY="x" * 50, DJANGO_ENV="production", DEBUG="1", ALLOWED_HOSTS="a.example"
    )
    assert result.returncode == 0, result.stderr
    assert '"DEBUG": false' in result.stdout
    assert '"HSTS": 31536000' in result.stdout
    assert '"SECURE_COOKIE": true' in result.stdout
    assert '"HOSTS": ["a.example"]' in result.stdout


def test_vietnamese_is_default_language_with_english_available():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_passwords_are_hashed_with_argon2():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_new_password_hash_is_argon2(django_user_model):
    user = django_user_model.objects.create_user("a", password="pw-for-tests-1")
    assert user.password.startswith("argon2")
