from django.contrib import admin

from .models import Job, Reminder


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "title", "owner", "unit", "state", "created_at", "finished_at")
    list_filter = ("kind", "state")
    search_fields = ("title", "owner__username")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "title", "due_on", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "title")
