from django.urls import path

from . import campaign_views, filing_views, index_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("r/<str:code>/", views.region_page, name="region"),
    path("r/<str:code>/figures/", views.region_figures, name="figures"),
    path("r/<str:code>/map/shape.json", views.map_shape, name="map_shape"),
    path("r/<str:code>/map/values.json", views.map_values, name="map_values"),
    path("r/<str:code>/plans/new/", views.plan_create, name="plan_create"),
    path("r/<str:code>/targets/new/", views.target_create, name="target_create"),
    path("r/<str:code>/recompute/", views.recompute, name="recompute"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("targets/<int:pk>/enterprises/", views.target_enterprises, name="target_enterprises"),
    path("targets/<int:pk>/split/", views.target_split, name="target_split"),
    path("r/<str:code>/campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("r/<str:code>/campaigns/new/", campaign_views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/invite/", campaign_views.campaign_invite, name="campaign_invite"),
    path("campaigns/<int:pk>/remind/", campaign_views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/close/", campaign_views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/reports/", campaign_views.campaign_reports, name="campaign_reports"),
    path("campaigns/<int:pk>/export/", campaign_views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/summary.pdf", campaign_views.campaign_pdf, name="campaign_pdf"),
    path("campaigns/<int:pk>/members/<int:member_pk>/return/", campaign_views.member_return, name="member_return"),
    path("r/<str:code>/rounds/", filing_views.round_list, name="rounds"),
    path("r/<str:code>/rounds/new/", filing_views.round_open, name="round_open"),
    path("rounds/<int:pk>/", filing_views.round_detail, name="round"),
    path("r/<str:code>/templates/", filing_views.template_list, name="templates"),
    path("r/<str:code>/templates/new/", filing_views.template_edit, name="template_create"),
    path("r/<str:code>/templates/<int:pk>/", filing_views.template_edit, name="template_edit"),
    path("filings/<int:pk>/", filing_views.filing_detail, name="filing"),
    path("filings/<int:pk>/submit/", filing_views.filing_submit, name="filing_submit"),
    path("filings/<int:pk>/accept/", filing_views.filing_accept, name="filing_accept"),
    path("filings/<int:pk>/return/", filing_views.filing_return, name="filing_return"),
    path("r/<str:code>/index/", index_views.run_list, name="index_runs"),
    path("r/<str:code>/index/start/", index_views.run_start, name="index_start"),
    path("index/runs/<int:pk>/", index_views.run_detail, name="index_run"),
    path("index/runs/<int:pk>/publish/", index_views.run_publish, name="index_publish"),
]
