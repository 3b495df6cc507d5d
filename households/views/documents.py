"""Printed documents of the review, the village meeting records, and submissions upward.

Each document URL answers its print view (HTML) or, with ``?format=pdf``,
the PDF; both are written to the access log (a document that shows a full
citizen ID is logged as a reveal). Scope first (404), then names (403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communes.audit import AccessKind, log_access
from communes.forms import add_service_errors
from communes.history import change_history
from communes.models import AdministrativeUnit
from communes.permissions import Action, has_perm, require, unit_ids_with
from communes.selectors import today

from ..documents import render_document, wants_pdf
from ..documents import selectors as docs
from ..forms.documents import MeetingRecordForm, ReturnResultsForm, SubmitResultsForm
from ..models import (
    Assessment,
    AssessmentStatus,
    ResultSubmission,
)
from ..permissions import can_reopen_results, can_run_review, can_submit_results
from ..selectors import get_assessment_or_404, get_meeting_or_404, get_round_or_404
from ..services import meetings as meeting_services
from ..services import submissions as submission_services
from ..services.common import StaleEdit
from ..submission_selectors import get_submission_or_404, submission_overview


def _document(
    request, template, context, *, filename, document, unit, household=None, rows=None, reveal=False
):
    as_pdf = wants_pdf(request)
    log_access(
        request,
        AccessKind.REVEAL_CITIZEN_ID if reveal else AccessKind.DOCUMENT,
        household=household,
        unit=unit,
        rows=rows,
        document=document,
        format="pdf" if as_pdf else "html",
    )
    return render_document(request, template, context, filename=filename, as_pdf=as_pdf)


# --- Documents of one household ---------------------------------------------------------


def _assessment_document(
    request, assessment, template: str, context: dict, *, prefix: str, document: str, reveal=False
) -> HttpResponse:
    """A household's document of one assessment, named after the household and year."""
    context["back_url"] = assessment.get_absolute_url()
    return _document(
        request,
        f"households/print/{template}.html",
        context,
        filename=f"{prefix}-{assessment.household.code}-{assessment.year}",
        document=document,
        unit=assessment.unit,
        household=assessment.household,
        reveal=reveal,
    )


@require_GET
def assessment_survey_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Phiếu B1 and B2 of the household (blank fields where not surveyed yet)."""
    assessment = get_assessment_or_404(request.user, pk, named=True)
    context = docs.survey_form_context(assessment)
    return _assessment_document(
        request, assessment, "survey_form", context, prefix="phieu-B1-B2", document="survey_form"
    )


@require_GET
def assessment_certificate_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as the official form; it shows the head's full ID: a reveal."""
    assessment = get_assessment_or_404(request.user, pk, named=True)
    if not assessment.has_certificate:
        raise Http404
    context = docs.certificate_context(assessment)
    return _assessment_document(
        request,
        assessment,
        "certificate",
        context,
        prefix="giay-chung-nhan",
        document="certificate",
        reveal=True,
    )


@require_GET
def assessment_refusal_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The written refusal with its reason (only for a refused assessment)."""
    assessment = get_assessment_or_404(request.user, pk, named=True)
    if assessment.status != AssessmentStatus.REFUSED:
        raise Http404
    context = docs.refusal_context(assessment)
    return _assessment_document(
        request,
        assessment,
        "refusal_letter",
        context,
        prefix="thong-bao",
        document="refusal_letter",
    )


# --- Documents of a round ---------------------------------------------------------------


@require_GET
def round_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """Every document of the round, and its village meetings."""
    review_round = get_round_or_404(request.user, pk, named=True)
    assessments = (
        Assessment.objects.filter(round=review_round)
        .select_related("household__head")
        .order_by("household__code", "pk")
    )
    context = {
        "round": review_round,
        "meetings": review_round.village_meetings.select_related("village").order_by(
            "-held_on", "pk"
        ),
        "decision_numbers": docs.decision_numbers(review_round),
        "assessments": assessments,
        "can_run": can_run_review(request.user, review_round.unit),
        "certified": (AssessmentStatus.RECOGNISED,),
    }
    return render(request, "households/round_documents.html", context)


@require_GET
def round_posting_list(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = get_round_or_404(request.user, pk, named=True)
    context = docs.posting_list_context(review_round)
    context["back_url"] = reverse("households:round_documents", args=[review_round.pk])
    return _document(
        request,
        "households/print/posting_list.html",
        context,
        filename=f"niem-yet-{review_round.unit.code}-{review_round.year}",
        document="posting_list",
        unit=review_round.unit,
        rows=context["row_count"],
    )


@require_GET
def round_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision ``?number=`` (default: the round's only one) with its annexes."""
    review_round = get_round_or_404(request.user, pk, named=True)
    numbers = docs.decision_numbers(review_round)
    number = request.GET.get("number") or (numbers[0] if len(numbers) == 1 else "")
    if number not in numbers:
        raise Http404
    context = docs.decision_context(review_round, number)
    context["back_url"] = reverse("households:round_documents", args=[review_round.pk])
    return _document(
        request,
        "households/print/decision.html",
        context,
        filename=f"quyet-dinh-{review_round.unit.code}-{review_round.year}",
        document="decision",
        unit=review_round.unit,
        rows=sum(len(g.rows) for g in context["groups"].values()),
    )


