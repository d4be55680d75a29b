from django.urls import include, path

from . import lifecycle_views, recommend_views, views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<int:pk>/", views.provider_detail, name="provider_detail"),
    path("providers/<int:pk>/edit/", views.provider_edit, name="provider_edit"),
    path("providers/<int:pk>/review/", views.provider_review, name="provider_review"),
    path("review/", views.review_queue, name="review"),
    path("solutions/", views.solution_list, name="solution_list"),
    path("solutions/new/", views.solution_edit, name="solution_create"),
    path("solutions/<int:pk>/", views.solution_detail, name="solution_detail"),
    path("solutions/<int:pk>/edit/", views.solution_edit, name="solution_edit"),
    path("solutions/<int:pk>/review/", views.solution_review, name="solution_review"),
    path("scenarios/", views.scenario_list, name="scenario_list"),
    path("scenarios/graph/", views.scenario_graph, name="scenario_graph"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/respond/", views.need_respond, name="need_respond"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("responses/<int:pk>/decide/", views.response_decide, name="response_decide"),
    path("inbox/", views.inbox, name="inbox"),
    path("register/", lifecycle_views.register, name="register"),
    path("providers/<int:pk>/changes/", lifecycle_views.provider_changes_review, name="provider_changes_review"),
    path("solutions/<int:pk>/changes/", lifecycle_views.solution_changes_review, name="solution_changes_review"),
    path("providers/<int:pk>/evaluations/", lifecycle_views.evaluation_list, name="evaluation_list"),
    path("providers/<int:pk>/evaluate/", lifecycle_views.provider_evaluate, name="provider_evaluate"),
    path("providers/<int:pk>/appeal/", lifecycle_views.appeal_create, name="appeal_create"),
    path("evaluations/<int:pk>/", lifecycle_views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/recompute/", lifecycle_views.recompute_region, name="recompute_region"),
    path("appeals/<int:pk>/decide/", lifecycle_views.appeal_decide, name="appeal_decide"),
    path("cases/new/", lifecycle_views.case_edit, name="case_create"),
    path("cases/<int:pk>/edit/", lifecycle_views.case_edit, name="case_edit"),
    path("cases/<int:pk>/verify/", lifecycle_views.case_verify, name="case_verify"),
    path("recommend/assessment/<int:pk>/", recommend_views.for_assessment, name="recommend_assessment"),
    path("recommend/need/<int:pk>/", recommend_views.for_need, name="recommend_need"),
    # Matching events (对接会), the published directory's exports and attachments, and the search page.
    path("meetings/", include("catalog.meeting_urls")),
    path("", include("catalog.directory_urls")),
    path("search/", include("catalog.search_urls")),
]
