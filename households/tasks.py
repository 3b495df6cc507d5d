"""Background jobs of the household register: import check, import, exports.

Each task is a thin function: it runs the same services as the pages and
the commands, as the job's owner, and reports its progress. An import is
all-or-nothing (one transaction in ``import_households``), so a job that
fails or is stopped half-way leaves the register as it was.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.tasks import task
from django.utils.translation import gettext as _

from communes.jobs.models import Job
from communes.jobs.runner import JobFailed, JobOutput, Origin, Progress, run_job
from communes.models import AccessKind
from communes.permissions import Action, has_perm, unit_ids_with
from communes.selectors import grassroots_units_for

from .forms.registry import HouseholdFilterForm
from .selectors import household_list_rows, households_for, rounds_for
from .transfer.exporting import export_households
from .transfer.importing import ImportResult, import_households
from .transfer.reading import FileRefused, Table, open_table

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


# --- Import ---------------------------------------------------------------------------


def import_result_data(result: ImportResult, *, params: dict) -> dict:
    """What the job page shows of an import check or import (plain JSON)."""
    return {
        "rows": result.rows,
        "problems": [asdict(p) for p in result.problems],
        "warnings": [asdict(p) for p in result.warnings],
        **result.summary(),
        "changes": result.changes,
        "saved": result.saved,
        "token": params["token"],
        "file_name": params["file_name"],
    }


def _table(job: Job, progress: Progress) -> Table:
    params = job.params
    path = Path(params["path"])
    if not path.exists():
        raise JobFailed(_("The uploaded file is no longer available: upload it again."))
    try:
        table = open_table(path, params["file_name"], progress=progress.read)
    except FileRefused as error:
        path.unlink(missing_ok=True)
        raise JobFailed(str(error)) from error
    rows = len(table.households.rows) + (len(table.members.rows) if table.members else 0)
    progress.set(rows_total=rows, rows_read=rows, force=True)
    return table


def snapshot_path(path: Path) -> Path:
    """Versions of the households the preview showed, kept next to the upload."""
    return path.with_name(path.name + ".versions.json")


def _read_snapshot(path: Path) -> dict | None:
    try:
        return json.loads(snapshot_path(path).read_text())
    except (OSError, ValueError):
        return None


def _write_snapshot(path: Path, snapshot: dict) -> None:
    descriptor = os.open(snapshot_path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(snapshot, out)


def _import(job: Job, progress: Progress, *, confirm: bool) -> JobOutput:
    if job.unit is None:
        raise PermissionDenied
    table = _table(job, progress)
    path = Path(job.params["path"])
    origin = job.params.get("origin") or {}
    result = import_households(
        table,
        actor=job.owner,
        unit=job.unit,
        dry_run=not confirm,
        file_name=job.params["file_name"],
        request=Origin(job.owner, origin.get("ip"), origin.get("path", "")) if confirm else None,
        progress=progress.checked,
        sha256=job.params["token"],
        # A confirmation checks the households are still as this user's preview showed them.
        expected=(_read_snapshot(path) or {}) if confirm else None,
        job=job.pk,
    )
    progress.checked(progress.values.get("rows_total", 0))
    if not confirm and result.ok:
        _write_snapshot(path, result.snapshot)
    if result.saved:
        progress.saved(progress.values.get("rows_total", 0))
        path.unlink(missing_ok=True)
        snapshot_path(path).unlink(missing_ok=True)
    return JobOutput(result=import_result_data(result, params=job.params))


def check_import(job: Job, progress: Progress) -> JobOutput:
    return _import(job, progress, confirm=False)


def confirm_import(job: Job, progress: Progress) -> JobOutput:
    return _import(job, progress, confirm=True)


@task
def import_check_task(job_id: int) -> str:
    """The dry run of an uploaded file: every problem, or what would change."""
    return run_job(job_id, check_import)


@task
def import_task(job_id: int) -> str:
    """The confirmed import: validated again and written in one transaction."""
    return run_job(job_id, confirm_import)


# --- Exports --------------------------------------------------------------------------


def household_export_selection(user, query: QueryDict):
    """The households of the list page's filter ``query`` that ``user`` may export,
    and the bound filter form (for the file name and the year)."""
    form = HouseholdFilterForm(query or None, units=grassroots_units_for(user))
    households = form.filter(household_list_rows(households_for(user), form.chosen_year))
    allowed = unit_ids_with(user, Action.EXPORT_HOUSEHOLDS)
    if allowed is not None:
        households = households.filter(unit_id__in=allowed)
    return households, form


def _export_output(job, progress, households, *, year, detail: dict) -> JobOutput:
    fmt = job.params["format"]
    rows = households.count()
    progress.total(rows)
    chunks = export_households(households, fmt=fmt, year=year, on_rows=progress.read)
    # The wards whose records the file holds: the export is in each one's access log.
    units = sorted(set(households.order_by().values_list("unit_id", flat=True).distinct()))
    log = {
        "kind": AccessKind.EXPORT,
        "rows": rows,
        "units": units,
        "detail": {"format": fmt, **detail},
    }
    return JobOutput(
        result={"rows": rows, "log": log},
        chunks=chunks,
        file_name=job.params["file_name"],
        content_type=CONTENT_TYPES[fmt],
    )


def export_household_list(job: Job, progress: Progress) -> JobOutput:
    user = job.owner
    if not has_perm(user, Action.EXPORT_HOUSEHOLDS):
        raise PermissionDenied
    query = QueryDict(job.params.get("query", ""))
    households, form = household_export_selection(user, query)
    year = form.chosen_year
    detail = {"year": year, "filters": job.params.get("query", "")}
    return _export_output(job, progress, households, year=year, detail=detail)


def export_round_results(job: Job, progress: Progress) -> JobOutput:
    user = job.owner
    review_round = rounds_for(user).filter(pk=job.params["round"]).first()
    if review_round is None or not has_perm(user, Action.EXPORT_HOUSEHOLDS, review_round.unit):
        raise PermissionDenied
    households = households_for(user).filter(assessments__round=review_round).distinct()
    detail = {"year": review_round.year, "round": review_round.pk}
    return _export_output(job, progress, households, year=review_round.year, detail=detail)


@task
def household_export_task(job_id: int) -> str:
    return run_job(job_id, export_household_list)


@task
def round_export_task(job_id: int) -> str:
    return run_job(job_id, export_round_results)
