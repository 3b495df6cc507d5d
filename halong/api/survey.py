"""Endpoints of the offline field-survey app (``/survey/``).

- ``GET survey/rounds/``: open rounds where the user runs the review, with their villages;
- ``GET survey/worklist/?round=&village=``: what the phone needs to survey a village
  offline: households, members, the standard's indicators with help texts, causes,
  the survey form's rules and messages (shipped as data, so the phone validates
  with the server's rules and words);
- ``POST survey/submissions/``: one survey, sent with an idempotency ``key`` chosen
  by the phone: a retry with the same key answers with the recorded result and
  never surveys twice. A household or assessment changed on the server since the
  download answers 409 ``survey_conflict`` with the differing fields, mine and theirs.

The survey itself is recorded by the survey service, as on the survey page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MinValueValidator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communes.audit import AccessKind, log_access
from communes.models import UnitKind
from communes.permissions import require
from communes.selectors import today
from households.forms.review import CURRENT_CAUSES, SurveyForm
from households.models import Assessment, Household, PovertyStatus, SupportNeed
from households.permissions import can_run_review
from households.review_selectors import assessment_with_details
from households.selectors import get_assessment_or_404
from households.services import review as review_services
from households.services.common import StaleEdit
from households.worklist_selectors import (
    round_villages,
    standard_indicators,
    survey_rounds_for,
    worklist,
)

from . import serializers as s
from .errors import Conflict
from .models import SurveySubmission
from .writes import change_summary

#: The answers of a survey, in the order the phone asks them.
ANSWERS = [
    "surveyed_on",
    "member_count",
    "income_per_capita",
    "score_a",
    "deprivations",
    "causes",
    "primary_cause",
    "support_needs",
]
#: Answers that are sets: their order means nothing.
SET_ANSWERS = {"deprivations", "causes", "support_needs"}


# --- Shapes ------------------------------------------------------------------------------


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class VillageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    households = serializers.IntegerField(help_text="Households of the round in the village.")
    to_survey = serializers.IntegerField(help_text="Of which still listed or surveyed.")


class SurveyRoundSerializer(s.RoundSerializer):
    villages = serializers.SerializerMethodField()

    class Meta(s.RoundSerializer.Meta):
        fields = [*s.RoundSerializer.Meta.fields, "villages"]

    @extend_schema_field(VillageSerializer(many=True))
    def get_villages(self, review_round):
        return round_villages(self.context["request"].user, review_round)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    dimension = serializers.CharField()
    help_text = serializers.CharField(source="threshold", help_text="When it counts as deprived.")


class StandardSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    rule_type = serializers.CharField()
    indicators = IndicatorSerializer(many=True)


class FieldRuleSerializer(serializers.Serializer):
    label = serializers.CharField()
    help_text = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(["date", "integer", "choice", "multiple"])
    required = serializers.BooleanField()
    min_value = serializers.IntegerField(allow_null=True)
    messages = serializers.DictField(
        child=serializers.CharField(), help_text="`required`, `invalid`, `min_value`: as the form."
    )


class FormRulesSerializer(serializers.Serializer):
    """The survey form's fields, limits and messages, and the service's cross-field rules."""

    fields = serializers.DictField(child=FieldRuleSerializer())
    evidence_message = serializers.CharField(
        help_text="Neither income nor an A-score: the service's message."
    )
    primary_cause_message = serializers.CharField()
    causes_needed_message = serializers.CharField(
        help_text="Checked by the server once it has classified the household."
    )


class AnswersSerializer(serializers.Serializer):
    surveyed_on = serializers.DateField(allow_null=True)
    member_count = serializers.IntegerField(allow_null=True)
    income_per_capita = serializers.IntegerField(allow_null=True)
    score_a = serializers.IntegerField(allow_null=True)
    deprivations = serializers.ListField(child=serializers.CharField())
    causes = serializers.ListField(child=serializers.CharField())
    primary_cause = serializers.CharField(allow_blank=True)
    support_needs = serializers.ListField(child=serializers.CharField())


class WorklistMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    sex = serializers.CharField()
    relation = serializers.CharField(help_text="Relation to the head (label).")
    age = serializers.IntegerField(help_text="Whole years on the day of the download.")
    health_insurance_expiry = serializers.DateField(allow_null=True)
    has_valid_health_insurance = serializers.BooleanField()
    has_disability = serializers.BooleanField()


class LastAssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    status = serializers.CharField()
    recorded_status = serializers.CharField(allow_blank=True)


class WorklistHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back as `household_version`.")
    head = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    members = WorklistMemberSerializer(many=True)


class SuggestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()


class WorklistAssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Send it back as `version`.")
    status = serializers.CharField()
    national_status = serializers.CharField(allow_blank=True)
    provincial_status = serializers.CharField(allow_blank=True)
    answers = AnswersSerializer(help_text="The survey recorded so far (empty when listed).")


class WorklistEntrySerializer(serializers.Serializer):
    assessment = WorklistAssessmentSerializer()
    household = WorklistHouseholdSerializer()
    last_assessment = LastAssessmentSerializer(allow_null=True)
    suggestions = SuggestionSerializer(many=True)


class WorklistSerializer(serializers.Serializer):
    round = s.RoundSerializer()
    village = s.UnitRefSerializer()
    downloaded_at = serializers.DateTimeField()
    survey_date = serializers.DateField(help_text="The day suggestions and ages are computed for.")
    standard = StandardSerializer()
    causes = CodeLabelSerializer(many=True)
    support_needs = CodeLabelSerializer(many=True)
    statuses = CodeLabelSerializer(many=True)
    form = FormRulesSerializer()
    households = WorklistEntrySerializer(many=True)


#: Ids and versions are database integers: larger values are simply not found.
MAX_ID = 2**31 - 1


class WorklistQuerySerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    village = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class SubmissionRequestSerializer(s.SurveyRequestSerializer):
    """A survey from the phone: the survey page's fields, the key and both versions."""

    key = serializers.UUIDField(
        help_text="Chosen by the phone, one per survey: a retry with the same key "
        "answers with the recorded result and never records it twice."
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The assessment's `version` in the worklist downloaded.",
    )
    assessment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    household_version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The household's `version` in the worklist downloaded.",
    )


