from django.contrib import admin

from .models import IndustryDivision, IndustryGroup, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "level", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name", "full_name"]
    readonly_fields = ["code", "path", "parent"]


admin.site.register(IndustryDivision)
admin.site.register(IndustryGroup)
