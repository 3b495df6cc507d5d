"""Pages of the household import (upload → preview → confirm) and the exports.

The work itself runs as background jobs (``households.tasks``): each page
records the job and answers with the job's page, which shows the progress
and then the preview or the file."""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communes.jobs.models import JobKind
from communes.jobs.services import start_job
from communes.models import AdministrativeUnit
from communes.permissions import Action, has_perm, require, unit_ids_with
from communes.reauth import recent_auth_required

from ..forms.transfer import ImportUploadForm
from ..models import PovertyStandard, StandardLevel
from ..selectors import get_round_or_404
from ..tasks import (
    CONTENT_TYPES,
    household_export_selection,
    household_export_task,
    import_check_task,
    import_task,
    round_export_task,
)
from ..transfer.exporting import template_workbook

#: Uploaded files wait here between the preview and the confirmation.
IMPORT_DIR = Path(settings.BASE_DIR) / "var" / "imports"
SESSION_KEY = "household_imports"
#: Uploads not confirmed within this time are deleted.
KEEP_SECONDS = 24 * 60 * 60
TOKEN = re.compile(r"^[0-9a-f]{64}$")


def _import_units(user):
    units = AdministrativeUnit.objects.grassroots().valid_on(timezone.localdate()).order_by("name")
    allowed = unit_ids_with(user, Action.IMPORT_HOUSEHOLDS)
    return units if allowed is None else units.filter(pk__in=allowed)


def _stored_path(user, token: str, extension: str) -> Path:
    return IMPORT_DIR / f"{token}-{user.pk}{extension}"


def _store(user, upload) -> tuple[str, str]:
    """Save the upload privately; returns (sha256, extension)."""
    IMPORT_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in IMPORT_DIR.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    extension = Path(upload.name).suffix.lower()
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    token = digest.hexdigest()
    path = _stored_path(user, token, extension)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, extension


def _streamed(chunks, *, fmt: str, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _format(request) -> str:
    return "csv" if request.GET.get("format") == "csv" else "xlsx"


# --- Import ----------------------------------------------------------------------


def _start_import(request, *, token: str, entry: dict, unit, confirm: bool):
    kind, job_task = (
        (JobKind.IMPORT, import_task) if confirm else (JobKind.IMPORT_PREVIEW, import_check_task)
    )
    params = {
        "token": token,
        "file_name": entry["name"],
        "path": str(_stored_path(request.user, token, entry["extension"])),
    }
    return start_job(
        owner=request.user,
        kind=kind,
        title=entry["name"],
        unit=unit,
        params=params,
        task=job_task,
        request=request,
    )


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """The upload; the check runs as a job whose page shows its progress, then the preview."""
    units = _import_units(request.user)
    require(units.exists())
    form = ImportUploadForm(request.POST or None, request.FILES or None, units=units)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        token, extension = _store(request.user, upload)
        entry = {"name": upload.name[:200], "extension": extension}
        unit = form.cleaned_data["unit"]
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {**entry, "unit": unit.pk}
        request.session[SESSION_KEY] = pending
        job = _start_import(request, token=token, entry=entry, unit=unit, confirm=False)
        return redirect(job)
    standards = PovertyStandard.objects.filter(level=StandardLevel.NATIONAL).order_by("-first_year")
    return render(
        request, "households/transfer/import_upload.html", {"form": form, "standards": standards}
    )


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: check the upload again (a job). POST: the import itself (a job).

    Either way the answer is the job's page; the confirmed import validates
    the file again inside its transaction, so it never trusts the preview.
    """
    entry = request.session.get(SESSION_KEY, {}).get(token) if TOKEN.match(token) else None
    if entry is None:
        raise Http404
    unit = _import_units(request.user).filter(pk=entry["unit"]).first()
    require(unit is not None)
    path = _stored_path(request.user, token, entry["extension"])
    if not path.exists():
        pending = request.session.get(SESSION_KEY, {})
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        messages.error(request, _("The uploaded file is no longer available: upload it again."))
        return redirect("households:import_upload")
    job = _start_import(
        request, token=token, entry=entry, unit=unit, confirm=request.method == "POST"
    )
    return redirect(job)


@require_GET
def import_template(request: HttpRequest, code: str) -> HttpResponse:
    require(has_perm(request.user, Action.IMPORT_HOUSEHOLDS))
    standard = get_object_or_404(PovertyStandard, code=code)
    return _streamed(
        template_workbook(standard), fmt="xlsx", name=f"mau-nhap-ho-{standard.code}.xlsx"
    )


# --- Export ------------------------------------------------------------------------


@require_GET
@recent_auth_required
def household_export(request: HttpRequest) -> HttpResponse:
    """The households of the list page's current filter, in the import's columns (a job)."""
    if not has_perm(request.user, Action.EXPORT_HOUSEHOLDS):
        raise PermissionDenied
    _households, form = household_export_selection(request.user, request.GET)
    year = form.chosen_year
    fmt = _format(request)
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    name = f"ho-gia-dinh-{unit.code if unit else 'tat-ca'}{f'-{year}' if year else ''}.{fmt}"
    job = start_job(
        owner=request.user,
        kind=JobKind.HOUSEHOLD_EXPORT,
        title=name,
        unit=unit,
        params={"query": request.GET.urlencode(), "format": fmt, "file_name": name},
        task=household_export_task,
        request=request,
    )
    return redirect(job)


@require_GET
@recent_auth_required
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results of one review round, in the import's columns (a job)."""
    review_round = get_round_or_404(request.user, pk)
    require(has_perm(request.user, Action.EXPORT_HOUSEHOLDS, review_round.unit))
    fmt = _format(request)
    name = f"ket-qua-ra-soat-{review_round.unit.code}-{review_round.year}.{fmt}"
    job = start_job(
        owner=request.user,
        kind=JobKind.ROUND_EXPORT,
        title=name,
        unit=review_round.unit,
        params={"round": review_round.pk, "format": fmt, "file_name": name},
        task=round_export_task,
        request=request,
    )
    return redirect(job)
