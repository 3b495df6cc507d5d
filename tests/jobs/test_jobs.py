"""Background jobs: states and progress, scoping, failures, retention, downloads."""

import datetime
import importlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from communes.jobs.models import Job, JobKind, JobState
from communes.jobs.runner import run_job
from communes.jobs.services import cleanup_jobs
from communes.models import AccessKind, AccessLog, Role
from households.models import Household, Member
from households.tasks import confirm_import, import_check_task
from households.transfer import writing
from tests.conftest import unit
from tests.factories import HouseholdFactory
from tests.households.test_transfer_helpers import household, member, write_workbook

from .helpers import job_file, job_of

pytestmark = pytest.mark.django_db

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DATA_MIGRATIONS = [
    ("households.migrations.0002_load_standards", "load_standards"),
    ("plans.migrations.0002_catalogue", "load"),
]


@pytest.fixture(autouse=True)
def reference_data(db):
    """The standards, even after another file's transactional test flushed them on
    this worker (the loaders are idempotent)."""
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def private_imports(tmp_path, monkeypatch):
    from households.views import transfer

    monkeypatch.setattr(transfer, "IMPORT_DIR", tmp_path / "imports")


def _upload(client, tmp_path, rows, members=None):
    path = write_workbook(tmp_path / "ds.xlsx", rows, members)
    upload = SimpleUploadedFile("ds.xlsx", path.read_bytes())
    return client.post(
        reverse("households:import_upload"), {"unit": unit("6688").pk, "file": upload}
    )


def _export_job(client, **query):
    return job_of(client.get(reverse("households:household_export"), query))


# --- States and progress -------------------------------------------------------------


