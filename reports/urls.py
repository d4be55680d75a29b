from django.urls import include, path

from . import views

app_name = "reports"

urlpatterns = [
    path("enterprise/<int:pk>/", views.enterprise_reports, name="enterprise"),
    path("enterprise/<int:pk>/preview/", views.preview, name="preview"),
    path("enterprise/<int:pk>/issue/", views.issue, name="issue"),
    path("enterprise/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/remove/", views.finding_remove, name="finding_remove"),
    path("batches/", include("reports.batch_urls")),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
]
