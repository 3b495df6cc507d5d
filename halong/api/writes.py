"""Write endpoints: the pages' services, with conflicts as 409.

- a stale ``version`` → 409 ``stale_version`` naming who changed what, when;
- support that may duplicate ledger records → 409 ``duplicate_support`` with
  those records (send ``conflict_reason`` to record it anyway);
- support the household's list does not entitle it to → 409 ``not_eligible``
  (send ``eligibility_reason``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communes.permissions import require
from communes.selectors import today
from households.models import ReviewRound
from households.permissions import can_run_review
from households.selectors import get_assessment_or_404, get_household_or_404
from households.services import review as review_services
from households.services.common import StaleEdit
from plans.models import PlanAction, SupportProgramme, SupportType
from plans.permissions import can_record_support, can_update_action
from plans.plan_selectors import get_action_or_404
from plans.services import plans as plan_services
from plans.services import support as support_services

from . import serializers as s
from .errors import Conflict
from .views import _assessment_data

ERRORS = {
    400: s.ErrorSerializer,
    403: s.ErrorSerializer,
    404: s.ErrorSerializer,
}


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def change_summary(instance, seen_version: int) -> tuple[str | None, str | None, list[dict]]:
    """Who made the last change to ``instance``, when, and which fields differ between
    the record as it was at ``seen_version`` and as it is now (several saves may lie
    between)."""
    instance.refresh_from_db()
    records = instance.history.order_by("-history_date", "-history_id")
    latest = records.select_related("history_user").first()
    seen = records.filter(version=seen_version).first()
    changed_by = changed_at = None
    changes = []
    if latest is not None:
        who = latest.history_user
        changed_by = (who.get_full_name() or who.username) if who else None
        changed_at = latest.history_date.isoformat()
        if seen is not None and seen.pk != latest.pk:
            model = type(instance)
            for change in latest.diff_against(seen).changes:
                if change.field in ("version", "updated_at", "search_text"):
                    continue
                label = model._meta.get_field(change.field).verbose_name
                changes.append({"field": change.field, "label": str(label)})
    return changed_by, changed_at, changes


def stale_conflict(instance, error: StaleEdit, seen_version: int) -> Conflict:
    """409 naming the change the client missed: who made it, when, which fields."""
    changed_by, changed_at, changes = change_summary(instance, seen_version)
    return Conflict(
        " ".join(error.messages),
        code="stale_version",
        current_version=instance.version,
        changed_by=changed_by,
        changed_at=changed_at,
        changed_fields=changes,
    )


# --- Review ------------------------------------------------------------------------------------


@extend_schema(
    tags=["review"],
    request=s.SurveyRequestSerializer,
    responses={
        200: s.AssessmentSerializer,
        **ERRORS,
        409: OpenApiResponse(s.StaleVersionSerializer, description="Stale `version`."),
    },
)
class AssessmentSurvey(APIView):
    """Record the survey of an assessment and classify it (as the survey page)."""

    def post(self, request: Request, pk: int) -> Response:
        assessment = get_assessment_or_404(request.user, pk)
        require(can_run_review(request.user, assessment.unit))
        data = _valid(s.SurveyRequestSerializer, request)
        try:
            review_services.assessment_survey(
                actor=request.user,
                assessment=assessment,
                version=data["version"],
                surveyed_on=data["surveyed_on"],
                member_count=data.get("member_count"),
                income_per_capita=data["income_per_capita"],
                score_a=data["score_a"],
                deprivation_codes=set(data["deprivations"]),
                causes=data["causes"],
                primary_cause=data.get("primary_cause") or None,
                support_needs=data["support_needs"],
            )
        except StaleEdit as error:
            raise stale_conflict(assessment, error, data["version"]) from None
        return Response(_assessment_data(assessment))


@extend_schema(
    tags=["review"],
    request=s.AssessmentCreateRequestSerializer,
    responses={201: s.AssessmentSerializer, **ERRORS},
)
class AssessmentCreate(APIView):
    """Add a household to an open review round of its ward (then record the survey)."""

    def post(self, request: Request, pk: int) -> Response:
        household = get_household_or_404(request.user, pk)
        require(can_run_review(request.user, household.unit))
        data = _valid(s.AssessmentCreateRequestSerializer, request)
        review_round = ReviewRound.objects.filter(pk=data["round"], unit=household.unit).first()
        if review_round is None:
            raise ValidationError({"round": [_("No review round of this ward with this id.")]})
        assessment = review_services.assessment_create(
            actor=request.user,
            household=household,
            review_round=review_round,
            application_date=data.get("application_date"),
        )
        return Response(_assessment_data(assessment), status=status.HTTP_201_CREATED)


# --- Plan actions ----------------------------------------------------------------------------


@extend_schema(
    tags=["plans"],
    request=s.ActionStatusRequestSerializer,
    responses={
        200: s.ActionSerializer,
        **ERRORS,
        409: OpenApiResponse(s.StaleVersionSerializer, description="Stale `version`."),
    },
)
class ActionStatus(APIView):
    """Report on a plan action: status, outcome (the responsible member, heads, officers)."""

    def post(self, request: Request, pk: int) -> Response:
        action = get_action_or_404(request.user, pk)
        require(can_update_action(request.user, action))
        data = _valid(s.ActionStatusRequestSerializer, request)
        try:
            plan_services.action_set_status(
                actor=request.user,
                action=action,
                version=data["version"],
                status=data["status"],
                outcome=data["outcome"],
                dropped_reason=data["dropped_reason"],
                completed_on=data.get("completed_on"),
            )
        except StaleEdit as error:
            raise stale_conflict(action, error, data["version"]) from None
        action.refresh_from_db()
        return Response(s.ActionSerializer(action, context={"today": today()}).data)


# --- Support ------------------------------------------------------------------------------------


def _support_arguments(household, data: dict) -> dict:
    """Codes and ids of the request as the service's objects (400 naming the field)."""
    errors = {}
    arguments = dict(data)
    support_type = SupportType.objects.filter(code=data["support_type"]).first()
    if support_type is None:
        errors["support_type"] = [_("Unknown support type.")]
    arguments["support_type"] = support_type
    member_id = data.get("member")
    arguments["member"] = None
    if member_id is not None:
        arguments["member"] = household.members.filter(pk=member_id, left_on__isnull=True).first()
        if arguments["member"] is None:
            errors["member"] = [_("Not a current member of this household.")]
    action_id = data.get("action")
    arguments["action"] = None
    if action_id is not None:
        arguments["action"] = PlanAction.objects.filter(
            pk=action_id, plan__household=household
        ).first()
        if arguments["action"] is None:
            errors["action"] = [_("Not an action of this household's plans.")]
    code = data.get("support_programme") or ""
    arguments["support_programme"] = None
    if code and support_type is not None:
        arguments["support_programme"] = SupportProgramme.objects.filter(
            support_type=support_type, code=code
        ).first()
        if arguments["support_programme"] is None:
            errors["support_programme"] = [_("Not a programme of this support type.")]
    if errors:
        raise ValidationError(errors)
    return arguments


