"""URLs of the bulk assessment import (kept apart so the import can grow without touching the main URL list)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.import_upload, name="import"),
    path("template/<int:pk>.xlsx", import_views.import_template, name="import_template"),
    path("<uuid:pk>/", import_views.import_status, name="import_status"),
    path("<uuid:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
]
