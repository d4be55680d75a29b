"""URLs of the bulk assessment import (kept apart so the import can grow without touching the main URL list)."""

urlpatterns: list = []
