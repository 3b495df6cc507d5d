"""Following a page to the job it started, and fetching the job's file."""

from __future__ import annotations

from django.urls import resolve, reverse

from communes.jobs.models import Job


def job_of(response) -> Job:
    """The job a page answered with (a redirect to the job's page)."""
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.view_name == "jobs:job_detail", match.view_name
    return Job.objects.get(pk=match.kwargs["pk"])


def job_file(client, job: Job, *, status: int = 200) -> bytes:
    response = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert response.status_code == status
    return b"".join(response.streaming_content) if status == 200 else b""
