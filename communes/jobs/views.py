"""Pages of background jobs (progress, result, download) and of the reminders."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communes.audit import AccessKind, log_access

from .models import JobKind, JobState
from .selectors import get_job_or_404, jobs_for, reminders_for
from .services import cancel_job, mark_read, settle_lost_job

#: The template that shows a finished job's result, by kind.
RESULT_TEMPLATES = {
    JobKind.IMPORT_PREVIEW: "households/transfer/_import_result.html",
    JobKind.IMPORT: "households/transfer/_import_result.html",
}
FILE_RESULT_TEMPLATE = "jobs/includes/_file_result.html"
#: How often the job page asks for news while the job is queued or running.
POLL_SECONDS = 1


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(jobs_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page_obj": page, "jobs": page.object_list})


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; once done its result. htmx polls the status block alone."""
    job = settle_lost_job(get_job_or_404(request.user, pk))
    context = {
        "job": job,
        "result": job.result,
        "result_template": RESULT_TEMPLATES.get(job.kind, FILE_RESULT_TEMPLATE),
        "poll_seconds": POLL_SECONDS,
        "may_cancel": job.is_cancellable and job.owner_id == request.user.pk,
    }
    template = "jobs/job_detail.html"
    if request.htmx and request.htmx.target == "job-status":
        template += "#status"
    return render(request, template, context)


@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_or_404(request.user, pk)
    if job.owner_id != request.user.pk:
        raise Http404
    if cancel_job(job=job):
        messages.success(request, _("The job was cancelled."))
    else:
        messages.warning(request, _("The job had already started: it can no longer be cancelled."))
    return redirect(job)


@require_GET
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's file; every download is an entry of the access log."""
    job = get_job_or_404(request.user, pk)
    if job.state != JobState.DONE or not job.has_file:
        raise Http404
    log = job.result.get("log") or {}
    log_access(
        request,
        AccessKind(log.get("kind", AccessKind.EXPORT)),
        unit=job.unit,
        label=job.result_name,
        rows=log.get("rows"),
        units=log.get("units", ()),
        file=job.result_name,
        job=job.pk,
        **log.get("detail", {}),
    )
    response = FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=job.result_name,
        content_type=job.result_type or "application/octet-stream",
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Reminders ---------------------------------------------------------------------


@require_GET
def reminder_list(request: HttpRequest) -> HttpResponse:
    reminders = reminders_for(request.user)
    show = request.GET.get("show")
    if show == "unread":
        reminders = reminders.filter(read_at__isnull=True)
    page = Paginator(reminders, 50).get_page(request.GET.get("page"))
    context = {"page_obj": page, "reminders": page.object_list, "show": show}
    return render(request, "jobs/reminder_list.html", context)


@require_GET
def reminder_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the reminder read and go to its record."""
    reminder = get_object_or_404(reminders_for(request.user), pk=pk)
    mark_read(user=request.user, reminder_ids=[reminder.pk])
    if not url_has_allowed_host_and_scheme(reminder.url, allowed_hosts=None):
        raise Http404
    return redirect(reminder.url)


@require_POST
def reminder_mark(request: HttpRequest) -> HttpResponse:
    """Mark one reminder (``reminder``) or all of them read, or one unread again."""
    ids = None
    if request.POST.get("reminder"):
        try:
            ids = [int(request.POST["reminder"])]
        except ValueError:
            raise Http404 from None
    count = mark_read(user=request.user, reminder_ids=ids, read=request.POST.get("read") != "0")
    if ids is not None and not count:
        raise Http404
    return redirect("jobs:reminder_list")
