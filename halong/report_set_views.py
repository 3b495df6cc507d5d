"""The report set's page and its downloads (an .xlsx or a PDF made by a background job)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from communes.audit import AccessKind, log_access
from communes.jobs.models import JobKind
from communes.jobs.services import start_job
from communes.permissions import uses_names_grant

from .forms import ReportForm, ReportSetDownloadForm
from .report_set import report_set
from .report_set_export import document_context
from .tasks import may_name_households, report_set_file_stem, report_set_task
from .views import _report_form


def _download_urls(cleaned: dict) -> dict[str, str]:
    query = {"year": cleaned["year"], "unit": cleaned["unit"].pk}
    if cleaned["standard"] is not None:
        query["standard"] = cleaned["standard"].code
    url = reverse("report_set_download")
    return {fmt: f"{url}?{urlencode({**query, 'format': fmt})}" for fmt in ("xlsx", "pdf")}


@require_GET
def report_set_view(request: HttpRequest) -> HttpResponse:
    """Every sheet of the report set of a unit and year; the same access as the annual report."""
    form = _report_form(request, ReportForm)
    context = {"form": form}
    if form.is_valid():
        cleaned = form.cleaned_data
        root = cleaned["unit"]
        names = may_name_households(request.user, root)
        found = report_set(
            year=cleaned["year"],
            root=root,
            standard=cleaned["standard"],
            named_list=None if names else False,
        )
        if found.has_named_list and uses_names_grant(request.user):
            log_access(
                request,
                AccessKind.VIEW_NAMED_LIST,
                unit=root,
                label=str(_("Full report set")),
                rows=sum(len(u.named) for u in found.units),
                year=found.year,
            )
        context |= document_context(found)
        context |= {
            "unit": root,
            "downloads": _download_urls(cleaned),
            "names_withheld": not names,
        }
    status = 200 if form.is_valid() else 400
    return render(request, "halong/report_set/page.html", context, status=status)


@require_GET
def report_set_download(request: HttpRequest) -> HttpResponse:
    """The report set as .xlsx or PDF, made by a background job whose page offers the file
    (the download is logged there, like every export)."""
    form = _report_form(request, ReportSetDownloadForm)
    if not form.is_valid():
        return render(request, "halong/report_set/page.html", {"form": form}, status=400)
    unit, year = form.cleaned_data["unit"], form.cleaned_data["year"]
    query = request.GET.copy()
    query["unit"], query["year"] = unit.pk, year
    job = start_job(
        owner=request.user,
        kind=JobKind.ANNUAL_REPORT,
        title=f"{report_set_file_stem(year, unit)}.{form.cleaned_data['format']}",
        unit=unit,
        params={"query": query.urlencode()},
        task=report_set_task,
        request=request,
    )
    return redirect(job)
