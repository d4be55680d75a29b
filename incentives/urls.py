"""Funding pages (views.py) and the officers' report (report_views.py)."""

from django.urls import path

from . import report_views, views

app_name = "incentives"

urlpatterns = [
    path("", views.index, name="index"),
    path("programmes/load/", views.programme_load, name="programme_load"),
    path("programmes/examples/<slug:code>.yaml", views.programme_example, name="programme_example"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/status/", views.programme_status, name="programme_status"),
    path("programmes/<int:pk>/budget/", views.budget_set, name="budget_set"),
    path("programmes/<int:pk>/eligibility/", views.eligibility, name="eligibility"),
    path("programmes/<int:pk>/apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("applications/<int:pk>/documents/<int:doc>/", views.document_download, name="document_download"),
    path("applications/<int:pk>/documents/<int:doc>/delete/", views.document_delete, name="document_delete"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:pk>/contract/", views.contract_signed, name="contract"),
    path("applications/<int:pk>/accept/", views.accept, name="accept"),
    path("applications/<int:pk>/reassess/", views.reassess, name="reassess"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("applications/<int:pk>/tranches/<int:tranche>/release/", views.release, name="release"),
    path("applications/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("applications/<int:pk>/clawback/", views.clawback, name="clawback"),
    path("queue/", views.queue, name="queue"),
    path("vouchers/", views.vouchers, name="vouchers"),
    path("reports/", report_views.report, name="report"),
]
