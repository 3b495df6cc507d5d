from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActionTemplate,
    DuplicateRule,
    ElectricityTariff,
    ExitPlan,
    HealthInsuranceShare,
    PlanAction,
    SupportProgramme,
    SupportRate,
    SupportRecord,
    SupportType,
)

UNCONFIRMED_AMOUNTS_REMINDER = _(
    "The catalogue is data, not code: default amounts, duplicate rules and action "
    "proposals apply to every ward from now on. An amount marked unconfirmed was not "
    "checked against the official text: check it against its legal basis before "
    "relying on it, then tick “confirmed”. Amounts change by date: add a new default "
    "amount with its “valid from” date instead of overwriting an old one."
)

SUPPORT_RECORD_REMINDER = _(
    "Records saved here skip the duplicate check of the support ledger: enter support "
    "through the ledger pages and use the admin for corrections only. Default amounts "
    "marked unconfirmed in the catalogue must be checked before they are copied here."
)

TEMPLATE_REMINDER = _(
    "When a plan is created, every template whose indicator or cause code matches one "
    "of the household's deprived indicators or causes is proposed as an action. Codes "
    "are the stable indicator codes (e.g. housing_quality) and cause codes "
    "(e.g. no_capital)."
)


UNCONFIRMED_ROWS_REMINDER = _(
    "Rows whose “confirmed” box is empty were not checked against a primary legal text: "
    "check them against their legal basis before relying on them, then tick “confirmed”. "
    "Figures change by date: add a row with its “valid from” date instead of overwriting."
)


class SupportRateInline(admin.TabularInline):
    model = SupportRate
    extra = 0
    fields = ["programme", "valid_from", "amount", "quantity", "legal_basis", "confirmed"]


class SupportProgrammeInline(admin.TabularInline):
    model = SupportProgramme
    extra = 0
    fields = ["code", "name", "legal_basis", "default_rate_pct", "confirmed", "order"]


class DuplicateRuleInline(admin.StackedInline):
    model = DuplicateRule
    extra = 0
    max_num = 1
    fields = [("scope", "window", "years"), "per_programme", "active"]


class ConfirmedFilterMixin:
    @admin.display(description=_("confirmed by a primary text"), boolean=True)
    def is_confirmed(self, obj) -> bool:
        return obj.confirmed


@admin.register(SupportProgramme)
class SupportProgrammeAdmin(ConfirmedFilterMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "support_type",
        "code",
        "default_rate_pct",
        "legal_basis",
        "is_confirmed",
    ]
    list_filter = ["confirmed", "support_type"]
    search_fields = ["code", "name", "legal_basis"]
    list_select_related = ["support_type"]
    fieldsets = [
        (
            None,
            {
                "description": UNCONFIRMED_ROWS_REMINDER,
                "fields": [
                    ("support_type", "code", "order"),
                    "name",
                    "legal_basis",
                    "applies_to",
                    ("default_rate_pct", "confirmed"),
                ],
            },
        ),
    ]


@admin.register(ElectricityTariff)
class ElectricityTariffAdmin(ConfirmedFilterMixin, admin.ModelAdmin):
    list_display = [
        "valid_from",
        "tier1_price",
        "vat_pct",
        "support_kwh_per_month",
        "monthly_support",
        "legal_basis",
        "is_confirmed",
    ]
    list_filter = ["confirmed"]
    fieldsets = [
        (
            None,
            {
                "description": _(
                    "The electricity support of a poor household is the kWh a month at the "
                    "tier-1 tariff in force, VAT included, rounded; each month is priced at the "
                    "tariff in force on its first day. A new tariff is a new row."
                )
                + " "
                + UNCONFIRMED_ROWS_REMINDER,
                "fields": [
                    ("valid_from", "tier1_price", "vat_pct"),
                    ("support_kwh_per_month", "round_to"),
                    "legal_basis",
                    "confirmed",
                    "notes",
                ],
            },
        ),
    ]

    @admin.display(description=_("support a month (VND)"))
    def monthly_support(self, obj) -> int:
        from .electricity import Tariff

        return Tariff.of(obj).monthly_support


@admin.register(HealthInsuranceShare)
class HealthInsuranceShareAdmin(ConfirmedFilterMixin, admin.ModelAdmin):
    list_display = [
        "group",
        "level",
        "share_pct",
        "valid_from",
        "valid_to",
        "legal_basis",
        "is_confirmed",
    ]
    list_filter = ["confirmed", "group", "level"]
    fieldsets = [
        (
            None,
            {
                "description": _(
                    "The state's share of a health insurance card by group. A province's "
                    "top-up is a row of level “provincial”; the highest share in force "
                    "applies, and a person in several groups gets the highest group."
                )
                + " "
                + UNCONFIRMED_ROWS_REMINDER,
                "fields": [
                    ("group", "level"),
                    ("valid_from", "valid_to"),
                    "share_pct",
                    "legal_basis",
                    "confirmed",
                ],
            },
        ),
    ]


