"""Read endpoints of the API: the pages' selectors and permission checks, as JSON.

Scope is the pages' scope: another ward's record is a 404, a visible record
without the right a 403, and city roles without the names grant get the
aggregates (annual report, dashboard) only.
"""

from __future__ import annotations

from django import forms
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communes.audit import AccessKind, log_access
from communes.models import AdministrativeUnit, UnitKind
from communes.permissions import (
    Action,
    get_unit_or_404,
    require,
    unit_ids_with,
    uses_names_grant,
)
from communes.selectors import grassroots_units_for, today, units_for
from halong import dashboard
from halong.forms import ReportDownloadForm
from halong.reports import annual_report
from households.forms.registry import HouseholdFilterForm
from households.models import Assessment, Household, PovertyStatus
from households.review_selectors import assessment_with_details
from households.selectors import (
    assessments_for,
    get_assessment_or_404,
    get_household_or_404,
    household_list_rows,
    named_households_for,
)
from households.validators import citizen_id_mask
from plans.forms.support import SupportFilterForm
from plans.models import ExitPlan, FundingSource, PlanAction
from plans.permissions import can_view_support_ledger
from plans.plan_selectors import get_action_or_404, get_plan_or_404, plan_actions, plans_for
from plans.support_selectors import get_support_or_404, named_ledger_for, with_list_columns

from . import serializers as s
from .pagination import IdCursorPagination

#: Codes are reused after reforms: the newest unit carrying a code first
#: (a unit without a start date is the oldest, on every database).
LATEST_FIRST = F("valid_from").desc(nulls_last=True)

NOT_FOUND = {404: s.ErrorSerializer}
FORBIDDEN = {403: s.ErrorSerializer}
BAD_REQUEST = {400: s.ErrorSerializer}


def _form_errors(form: forms.Form) -> ValidationError:
    return ValidationError({name: list(errors) for name, errors in form.errors.items()})


def _wants_reveal(request: Request) -> bool:
    return request.query_params.get("reveal", "").lower() in ("1", "true", "yes")


class ApiMixin:
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": today()}


# --- Units ---------------------------------------------------------------------------------


def _units_with_successions(queryset):
    return queryset.select_related("parent").prefetch_related(
        "successions_in__predecessor", "successions_out__successor"
    )


@extend_schema(
    tags=["units"],
    parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, enum=UnitKind.values, description="Unit kind."),
        OpenApiParameter("code", OpenApiTypes.STR, description="GSO code (reused: check dates)."),
    ],
    responses={200: s.UnitSerializer(many=True), **BAD_REQUEST},
)
class UnitList(ApiMixin, generics.ListAPIView):
    """Administrative units the user may see, with predecessors and successors (2025 reform)."""

    serializer_class = s.UnitSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        units = units_for(self.request.user)
        params = self.request.query_params
        if params.get("kind"):
            units = units.filter(kind=params["kind"])
        if params.get("code"):
            units = units.filter(code=params["code"])
        return _units_with_successions(units)


@extend_schema(tags=["units"], responses={200: s.UnitSerializer, **NOT_FOUND})
class UnitDetail(ApiMixin, APIView):
    """One unit (404 outside the user's scope)."""

    def get(self, request: Request, pk: int) -> Response:
        unit = get_unit_or_404(request.user, pk)
        unit = _units_with_successions(AdministrativeUnit.objects.filter(pk=unit.pk)).get()
        return Response(s.UnitSerializer(unit).data)


# --- Households ----------------------------------------------------------------------------


HOUSEHOLD_FILTERS = [
    OpenApiParameter("unit", OpenApiTypes.STR, description="GSO code of a ward/commune in scope."),
    OpenApiParameter("village", OpenApiTypes.STR, description="Code of a village of those wards."),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=PovertyStatus.values,
        description="Latest decided status (of `year` when given).",
    ),
    OpenApiParameter("year", OpenApiTypes.INT, description="Review year the status is of."),
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Name, citizen ID or household code; accents optional."
    ),
]


def _household_form(request: Request) -> HouseholdFilterForm:
    """The list page's filter form, fed with codes instead of ids."""
    params = request.query_params
    units = grassroots_units_for(request.user)
    data = {key: params.get(key, "") for key in ("q", "status", "year")}
    if params.get("unit"):
        unit = units.filter(code=params["unit"]).order_by(LATEST_FIRST).first()
        if unit is None:
            raise ValidationError({"unit": [_("No ward or commune with this code in your scope.")]})
        data["unit"] = str(unit.pk)
    form = HouseholdFilterForm(data, units=units)
    if params.get("village"):
        village = form.fields["village"].queryset.filter(code=params["village"]).first()
        if village is None:
            raise ValidationError({"village": [_("No village with this code in your scope.")]})
        form = HouseholdFilterForm({**data, "village": str(village.pk)}, units=units)
    if not form.is_valid():
        raise _form_errors(form)
    return form


