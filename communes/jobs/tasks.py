"""The clean-up as a task, for deployments that schedule work through the queue."""

from django.tasks import task

from .services import cleanup_jobs


@task
def cleanup_jobs_task(keep_days: int = 90) -> dict[str, int]:
    return cleanup_jobs(keep_days=keep_days)
