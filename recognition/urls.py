"""Recognition pages. Each part adds its routes here: applicant and officer pages (views.py), experts
(expert_views.py), public notice, published lists and certificates (public_views.py)."""

from django.urls import path  # noqa: F401

app_name = "recognition"

urlpatterns: list = []
