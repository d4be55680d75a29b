"""Recognition pages. Each part adds its routes here: applicant and officer pages (views.py), experts
(expert_views.py), public notice, published lists and certificates (public_views.py)."""

from django.urls import path  # noqa: F401

from . import views

app_name = "recognition"

urlpatterns: list = [
    path("", views.home, name="index"),
    path("programmes/load/", views.programme_load, name="programme_load"),
    path("programmes/examples/<slug:code>.yaml", views.programme_example, name="programme_example"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/status/", views.programme_status, name="programme_status"),
    path("programmes/<int:pk>/apply/", views.application_start, name="apply"),
    path("programmes/<int:pk>/queue/", views.programme_queue, name="queue"),
    path("programmes/<int:pk>/applications.<str:fmt>", views.programme_export, name="programme_export"),
    path("programmes/<int:pk>/recommend/<slug:step>/", views.recommend_board, name="recommend_board"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("applications/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("applications/<int:pk>/evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("cultivation/", views.cultivation_pool, name="cultivation"),
]

# Public notice, published list, objections, certificates, revocation, re-review (public_views, notice_views).
from . import notice_views, public_views  # noqa: E402

urlpatterns += [
    path("public/notices/", public_views.notice_list, name="public_notices"),
    path("public/notices/<int:pk>/", public_views.notice_detail, name="public_notice"),
    path("public/recognised/", public_views.recognised_list, name="public_recognised"),
    path("objections/", notice_views.objection_list, name="objections"),
    path("objections/<int:pk>/", notice_views.objection_detail, name="objection"),
    path("recognitions/", notice_views.recognition_list, name="recognitions"),
    path("recognitions/<int:pk>/certificate.pdf", notice_views.certificate_pdf, name="certificate"),
    path("recognitions/<int:pk>/revoke/", notice_views.revoke, name="revoke"),
    path("rereview/", notice_views.rereview_round, name="rereview"),
]

# Experts: the pool, assignment, the workbench and the scores (expert_views).
from . import expert_views  # noqa: E402

urlpatterns += [
    path("experts/", expert_views.expert_pool, name="expert_pool"),
    path("experts/new/", expert_views.expert_new, name="expert_new"),
    path("experts/<int:pk>/edit/", expert_views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/active/", expert_views.expert_active, name="expert_active"),
    path("programmes/<int:pk>/experts/", expert_views.expert_assign, name="expert_assign"),
    path("reviews/<int:pk>/withdraw/", expert_views.expert_task_withdraw, name="expert_task_withdraw"),
    path("applications/<int:pk>/reviews/", expert_views.expert_scores, name="expert_scores"),
    path("my-reviews/", expert_views.expert_tasks, name="expert_tasks"),
    path("my-reviews/<int:pk>/", expert_views.expert_task, name="expert_task"),
    path("my-reviews/<int:pk>/evidence/<int:evidence_pk>/", expert_views.expert_evidence, name="expert_evidence"),
]

# Prerequisite re-checks over a region (recheck_views).
from . import recheck_views  # noqa: E402

urlpatterns += [
    path("programmes/<int:pk>/rechecks/", recheck_views.recheck_start, name="recheck_start"),
    path("rechecks/<int:pk>/", recheck_views.recheck_detail, name="recheck"),
    path("rechecks/<int:pk>/enterprises/", recheck_views.recheck_enterprises, name="recheck_enterprises"),
]
