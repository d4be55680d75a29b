from django.contrib import admin
from django.urls import include, path

from monitoring import index_views
from reports import views as report_views

from .api import api
from .home import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("assessments/", include("assessments.urls")),
    path("catalog/", include("catalog.urls")),
    path("reports/", include("reports.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("recognition/", include("recognition.urls")),
    path("funding/", include("incentives.urls")),
    path("ai/models/", include("airegistry.urls")),
    path("ai/assistant/", include("assistant.urls")),
    path("data-security/", include("datasecurity.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("index/<int:pk>/", index_views.public_page, name="index_public"),
    path("index/<int:pk>/<str:name>", index_views.public_download, name="index_download"),
    path("r/<str:code>/", report_views.verify, name="report_verify"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