def test_upload_answers_with_a_queued_job_until_a_worker_takes_it(
    client, tmp_path, settings, halong_officer
):
    settings.TASKS = QUEUE
    client.force_login(halong_officer)

    response = _upload(client, tmp_path, [household()], [member()])

    job = job_of(response)
    assert (job.state, job.kind, job.unit, job.owner) == (
        JobState.QUEUED,
        JobKind.IMPORT_PREVIEW,
        unit("6688"),
        halong_officer,
    )
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.task_path == "households.tasks.import_check_task"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    page = client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content
    assert reverse("jobs:job_cancel", args=[job.pk]).encode() in page.content

    # The worker's turn: the task runs the check and records its progress.
    task.task.call(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert (job.rows_total, job.rows_read, job.rows_checked, job.rows_saved) == (2, 2, 2, 0)
    assert job.started_at <= job.finished_at and job.expires_at > job.finished_at
    assert job.percent == 100
    assert job.result["households"]["created"] == 1 and not job.result["problems"]
    assert not Household.objects.exists()


def test_polling_gets_the_status_block_alone_and_stops_when_done(client, halong_officer):
    HouseholdFactory(unit=unit("6688"), code="HL-1")
    client.force_login(halong_officer)
    job = _export_job(client, format="csv")

    fragment = client.get(
        reverse("jobs:job_detail", args=[job.pk]),
        headers={"HX-Request": "true", "HX-Target": "job-status"},
    )

    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="job-status"')
    assert "<html" not in body and "hx-trigger" not in body
    assert reverse("jobs:job_download", args=[job.pk]) in body


def test_progress_counts_rows_as_the_job_goes(halong_officer, tmp_path):
    job = Job.objects.create(
        owner=halong_officer, kind=JobKind.IMPORT, title="x", params={"path": "x"}
    )
    seen = []

    def work(job, progress):
        progress.total(30)
        for done in (10, 20, 30):
            progress.read(done)
            progress.flush(force=True)
            seen.append(Job.objects.get(pk=job.pk).percent)
        progress.checked(30)
        progress.saved(30)
        from communes.jobs.runner import JobOutput

        return JobOutput(result={"ok": True})

    assert run_job(job.pk, work) == JobState.DONE
    assert seen == [11, 22, 33]  # a third of the way once every row is read
    job.refresh_from_db()
    assert (job.rows_read, job.rows_checked, job.rows_saved, job.result) == (
        30,
        30,
        30,
        {"ok": True},
    )


def test_cancel_while_queued_and_the_worker_then_skips_it(
    client, tmp_path, settings, halong_officer
):
    settings.TASKS = QUEUE
    client.force_login(halong_officer)
    job = job_of(_upload(client, tmp_path, [household()]))

    response = client.post(reverse("jobs:job_cancel", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.finished_at
    assert import_check_task.call(job.pk) == JobState.CANCELLED
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.rows_read == 0
    page = client.get(reverse("jobs:job_detail", args=[job.pk]))
    assert reverse("jobs:job_cancel", args=[job.pk]).encode() not in page.content


def test_a_running_job_cannot_be_cancelled(client, halong_officer):
    job = Job.objects.create(
        owner=halong_officer, kind=JobKind.IMPORT, title="x", state=JobState.RUNNING
    )
    client.force_login(halong_officer)

    client.post(reverse("jobs:job_cancel", args=[job.pk]))

    job.refresh_from_db()
    assert job.state == JobState.RUNNING


def test_only_the_owner_cancels(client, settings, tmp_path, halong_officer, halong_head):
    settings.TASKS = QUEUE
    client.force_login(halong_officer)
    job = job_of(_upload(client, tmp_path, [household()]))
    client.force_login(halong_head)

    assert client.post(reverse("jobs:job_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


# --- Scoping ---------------------------------------------------------------------------


def test_job_pages_and_files_are_the_owners_and_their_heads(
    client, make_member, halong_officer, halong_head, halong_member, baichay_officer, city_head
):
    HouseholdFactory(unit=unit("6688"), code="HL-1", head__full_name="Lê Thị Riêng")
    client.force_login(halong_officer)
    job = _export_job(client, unit=unit("6688").pk, format="csv")
    detail = reverse("jobs:job_detail", args=[job.pk])
    assert "Lê Thị Riêng" in job_file(client, job).decode("utf-8-sig")

    client.force_login(halong_head)  # heads the ward's committee
    assert client.get(detail).status_code == 200
    assert job in client.get(reverse("jobs:job_list")).context["jobs"]
    job_file(client, job)
    for other in (halong_member, baichay_officer, city_head):
        client.force_login(other)
        assert client.get(detail).status_code == 404
        assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 404
        assert client.post(reverse("jobs:job_cancel", args=[job.pk])).status_code == 404
        assert job not in client.get(reverse("jobs:job_list")).context["jobs"]
    head_elsewhere = make_member(Role.WARD_HEAD, unit("6673"))
    client.force_login(head_elsewhere)
    assert client.get(detail).status_code == 404


def test_every_download_is_logged(client, halong_officer):
    HouseholdFactory(unit=unit("6688"), code="HL-1")
    client.force_login(halong_officer)
    job = _export_job(client, unit=unit("6688").pk)

    job_file(client, job)
    job_file(client, job)

    logs = AccessLog.objects.filter(kind=AccessKind.EXPORT)
    assert logs.count() == 2
    log = logs.first()
    assert (log.user, log.unit, log.rows, log.label) == (
        halong_officer,
        unit("6688"),
        1,
        "ho-gia-dinh-6688.xlsx",
    )
    assert log.detail["job"] == job.pk and log.detail["format"] == "xlsx"


# --- Failures ----------------------------------------------------------------------------


def test_failure_mid_import_saves_nothing_and_shows_the_error(
    client, tmp_path, monkeypatch, halong_officer
):
    client.force_login(halong_officer)
    rows = [household(f"HL-{i:03d}", head_citizen_id=f"02208000012{i}") for i in range(1, 4)]
    check = job_of(_upload(client, tmp_path, rows))
    assert check.result["households"]["created"] == 3 and not check.result["problems"]
    original = writing.ImportWriter.write

    def write_then_break(self):
        original(self)  # every row written inside the transaction...
        assert Household.objects.count() == 3
        raise RuntimeError("disk full")  # ...then the import breaks before its end

    monkeypatch.setattr(writing.ImportWriter, "write", write_then_break)

    job = job_of(client.post(reverse("households:import_preview", args=[check.params["token"]])))

    assert job.state == JobState.FAILED, job.result
    assert f"no. {job.pk}" in job.error or str(job.pk) in job.error
    assert not Household.objects.exists() and not Member.objects.exists()
    assert not AccessLog.objects.filter(kind=AccessKind.IMPORT).exists()
    page = client.get(reverse("jobs:job_detail", args=[job.pk]))
    assert job.error.encode() in page.content
    assert b"alert-danger" in page.content
    assert not job.result_file


def test_a_file_removed_before_the_job_runs_fails_clearly(halong_officer, tmp_path):
    job = Job.objects.create(
        owner=halong_officer,
        unit=unit("6688"),
        kind=JobKind.IMPORT,
        title="ds.xlsx",
        params={"path": str(tmp_path / "gone.xlsx"), "file_name": "ds.xlsx", "token": "0" * 64},
    )

    assert run_job(job.pk, confirm_import) == JobState.FAILED

    job.refresh_from_db()
    assert "upload it again" in job.error or "tải lên lại" in job.error


# --- Retention -------------------------------------------------------------------------


def test_cleanup_deletes_result_files_past_their_retention(client, halong_officer, job_files):
    HouseholdFactory(unit=unit("6688"), code="HL-1")
    client.force_login(halong_officer)
    old, recent = _export_job(client, format="csv"), _export_job(client, format="csv")
    old_path = old.result_file.path
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    counts = cleanup_jobs()

    assert counts["files"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.has_file and old.file_deleted_at and old.result == {}
    assert not (job_files / old_path).exists() and not __import__("os").path.exists(old_path)
    assert recent.has_file and __import__("os").path.exists(recent.result_file.path)
    assert client.get(reverse("jobs:job_download", args=[old.pk])).status_code == 404
    page = client.get(reverse("jobs:job_detail", args=[old.pk]))
    assert b"bi-download" not in page.content
    job_file(client, recent)


def test_cleanup_forgets_old_jobs_and_the_command_reports(halong_officer):
    job = Job.objects.create(
        owner=halong_officer, kind=JobKind.IMPORT, title="x", state=JobState.DONE
    )
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=91))
    out = io.StringIO()

    call_command("cleanup_jobs", stdout=out)

    assert not Job.objects.exists()
    assert "1 old jobs forgotten" in out.getvalue()


def test_retention_follows_the_setting(client, settings, halong_officer):
    settings.JOB_RESULT_RETENTION_HOURS = 5
    client.force_login(halong_officer)

    job = _export_job(client, format="csv")

    assert job.expires_at - job.finished_at == datetime.timedelta(hours=5)


def test_a_task_lost_by_its_worker_fails_its_job(client, settings, tmp_path, halong_officer):
    settings.TASKS = QUEUE
    client.force_login(halong_officer)
    job = job_of(_upload(client, tmp_path, [household()]))
    from django_tasks_db.models import DBTaskResult

    # The worker could not run the task at all (e.g. killed, or the code was gone).
    DBTaskResult.objects.get(pk=job.task_id).set_failed(ImportError("gone"))

    page = client.get(reverse("jobs:job_detail", args=[job.pk]))

    job.refresh_from_db()
    assert job.state == JobState.FAILED and str(job.pk) in job.error
    assert b"alert-danger" in page.content


@pytest.mark.parametrize(
    ("kind", "counts", "percent"),
    [
        (JobKind.IMPORT_PREVIEW, {"rows_read": 40, "rows_checked": 10}, 62),
        (JobKind.IMPORT, {"rows_read": 40, "rows_checked": 20, "rows_saved": 0}, 50),
        (JobKind.HOUSEHOLD_EXPORT, {"rows_read": 10}, 25),
        (JobKind.ANNUAL_REPORT, {"rows_read": 40, "rows_saved": 0}, 50),
    ],
)
def test_percent_counts_the_steps_of_each_kind(halong_officer, kind, counts, percent):
    job = Job(owner=halong_officer, kind=kind, state=JobState.RUNNING, rows_total=40, **counts)
    assert job.percent == percent
    job.rows_total = None
    assert job.percent is None