@admin.register(SupportType)
class SupportTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "is_personal",
        "is_loan",
        "quantity_unit",
        "unconfirmed_rates",
        "order",
    ]
    list_filter = ["is_personal", "is_loan"]
    search_fields = ["code", "name"]
    inlines = [SupportProgrammeInline, SupportRateInline, DuplicateRuleInline]
    fieldsets = [
        (
            None,
            {
                "description": UNCONFIRMED_AMOUNTS_REMINDER,
                "fields": [
                    ("code", "order"),
                    "name",
                    "description",
                    ("is_personal", "is_loan", "quantity_unit"),
                    ("amount_rule", "eligible_statuses"),
                    ("given_until", "ended_because"),
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_unconfirmed=models.Count("rates", filter=models.Q(rates__confirmed=False)))
        )

    @admin.display(description=_("unconfirmed amounts"), ordering="n_unconfirmed")
    def unconfirmed_rates(self, obj) -> int:
        return obj.n_unconfirmed

    def change_view(self, request, object_id, form_url="", extra_context=None):
        support_type = self.get_object(request, object_id)
        if (
            support_type is not None
            and request.method == "GET"
            and support_type.rates.filter(confirmed=False).exists()
        ):
            messages.warning(
                request,
                _("%(name)s has unconfirmed default amounts: check them against the official text.")
                % {"name": support_type.name},
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(SupportRate)
class SupportRateAdmin(admin.ModelAdmin):
    list_display = ["support_type", "programme", "valid_from", "amount", "quantity", "confirmed"]
    list_filter = ["confirmed", "support_type"]
    search_fields = ["support_type__name", "support_type__code", "legal_basis"]
    list_select_related = ["support_type", "programme"]
    fieldsets = [
        (
            None,
            {
                "description": UNCONFIRMED_AMOUNTS_REMINDER,
                "fields": [
                    ("support_type", "programme"),
                    "valid_from",
                    "amount",
                    "quantity",
                    "legal_basis",
                    "confirmed",
                ],
            },
        ),
    ]


@admin.register(ActionTemplate)
class ActionTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "target_kind",
        "target_code",
        "description",
        "support_type",
        "responsibility",
        "due_in_months",
        "order",
    ]
    list_filter = ["target_kind", "responsibility", "support_type"]
    search_fields = ["target_code", "description"]
    list_select_related = ["support_type"]
    list_editable = ["due_in_months", "order"]
    fieldsets = [
        (
            None,
            {
                "description": TEMPLATE_REMINDER,
                "fields": [
                    ("target_kind", "target_code"),
                    "description",
                    ("support_type", "responsibility"),
                    ("due_in_months", "order"),
                ],
            },
        ),
    ]


class PlanActionInline(admin.TabularInline):
    model = PlanAction
    extra = 0
    fields = [
        "target_kind",
        "target_code",
        "description",
        "support_type",
        "responsibility",
        "responsible",
        "due_date",
        "status",
        "completed_on",
    ]
    autocomplete_fields = ["responsible"]
    show_change_link = True


@admin.register(ExitPlan)
class ExitPlanAdmin(SimpleHistoryAdmin):
    list_display = ["household", "start_year", "end_year", "target_exit_year", "created_by"]
    list_filter = ["start_year", "target_exit_year", "household__unit"]
    search_fields = ["household__code", "household__search_text"]
    list_select_related = ["household__head", "created_by"]
    autocomplete_fields = ["household"]
    raw_id_fields = ["based_on"]
    readonly_fields = ["created_by", "version"]
    inlines = [PlanActionInline]


@admin.register(PlanAction)
class PlanActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "plan", "responsible", "due_date", "status"]
    list_filter = ["status", "target_kind", "responsibility"]
    search_fields = ["description", "plan__household__code", "target_code"]
    list_select_related = ["plan__household__head", "responsible"]
    autocomplete_fields = ["responsible"]
    raw_id_fields = ["plan"]
    readonly_fields = ["version"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
    }


@admin.register(SupportRecord)
class SupportRecordAdmin(SimpleHistoryAdmin):
    list_display = [
        "support_type",
        "household",
        "member",
        "amount",
        "given_on",
        "funding_source",
        "provider",
    ]
    list_filter = ["support_type", "funding_source", "loan_status", "given_on"]
    search_fields = ["household__code", "household__search_text", "provider", "programme"]
    list_select_related = ["support_type", "household__head", "member"]
    autocomplete_fields = ["household", "member"]
    raw_id_fields = ["action"]
    readonly_fields = ["created_by"]
    date_hierarchy = "given_on"
    fieldsets = [
        (
            None,
            {
                "description": SUPPORT_RECORD_REMINDER,
                "fields": [
                    ("household", "member"),
                    ("support_type", "action"),
                    ("amount", "quantity"),
                    ("given_on", "period_start", "period_end"),
                    ("funding_source", "programme", "support_programme"),
                    ("insurance_group", "state_share_pct"),
                    "provider",
                    "legal_basis",
                    ("loan_rate_pct", "loan_term_months", "loan_status"),
                    "conflict_reason",
                    "eligibility_reason",
                    "notes",
                    "created_by",
                ],
            },
        ),
    ]
