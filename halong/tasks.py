"""Background job of the city level: the annual report as the official workbook."""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.tasks import task

from communes.jobs.models import Job
from communes.jobs.runner import JobFailed, JobOutput, Progress, run_job
from communes.models import AccessKind
from communes.selectors import today

from . import dashboard
from .forms import ReportDownloadForm
from .report_export import write_xlsx
from .reports import annual_report

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
