"""Pages of the lists for other agencies: an index, each list with filters, its xlsx (a job)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from communes.audit import AccessKind, log_access
from communes.jobs.models import JobKind
from communes.jobs.services import start_job
from communes.permissions import Action, has_perm
from communes.reauth import recent_auth_required
from communes.selectors import grassroots_units_for

from .. import agency_lists as lists
from ..forms.agency import AgencyListForm, build_list
from ..tasks import agency_list_task

#: Rows shown on the page; the file has them all.
PAGE_ROWS = 300


def _may_see_lists(user) -> bool:
    return has_perm(user, Action.VIEW_HOUSEHOLDS) and has_perm(user, Action.VIEW_NAMED_LISTS)


def _kind_or_404(kind: str) -> str:
    if kind not in lists.KINDS:
        raise Http404
    return kind


@require_GET
def agency_list_index(request: HttpRequest) -> HttpResponse:
    if not _may_see_lists(request.user):
        raise PermissionDenied
    entries = [{"kind": kind, "title": lists.TITLES[kind]} for kind in lists.KINDS]
    return render(request, "plans/agency_list_index.html", {"entries": entries})


@require_GET
def agency_list(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    if not _may_see_lists(request.user):
        raise PermissionDenied
    form = AgencyListForm(request.GET or None, kind=kind, units=grassroots_units_for(request.user))
    chosen = form.choice()
    result = build_list(request.user, kind, chosen)
    log_access(
        request,
        AccessKind.VIEW_NAMED_LIST,
        unit=chosen["unit"],
        label=str(lists.TITLES[kind]),
        rows=len(result.rows),
        units=sorted(result.unit_ids),
        list=kind,
    )
    context = {
        "kind": kind,
        "form": form,
        "result": result,
        "rows": result.rows[:PAGE_ROWS],
        "truncated": len(result.rows) > PAGE_ROWS,
        "may_export": has_perm(request.user, Action.EXPORT_HOUSEHOLDS),
        "query": request.GET.urlencode(),
    }
    return render(request, "plans/agency_list.html", context)


@require_GET
@recent_auth_required
def agency_list_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The list of the page's filters as the receiving office's xlsx (a job)."""
    kind = _kind_or_404(kind)
    if not (_may_see_lists(request.user) and has_perm(request.user, Action.EXPORT_HOUSEHOLDS)):
        raise PermissionDenied
    form = AgencyListForm(request.GET or None, kind=kind, units=grassroots_units_for(request.user))
    chosen = form.choice()
    unit = chosen["unit"]
    name = f"danh-sach-{kind}-{unit.code if unit else 'tat-ca'}-{chosen['year']}.xlsx"
    job = start_job(
        owner=request.user,
        kind=JobKind.AGENCY_LIST,
        title=name,
        unit=unit,
        params={"list": kind, "query": request.GET.urlencode(), "file_name": name},
        task=agency_list_task,
        request=request,
    )
    return redirect(job)
