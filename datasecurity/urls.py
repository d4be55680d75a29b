from django.urls import path

from . import drill_views, keylist_views, risk_views, views

app_name = "datasecurity"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("assets/new/", views.asset_edit, name="asset_new"),
    path("assets/import/", views.asset_import, name="asset_import"),
    path("assets/import/template.xlsx", views.asset_import_template, name="asset_import_template"),
    path("assets/<int:pk>/", views.asset_edit, name="asset_edit"),
    path("assets/<int:pk>/grade/", views.asset_grade, name="asset_grade"),
    path("filings/submit/", views.filing_submit, name="filing_submit"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("filings/<int:pk>/review/", views.filing_review, name="filing_review"),
    path("filings/<int:pk>/attest/", views.filing_attest, name="filing_attest"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/<slug:action>/", views.incident_act, name="incident_act"),
    path("overview/", views.overview, name="overview"),
    path("key-list/", keylist_views.key_index, name="key_index"),
    path("key-list/export.<slug:fmt>", keylist_views.key_export, name="key_export"),
    path("key-list/propose/", keylist_views.key_propose, name="key_propose"),
    path("key-list/add/", keylist_views.key_add, name="key_add"),
    path("key-list/publish/", keylist_views.key_publish, name="key_publish"),
    path("key-list/publications/<int:pk>/", keylist_views.key_publication, name="key_publication"),
    path(
        "key-list/publications/<int:pk>/export.<slug:fmt>",
        keylist_views.key_publication_export,
        name="key_publication_export",
    ),  # fmt: skip
    path("key-list/<int:pk>/", keylist_views.key_entry, name="key_entry"),
    path("key-list/<int:pk>/<slug:action>/", keylist_views.key_act, name="key_act"),
    path("risk/", risk_views.risk_list, name="risks"),
    path("risk/new/", risk_views.risk_new, name="risk_new"),
    path("risk/<int:pk>/", risk_views.risk_detail, name="risk"),
    path("risk/<int:pk>/<slug:action>/", risk_views.risk_act, name="risk_act"),
    path("drills/", drill_views.drill_list, name="drills"),
    path("drills/new/", drill_views.drill_new, name="drill_new"),
    path("drills/<int:pk>/", drill_views.drill_detail, name="drill"),
    path("drills/<int:pk>/<slug:action>/", drill_views.drill_act, name="drill_act"),
]