@extend_schema(
    tags=["support"],
    request=s.SupportRequestSerializer,
    responses={
        201: s.SupportSerializer,
        **ERRORS,
        409: OpenApiResponse(
            s.SupportConflictSerializer,
            description="May duplicate existing records (`duplicate_support`, with them) or "
            "the household's list does not entitle it (`not_eligible`): send the reason.",
        ),
    },
)
class SupportCreate(APIView):
    """Record support given to a household (or a member): the ledger's duplicate rules apply."""

    def post(self, request: Request, pk: int) -> Response:
        household = get_household_or_404(request.user, pk)
        require(can_record_support(request.user, household))
        data = _valid(s.SupportRequestSerializer, request)
        arguments = _support_arguments(household, data)
        try:
            with transaction.atomic():
                record = support_services.support_record(
                    actor=request.user, household=household, **arguments
                )
        except support_services.SupportConflict as conflict:
            raise Conflict(
                " ".join(conflict.messages),
                code="duplicate_support",
                existing=s.SupportSerializer(conflict.records, many=True).data,
            ) from None
        except support_services.NotEligible as not_eligible:
            raise Conflict(" ".join(not_eligible.messages), code="not_eligible") from None
        return Response(s.SupportSerializer(record).data, status=status.HTTP_201_CREATED)
