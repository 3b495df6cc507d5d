from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccessLog,
    AdministrativeUnit,
    Membership,
    NamesGrantRequest,
    SteeringCommittee,
    UnitHouseholdCount,
    UnitSuccession,
)


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "area", "parent", "valid_from", "valid_to"]
    list_filter = ["kind", "area", "is_local_code"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "date", "partial", "legal_basis"]
    list_filter = ["date", "partial"]
    autocomplete_fields = ["predecessor", "successor"]


#: Access to names is given through a request and a second person's approval
#: (the app's "Access to names" pages), never by ticking a box here.
GRANT_FIELDS = ["may_view_named_lists", "names_grant_until"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = GRANT_FIELDS


@admin.register(SteeringCommittee)
class SteeringCommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "committee", "role", "start_date", "end_date"]
    list_filter = ["role", "committee"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "committee"]
    readonly_fields = GRANT_FIELDS


@admin.register(NamesGrantRequest)
class NamesGrantRequestAdmin(SimpleHistoryAdmin):
    """Read-only: requests are made and decided on the app's pages (four eyes)."""

    list_display = ["membership", "requested_by", "requested_at", "until", "status", "decided_by"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UnitHouseholdCount)
class UnitHouseholdCountAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "year", "households", "people", "source"]
    list_filter = ["year"]
    search_fields = ["unit__name", "unit__code"]
    autocomplete_fields = ["unit"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence, not data to tidy up."""

    list_display = ["at", "user", "kind", "label", "unit", "rows", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["label", "user__username", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
