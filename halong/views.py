import datetime
import json

from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from communes.audit import AccessKind, log_access
from communes.jobs.models import JobKind
from communes.jobs.services import start_job
from communes.permissions import require
from communes.selectors import today, user_scope
from households.models import Assessment, AssessmentStatus, Cause, Indicator, ReviewKind
from plans.models import SupportType

from . import dashboard
from .forms import ReportDownloadForm, ReportForm
from .reports import annual_report
from .tasks import annual_report_task, report_file_stem
from .worklist import work_list


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for city roles and ward heads/officers; else the user's committees."""
    scope = user_scope(request.user)
    context = {"memberships": scope.memberships, "everything": scope.everything}
    dashboard_scope = dashboard.dashboard_scope(request.user)
    # Ward officers, heads and members start from what they have to do next.
    if (
        scope.memberships
        and not scope.everything
        and not getattr(dashboard_scope, "is_city", False)
    ):
        context["work"] = work_list(request.user, today())
    if dashboard_scope is None:
        return render(request, "home.html", context)
    context["dashboard"] = dashboard.build_dashboard(dashboard_scope)
    context["can_report"] = dashboard.may_see_reports(request.user)
    return render(request, "halong/dashboard.html", context)


# --- Annual report -------------------------------------------------------------------

#: Columns of a list's block, in the order of the official form (TT 07/2021 Phụ lục VII).
#: ``{other}`` is the other list: ``near_poor`` in the poor block and vice versa.
BLOCK_COLUMNS = (
    ("start", False),
    ("start_rate_pct", True),
    ("exited", False),
    ("to_{other}", False),
    ("other_decrease", False),
    ("new", False),
    ("re_entered", False),
    ("from_{other}", False),
    ("other_increase", False),
    ("end", False),
    ("end_rate_pct", True),
    ("end_people", False),
    ("end_ethnic_minority", False),
)


def _latest_recognised_year(user) -> int:
    """The last year whose periodic review has decisions (regular ones come during a year)."""
    years = user_scope(user).filter_units(
        Assessment.objects.filter(
            status=AssessmentStatus.RECOGNISED, round__kind=ReviewKind.PERIODIC
        ),
        "unit",
    )
    return years.aggregate(last=Max("year"))["last"] or today().year - 1


def _report_form(request: HttpRequest, form_class):
    """The bound filter form; 403 for users without reports, 404/403 for the unit."""
    user = request.user
    require(dashboard.may_see_reports(user))
    units = dashboard.report_units_for(user)
    if request.GET.get("unit"):
        try:
            dashboard.report_unit_or_error(user, int(request.GET["unit"]))
        except ValueError:
            raise Http404 from None
    data = request.GET
    if form_class is ReportForm:
        # The page opens on the latest year and the user's first unit; a link
        # that names only one of them gets the other filled in.
        data = data.copy()
        if not data.get("year"):
            data["year"] = _latest_recognised_year(user)
        if not data.get("unit"):
            first = units.first()
            data["unit"] = first.pk if first else ""
    return form_class(data, units=units, last_year=today().year)


def _run_report(cleaned: dict):
    return annual_report(
        year=cleaned["year"], root=cleaned["unit"], standard=cleaned.get("standard")
    )


def _block_cells(row: dict, kind: str) -> list:
    other = "near_poor" if kind == "poor" else "poor"
    block = row[kind]
    return [(block.get(key.format(other=other)), is_pct) for key, is_pct in BLOCK_COLUMNS]


def _table_rows(data: dict) -> list[dict]:
    """Unit rows grouped urban then rural, each group followed by its subtotal; total last."""
    rows = []

    def line(row: dict, kind: str) -> dict:
        return {
            "kind": kind,
            "name": row["name"],
            "code": row["code"],
            "total_households": row["total_households"],
            "poor": _block_cells(row, "poor"),
            "near_poor": _block_cells(row, "near_poor"),
            "note": row.get("note", ""),
        }

    for area, group in data.get("groups", {}).items():
        units = [u for u in data["units"] if u["area"] == area]
        if not units:
            continue
        rows.extend(line(u, "unit") for u in units)
        rows.append(line(group, "group"))
    rows.append(line(data["total"], "total"))
    return rows