# --- Village meetings -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = get_round_or_404(request.user, pk, named=True)
    require(can_run_review(request.user, review_round.unit))
    villages = AdministrativeUnit.objects.villages().filter(parent=review_round.unit)
    assessments = (
        Assessment.objects.filter(round=review_round)
        .select_related("household__head")
        .order_by("household__code", "pk")
    )
    form = MeetingRecordForm(
        request.POST or None,
        villages=villages.order_by("name"),
        assessments=assessments,
        initial={"held_on": today()},
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meeting_services.meeting_record(
                actor=request.user,
                review_round=review_round,
                **{**data, "assessments": list(data["assessments"])},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Village meeting recorded: %(meeting)s.") % {"meeting": meeting}
            )
            return redirect("households:round_documents", review_round.pk)
    return render(request, "households/meeting_form.html", {"form": form, "round": review_round})


@require_GET
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_or_404(request.user, pk)
    context = docs.meeting_minutes_context(meeting)
    context["back_url"] = reverse("households:round_documents", args=[meeting.round_id])
    return _document(
        request,
        "households/print/meeting_minutes.html",
        context,
        filename=f"bien-ban-hop-dan-{meeting.held_on:%Y%m%d}-{meeting.pk}",
        document="meeting_minutes",
        unit=meeting.round.unit,
        rows=len(context["votes"]),
    )


# --- Submissions upward -----------------------------------------------------------------


def _year(request) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2016 <= int(value) <= 2100:
        return int(value)
    return today().year


@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    """Which wards submitted the year's results, which are late (city), one's own (ward)."""
    require(has_perm(request.user, Action.VIEW_SUBMISSIONS))
    year = _year(request)
    day = today()
    rows = submission_overview(request.user, year, day)
    submit_ids = unit_ids_with(request.user, Action.SUBMIT_RESULTS)
    reopen_ids = unit_ids_with(request.user, Action.REOPEN_RESULTS)
    for row in rows:
        row.can_submit = row.unit.is_grassroots and (
            submit_ids is None or row.unit.pk in submit_ids
        )
        row.can_reopen = reopen_ids is None or row.unit.pk in reopen_ids
    context = {
        "year": year,
        "years": range(day.year + 1, 2020, -1),
        "rows": rows,
        "submitted": sum(1 for r in rows if r.state in ("submitted", "submitted_late")),
        "late": sum(1 for r in rows if r.is_late),
        "today": day,
    }
    return render(request, "households/submission_list.html", context)


@require_POST
def submission_submit(request: HttpRequest) -> HttpResponse:
    form = SubmitResultsForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    scope = unit_ids_with(request.user, Action.VIEW_SUBMISSIONS)
    unit = AdministrativeUnit.objects.grassroots().filter(pk=data["unit"]).first()
    if unit is None or (scope is not None and unit.pk not in scope):
        raise Http404
    require(can_submit_results(request.user, unit))
    try:
        submission_services.results_submit(
            actor=request.user,
            unit=unit,
            year=data["year"],
            note=data["note"],
            version=data["version"],
        )
    except (StaleEdit, ValidationError) as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The %(year)s results of %(unit)s were submitted; they are locked now.")
            % {"year": data["year"], "unit": unit.name},
        )
    return redirect(reverse("households:submission_list") + f"?year={data['year']}")


@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_or_404(request.user, pk)
    context = {
        "submission": submission,
        "can_reopen": submission.is_locked and can_reopen_results(request.user, submission.unit),
        "return_form": ReturnResultsForm(initial={"version": submission.version}),
        "history": change_history(
            ResultSubmission,
            ResultSubmission.history.filter(id=submission.pk),
            record_label=lambda row: _("Submission %(year)s") % {"year": row.year},
        ),
    }
    return render(request, "households/submission_detail.html", context)


@require_POST
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_or_404(request.user, pk)
    require(can_reopen_results(request.user, submission.unit))
    form = ReturnResultsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the results are sent back."))
        return redirect("households:submission_detail", submission.pk)
    try:
        submission_services.results_reopen(
            actor=request.user, submission=submission, **form.cleaned_data
        )
    except (StaleEdit, ValidationError) as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The results of %(unit)s were sent back; the ward can change them again.")
            % {"unit": submission.unit.name},
        )
    return redirect("households:submission_detail", submission.pk)
