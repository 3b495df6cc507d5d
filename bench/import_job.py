"""Benchmark of the import check as a background job: from the upload to the preview.

    .venv/bin/python bench/import_job.py [--households 10000]

The upload page is posted (Django's test client), a real ``manage.py
db_worker`` process runs the job, and the job page is polled as htmx does
until the preview is ready. Prints that time beside the dry run of the same
file called directly, so the difference is what the job costs (queue,
progress writes, polling). Without DATABASE_URL a throwaway SQLite file is
used; with it, the benchmark's job and user are deleted at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_households import ROOT, setup_django, write_workbook  # noqa: E402

POLL_SECONDS = 1.0  # the job page's htmx polling interval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["TASKS_BACKEND"] = "database"
    throwaway = setup_django()

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from communes.jobs.models import Job
    from communes.models import AdministrativeUnit
    from communes.unit_loading import load_units
    from households.models import PovertyStandard
    from households.transfer.importing import import_households
    from households.transfer.reading import open_table

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    load_units()
    user, _created = get_user_model().objects.get_or_create(
        username="bench-job-importer", defaults={"is_superuser": True, "is_staff": True}
    )
    ward = AdministrativeUnit.objects.grassroots().get(code="6688", valid_to__isnull=True)
    indicators = list(
        PovertyStandard.national_for(2025)
        .indicators.order_by("order")
        .values_list("code", flat=True)
    )
    work = Path(tempfile.mkdtemp(prefix="halong-bench-job-"))
    path = work / "households.xlsx"
    write_workbook(path, args.households, 3, indicators)
    env = {**os.environ, "JOB_FILES_DIR": str(work / "jobs")}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2", "-v", "0"],
        cwd=ROOT,
        env=env,
    )
    client = Client()
    client.force_login(user)
    job = None
    try:
        time.sleep(3)  # the worker's start-up is not part of a user's wait
        started = time.perf_counter()
        response = client.post(
            reverse("households:import_upload"),
            {"unit": ward.pk, "file": SimpleUploadedFile(path.name, path.read_bytes())},
        )
        answered = time.perf_counter() - started
        job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
        while True:
            page = client.get(
                response["Location"], headers={"HX-Request": "true", "HX-Target": "job-status"}
            )
            if b"hx-trigger" not in page.content:
                break
            time.sleep(POLL_SECONDS)
        preview = time.perf_counter() - started
        job.refresh_from_db()
        worked = (job.finished_at - job.started_at).total_seconds()
        started = time.perf_counter()
        import_households(open_table(path, path.name), actor=user, unit=ward, dry_run=True)
        direct = time.perf_counter() - started
        print(f"upload page answered in {answered:.2f} s ({job.state}, {job.rows_total} rows)")
        print(f"job ran {worked:.1f} s; the same dry run called directly {direct:.1f} s")
        name = f"upload → preview, {args.households:,} households (job)"
        print(
            f"FIGURE  {name:<46} {preview:>12.3f} s   {'target ≤ 20.000 s':<20} "
            f"{'PASS' if preview <= 20 else 'MISS'}   ({connection.vendor})",
            flush=True,
        )
    finally:
        worker.terminate()
        worker.wait(30)
        if job is not None:
            upload = Path(job.params["path"])
            for kept in (upload, upload.with_name(upload.name + ".versions.json")):
                kept.unlink(missing_ok=True)
            Job.objects.filter(pk=job.pk).delete()
        # Records that keep the user (log entries) keep it too.
        with contextlib.suppress(Exception):
            user.delete()
        for leftover in sorted(work.rglob("*"), reverse=True):
            leftover.unlink() if leftover.is_file() else leftover.rmdir()
        work.rmdir()
        if throwaway:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(throwaway + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