@extend_schema(
    tags=["households"],
    parameters=HOUSEHOLD_FILTERS,
    responses={
        200: s.HouseholdListSerializer(many=True),
        **BAD_REQUEST,
        **FORBIDDEN,
    },
)
class HouseholdList(ApiMixin, generics.ListAPIView):
    """Households the user may read by name (403 for city roles without the names grant).

    Cursor pagination: follow `next` until it is null.
    """

    serializer_class = s.HouseholdListSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        households = named_households_for(self.request.user)
        form = _household_form(self.request)
        return form.filter(household_list_rows(households, form.chosen_year))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        for household in page:
            household.head_citizen_id = citizen_id_mask(
                household.head.citizen_id if household.head else ""
            )
        if uses_names_grant(request.user):
            log_access(
                request, AccessKind.VIEW_NAMED_LIST, label=str(_("Household list")), rows=len(page)
            )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _household_detail(request: Request, household: Household) -> dict:
    reveal = _wants_reveal(request)
    log_access(request, AccessKind.VIEW_HOUSEHOLD, household=household)
    household.member_list = list(household.members.order_by("left_on", "birth_year", "pk"))
    if reveal:
        # One entry per citizen ID shown, exactly like the page's reveal button.
        for member in household.member_list:
            if member.citizen_id:
                log_access(
                    request,
                    AccessKind.REVEAL_CITIZEN_ID,
                    household=household,
                    member_id=member.pk,
                )
    head = household.head
    household.head_citizen_id = citizen_id_mask(head.citizen_id if head else "")
    annotated = household_list_rows(Household.objects.filter(pk=household.pk), None).get()
    household.member_count = annotated.member_count
    household.recorded_status = annotated.recorded_status
    household.status_year = annotated.status_year
    context = {"today": today(), "reveal": reveal, "request": request}
    serializer = s.HouseholdDetailSerializer(household, context=context)
    return serializer.data


@extend_schema(
    tags=["households"],
    parameters=[
        OpenApiParameter(
            "reveal",
            OpenApiTypes.BOOL,
            description="`1`: full citizen IDs of the members; each one shown is recorded "
            "in the access log (as the page's reveal button).",
        )
    ],
    responses={200: s.HouseholdDetailSerializer, **FORBIDDEN, **NOT_FOUND},
)
class HouseholdDetail(APIView):
    """A household with its members and its assessments (the household page; logged)."""

    def get(self, request: Request, pk: int) -> Response:
        household = get_household_or_404(request.user, pk, named=True)
        return Response(_household_detail(request, household))


# --- Assessments ---------------------------------------------------------------------------


def _assessment_data(assessment: Assessment) -> dict:
    return s.AssessmentSerializer(assessment_with_details(assessment.pk)).data


@extend_schema(tags=["review"], responses={200: s.AssessmentSerializer, **FORBIDDEN, **NOT_FOUND})
class AssessmentDetail(APIView):
    """One assessment: survey, deprivations, causes, classification, meeting, decision."""

    def get(self, request: Request, pk: int) -> Response:
        assessment = get_assessment_or_404(request.user, pk, named=True)
        return Response(_assessment_data(assessment))


def _assessments_queryset():
    return Assessment.objects.select_related(
        "round__standard", "round__provincial_standard", "round__unit", "unit", "surveyed_by"
    ).prefetch_related("deprivations", "causes")


@extend_schema(
    tags=["review"], responses={200: s.AssessmentSerializer(many=True), **FORBIDDEN, **NOT_FOUND}
)
class HouseholdAssessments(generics.ListAPIView):
    """The assessments of one household, newest first."""

    serializer_class = s.AssessmentSerializer
    pagination_class = None

    def get_queryset(self):
        household = get_household_or_404(self.request.user, self.kwargs["pk"], named=True)
        return (
            _assessments_queryset()
            .filter(pk__in=assessments_for(self.request.user).filter(household=household))
            .order_by("-year", "-pk")
        )


# --- Plans ---------------------------------------------------------------------------------


def _plan_data(plan: ExitPlan, context: dict) -> dict:
    plan.action_list = plan_actions(plan)
    return s.PlanSerializer(plan, context=context).data