class SubmissionSerializer(serializers.Serializer):
    key = serializers.UUIDField()
    replayed = serializers.BooleanField(
        help_text="`true`: this key was already recorded; nothing was recorded again."
    )
    assessment = s.AssessmentSerializer()


class FieldConflictSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    mine = serializers.JSONField(allow_null=True)
    theirs = serializers.JSONField(allow_null=True)


class SurveyConflictSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="`survey_conflict`")
    detail = serializers.CharField()
    current_version = serializers.IntegerField(help_text="The assessment's version now.")
    household_version = serializers.IntegerField(help_text="The household's version now.")
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    fields = FieldConflictSerializer(many=True, help_text="Answers that differ: choose each.")
    theirs = AnswersSerializer(help_text="The answers on the server now.")
    household_changes = s.ChangeSerializer(
        many=True, help_text="What changed on the household since the download."
    )


# --- Data the phone needs ----------------------------------------------------------------


def _field_rule(bound_field) -> dict:
    field = bound_field.field
    kind = {
        "DateField": "date",
        "IntegerField": "integer",
        "ChoiceField": "choice",
        "MultipleChoiceField": "multiple",
    }[type(field).__name__]
    messages = {
        "required": str(field.error_messages["required"]),
        "invalid": str(field.error_messages.get("invalid") or field.error_messages["required"]),
    }
    min_value = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            min_value = validator.limit_value
            messages["min_value"] = str(validator.message) % {"limit_value": min_value}
    return {
        "label": str(field.label),
        "help_text": str(field.help_text or ""),
        "kind": kind,
        "required": field.required,
        "min_value": min_value,
        "messages": messages,
    }


def form_rules(review_round, indicators) -> dict:
    """The survey page's form as data: the same fields, limits and messages."""
    form = SurveyForm(indicators=indicators)
    return {
        "fields": {name: _field_rule(form[name]) for name in ANSWERS},
        "evidence_message": _("Enter the income per person or an A-score that %(code)s can use.")
        % {"code": review_round.standard.code},
        "primary_cause_message": _("The primary cause must be one of the causes ticked."),
        "causes_needed_message": _("Record at least one cause for a poor or near-poor household."),
    }


