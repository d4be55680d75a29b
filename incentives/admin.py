from django.contrib import admin

from .models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "max_amount", "opens_on", "closes_on", "is_synthetic"]
    list_filter = ["kind", "is_synthetic"]
    filter_horizontal = ["scenarios"]
