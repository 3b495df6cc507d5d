"""Pages of the yearly review: rounds, assessments, decisions and certificates."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communes.audit import AccessKind, log_access
from communes.forms import add_service_errors
from communes.history import change_history
from communes.models import AdministrativeUnit
from communes.permissions import Action, require, unit_ids_with
from communes.selectors import today

from .. import review_selectors
from ..forms.review import (
    AssessmentCreateForm,
    AssessmentMeetingForm,
    AssessmentPostForm,
    BulkActionForm,
    ComplaintForm,
    ComplaintSettleForm,
    DecideForm,
    MeetingForm,
    PostForm,
    RecogniseForm,
    RoundForm,
    RoundStandardsForm,
    SendBackForm,
    SurveyForm,
)
from ..models import (
    Assessment,
    AssessmentStatus,
    Complaint,
    PovertyStatus,
    ReviewKind,
    SupportNeed,
)
from ..permissions import can_decide_review, can_run_review
from ..rules import b_score
from ..selectors import get_assessment_or_404, get_household_or_404, get_round_or_404, rounds_for
from ..services import complaints as complaint_services
from ..services import review as services
from ..services.common import StaleEdit
from ..suggest import suggest_deprivations

#: Service error keys that a form calls by another name.
#: Rounds per page of the list (the city sees every unit's rounds of every year).
ROUND_LIST_PAGE_SIZE = 50
FIELD_ALIASES = {"deprivation_codes": "deprivations", "review_round": "review_round"}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _units_running_reviews(user):
    units = AdministrativeUnit.objects.grassroots().valid_on(today()).order_by("name")
    ids = unit_ids_with(user, Action.RUN_REVIEW)
    return units if ids is None else units.filter(pk__in=ids)


# --- Rounds --------------------------------------------------------------------


@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    """Open rounds first, then the newest; each with its households per step."""
    steps = [
        (status, Count("assessments", filter=Q(assessments__status=status)))
        for status in AssessmentStatus
    ]
    rounds = (
        rounds_for(request.user)
        .annotate(assessment_count=Count("assessments"), **{f"n_{s}": c for s, c in steps})
        .order_by(F("closed_on").desc(nulls_first=True), "-year", "-opened_on", "unit__name")
    )
    page = Paginator(rounds, ROUND_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    for review_round in page.object_list:
        review_round.progress = [
            (status.label, getattr(review_round, f"n_{status}"))
            for status in AssessmentStatus
            if getattr(review_round, f"n_{status}")
        ]
    context = {
        "rounds": page.object_list,
        "page_obj": page,
        "can_open": _units_running_reviews(request.user).exists(),
    }
    return render(request, "households/round_list.html", context)


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    units = _units_running_reviews(request.user)
    require(units.exists())
    initial = {}
    if unit_pk := request.GET.get("unit"):
        initial["unit"] = units.filter(pk=unit_pk).first() if unit_pk.isdigit() else None
    if kind := request.GET.get("kind"):
        initial["kind"] = kind
    form = RoundForm(request.POST or None, units=units, initial=initial)
    if form.is_valid():
        try:
            review_round = services.round_open(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, FIELD_ALIASES)
        else:
            messages.success(request, _("Review opened: %(round)s.") % {"round": review_round})
            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = review_round.get_absolute_url()
            return redirect(next_url)
    return render(request, "households/round_form.html", {"form": form})


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The steps list households by name.
    review_round = get_round_or_404(request.user, pk, named=True)
    steps = review_selectors.round_overview(review_round)
    day = today()
    for step in steps:
        for a in step.assessments:
            a.deadline_state = review_selectors.deadline_state(a, day)
    context = {
        "round": review_round,
        "steps": steps,
        "active_step": next((s.status for s in steps if s.count), steps[0].status),
        "total": sum(s.count for s in steps),
        "can_run": can_run_review(request.user, review_round.unit),
        "can_decide": can_decide_review(request.user, review_round.unit),
        "is_regular": review_round.kind == ReviewKind.REGULAR,
        "meeting_form": MeetingForm(prefix=BulkActionForm.MEETING),
        "post_form": PostForm(prefix=BulkActionForm.POST),
        "recognise_form": RecogniseForm(prefix=BulkActionForm.RECOGNISE),
        "today": day,
        "round_surveyed": any(s.count for s in steps if s.status != AssessmentStatus.LISTED),
    }
    return render(request, "households/round_detail.html", context)


@require_http_methods(["GET", "POST"])
def round_standards(request: HttpRequest, pk: int) -> HttpResponse:
    """A head chooses a round's standards before the first survey (override with a reason)."""
    review_round = get_round_or_404(request.user, pk)
    require(can_decide_review(request.user, review_round.unit))
    rule = services.standards_by_rule(
        kind=review_round.kind, year=review_round.year, opened_on=review_round.opened_on
    )
    form = RoundStandardsForm(
        request.POST or None,
        initial={
            "standard": review_round.standard,
            "provincial_standard": review_round.provincial_standard,
            "reason": review_round.standard_reason,
        },
    )
    if form.is_valid():
        try:
            services.round_set_standards(
                actor=request.user, review_round=review_round, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error, FIELD_ALIASES)
        else:
            messages.success(request, _("The standards of the review were saved."))
            return redirect(review_round)
    context = {"round": review_round, "form": form, "rule": rule}
    return render(request, "households/round_standards.html", context)


