"""Matching events (对接会), included at /catalog/meetings/ inside the `catalog` namespace."""

from django.urls import path

from . import meeting_views as v

urlpatterns = [
    path("", v.meeting_list, name="meeting_list"),
    path("new/", v.meeting_edit, name="meeting_create"),
    path("<int:pk>/", v.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", v.meeting_edit, name="meeting_edit"),
    path("<int:pk>/invite/", v.meeting_invite, name="meeting_invite"),
    path("<int:pk>/respond/", v.meeting_respond, name="meeting_respond"),
    path("<int:pk>/participants/<int:pid>/attendance/", v.meeting_attendance, name="meeting_attendance"),
    path("<int:pk>/participants/<int:pid>/remove/", v.meeting_participant_remove, name="meeting_participant_remove"),
    path("<int:pk>/outcome/", v.meeting_outcome, name="meeting_outcome"),
    path("<int:pk>/status/", v.meeting_status, name="meeting_status"),
    path("<int:pk>/export.xlsx", v.meeting_export, name="meeting_export"),
]