def answers_of(assessment: Assessment) -> dict:
    """The survey recorded on ``assessment``, in the phone's shape."""
    causes = list(assessment.causes.all())
    return {
        "surveyed_on": assessment.surveyed_on,
        "member_count": assessment.member_count,
        "income_per_capita": assessment.income_per_capita,
        "score_a": assessment.score_a,
        "deprivations": sorted(i.code for i in assessment.deprivations.all()),
        "causes": [c.code for c in causes],
        "primary_cause": next((c.code for c in causes if c.is_primary), ""),
        "support_needs": list(assessment.support_needs),
    }


def _entry_data(entry, on) -> dict:
    household, assessment, last = entry.household, entry.assessment, entry.last_assessment
    return {
        "assessment": {
            "id": assessment.pk,
            "version": assessment.version,
            "status": assessment.status,
            "national_status": assessment.national_status,
            "provincial_status": assessment.provincial_status,
            "answers": answers_of(assessment),
        },
        "household": {
            "id": household.pk,
            "code": household.code,
            "version": household.version,
            "head": household.head.full_name if household.head_id else "",
            "address": household.address,
            "members": [
                {
                    "id": m.pk,
                    "full_name": m.full_name,
                    "sex": m.get_sex_display(),
                    "relation": m.get_relation_display(),
                    "age": m.age_on(on),
                    "health_insurance_expiry": m.health_insurance_expiry,
                    "has_valid_health_insurance": m.has_valid_health_insurance(on),
                    "has_disability": m.has_disability,
                }
                for m in entry.members
            ],
        },
        "last_assessment": None
        if last is None
        else {
            "id": last.pk,
            "year": last.year,
            "status": last.status,
            "recorded_status": last.recorded_status,
        },
        "suggestions": [{"code": c, "reason": r} for c, r in entry.suggestions.items()],
    }


def _choices(pairs) -> list[dict]:
    return [{"code": code, "label": str(label)} for code, label in pairs]


@extend_schema(tags=["survey"], responses={200: SurveyRoundSerializer(many=True)})
class SurveyRounds(APIView):
    """Open review rounds where the user runs the review, with their villages."""

    def get(self, request: Request) -> Response:
        rounds = survey_rounds_for(request.user).order_by("-year", "unit__name", "kind")
        data = SurveyRoundSerializer(rounds, many=True, context={"request": request}).data
        return Response(data)


@extend_schema(
    tags=["survey"],
    parameters=[WorklistQuerySerializer],
    responses={
        200: WorklistSerializer,
        400: s.ErrorSerializer,
        403: s.ErrorSerializer,
        404: s.ErrorSerializer,
    },
)
class SurveyWorklist(APIView):
    """A village's households of a round to survey offline, with everything the survey
    page asks and checks (logged as a named list)."""

    def get(self, request: Request) -> Response:
        query = WorklistQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ids = query.validated_data
        review_round = get_object_or_404(survey_rounds_for(request.user), pk=ids["round"])
        require(can_run_review(request.user, review_round.unit))
        village = get_object_or_404(
            review_round.unit.children.filter(kind=UnitKind.VILLAGE), pk=ids["village"]
        )
        on = today()
        entries = worklist(request.user, review_round, village, on)
        indicators = standard_indicators(review_round)
        log_access(
            request,
            AccessKind.VIEW_NAMED_LIST,
            unit=review_round.unit,
            label=str(_("Field survey worklist: %(village)s") % {"village": village.name}),
            rows=len(entries),
        )
        data = {
            "round": review_round,
            "village": village,
            "downloaded_at": timezone.now(),
            "survey_date": on,
            "standard": {
                "code": review_round.standard.code,
                "name": review_round.standard.name,
                "rule_type": review_round.standard.rule_type,
                "indicators": indicators,
            },
            "causes": _choices(CURRENT_CAUSES),
            "support_needs": _choices(SupportNeed.choices),
            "statuses": _choices(PovertyStatus.choices),
            "form": form_rules(review_round, indicators),
            "households": [_entry_data(entry, on) for entry in entries],
        }
        return Response(WorklistSerializer(data).data)


# --- Submissions -------------------------------------------------------------------------


def _same(name: str, mine, theirs) -> bool:
    if name in SET_ANSWERS:
        return set(mine or []) == set(theirs or [])
    return (mine or None) == (theirs or None) if name == "primary_cause" else mine == theirs


class _Stale(Exception):
    pass


