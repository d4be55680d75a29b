"""Platform administration of accounts: users, their roles and scopes, and API tokens (revocation only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["region"]
    raw_id_fields = ["enterprise", "provider"]
    filter_horizontal = ["assigned_enterprises"]


@admin.register(User)
class TiduUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "is_active", "is_superuser", "last_login"]
    fieldsets = [*UserAdmin.fieldsets, ("梯度", {"fields": ["display_name"]})]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "digest", "created_at", "last_used_at", "expires_at"]
    list_filter = ["revoked_at"]

    def has_add_permission(self, request) -> bool:  # tokens are created by their owner, shown once
        return False
