from django.urls import include, path

from . import model_views, tier_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("enterprise/<int:pk>/panel/", views.enterprise_panel, name="enterprise_panel"),
    path("enterprise/<int:pk>/start/", views.assessment_start, name="start"),
    path("enterprise/<int:pk>/tiers/", tier_views.tier_page, name="tiers"),
    path("enterprise/<int:pk>/tiers/<slug:key>/declare/", tier_views.fact_declare, name="tier_fact_declare"),
    path("tier-facts/<int:pk>/confirm/", tier_views.fact_confirm, name="tier_fact_confirm"),
    path("tier-facts/<int:pk>/reject/", tier_views.fact_reject, name="tier_fact_reject"),
    path("tier-facts/<int:pk>/evidence/<int:evidence_pk>/", tier_views.fact_evidence, name="tier_fact_evidence"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/fill/", views.assessment_fill, name="fill"),
    path("<int:pk>/autosave/", views.assessment_autosave, name="autosave"),
    path("<int:pk>/review/", views.assessment_review, name="review"),
    path("<int:pk>/verify/", views.assessment_verify, name="verify"),
    path("<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("<int:pk>/evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("import/", include("assessments.import_urls")),
    path("models/", model_views.model_list, name="model_list"),
    path("models/upload/", model_views.model_upload, name="model_upload"),
    path("models/<int:pk>/", model_views.model_detail, name="model_detail"),
    path("models/<int:pk>/rescore/", model_views.model_rescore, name="model_rescore"),
    path("models/<int:pk>/download.<str:fmt>", model_views.model_download, name="model_download"),
]
