"""The dashboard's cache receivers are connected by ``HalongConfig.ready()``: every
process refreshes it, including management commands such as ``import_households``."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from halong import dashboard
from households.models import Assessment
from tests.households.test_transfer_helpers import household, member, write_workbook

ROOT = Path(__file__).resolve().parents[2]


def generation() -> int | None:
    return cache.get(dashboard._GENERATION_KEY)


def test_setting_up_django_alone_connects_the_dashboard_receivers():
    """A fresh process that never imports ``halong.dashboard`` itself (as a command)."""
    probe = (
        "import django; django.setup(); "
        "from django.db.models.signals import post_save; "
        "from households.models import Assessment; "
        "from households.signals import register_bulk_changed; "
        "import sys; "
        "print(sorted(m for m in sys.modules if m == 'halong.dashboard'), "
        "post_save.has_listeners(Assessment), register_bulk_changed.has_listeners())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "halong.settings",
        "SECRET_KEY": "test-secret-key-not-for-production",
    }
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()

    assert output == "['halong.dashboard'] True True"


@pytest.mark.django_db
def test_import_households_command_starts_a_new_dashboard_generation(
    tmp_path, halong_officer, django_capture_on_commit_callbacks
):
    path = write_workbook(tmp_path / "households.xlsx", [household()], [member()])
    cache.set(dashboard._GENERATION_KEY, 7, None)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_households", str(path), "--user", halong_officer.username)

    assert Assessment.objects.filter(household__code="HL-001").exists()
    assert generation() > 7


@pytest.mark.django_db
def test_dry_run_of_the_command_keeps_the_generation(
    tmp_path, halong_officer, django_capture_on_commit_callbacks
):
    path = write_workbook(tmp_path / "households.xlsx", [household()], [member()])
    cache.set(dashboard._GENERATION_KEY, 7, None)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_households", str(path), "--user", halong_officer.username, "--dry-run")

    assert not Assessment.objects.exists()
    assert generation() == 7
