import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from communes.audit import AccessKind, log_access

from .household_years import rebuild_household_years
from .models import (
    Assessment,
    AssessmentCause,
    Household,
    Indicator,
    ListMakingStandard,
    Member,
    PovertyStandard,
    ReportingLine,
    ResultSubmission,
    ReviewRound,
    VillageMeeting,
)
from .transfer.resources import HouseholdResource
from .validators import citizen_id_mask

#: A search term that is (part of) a citizen ID: the search reveals whose it is.
CITIZEN_ID_SEARCH = re.compile(r"\d{6,12}")

UNCONFIRMED_REMINDER = _(
    "Standards and indicators are data, not code: a correction here changes how "
    "households are classified from now on. A standard marked unconfirmed holds "
    "figures or indicators that were not checked against the official text: check "
    "them against the legal basis before relying on them, then tick “confirmed”."
)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "order",
        "code",
        "dimension",
        "name",
        "threshold",
        "is_child_indicator",
        "confirmed",
        "source",
    ]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
    }


@admin.register(PovertyStandard)
class PovertyStandardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "period", "rule_type", "confirmed", "lines_confirmed"]
    list_filter = ["level", "rule_type", "confirmed", "lines_confirmed"]
    search_fields = ["code", "name", "legal_basis"]
    autocomplete_fields = ["province"]
    inlines = [IndicatorInline]
    fieldsets = [
        (
            None,
            {
                "description": UNCONFIRMED_REMINDER,
                "fields": [
                    "code",
                    "name",
                    "legal_basis",
                    ("level", "province"),
                    "rule_type",
                    ("first_year", "last_year"),
                    "confirmed",
                    "lines_confirmed",
                    "sources",
                    "notes",
                ],
            },
        ),
        (
            _("Lines (VND per person per month)"),
            {
                "fields": [
                    ("poor_line_rural", "poor_line_urban"),
                    ("near_poor_ceiling_rural", "near_poor_ceiling_urban"),
                    ("average_ceiling_rural", "average_ceiling_urban"),
                ]
            },
        ),
        (
            _("Scores"),
            {
                "fields": [
                    ("score_a_line_rural", "score_a_line_urban"),
                    ("deprivation_threshold", "points_per_indicator"),
                ]
            },
        ),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        standard = self.get_object(request, object_id)
        if standard is not None and not standard.confirmed and request.method == "GET":
            messages.warning(
                request,
                _(
                    "%(code)s is not confirmed: check its figures and indicators against "
                    "the official text."
                )
                % {"code": standard.code},
            )
        if standard is not None and request.method == "GET":
            unconfirmed = list(
                standard.indicators.filter(confirmed=False).values_list("code", flat=True)
            )
            if not standard.lines_confirmed:
                messages.warning(
                    request,
                    _(
                        "The income lines, the rule and the score lines of %(code)s are not "
                        "confirmed by a primary text (see its sources)."
                    )
                    % {"code": standard.code},
                )
            if unconfirmed:
                messages.warning(
                    request,
                    _("Indicators not confirmed by a primary text: %(codes)s.")
                    % {"codes": ", ".join(unconfirmed)},
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ListMakingStandard)
class ListMakingStandardAdmin(admin.ModelAdmin):
    """The standard that makes a province's lists; a change re-derives every decided year."""

    list_display = ("standard", "first_year", "last_year", "legal_basis")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        written, _replaced = rebuild_household_years()
        messages.info(
            request, _("Decided years of the households re-derived: %(n)s rows.") % {"n": written}
        )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        rebuild_household_years()


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "dimension",
        "standard",
        "order",
        "is_child_indicator",
        "confirmed",
    ]
    list_filter = ["standard", "dimension", "is_child_indicator", "confirmed"]
    search_fields = ["code", "name"]
    list_select_related = ["standard"]


class MemberAdminForm(forms.ModelForm):
    """The citizen ID is write-only here: shown masked, revealed only through the
    logged "Reveal" page, changed by typing a new number."""

    citizen_id = forms.CharField(
        label=_("citizen ID (CCCD)"),
        max_length=12,
        required=False,
        help_text=_(
            "Shown masked. Type a new number to change it; leave empty to keep it. "
            "To see it, use “Reveal citizen ID” (logged)."
        ),
    )

    class Meta:
        model = Member
        fields = "__all__"  # noqa: DJ007 - the admin and its inline choose the fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.citizen_id if self.instance.pk else ""
        self.initial["citizen_id"] = ""
        self.fields["citizen_id"].widget.attrs["placeholder"] = citizen_id_mask(stored)
        self.fields["citizen_id"].widget.attrs["autocomplete"] = "off"

    def clean_citizen_id(self):
        typed = self.cleaned_data["citizen_id"].replace(" ", "").replace(".", "")
        return typed or (self.instance.citizen_id if self.instance.pk else "")


def _log_citizen_id_search(request, term: str, rows: int) -> None:
    if CITIZEN_ID_SEARCH.search(term.replace(" ", "")):
        log_access(
            request,
            AccessKind.REVEAL_CITIZEN_ID,
            label=citizen_id_mask(term.strip()[-12:]),
            rows=rows,
            via="admin",
            search=True,
        )


class MemberInline(admin.TabularInline):
    model = Member
    form = MemberAdminForm
    extra = 0
    fields = [
        "full_name",
        "sex",
        "birth_year",
        "relation",
        "citizen_id",
        "health_insurance_number",
        "health_insurance_expiry",
        "left_on",
    ]
    show_change_link = True


