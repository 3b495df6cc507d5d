"""A real ``db_worker`` process runs the jobs: from the upload page to the finished files.

The worker is a separate process started with ``manage.py db_worker --batch``
(it runs what is queued, then exits) against the test database: on
PostgreSQL the test database itself; on SQLite, whose test database lives in
this process's memory, a file copy of it that is copied back once the worker
is done (SQLite's online backup, both ways).
"""

from __future__ import annotations

import importlib
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from communes.jobs.models import JobKind, JobState
from households.models import Household
from tests.conftest import unit
from tests.households.test_transfer_helpers import household, member, write_workbook

from .helpers import job_file, job_of

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DATA_MIGRATIONS = [
    ("households.migrations.0002_load_standards", "load_standards"),
    ("plans.migrations.0002_catalogue", "load"),
]


@pytest.fixture(autouse=True)
def queue(settings, tmp_path, monkeypatch):
    """The real queue, uploads in the test's directory, reference data present
    (a transactional test starts after another's flush)."""
    from django.apps import apps

    from households.views import transfer

    settings.TASKS = QUEUE
    monkeypatch.setattr(transfer, "IMPORT_DIR", tmp_path / "imports")
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def _database_url(work_dir: Path) -> tuple[str, Path | None]:
    """A URL the worker can open for the test database, and the SQLite copy if any."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        return f"postgres://{auth}@{host}/{db['NAME']}", None
    name = str(db["NAME"])
    if "mode=memory" in name or name == ":memory:":
        copy = work_dir / "worker.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}", copy
    return f"sqlite:///{name}", None


def run_worker(job_files: Path, work_dir: Path) -> str:
    """Run every queued job in a ``db_worker`` process; its output."""
    url, copy = _database_url(work_dir)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "JOB_FILES_DIR": str(job_files),
        "TASKS_BACKEND": "database",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DJANGO_SETTINGS_MODULE": "halong.settings",
    }
    env.pop("DEBUG", None)
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
    command += ["--no-startup-delay", "--interval", "0"]
    done = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    if copy is not None:
        with sqlite3.connect(copy) as source:
            source.backup(connection.connection)
    return done.stdout + done.stderr


def test_worker_process_runs_the_import_the_report_and_the_export(
    client, tmp_path, job_files, halong_officer, city_staff
):
    client.force_login(halong_officer)
    path = write_workbook(tmp_path / "ds.xlsx", [household()], [member()])
    upload = SimpleUploadedFile("ds.xlsx", path.read_bytes())

    response = client.post(
        reverse("households:import_upload"), {"unit": unit("6688").pk, "file": upload}
    )

    check = job_of(response)
    assert check.state == JobState.QUEUED
    output = run_worker(job_files, tmp_path)
    assert "import_check_task" in output
    check.refresh_from_db()
    assert (check.state, check.rows_read, check.rows_checked) == (JobState.DONE, 2, 2)
    preview = client.get(response["Location"])
    assert b"bi-check-lg" in preview.content

    # The officer confirms; meanwhile a city user asks for the annual report workbook.
    imported = job_of(
        client.post(reverse("households:import_preview", args=[check.params["token"]]))
    )
    city = client.__class__()
    city.force_login(city_staff)
    report = job_of(
        city.get(
            reverse("report_download"),
            {"year": 2025, "unit": unit("6688").pk, "format": "xlsx"},
        )
    )
    assert imported.state == report.state == JobState.QUEUED
    assert not Household.objects.exists()

    run_worker(job_files, tmp_path)

    imported.refresh_from_db()
    report.refresh_from_db()
    assert (imported.state, imported.rows_saved) == (JobState.DONE, 2), imported.error
    assert Household.objects.get().code == "HL-001"
    assert report.state == JobState.DONE, report.error
    workbook = openpyxl.load_workbook(io.BytesIO(job_file(city, report)))
    assert workbook.sheetnames

    export = job_of(client.get(reverse("households:household_export"), {"format": "xlsx"}))
    assert export.kind == JobKind.HOUSEHOLD_EXPORT and export.state == JobState.QUEUED
    run_worker(job_files, tmp_path)
    export.refresh_from_db()
    assert export.state == JobState.DONE, export.error
    rows = list(
        openpyxl.load_workbook(io.BytesIO(job_file(client, export)))["households"].iter_rows(
            values_only=True
        )
    )
    assert [row[0] for row in rows[1:]] == ["HL-001"]