def _report_details(data: dict) -> dict:
    """Labelled lists of the total's deprivations, causes and support (names from the DB)."""
    total = data["total"]
    poor_end, near_end = total["poor"]["end"], total["near_poor"]["end"]
    names = dict(
        Indicator.objects.filter(standard__code=data["standard"]).values_list("code", "name")
    )
    deprived = total["deprivations"]
    codes = sorted(set(deprived.get("poor", {})) | set(deprived.get("near_poor", {})))
    order = list(names)
    codes.sort(key=lambda c: (order.index(c) if c in order else len(order), c))

    def pct(n, of):
        return 100.0 * n / of if of else None

    indicators = [
        {
            "name": names.get(code, code),
            "poor": deprived.get("poor", {}).get(code, 0),
            "poor_pct": pct(deprived.get("poor", {}).get(code, 0), poor_end),
            "near_poor": deprived.get("near_poor", {}).get(code, 0),
            "near_poor_pct": pct(deprived.get("near_poor", {}).get(code, 0), near_end),
        }
        for code in codes
    ]
    cause_labels = dict(Cause.choices)
    causes = [
        {"name": cause_labels.get(code, code), "households": n}
        for code, n in sorted(total["causes"].items(), key=lambda item: -item[1])
    ]
    type_names = dict(
        SupportType.objects.filter(code__in=total["support"]).values_list("code", "name")
    )
    support = [
        {"name": type_names.get(code, code), "count": v["count"], "vnd": v["vnd"]}
        for code, v in total["support"].items()
    ]
    return {"indicators": indicators, "causes": causes, "support": support}


def _download_urls(cleaned: dict) -> dict[str, str]:
    standard = cleaned["standard"]
    query = {"year": cleaned["year"], "unit": cleaned["unit"].pk}
    if standard is not None:
        query["standard"] = standard.code
    url = reverse("report_download")
    return {fmt: f"{url}?{urlencode({**query, 'format': fmt})}" for fmt in ("xlsx", "json")}


@require_GET
def report_view(request: HttpRequest) -> HttpResponse:
    """The annual report of a unit in HTML, with its Excel and JSON downloads."""
    form = _report_form(request, ReportForm)
    context = {"form": form}
    if form.is_valid():
        data = _run_report(form.cleaned_data).as_json()
        context |= {
            "report": data,
            "as_of": datetime.date.fromisoformat(data["as_of"]) if data.get("as_of") else None,
            "rows": _table_rows(data),
            "details": _report_details(data),
            "unit": form.cleaned_data["unit"],
            "downloads": _download_urls(form.cleaned_data),
        }
    return render(request, "halong/report.html", context, status=200 if form.is_valid() else 400)


@require_GET
def report_download(request: HttpRequest) -> HttpResponse:
    """The annual report as an attachment: ``format=json`` at once; ``format=xlsx``
    (the official shape) is made by a background job whose page offers the file."""
    form = _report_form(request, ReportDownloadForm)
    if not form.is_valid():
        return render(request, "halong/report.html", {"form": form}, status=400)
    unit = form.cleaned_data["unit"]
    if form.cleaned_data["format"] == "xlsx":
        query = request.GET.copy()
        query["unit"], query["year"] = unit.pk, form.cleaned_data["year"]
        job = start_job(
            owner=request.user,
            kind=JobKind.ANNUAL_REPORT,
            title=f"bao-cao-ho-ngheo-{form.cleaned_data['year']}-{unit.code}.xlsx",
            unit=unit,
            params={"query": query.urlencode()},
            task=annual_report_task,
            request=request,
        )
        return redirect(job)
    report = _run_report(form.cleaned_data)
    filename = f"{report_file_stem(report, unit)}.json"
    body = json.dumps(report.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    log_access(
        request,
        AccessKind.REPORT,
        unit=unit,
        label=filename,
        rows=len(report.units),
        year=report.year,
        format="json",
    )
    return response


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database responds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
