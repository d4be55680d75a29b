from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("r/<str:code>/", views.region_page, name="region"),
    path("r/<str:code>/figures/", views.region_figures, name="figures"),
    path("r/<str:code>/plans/new/", views.plan_create, name="plan_create"),
    path("r/<str:code>/targets/new/", views.target_create, name="target_create"),
    path("r/<str:code>/recompute/", views.recompute, name="recompute"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("targets/<int:pk>/enterprises/", views.target_enterprises, name="target_enterprises"),
    path("targets/<int:pk>/split/", views.target_split, name="target_split"),
]
