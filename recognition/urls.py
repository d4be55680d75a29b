"""Recognition pages. Each part adds its routes here: applicant and officer pages (views.py), experts
(expert_views.py), public notice, published lists and certificates (public_views.py)."""

from django.urls import path  # noqa: F401

app_name = "recognition"

urlpatterns: list = []

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
