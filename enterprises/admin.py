"""Admin for reference lists only. Enterprises are read-only here: every change must go through the services,
which record it on the enterprise's timeline."""

from django.contrib import admin

from .models import Enterprise, Label


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "order"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "county", "industry", "size_class", "removed_at"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["county", "industry"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
