"""Running a job inside a task: claim it, report progress, record the outcome.

Each app's ``tasks.py`` holds thin ``@task`` functions that call
``run_job(job_id, work)``; ``work(job, progress)`` calls the app's services
as ``job.owner`` and returns a ``JobOutput``. Everything a job writes to the
register happens inside the service's own transaction, so a failure leaves
nothing behind; the runner then records the error for the job page.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Job, JobState

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """The job cannot be done; ``str(error)`` is the message for its owner."""


@dataclass
class JobOutput:
    """What a finished job leaves: data for its page and optionally a file."""

    result: dict = field(default_factory=dict)
    chunks: Iterable[bytes] | None = None
    file_name: str = ""
    content_type: str = ""


@dataclass
class Origin:
    """The request a job was asked from, for the access log entries the job writes."""

    user: object
    ip: str | None
    path: str

    @property
    def axes_ip_address(self) -> str | None:
        return self.ip

    @property
    def META(self) -> dict:  # noqa: N802 - the shape of HttpRequest.META
        return {"REMOTE_ADDR": self.ip}

    def get_full_path(self) -> str:
        return self.path


class Progress:
    """A running job's counters, written to its row at most every ``interval`` seconds.

    Outside a transaction each write is visible to the job page at once.
    Inside one (an import's write) only forced writes are made; they show
    when the transaction commits, which is also when the rows are saved.
    """

    def __init__(self, job: Job, interval: float = 0.5):
        self.job_id = job.pk
        self.interval = interval
        self.values: dict[str, int] = {}
        self.written: dict[str, int] = {}
        self.last = 0.0

    def set(self, *, force: bool = False, **counts: int) -> None:
        self.values.update(counts)
        self.flush(force=force)

    def total(self, rows: int) -> None:
        self.set(rows_total=rows, force=True)

    def read(self, rows: int) -> None:
        self.set(rows_read=rows)

    def checked(self, rows: int) -> None:
        self.set(rows_checked=rows)

    def saved(self, rows: int) -> None:
        self.set(rows_saved=rows)

    def flush(self, *, force: bool = False) -> None:
        changed = {k: v for k, v in self.values.items() if self.written.get(k) != v}
        if not changed:
            return
        now = time.monotonic()
        if not force and (connection.in_atomic_block or now - self.last < self.interval):
            return
        Job.objects.filter(pk=self.job_id).update(**changed)
        self.written.update(changed)
        self.last = now


def retention() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.JOB_RESULT_RETENTION_HOURS)


def _save_file(job: Job, output: JobOutput) -> None:
    with tempfile.TemporaryFile() as handle:
        for chunk in output.chunks:
            handle.write(chunk)
        handle.seek(0)
        job.result_file.save(output.file_name, File(handle), save=False)
    job.result_name = output.file_name
    job.result_type = output.content_type


def run_job(job_id: int, work: Callable[[Job, Progress], JobOutput]) -> str:
    """Run ``work`` for the queued job ``job_id``; returns the job's final state.

    A job cancelled before a worker took it is left alone. The claim is a
    conditional update, so two workers never run the same job.
    """
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return Job.objects.filter(pk=job_id).values_list("state", flat=True).first() or ""
    job = Job.objects.select_related("owner", "unit").get(pk=job_id)
    progress = Progress(job)
    language = job.params.get("language") or settings.LANGUAGE_CODE
    error = ""
    with translation.override(language):
        try:
            output = work(job, progress)
            if output.chunks is not None:
                _save_file(job, output)
        except JobFailed as failure:
            error = str(failure)
        except PermissionDenied:
            error = _("You may no longer do this for this unit: nothing was done.")
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            error = _(
                "The job stopped on an unexpected error (job no. %(job)s); nothing was saved. "
                "Try again, and tell the administrator if it happens again."
            ) % {"job": job.pk}
    progress.flush(force=True)
    finished = timezone.now()
    if error:
        if job.result_file:
            job.result_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, error=error, finished_at=finished, result_file=""
        )
        return JobState.FAILED
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE,
        result=output.result,
        result_file=job.result_file.name or "",
        result_name=job.result_name,
        result_type=job.result_type,
        finished_at=finished,
        expires_at=finished + retention(),
    )
    return JobState.DONE