@require_POST
def round_list_households(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = get_round_or_404(request.user, pk)
    require(can_run_review(request.user, review_round.unit))
    count = services.round_list_households(actor=request.user, review_round=review_round)
    messages.success(
        request,
        _("%(count)s households from last decision's poor and near-poor lists were listed.")
        % {"count": count},
    )
    return redirect(review_round)


@require_POST
def round_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = get_round_or_404(request.user, pk)
    require(can_run_review(request.user, review_round.unit))
    in_round = Assessment.objects.filter(round=review_round).select_related(
        "household__head", "unit"
    )
    by_pk = {a.pk: a for a in in_round}
    form = BulkActionForm(request.POST, assessment_ids=by_pk)
    if not form.is_valid():
        messages.error(request, _error_text(ValidationError(list(form.errors.values()))))
        return redirect(review_round)
    action = form.cleaned_data["action"]
    if action == BulkActionForm.RECOGNISE:
        require(can_decide_review(request.user, review_round.unit))
    data_form = form.action_form()
    if not data_form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{data_form.fields[f].label if f in data_form.fields else ''}: {' '.join(e)}"
                for f, e in data_form.errors.items()
            ),
        )
        return redirect(review_round)
    chosen = [by_pk[i] for i in form.cleaned_data["assessments"]]
    bulk = {
        BulkActionForm.MEETING: services.bulk_record_meeting,
        BulkActionForm.POST: services.bulk_post,
        BulkActionForm.RECOGNISE: services.bulk_recognise,
    }[action]
    try:
        done = bulk(actor=request.user, assessments=chosen, **data_form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(review_round)
    if action == BulkActionForm.MEETING and done[0].status == AssessmentStatus.SURVEYED:
        messages.warning(
            request,
            _("The meeting did not reach 50 %%: %(count)s households stay surveyed.")
            % {"count": len(done)},
        )
    else:
        messages.success(request, _("%(count)s households updated.") % {"count": len(done)})
    return redirect(review_round)


# --- Assessments ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = get_household_or_404(request.user, household_pk)
    require(can_run_review(request.user, household.unit))
    rounds = review_selectors.open_rounds_of(household.unit_id).order_by("-year", "kind")
    form = AssessmentCreateForm(request.POST or None, rounds=rounds)
    if form.is_valid():
        try:
            assessment = services.assessment_create(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error, FIELD_ALIASES)
        else:
            messages.success(request, _("Added to the review. Record the survey next."))
            return redirect("households:assessment_survey", assessment.pk)
    open_url = reverse("households:round_create") + f"?unit={household.unit_id}&next={request.path}"
    context = {
        "form": form,
        "household": household,
        "has_rounds": rounds.exists(),
        "open_url": open_url,
    }
    return render(request, "households/assessment_form.html", context)


@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = review_selectors.assessment_with_details(
        get_assessment_or_404(request.user, pk, named=True).pk
    )
    deprivations = list(assessment.deprivations.all())
    standard = assessment.round.standard
    can_run = can_run_review(request.user, assessment.unit)
    status = assessment.status
    context = {
        "assessment": assessment,
        "household": assessment.household,
        "deprivations": deprivations,
        "causes": list(assessment.causes.all()),
        "b_score": b_score(len(deprivations), standard.points_per_indicator),
        "deadline_state": review_selectors.deadline_state(assessment, today()),
        "can_survey": can_run and status in (AssessmentStatus.LISTED, AssessmentStatus.SURVEYED),
        "can_meet": can_run and status == AssessmentStatus.SURVEYED,
        "can_post": can_run and status == AssessmentStatus.AGREED,
        "can_send_back": can_run and status in (AssessmentStatus.AGREED, AssessmentStatus.POSTED),
        "can_decide": can_decide_review(request.user, assessment.unit)
        and status in (AssessmentStatus.SURVEYED, AssessmentStatus.AGREED, AssessmentStatus.POSTED),
        "has_certificate": assessment.has_certificate,
        "send_back_form": SendBackForm(initial={"version": assessment.version}),
        "complaints": list(assessment.complaint_records.order_by("received_on", "pk")),
        "can_complain": can_run and status == AssessmentStatus.POSTED,
        "support_need_labels": ", ".join(
            str(SupportNeed(v).label) for v in assessment.support_needs if v in SupportNeed.values
        ),
        "history": change_history(
            Assessment,
            Assessment.history.filter(id=assessment.pk),
            record_label=lambda row: _("Assessment %(year)s") % {"year": row.year},
        ),
    }
    return render(request, "households/assessment_detail.html", context)


def _survey_initial(assessment: Assessment) -> dict:
    causes = list(assessment.causes.all())
    return {
        "version": assessment.version,
        "surveyed_on": assessment.surveyed_on or today(),
        "member_count": assessment.member_count,
        "income_per_capita": assessment.income_per_capita,
        "score_a": assessment.score_a,
        "deprivations": [i.code for i in assessment.deprivations.all()],
        "causes": [c.code for c in causes],
        "primary_cause": next((c.code for c in causes if c.is_primary), ""),
        "support_needs": assessment.support_needs,
    }


@require_http_methods(["GET", "POST"])
def assessment_survey(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_or_404(request.user, pk)
    require(can_run_review(request.user, assessment.unit))
    standard = assessment.round.standard
    indicators = list(standard.indicators.order_by("order", "code"))
    form = SurveyForm(
        request.POST or None, initial=_survey_initial(assessment), indicators=indicators
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assessment_survey(
                actor=request.user,
                assessment=assessment,
                version=data["version"],
                surveyed_on=data["surveyed_on"],
                member_count=data["member_count"],
                income_per_capita=data["income_per_capita"],
                score_a=data["score_a"],
                deprivation_codes=set(data["deprivations"]),
                causes=data["causes"],
                primary_cause=data["primary_cause"] or None,
                support_needs=data["support_needs"],
            )
        except StaleEdit as error:
            form.add_error(None, error)
        except ValidationError as error:
            add_service_errors(form, error, FIELD_ALIASES)
        else:
            messages.success(request, _("Survey saved and classified."))
            return redirect(assessment)
    members = list(assessment.household.members.filter(left_on__isnull=True))
    suggestions = suggest_deprivations(
        members,
        on=today(),
        indicator_codes={i.code for i in indicators},
        rule_type=standard.rule_type,
    )
    dimensions: dict[str, list] = {}
    checkboxes = {box.data["value"]: box for box in form["deprivations"]}
    for indicator in indicators:
        dimensions.setdefault(indicator.dimension, []).append(
            {
                "indicator": indicator,
                "checkbox": checkboxes[indicator.code],
                "suggestion": suggestions.get(indicator.code),
            }
        )
    context = {
        "form": form,
        "assessment": assessment,
        "household": assessment.household,
        "dimensions": dimensions,
        "suggested_count": len(suggestions),
        "unconfirmed_indicators": sum(1 for i in indicators if not i.confirmed),
        "member_count": len(members),
    }
    return render(request, "households/assessment_form.html", context)


def _step_page(request, pk, *, form_class, allowed, perform, template, success):
    """A form page for one workflow step: GET shows it, POST calls ``perform``."""
    assessment = get_assessment_or_404(request.user, pk)
    require(allowed(request.user, assessment.unit))
    form = form_class(request.POST or None, initial={"version": assessment.version})
    if form.is_valid():
        try:
            result = perform(assessment, form.cleaned_data)
        except StaleEdit as error:
            form.add_error(None, error)
        except ValidationError as error:
            add_service_errors(form, error, FIELD_ALIASES)
        else:
            level, message = success(result)
            messages.add_message(request, level, message)
            return redirect(assessment)
    context = {"form": form, "assessment": assessment, "household": assessment.household}
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def assessment_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(assessment, data):
        return services.assessment_record_meeting(
            actor=request.user,
            assessment=assessment,
            version=data["version"],
            meeting_date=data["meeting_date"],
            chair=data["chair"],
            attendees=data["attendees"],
            agreed=data["agreed"],
        )

    def success(assessment):
        if assessment.status == AssessmentStatus.AGREED:
            return messages.SUCCESS, _("The village meeting agreed.")
        return messages.WARNING, _(
            "Fewer than half of the attendees agreed: re-survey the household and meet again."
        )

    return _step_page(
        request,
        pk,
        form_class=AssessmentMeetingForm,
        allowed=can_run_review,
        perform=perform,
        template="households/assessment_meeting.html",
        success=success,
    )


@require_http_methods(["GET", "POST"])
def assessment_post(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(assessment, data):
        return services.assessment_post(actor=request.user, assessment=assessment, **data)

    return _step_page(
        request,
        pk,
        form_class=AssessmentPostForm,
        allowed=can_run_review,
        perform=perform,
        template="households/assessment_post.html",
        success=lambda a: (messages.SUCCESS, _("Public posting recorded.")),
    )


@require_http_methods(["GET", "POST"])
def assessment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(assessment, data):
        common = {
            "actor": request.user,
            "assessment": assessment,
            "version": data["version"],
            "decision_date": data["decision_date"],
            "signer": data["signer"],
        }
        if data["decision"] == DecideForm.REFUSE:
            return services.assessment_refuse(
                **common, reason=data["reason"], decision_number=data["decision_number"]
            )
        return services.assessment_recognise(**common, decision_number=data["decision_number"])

    def success(assessment):
        if assessment.status == AssessmentStatus.REFUSED:
            return messages.SUCCESS, _("Refusal recorded.")
        if assessment.certificate_number:
            return messages.SUCCESS, _("Recognised; certificate %(number)s issued.") % {
                "number": assessment.certificate_number
            }
        return messages.SUCCESS, _("Recognised.")

    return _step_page(
        request,
        pk,
        form_class=DecideForm,
        allowed=can_decide_review,
        perform=perform,
        template="households/assessment_decide.html",
        success=success,
    )


@require_POST
def assessment_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_or_404(request.user, pk)
    require(can_run_review(request.user, assessment.unit))
    form = SendBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the assessment is sent back."))
        return redirect(assessment)
    try:
        services.assessment_send_back(
            actor=request.user, assessment=assessment, **form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Sent back for a re-survey."))
    return redirect(assessment)


@require_GET
def assessment_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable certificate; it carries the head's full citizen ID, so it is logged."""
    assessment = get_assessment_or_404(request.user, pk, named=True)
    if not assessment.has_certificate:
        raise Http404
    household = assessment.household
    log_access(
        request,
        AccessKind.REVEAL_CITIZEN_ID,
        household=household,
        certificate=assessment.certificate_number,
    )
    members = household.members.filter(left_on__isnull=True).order_by("birth_year", "pk")
    context = {
        "assessment": assessment,
        "household": household,
        "head": household.head,
        "members": members,
        "is_poor": assessment.recorded_status == PovertyStatus.POOR,
    }
    return render(request, "households/certificate.html", context)


# --- Complaints during the posting ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def complaint_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a complaint about an assessment's posted result."""
    assessment = get_assessment_or_404(request.user, pk, named=True)
    require(can_run_review(request.user, assessment.unit))
    form = ComplaintForm(request.POST or None, initial={"received_on": today()})
    if form.is_valid():
        try:
            complaint_services.complaint_record(
                actor=request.user, assessment=assessment, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error, FIELD_ALIASES)
        else:
            messages.success(
                request,
                _(
                    "Complaint recorded. Re-verify the result and record its outcome before the decision."
                ),
            )
            return redirect(assessment)
    context = {"form": form, "assessment": assessment, "household": assessment.household}
    return render(request, "households/complaint_form.html", context)


@require_http_methods(["GET", "POST"])
def complaint_settle(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the re-verification (phúc tra) and the outcome of a complaint."""
    complaint = get_object_or_404(Complaint.objects.select_related("assessment"), pk=pk)
    # Scoped like its assessment: another ward's complaint is a 404.
    assessment = get_assessment_or_404(request.user, complaint.assessment_id, named=True)
    require(can_run_review(request.user, assessment.unit))
    form = ComplaintSettleForm(
        request.POST or None, initial={"version": complaint.version, "rechecked_on": today()}
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            complaint_services.complaint_settle(
                actor=request.user,
                complaint=complaint,
                version=data["version"],
                rechecked_on=data["rechecked_on"],
                recheck_result=data["recheck_result"],
                outcome=data["outcome"],
            )
        except StaleEdit as error:
            form.add_error(None, error)
        except ValidationError as error:
            add_service_errors(form, error, FIELD_ALIASES)
        else:
            messages.success(request, _("The complaint is settled."))
            return redirect(assessment)
    context = {
        "form": form,
        "complaint": complaint,
        "assessment": assessment,
        "household": assessment.household,
    }
    return render(request, "households/complaint_settle.html", context)