@extend_schema(tags=["plans"], responses={200: s.PlanSerializer, **FORBIDDEN, **NOT_FOUND})
class PlanDetail(APIView):
    """One exit plan with its actions."""

    def get(self, request: Request, pk: int) -> Response:
        plan = get_plan_or_404(request.user, pk, named=True)
        return Response(_plan_data(plan, {"today": today()}))


@extend_schema(
    tags=["plans"], responses={200: s.PlanSerializer(many=True), **FORBIDDEN, **NOT_FOUND}
)
class HouseholdPlans(APIView):
    """The exit plans of one household, newest first, with their actions."""

    def get(self, request: Request, pk: int) -> Response:
        household = get_household_or_404(request.user, pk, named=True)
        plans = plans_for(request.user).filter(household=household).order_by("-start_year", "-pk")
        actions = PlanAction.objects.select_related("responsible", "support_type").order_by(
            "due_date", "pk"
        )
        context = {"today": today()}
        data = []
        for plan in plans.prefetch_related(Prefetch("actions", queryset=actions)):
            plan.action_list = list(plan.actions.all())
            data.append(s.PlanSerializer(plan, context=context).data)
        return Response(data)


@extend_schema(tags=["plans"], responses={200: s.ActionSerializer, **FORBIDDEN, **NOT_FOUND})
class ActionDetail(APIView):
    """One plan action (the responsible member sees their own actions)."""

    def get(self, request: Request, pk: int) -> Response:
        action = get_action_or_404(request.user, pk, named=True)
        return Response(s.ActionSerializer(action, context={"today": today()}).data)


# --- Support ledger --------------------------------------------------------------------------


def _ledger_units(user):
    units = grassroots_units_for(user)
    allowed = unit_ids_with(user, Action.VIEW_SUPPORT)
    return units if allowed is None else units.filter(pk__in=allowed)


@extend_schema(
    tags=["support"],
    parameters=[
        OpenApiParameter("unit", OpenApiTypes.STR, description="GSO code of a ward/commune."),
        OpenApiParameter("household", OpenApiTypes.INT, description="A household's id."),
        OpenApiParameter("year", OpenApiTypes.INT, description="Year given."),
        OpenApiParameter("support_type", OpenApiTypes.STR, description="Support type code."),
        OpenApiParameter(
            "funding_source", OpenApiTypes.STR, enum=FundingSource.values, description="Source."
        ),
        OpenApiParameter("q", OpenApiTypes.STR, description="Household code or member name."),
    ],
    responses={200: s.SupportSerializer(many=True), **BAD_REQUEST, **FORBIDDEN},
)
class SupportList(ApiMixin, generics.ListAPIView):
    """The support ledger of the units in scope (names: city roles need the grant)."""

    serializer_class = s.SupportSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        user = self.request.user
        require(can_view_support_ledger(user))
        records = named_ledger_for(user)
        params = self.request.query_params
        units = _ledger_units(user)
        data = {key: params.get(key, "") for key in ("q", "year", "funding_source")}
        if params.get("unit"):
            unit = units.filter(code=params["unit"]).order_by(LATEST_FIRST).first()
            if unit is None:
                raise ValidationError(
                    {"unit": [_("No ward or commune with this code in your scope.")]}
                )
            data["unit"] = str(unit.pk)
        form = SupportFilterForm(data, units=units)
        if params.get("support_type"):
            chosen = (
                form.fields["support_type"].queryset.filter(code=params["support_type"]).first()
            )
            if chosen is None:
                raise ValidationError({"support_type": [_("Unknown support type.")]})
            form = SupportFilterForm({**data, "support_type": str(chosen.pk)}, units=units)
        if not form.is_valid():
            raise _form_errors(form)
        records = form.filter(records)
        if params.get("household"):
            if not params["household"].isdigit():
                raise ValidationError({"household": [_("Give a household id.")]})
            records = records.filter(household_id=int(params["household"]))
        return with_list_columns(records).select_related("support_programme")


@extend_schema(tags=["support"], responses={200: s.SupportSerializer, **FORBIDDEN, **NOT_FOUND})
class SupportDetail(APIView):
    """One record of the support ledger."""

    def get(self, request: Request, pk: int) -> Response:
        record = get_support_or_404(request.user, pk, named=True)
        require(can_view_support_ledger(request.user))
        return Response(s.SupportSerializer(record).data)


# --- Aggregates ------------------------------------------------------------------------------


