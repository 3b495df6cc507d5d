"""Shapes of the API's answers and requests. Rules live in services and selectors.

Codes (statuses, kinds, causes) are sent as codes; the schema lists each
code with its English and Vietnamese label. Money is integer VND, dates
ISO 8601 (``2025-12-10``), times ISO 8601 with offset.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communes.models import AdministrativeUnit
from households.models import Assessment, Household, Member, PovertyStatus, ReviewRound
from households.models.review import Cause, SupportNeed
from plans.models import ActionStatus, ExitPlan, PlanAction, SupportRecord

# --- Errors ---------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Machine-readable: `validation_error`, `not_found`, `permission_denied`, "
        "`not_authenticated`, `authentication_failed`, `throttled`, `stale_version`, "
        "`duplicate_support`, `not_eligible`, `results_locked`."
    )
    detail = serializers.CharField(help_text="What went wrong, in the user's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="400 only: messages per request field (`non_field_errors`: the whole request).",
    )


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()


class StaleVersionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="`stale_version`")
    detail = serializers.CharField()
    current_version = serializers.IntegerField(help_text="Send this version after re-reading.")
    changed_by = serializers.CharField(allow_null=True, help_text="Who made the last change.")
    changed_at = serializers.DateTimeField(allow_null=True)
    changed_fields = ChangeSerializer(many=True, help_text="What the last change changed.")


# --- Small pieces -------------------------------------------------------------------------


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdministrativeUnit
        fields = ["id", "code", "name", "kind"]


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


# --- Units ----------------------------------------------------------------------------------


class SuccessionSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    date = serializers.DateField()
    partial = serializers.BooleanField(help_text="Only part of the unit went this way.")
    legal_basis = serializers.CharField()


class UnitSerializer(serializers.ModelSerializer):
    parent = UnitRefSerializer(allow_null=True)
    predecessors = serializers.SerializerMethodField(
        help_text="Units this one succeeded (merged or split into it)."
    )
    successors = serializers.SerializerMethodField(help_text="Units this one became.")

    class Meta:
        model = AdministrativeUnit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "area",
            "parent",
            "valid_from",
            "valid_to",
            "is_local_code",
            "predecessors",
            "successors",
        ]

    @extend_schema_field(SuccessionSerializer(many=True))
    def get_predecessors(self, unit):
        return [
            SuccessionSerializer(
                {
                    "unit": s.predecessor,
                    "date": s.date,
                    "partial": s.partial,
                    "legal_basis": s.legal_basis,
                }
            ).data
            for s in unit.successions_in.all()
        ]

    @extend_schema_field(SuccessionSerializer(many=True))
    def get_successors(self, unit):
        return [
            SuccessionSerializer(
                {
                    "unit": s.successor,
                    "date": s.date,
                    "partial": s.partial,
                    "legal_basis": s.legal_basis,
                }
            ).data
            for s in unit.successions_out.all()
        ]


# --- Households --------------------------------------------------------------------------------


class HouseholdListSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    village = UnitRefSerializer(allow_null=True)
    head_name = serializers.CharField(source="head.full_name", default=None, allow_null=True)
    head_citizen_id = serializers.CharField(
        help_text="Masked: only the last 4 digits (as on the pages).", allow_blank=True
    )
    member_count = serializers.IntegerField(help_text="Current members.")
    status = serializers.ChoiceField(
        source="recorded_status",
        choices=PovertyStatus.choices,
        allow_null=True,
        help_text="Latest decided status (of `year` when filtered by year).",
    )
    status_year = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "unit",
            "village",
            "address",
            "head_name",
            "head_citizen_id",
            "member_count",
            "status",
            "status_year",
            "is_ethnic_minority",
            "no_working_capacity",
            "has_revolutionary_merit",
            "closed_on",
            "version",
            "updated_at",
        ]


class MemberSerializer(serializers.ModelSerializer):
    citizen_id = serializers.SerializerMethodField(
        help_text="Masked (last 4 digits) unless the request asked `reveal=1`; "
        "a reveal is recorded in the access log."
    )
    citizen_id_revealed = serializers.SerializerMethodField()
    is_current = serializers.BooleanField()
    has_valid_health_insurance = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "full_name",
            "sex",
            "birth_year",
            "birth_date",
            "ethnicity",
            "relation",
            "citizen_id",
            "citizen_id_revealed",
            "health_insurance_expiry",
            "has_valid_health_insurance",
            "has_disability",
            "school_level",
            "education_level",
            "work_status",
            "joined_on",
            "left_on",
            "left_reason",
            "is_current",
        ]

    def get_citizen_id(self, member) -> str:
        from households.validators import citizen_id_mask

        if self.context.get("reveal"):
            return member.citizen_id
        return citizen_id_mask(member.citizen_id)

    def get_citizen_id_revealed(self, member) -> bool:
        return bool(self.context.get("reveal") and member.citizen_id)

    def get_has_valid_health_insurance(self, member) -> bool:
        return member.has_valid_health_insurance(self.context["today"])


class AssessmentSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["id", "year", "round", "status", "recorded_status", "decision_date", "version"]


class HouseholdDetailSerializer(HouseholdListSerializer):
    members = serializers.SerializerMethodField()
    assessments = AssessmentSummarySerializer(many=True)
    assigned_to = PersonSerializer(allow_null=True)
    merged_into = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta(HouseholdListSerializer.Meta):
        fields = [
            *HouseholdListSerializer.Meta.fields,
            "phone",
            "notes",
            "assigned_to",
            "merged_into",
            "members",
            "assessments",
        ]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household):
        return MemberSerializer(household.member_list, many=True, context=self.context).data


# --- Review ---------------------------------------------------------------------------------


class RoundSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    standard = serializers.CharField(source="standard.code")
    provincial_standard = serializers.CharField(
        source="provincial_standard.code", default=None, allow_null=True
    )
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = ReviewRound
        fields = [
            "id",
            "unit",
            "year",
            "kind",
            "standard",
            "provincial_standard",
            "opened_on",
            "closed_on",
            "is_open",
        ]

    def get_is_open(self, review_round) -> bool:
        return review_round.closed_on is None


class DeprivationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    dimension = serializers.CharField()


class CauseSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Cause.choices)
    is_primary = serializers.BooleanField()


class AssessmentSerializer(serializers.ModelSerializer):
    household = serializers.PrimaryKeyRelatedField(read_only=True)
    round = RoundSerializer()
    unit = UnitRefSerializer()
    surveyed_by = PersonSerializer(allow_null=True)
    deprivations = DeprivationSerializer(many=True)
    causes = CauseSerializer(many=True)
    support_needs = serializers.ListField(child=serializers.ChoiceField(SupportNeed.choices))

    class Meta:
        model = Assessment
        fields = [
            "id",
            "household",
            "round",
            "unit",
            "year",
            "status",
            "application_date",
            "surveyed_on",
            "surveyed_by",
            "member_count",
            "income_per_capita",
            "score_a",
            "deprivations",
            "causes",
            "support_needs",
            "national_status",
            "provincial_status",
            "recorded_status",
            "meeting_date",
            "meeting_chair",
            "meeting_attendees",
            "meeting_agreed",
            "posted_from",
            "posted_to",
            "complaints",
            "decision_number",
            "decision_date",
            "decision_signer",
            "refusal_reason",
            "certificate_number",
            "notes",
            "version",
            "updated_at",
        ]


class SurveyRequestSerializer(serializers.Serializer):
    """The survey of an assessment (step 2 of the review), as the survey page takes it."""

    version = serializers.IntegerField(
        min_value=1,
        help_text="The assessment's `version` you read; another value gives 409 `stale_version`.",
    )
    surveyed_on = serializers.DateField()
    member_count = serializers.IntegerField(
        min_value=1,
        max_value=100,
        required=False,
        allow_null=True,
        help_text="Default: the household's current members.",
    )
    income_per_capita = serializers.IntegerField(
        min_value=0,
        max_value=10**12,
        allow_null=True,
        help_text="VND per person per month (rural/urban lines of the standard).",
    )
    score_a = serializers.IntegerField(
        min_value=0, max_value=1000, allow_null=True, help_text="A-score (income proxy)."
    )
    deprivations = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=50,
        help_text="Indicator codes of the round's national standard.",
    )
    causes = serializers.ListField(
        child=serializers.ChoiceField(Cause.choices), max_length=len(Cause.choices), default=list
    )
    primary_cause = serializers.ChoiceField(
        Cause.choices, required=False, allow_null=True, allow_blank=True
    )
    support_needs = serializers.ListField(
        child=serializers.ChoiceField(SupportNeed.choices),
        max_length=len(SupportNeed.choices),
        default=list,
    )


# --- Plans ---------------------------------------------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(read_only=True)
    support_type = serializers.CharField(source="support_type.code", default=None, allow_null=True)
    responsible = PersonSerializer(allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "plan",
            "target_kind",
            "target_code",
            "description",
            "support_type",
            "responsibility",
            "responsible",
            "due_date",
            "status",
            "outcome",
            "dropped_reason",
            "completed_on",
            "is_overdue",
            "version",
            "updated_at",
        ]

    def get_is_overdue(self, action) -> bool:
        return action.is_overdue_on(self.context["today"])


class PlanSerializer(serializers.ModelSerializer):
    household = serializers.PrimaryKeyRelatedField(read_only=True)
    based_on = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ExitPlan
        fields = [
            "id",
            "household",
            "based_on",
            "start_year",
            "end_year",
            "target_exit_year",
            "notes",
            "version",
            "updated_at",
            "actions",
        ]

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, plan):
        return ActionSerializer(plan.action_list, many=True, context=self.context).data


class ActionStatusRequestSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="The action's `version` you read; another value gives 409 `stale_version`.",
    )
    status = serializers.ChoiceField(ActionStatus.choices)
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    dropped_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Required for `dropped`.",
    )
    completed_on = serializers.DateField(
        required=False, allow_null=True, help_text="For `done`; default today."
    )


# --- Support -----------------------------------------------------------------------------------------


class SupportSerializer(serializers.ModelSerializer):
    household = serializers.SerializerMethodField()
    member = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    support_type = serializers.CharField(source="support_type.code")
    support_type_name = serializers.CharField(source="support_type.name")
    support_programme = serializers.CharField(
        source="support_programme.code", default=None, allow_null=True
    )
    action = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = SupportRecord
        fields = [
            "id",
            "household",
            "member",
            "support_type",
            "support_type_name",
            "amount",
            "quantity",
            "given_on",
            "period_start",
            "period_end",
            "funding_source",
            "programme",
            "support_programme",
            "insurance_group",
            "state_share_pct",
            "provider",
            "legal_basis",
            "action",
            "loan_rate_pct",
            "loan_term_months",
            "loan_status",
            "conflict_reason",
            "eligibility_reason",
            "notes",
            "created_at",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "code": {"type": "string"}},
            "required": ["id", "code"],
        }
    )
    def get_household(self, record):
        return {"id": record.household_id, "code": record.household.code}


class SupportRequestSerializer(serializers.Serializer):
    """Support given to a household (or one member), as the ledger page takes it."""

    support_type = serializers.CharField(max_length=40, help_text="Support type code.")
    member = serializers.IntegerField(
        required=False, allow_null=True, help_text="A current member's id (personal benefits)."
    )
    amount = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=10**12,
        help_text="VND; default: the rate in force on `given_on`.",
    )
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    given_on = serializers.DateField()
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    funding_source = serializers.ChoiceField(
        SupportRecord._meta.get_field("funding_source").choices
    )
    programme = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    support_programme = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="Programme code of the support type (housing, loans).",
    )
    provider = serializers.CharField(max_length=200)
    legal_basis = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    action = serializers.IntegerField(
        required=False, allow_null=True, help_text="The plan action this support fulfils."
    )
    loan_rate_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    loan_term_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=600
    )
    loan_status = serializers.ChoiceField(
        SupportRecord._meta.get_field("loan_status").choices,
        required=False,
        allow_blank=True,
        default="",
    )
    insurance_group = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    conflict_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Why the support is recorded although it may duplicate ledger records "
        "(after a 409 `duplicate_support`).",
    )
    eligibility_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Why the support is recorded although the household's list does not "
        "entitle it (after a 409 `not_eligible`).",
    )


class SupportConflictSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="`duplicate_support` or `not_eligible`")
    detail = serializers.CharField()
    existing = SupportSerializer(many=True, required=False, help_text="The records in the way.")


class AssessmentCreateRequestSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="An open review round of the household's ward.")
    application_date = serializers.DateField(
        required=False, allow_null=True, help_text="Regular review: the day of the application."
    )