def survey_conflict(assessment: Assessment, household: Household, data: dict) -> Conflict | None:
    """409 when the assessment or the household changed since the phone's download."""
    assessment.refresh_from_db()
    household.refresh_from_db()
    stale_assessment = assessment.version != data["version"]
    stale_household = household.version != data["household_version"]
    if not (stale_assessment or stale_household):
        return None
    mine = {name: data.get(name) for name in ANSWERS}
    mine["primary_cause"] = mine["primary_cause"] or ""
    rules = form_rules(assessment.round, [])["fields"]
    if stale_assessment:
        theirs = answers_of(assessment)
        changed_by, changed_at, _changes = change_summary(assessment, data["version"])
    else:
        theirs = dict(mine)
        theirs["member_count"] = household.members.filter(left_on__isnull=True).count()
        if mine["member_count"] is None:
            theirs["member_count"] = None
    household_by, household_at, household_changes = change_summary(
        household, data["household_version"]
    )
    if not stale_assessment:
        changed_by, changed_at = household_by, household_at
    fields = [
        {
            "field": name,
            "label": rules[name]["label"],
            "mine": AnswersSerializer().fields[name].to_representation(mine[name])
            if mine[name] is not None
            else None,
            "theirs": AnswersSerializer().fields[name].to_representation(theirs[name])
            if theirs[name] is not None
            else None,
        }
        for name in ANSWERS
        if not _same(name, mine[name], theirs[name])
    ]
    return Conflict(
        _(
            "This household was changed on the server after you downloaded it. Choose, "
            "answer by answer, which value to keep, then send the survey again."
        ),
        code="survey_conflict",
        current_version=assessment.version,
        household_version=household.version,
        changed_by=changed_by,
        changed_at=changed_at,
        fields=fields,
        theirs=AnswersSerializer(theirs).data,
        household_changes=household_changes if stale_household else [],
    )


def _replay(request: Request, submission: SurveySubmission, assessment_id: int) -> Response:
    if submission.user_id != request.user.pk or submission.assessment_id != assessment_id:
        raise ValidationError({"key": [_("This key was already used for another survey.")]})
    body = {
        "key": submission.key,
        "replayed": True,
        "assessment": assessment_with_details(submission.assessment_id),
    }
    return Response(SubmissionSerializer(body).data, status=status.HTTP_200_OK)


@extend_schema(
    tags=["survey"],
    request=SubmissionRequestSerializer,
    responses={
        201: SubmissionSerializer,
        200: OpenApiResponse(SubmissionSerializer, description="This key was already recorded."),
        400: s.ErrorSerializer,
        403: s.ErrorSerializer,
        404: s.ErrorSerializer,
        409: OpenApiResponse(
            SurveyConflictSerializer,
            description="The household or the assessment changed since the download.",
        ),
    },
)
class SurveySubmissions(APIView):
    """Record one survey from the phone and classify it, at most once per `key`."""

    def post(self, request: Request) -> Response:
        serializer = SubmissionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existing = SurveySubmission.objects.filter(key=data["key"]).first()
        if existing is not None:
            return _replay(request, existing, data["assessment"])
        assessment = get_assessment_or_404(request.user, data["assessment"])
        require(can_run_review(request.user, assessment.unit))
        household = assessment.household
        try:
            with transaction.atomic():
                if (
                    not Household.objects.select_for_update()
                    .filter(pk=household.pk, version=data["household_version"])
                    .exists()
                ):
                    raise _Stale
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
                SurveySubmission.objects.create(
                    key=data["key"],
                    user=request.user,
                    assessment=assessment,
                    recorded_version=assessment.version,
                )
        except (_Stale, StaleEdit, IntegrityError):
            # The same key may have been recorded meanwhile by a parallel retry.
            existing = SurveySubmission.objects.filter(key=data["key"]).first()
            if existing is not None:
                return _replay(request, existing, data["assessment"])
            conflict = survey_conflict(assessment, household, data)
            if conflict is None:
                raise
            raise conflict from None
        except DjangoValidationError as error:
            if "deprivation_codes" in getattr(error, "error_dict", {}):
                error.error_dict["deprivations"] = error.error_dict.pop("deprivation_codes")
            raise
        body = {
            "key": data["key"],
            "replayed": False,
            "assessment": assessment_with_details(assessment.pk),
        }
        return Response(SubmissionSerializer(body).data, status=status.HTTP_201_CREATED)
