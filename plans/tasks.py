"""Background jobs of the plans app: the xlsx of a list for another agency.

The task rebuilds the list as the job's owner, from the page's filters, so
the file holds exactly what the page showed that user; the download of the
file is logged (``communes.jobs.views``) like every export.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.tasks import task
from django.utils.translation import gettext as _

from communes.jobs.models import Job
from communes.jobs.runner import JobFailed, JobOutput, Progress, run_job
from communes.models import AccessKind
from communes.permissions import Action, has_perm
from communes.selectors import grassroots_units_for, today

from . import agency_lists
from .agency_export import xlsx_chunks
from .forms.agency import AgencyListForm, build_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_agency_list(job: Job, progress: Progress) -> JobOutput:
    user = job.owner
    kind = job.params["list"]
    if kind not in agency_lists.KINDS:
        raise JobFailed(_("Unknown list."))
    if not has_perm(user, Action.EXPORT_HOUSEHOLDS):
        raise PermissionDenied
    query = QueryDict(job.params.get("query", ""))
    form = AgencyListForm(query or None, kind=kind, units=grassroots_units_for(user))
    chosen = form.choice()
    result = build_list(user, kind, chosen)
    progress.total(len(result.rows))
    progress.read(len(result.rows))
    issuer = chosen["unit"].name if chosen["unit"] else _("Poverty steering committee")
    log = {
        "kind": AccessKind.EXPORT,
        "rows": len(result.rows),
        "units": sorted(result.unit_ids),
        "detail": {"format": "xlsx", "list": kind, "filters": job.params.get("query", "")},
    }
    return JobOutput(
        result={"rows": len(result.rows), "log": log},
        chunks=xlsx_chunks(result, issuer=issuer, made_on=today()),
        file_name=job.params["file_name"],
        content_type=XLSX,
    )


@task
def agency_list_task(job_id: int) -> str:
    return run_job(job_id, export_agency_list)
