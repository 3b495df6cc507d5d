"""Background job of the city level: the annual report as the official workbook."""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.tasks import task

from communes.jobs.models import Job
from communes.jobs.runner import JobFailed, JobOutput, Progress, run_job
from communes.models import AccessKind
from communes.permissions import can_view_names
from communes.selectors import today

from . import dashboard
from .forms import ReportDownloadForm, ReportSetDownloadForm
from .report_export import write_xlsx
from .report_set import report_set
from .report_set_export import write_pdf as write_report_set_pdf
from .report_set_export import write_xlsx as write_report_set_xlsx
from .reports import annual_report

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


def report_file_stem(report, unit) -> str:
    return f"bao-cao-ho-ngheo-{report.year}-{unit.code}"


def annual_report_workbook(job: Job, progress: Progress) -> JobOutput:
    """The report of the job's filters, checked again as its owner, as an .xlsx."""
    user = job.owner
    if not dashboard.may_see_reports(user):
        raise PermissionDenied
    query = QueryDict(job.params["query"])
    form = ReportDownloadForm(query, units=dashboard.report_units_for(user), last_year=today().year)
    if not form.is_valid():
        raise JobFailed(" ".join(str(e) for errors in form.errors.values() for e in errors))
    cleaned = form.cleaned_data
    report = annual_report(year=cleaned["year"], root=cleaned["unit"], standard=cleaned["standard"])
    rows = len(report.units)
    progress.set(rows_total=rows, rows_read=rows, force=True)
    out = io.BytesIO()
    write_xlsx(report, out)
    progress.saved(rows)
    detail = {"year": report.year, "format": "xlsx"}
    return JobOutput(
        result={"rows": rows, "log": {"kind": AccessKind.REPORT, "rows": rows, "detail": detail}},
        chunks=[out.getvalue()],
        file_name=f"{report_file_stem(report, cleaned['unit'])}.xlsx",
        content_type=XLSX_TYPE,
    )


@task
def annual_report_task(job_id: int) -> str:
    return run_job(job_id, annual_report_workbook)


def may_name_households(user, unit) -> bool:
    """The report set names households only for users who may read names in ``unit``
    (ward roles by their role, city roles with the names grant)."""
    return can_view_names(user, unit)


def report_set_file_stem(year: int, unit) -> str:
    return f"bo-bao-cao-ho-ngheo-{year}-{unit.code}"


def report_set_file(job: Job, progress: Progress) -> JobOutput:
    """The report set of the job's filters, checked again as its owner, as .xlsx or PDF.

    For a user who may read names there: the workbook always holds the named
    list; the PDF holds it for a ward or commune (the city's is every ward's
    list: its workbook has it). Without names, neither has it.
    """
    user = job.owner
    if not dashboard.may_see_reports(user):
        raise PermissionDenied
    query = QueryDict(job.params["query"])
    form = ReportSetDownloadForm(
        query, units=dashboard.report_units_for(user), last_year=today().year
    )
    if not form.is_valid():
        raise JobFailed(" ".join(str(e) for errors in form.errors.values() for e in errors))
    cleaned = form.cleaned_data
    fmt = cleaned["format"]
    named_list = (
        (True if fmt == "xlsx" else None) if may_name_households(user, cleaned["unit"]) else False
    )
    found = report_set(
        year=cleaned["year"],
        root=cleaned["unit"],
        standard=cleaned["standard"],
        named_list=named_list,
    )
    rows = len(found.units)
    progress.set(rows_total=rows, rows_read=rows, force=True)
    if fmt == "pdf":
        body, content_type = write_report_set_pdf(found), PDF_TYPE
    else:
        out = io.BytesIO()
        write_report_set_xlsx(found, out)
        body, content_type = out.getvalue(), XLSX_TYPE
    progress.saved(rows)
    named = sum(len(u.named) for u in found.units)
    detail = {"year": found.year, "format": fmt, "report": "set", "named_households": named}
    return JobOutput(
        result={"rows": rows, "log": {"kind": AccessKind.REPORT, "rows": rows, "detail": detail}},
        chunks=[body],
        file_name=f"{report_set_file_stem(found.year, cleaned['unit'])}.{fmt}",
        content_type=content_type,
    )


@task
def report_set_task(job_id: int) -> str:
    return run_job(job_id, report_set_file)
