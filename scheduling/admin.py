"""Admin for scheduling jobs: read-only (a job is created, run and re-planned through the services, which record
its trail); the admin may delete a job, e.g. one holding a customer's data past its use."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import events
from .models import PlanJob, PlanJobEvent


class PlanJobEventInline(admin.TabularInline):
    model = PlanJobEvent
    fields = ["at", "what", "status_after", "actor", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("事项"))
    def what(self, obj) -> str:
        return events.describe(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlanJob)
class PlanJobAdmin(admin.ModelAdmin):
    list_display = ["name", "enterprise", "status", "solver_status", "created_at", "started_at", "finished_at"]
    list_filter = ["status", "solver_status"]
    search_fields = ["name", "enterprise__name"]
    list_select_related = ["enterprise"]
    show_full_result_count = False
    readonly_fields = ["enterprise", "created_by", "parent"]
    inlines = [PlanJobEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlanJobEvent)
class PlanJobEventAdmin(admin.ModelAdmin):
    list_display = ["job", "kind", "status_after", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["job", "actor"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