REPORT_SHAPE = inline_serializer(
    "AnnualReport",
    {
        "year": serializers.IntegerField(),
        "standard": serializers.CharField(help_text="Code of the poverty standard applied."),
        "standard_name": serializers.CharField(),
        "root": inline_serializer(
            "ReportRoot", {"code": serializers.CharField(), "name": serializers.CharField()}
        ),
        "as_of": serializers.DateField(allow_null=True),
        "units": serializers.ListField(
            child=serializers.DictField(),
            help_text="One row per ward/commune valid on 31/12 of the year (TT 07/2021 form).",
        ),
        "groups": serializers.DictField(
            child=serializers.DictField(), help_text="Subtotals by area (`urban`, `rural`)."
        ),
        "total": serializers.DictField(),
    },
)


@extend_schema(
    tags=["reports"],
    parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, required=True, description="Review year."),
        OpenApiParameter(
            "unit",
            OpenApiTypes.STR,
            description="GSO code of the city or a ward/commune valid in that year; "
            "default: the first unit you may report on.",
        ),
        OpenApiParameter("standard", OpenApiTypes.STR, description="Poverty standard code."),
    ],
    responses={200: REPORT_SHAPE, **BAD_REQUEST, **FORBIDDEN, **NOT_FOUND},
)
class AnnualReport(APIView):
    """The annual report: the same JSON as `manage.py annual_report --format json` (logged)."""

    def get(self, request: Request) -> Response:
        user = request.user
        require(dashboard.may_see_reports(user))
        units = dashboard.report_units_for(user)
        params = request.query_params
        data = {"year": params.get("year", ""), "standard": params.get("standard", "")}
        data["format"] = "json"
        code = params.get("unit", "")
        if code:
            year = int(data["year"]) if data["year"].isdigit() else today().year
            unit = (
                AdministrativeUnit.objects.exclude(kind=UnitKind.VILLAGE)
                .valid_in_year(year)
                .filter(code=code)
                .order_by(LATEST_FIRST)
                .first()
            )
            if unit is None:
                raise ValidationError({"unit": [_("No unit with this code in that year.")]})
            dashboard.report_unit_or_error(user, unit.pk)
            data["unit"] = str(unit.pk)
        else:
            first = units.first()
            data["unit"] = str(first.pk) if first else ""
        form = ReportDownloadForm(data, units=units, last_year=today().year)
        if not form.is_valid():
            raise _form_errors(form)
        cleaned = form.cleaned_data
        report = annual_report(
            year=cleaned["year"], root=cleaned["unit"], standard=cleaned["standard"]
        )
        log_access(
            request,
            AccessKind.REPORT,
            unit=cleaned["unit"],
            label=f"api annual report {report.year} {cleaned['unit'].code}",
            rows=len(report.units),
            year=report.year,
            format="api",
        )
        return Response(report.as_json())


class YearPointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    poor = serializers.IntegerField()
    near_poor = serializers.IntegerField()
    households = serializers.IntegerField(allow_null=True)
    poor_rate_pct = serializers.FloatField(allow_null=True)
    near_poor_rate_pct = serializers.FloatField(allow_null=True)
    standard = serializers.CharField(allow_null=True)


class TargetSerializer(serializers.Serializer):
    label = serializers.CharField()
    achieved = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    lower_is_better = serializers.BooleanField()
    is_pct = serializers.BooleanField()


class UnitRowSerializer(serializers.Serializer):
    unit = s.UnitRefSerializer()
    households = serializers.IntegerField(allow_null=True)
    poor = serializers.IntegerField()
    near_poor = serializers.IntegerField()
    previous_poor = serializers.IntegerField(allow_null=True)
    previous_near_poor = serializers.IntegerField(allow_null=True)


class GapSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    deprived = serializers.IntegerField()
    supported = serializers.IntegerField()
    support_types = serializers.ListField(child=serializers.CharField())


class DashboardSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(["city", "ward"], source="scope.kind")
    unit = s.UnitRefSerializer(source="scope.root", allow_null=True)
    trend = YearPointSerializer(many=True, source="points")
    targets = TargetSerializer(many=True)
    health_insurance = serializers.SerializerMethodField()
    units = UnitRowSerializer(many=True)
    deprivation_gaps = GapSerializer(many=True, source="gaps")

    def get_health_insurance(self, board) -> dict | None:
        coverage = board.coverage
        if coverage is None:
            return None
        return {"people": coverage.people, "insured": coverage.insured, "pct": coverage.pct}


@extend_schema(tags=["reports"], responses={200: DashboardSerializer, **FORBIDDEN})
class Dashboard(APIView):
    """The figures of the home page's dashboard (city roles, ward heads and officers)."""

    def get(self, request: Request) -> Response:
        scope = dashboard.dashboard_scope(request.user)
        require(scope is not None)
        return Response(DashboardSerializer(dashboard.build_dashboard(scope)).data)
