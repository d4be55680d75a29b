from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template, name="template"),
    path("<int:pk>/", views.job, name="job"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/replan/", views.replan, name="replan"),
]
