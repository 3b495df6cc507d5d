"""Pages of the household import (upload → preview → confirm) and the exports."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communes.audit import AccessKind, log_access
from communes.models import AdministrativeUnit
from communes.permissions import Action, has_perm, require, unit_ids_with
from communes.selectors import grassroots_units_for

from ..forms.registry import HouseholdFilterForm
from ..forms.transfer import ImportUploadForm
from ..models import PovertyStandard, StandardLevel
from ..selectors import get_round_or_404, household_list_rows, households_for
from ..transfer.exporting import export_households, template_workbook
from ..transfer.importing import import_households
from ..transfer.reading import FileRefused, open_table

#: Uploaded files wait here between the preview and the confirmation.
IMPORT_DIR = Path(settings.BASE_DIR) / "var" / "imports"
SESSION_KEY = "household_imports"
#: Uploads not confirmed within this time are deleted.
KEEP_SECONDS = 24 * 60 * 60
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
TOKEN = re.compile(r"^[0-9a-f]{64}$")


def _import_units(user):
    units = AdministrativeUnit.objects.grassroots().valid_on(timezone.localdate()).order_by("name")
    allowed = unit_ids_with(user, Action.IMPORT_HOUSEHOLDS)
    return units if allowed is None else units.filter(pk__in=allowed)


def _stored_path(user, token: str, extension: str) -> Path:
    return IMPORT_DIR / f"{token}-{user.pk}{extension}"


def _snapshot_path(path: Path) -> Path:
    """Versions of the households the preview showed, kept next to the upload."""
    return path.with_name(path.name + ".versions.json")


def _read_snapshot(path: Path) -> dict | None:
    try:
        return json.loads(_snapshot_path(path).read_text())
    except (OSError, ValueError):
        return None


def _write_snapshot(path: Path, snapshot: dict) -> None:
    descriptor = os.open(_snapshot_path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(snapshot, out)


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


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    units = _import_units(request.user)
    require(units.exists())
    form = ImportUploadForm(request.POST or None, request.FILES or None, units=units)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        token, extension = _store(request.user, upload)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "name": upload.name[:200],
            "extension": extension,
            "unit": form.cleaned_data["unit"].pk,
        }
        request.session[SESSION_KEY] = pending
        return redirect("households:import_preview", token=token)
    standards = PovertyStandard.objects.filter(level=StandardLevel.NATIONAL).order_by("-first_year")
    return render(
        request, "households/transfer/import_upload.html", {"form": form, "standards": standards}
    )


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the dry run (every problem, or what would change). POST: the import."""
    entry = request.session.get(SESSION_KEY, {}).get(token) if TOKEN.match(token) else None
    if entry is None:
        raise Http404
    unit = _import_units(request.user).filter(pk=entry["unit"]).first()
    require(unit is not None)
    path = _stored_path(request.user, token, entry["extension"])
    if not path.exists():
        messages.error(request, _("The uploaded file is no longer available: upload it again."))
        return redirect("households:import_upload")
    try:
        table = open_table(path, entry["name"])
    except FileRefused as error:
        path.unlink(missing_ok=True)
        messages.error(request, str(error))
        return redirect("households:import_upload")
    confirm = request.method == "POST"
    result = import_households(
        table,
        actor=request.user,
        unit=unit,
        dry_run=not confirm,
        file_name=entry["name"],
        request=request,
        sha256=token,
        # A confirmation checks the households are still as this user's preview showed them.
        expected=(_read_snapshot(path) or {}) if confirm else None,
    )
    if not confirm and result.ok:
        _write_snapshot(path, result.snapshot)
    if result.saved:
        path.unlink(missing_ok=True)
        _snapshot_path(path).unlink(missing_ok=True)
        pending = request.session.get(SESSION_KEY, {})
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        messages.success(
            request,
            _(
                "Import of %(file)s done: %(created)s households created, %(updated)s updated, "
                "%(unchanged)s unchanged; %(assessments)s review results created or updated."
            )
            % {
                "file": entry["name"],
                "created": result.households["created"],
                "updated": result.households["updated"],
                "unchanged": result.households["unchanged"],
                "assessments": result.assessments["created"] + result.assessments["updated"],
            },
        )
        return redirect(f"{reverse('households:household_list')}?unit={unit.pk}")
    context = {"result": result, "file_name": entry["name"], "unit": unit, "token": token}
    return render(request, "households/transfer/import_preview.html", context)


@require_GET
def import_template(request: HttpRequest, code: str) -> HttpResponse:
    require(has_perm(request.user, Action.IMPORT_HOUSEHOLDS))
    standard = get_object_or_404(PovertyStandard, code=code)
    return _streamed(
        template_workbook(standard), fmt="xlsx", name=f"mau-nhap-ho-{standard.code}.xlsx"
    )


# --- Export ------------------------------------------------------------------------


def _exportable(user, households):
    allowed = unit_ids_with(user, Action.EXPORT_HOUSEHOLDS)
    return households if allowed is None else households.filter(unit_id__in=allowed)


@require_GET
def household_export(request: HttpRequest) -> HttpResponse:
    """The households of the list page's current filter, in the import's columns."""
    if not has_perm(request.user, Action.EXPORT_HOUSEHOLDS):
        raise PermissionDenied
    form = HouseholdFilterForm(request.GET or None, units=grassroots_units_for(request.user))
    year = form.chosen_year
    households = _exportable(
        request.user, form.filter(household_list_rows(households_for(request.user), year))
    )
    fmt = _format(request)
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    name = f"ho-gia-dinh-{unit.code if unit else 'tat-ca'}{f'-{year}' if year else ''}.{fmt}"
    log_access(
        request,
        AccessKind.EXPORT,
        unit=unit,
        label=name,
        rows=households.count(),
        file=name,
        format=fmt,
        year=year,
        filters=request.GET.urlencode(),
    )
    return _streamed(export_households(households, fmt=fmt, year=year), fmt=fmt, name=name)


@require_GET
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results of one review round, in the import's columns."""
    review_round = get_round_or_404(request.user, pk)
    require(has_perm(request.user, Action.EXPORT_HOUSEHOLDS, review_round.unit))
    households = households_for(request.user).filter(assessments__round=review_round)
    fmt = _format(request)
    name = f"ket-qua-ra-soat-{review_round.unit.code}-{review_round.year}.{fmt}"
    log_access(
        request,
        AccessKind.EXPORT,
        unit=review_round.unit,
        label=name,
        rows=households.distinct().count(),
        file=name,
        format=fmt,
        year=review_round.year,
        round=review_round.pk,
    )
    chunks = export_households(households, fmt=fmt, year=review_round.year)
    return _streamed(chunks, fmt=fmt, name=name)
