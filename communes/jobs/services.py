"""Writes of jobs and reminders: start, cancel, clean up, mark read."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.tasks import TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from communes.audit import client_ip

from .models import Job, JobState, Reminder
from .runner import retention


def start_job(
    *, owner, kind: str, title: str, task, unit=None, params: dict | None = None, request=None
) -> Job:
    """Record a job and enqueue ``task`` (a ``django.tasks`` task taking the job id).

    The language and the request's address travel with the job, so its
    messages are in the owner's language and its access log entries say
    where it was asked from.
    """
    params = dict(params or {})
    params["language"] = get_language()
    if request is not None:
        params["origin"] = {"ip": client_ip(request), "path": request.get_full_path()[:500]}
    job = Job.objects.create(owner=owner, kind=kind, title=title[:300], unit=unit, params=params)
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


def settle_lost_job(job: Job) -> Job:
    """A job whose task failed outside the job's own handling (the worker could not
    import the task, or was killed and its task marked failed) is failed too, so its
    page stops waiting. One query, only while the job is unfinished."""
    if job.is_finished or not job.task_id:
        return job
    backend = default_task_backend
    if not backend.supports_get_result:
        return job
    try:
        status = backend.get_result(job.task_id).status
    except TaskResultDoesNotExist:
        return job
    if status == TaskResultStatus.FAILED:
        Job.objects.filter(pk=job.pk, state__in=[JobState.QUEUED, JobState.RUNNING]).update(
            state=JobState.FAILED,
            error=_(
                "The job stopped on an unexpected error (job no. %(job)s); nothing was saved. "
                "Try again, and tell the administrator if it happens again."
            )
            % {"job": job.pk},
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


def cancel_job(*, job: Job) -> bool:
    """Cancel ``job`` if no worker has taken it yet; whether it was cancelled."""
    cancelled = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.CANCELLED, finished_at=timezone.now()
    )
    return bool(cancelled)


def cleanup_jobs(*, now: datetime.datetime | None = None, keep_days: int = 90) -> dict[str, int]:
    """Delete the result files (and previews) past their retention, forget jobs
    older than ``keep_days`` and the tasks backend's finished rows past retention."""
    now = now or timezone.now()
    expired = Job.objects.filter(expires_at__lte=now, file_deleted_at__isnull=True)
    files = 0
    for job in expired.iterator():
        if job.result_file:
            job.result_file.delete(save=False)
            files += 1
        Job.objects.filter(pk=job.pk).update(result_file="", result={}, file_deleted_at=now)
    old, _ = Job.objects.filter(
        created_at__lt=now - datetime.timedelta(days=keep_days),
        state__in=[JobState.DONE, JobState.FAILED, JobState.CANCELLED],
    ).delete()
    tasks = 0
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        tasks, _ = (
            DBTaskResult.objects.finished().filter(finished_at__lt=now - retention()).delete()
        )
    return {"files": files, "jobs": old, "tasks": tasks}


def mark_read(*, user, reminder_ids=None, read: bool = True) -> int:
    reminders = Reminder.objects.filter(user=user)
    if reminder_ids is not None:
        reminders = reminders.filter(pk__in=reminder_ids)
    if read:
        return reminders.filter(read_at__isnull=True).update(read_at=timezone.now())
    return reminders.update(read_at=None)
