from django.contrib import admin

from .models import (
    Case,
    Need,
    NeedResponse,
    PoolEvent,
    Provider,
    ProviderAppeal,
    ProviderEvaluation,
    Scenario,
    Solution,
)
from .search_index import index_objects


class IndexedAdmin(admin.ModelAdmin):
    """An edit in the admin is indexed like one through the services (searches only read the index)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        index_objects(obj)


@admin.register(Provider)
class ProviderAdmin(IndexedAdmin):
    list_display = ("name", "credit_code", "region", "status", "grade", "is_synthetic")
    list_filter = ("status", "is_synthetic")
    search_fields = ("name", "credit_code")


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "link_name", "dimension", "ai", "provisional")
    list_filter = ("link_name", "ai")
    search_fields = ("code", "name")


@admin.register(Solution)
class SolutionAdmin(IndexedAdmin):
    list_display = ("title", "provider", "status", "lightweight", "ai_capability")
    list_filter = ("status", "lightweight", "ai_capability")
    search_fields = ("title", "provider__name")
    filter_horizontal = ("scenarios",)


@admin.register(Case)
class CaseAdmin(IndexedAdmin):
    list_display = ("title", "provider", "industry", "region", "verified")
    list_filter = ("verified",)
    search_fields = ("title",)


@admin.register(Need)
class NeedAdmin(IndexedAdmin):
    list_display = ("title", "enterprise", "visibility", "status", "created_at")
    list_filter = ("status", "visibility")
    search_fields = ("title", "text")


admin.site.register(NeedResponse)


@admin.register(PoolEvent)
class PoolEventAdmin(admin.ModelAdmin):
    """Read-only: the history is written by the services, never edited."""

    list_display = ("at", "kind", "actor", "provider", "solution", "need", "summary")
    list_filter = ("kind",)
    search_fields = ("summary", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProviderEvaluation)
class ProviderEvaluationAdmin(admin.ModelAdmin):
    list_display = ("provider", "period", "score", "grade", "provisional", "created_at")
    search_fields = ("provider__name",)


@admin.register(ProviderAppeal)
class ProviderAppealAdmin(admin.ModelAdmin):
    list_display = ("provider", "evaluation", "status", "created_at", "decided_at")
    list_filter = ("status",)