@admin.register(Household)
class HouseholdAdmin(ExportMixin, SimpleHistoryAdmin):
    """Households, with django-import-export's export in the import's columns.

    The export goes through the library (``HouseholdResource``: our column
    spec, our choice of assessment). The import does not: the library
    imports one sheet row by row (``Resource.import_row`` saves an instance
    per row, its checks are per field), while ours reads the households and
    members sheets together, checks across rows and against the register
    (citizen IDs unique, members matched to their household, the rows'
    wards), lists every problem and then writes everything in bulk with
    history and an access-log entry, or nothing. Wrapping that in the
    library's import would leave none of the library in use, so the change
    list links to our import page instead (``households:import_upload``),
    which applies the same rights as the rest of the app.

    The admin is not scoped by ward, so only a superuser may export here.
    """

    resource_classes = [HouseholdResource]
    export_form_class = ExportForm  # every column: an export must import back
    export_formats = [XLSX, CSV]
    import_export_change_list_template = "households/transfer/admin_household_change_list.html"

    def has_export_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        name = self.get_export_filename(request, queryset, file_format)
        log_access(
            request,
            AccessKind.EXPORT,
            label=name,
            rows=queryset.count(),
            units=queryset.order_by().values_list("unit_id", flat=True).distinct(),
            file=name,
            format=file_format.get_extension(),
            filters=request.GET.urlencode(),
            via="admin",
        )
        return data

    list_display = [
        "code",
        "head",
        "unit",
        "village",
        "is_ethnic_minority",
        "no_working_capacity",
        "has_revolutionary_merit",
        "assigned_to",
    ]
    list_filter = ["is_ethnic_minority", "no_working_capacity", "has_revolutionary_merit", "unit"]
    search_fields = ["code", "search_text"]
    list_select_related = ["head", "unit", "village", "assigned_to"]
    autocomplete_fields = ["unit", "village", "assigned_to"]
    raw_id_fields = ["head"]
    inlines = [MemberInline]

    def get_search_results(self, request, queryset, search_term):
        # search_text holds the members' citizen IDs: a search by one is logged.
        results, distinct = super().get_search_results(request, queryset, search_term)
        if search_term:
            _log_citizen_id_search(request, search_term, results.count())
        return results, distinct


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    form = MemberAdminForm
    list_display = ["full_name", "household", "relation", "birth_year", "sex", "left_on"]
    list_filter = ["relation", "sex", "has_disability", "work_status", "school_level"]
    search_fields = ["search_name", "full_name", "citizen_id", "household__code"]
    list_select_related = ["household"]
    autocomplete_fields = ["household"]
    readonly_fields = ["citizen_id_reveal"]

    def get_search_results(self, request, queryset, search_term):
        results, distinct = super().get_search_results(request, queryset, search_term)
        if search_term:
            _log_citizen_id_search(request, search_term, results.count())
        return results, distinct

    @admin.display(description=_("Reveal citizen ID"))
    def citizen_id_reveal(self, obj):
        if not obj.pk or not obj.citizen_id:
            return "–"
        url = reverse("admin:households_member_reveal", args=[obj.pk])
        return format_html(
            '<a href="{}">{} {}</a>', url, citizen_id_mask(obj.citizen_id), _("Reveal (logged)")
        )

    def get_urls(self):
        reveal = self.admin_site.admin_view(self.reveal_view)
        return [
            path("<int:pk>/reveal-citizen-id/", reveal, name="households_member_reveal"),
            *super().get_urls(),
        ]

    def reveal_view(self, request, pk: int):
        """GET: what will be logged; POST: the number, with an access-log entry."""
        member = get_object_or_404(Member.objects.select_related("household__unit"), pk=pk)
        if not self.has_view_permission(request, member):
            raise PermissionDenied
        revealed = request.method == "POST" and bool(member.citizen_id)
        if revealed:
            log_access(
                request,
                AccessKind.REVEAL_CITIZEN_ID,
                household=member.household,
                member_id=member.pk,
                via="admin",
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reveal citizen ID"),
            "member": member,
            "masked": citizen_id_mask(member.citizen_id),
            "revealed": revealed,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "households/admin_member_reveal.html", context)


@admin.register(ReviewRound)
class ReviewRoundAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "year", "kind", "standard", "provincial_standard", "opened_on"]
    list_filter = ["year", "kind", "standard"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "standard", "provincial_standard"]
    autocomplete_fields = ["unit", "standard", "provincial_standard"]


class AssessmentCauseInline(admin.TabularInline):
    model = AssessmentCause
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = [
        "household",
        "year",
        "unit",
        "status",
        "national_status",
        "provincial_status",
        "recorded_status",
    ]
    list_filter = ["year", "status", "national_status", "provincial_status", "recorded_status"]
    search_fields = ["household__code", "household__search_text"]
    list_select_related = ["household__head", "unit"]
    autocomplete_fields = ["household", "round", "unit", "surveyed_by"]
    filter_horizontal = ["deprivations"]
    inlines = [AssessmentCauseInline]


@admin.register(ReportingLine)
class ReportingLineAdmin(SimpleHistoryAdmin):
    """Where results go, per period; the 2025 routing is data, marked unconfirmed."""

    list_display = [
        "upper",
        "valid_from",
        "valid_to",
        "deadline_day",
        "deadline_month",
        "confirmed",
    ]
    list_filter = ["confirmed"]
    autocomplete_fields = ["upper"]


@admin.register(ResultSubmission)
class ResultSubmissionAdmin(SimpleHistoryAdmin):
    """Read-only: submissions change through the submit / send-back pages (history kept)."""

    list_display = ["unit", "year", "upper", "status", "submitted_at"]
    list_filter = ["year", "status"]
    list_select_related = ["unit", "upper"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VillageMeeting)
class VillageMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["round", "village", "held_on", "chair", "secretary", "attendee_count"]
    list_select_related = ["round__unit", "village"]
    autocomplete_fields = ["round", "village", "recorded_by"]
    filter_horizontal = ["assessments"]
