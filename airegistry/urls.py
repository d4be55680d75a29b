"""Registry pages (views.py) and the public directory (public_views.py, no login)."""

from django.urls import path

from . import public_views, views

app_name = "airegistry"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<slug:kind>/", views.entry_create, name="create"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/scenes/", views.scene_add, name="scene_add"),
    path("<int:pk>/deployments/", views.deployment_add, name="deployment_add"),
    path("<int:pk>/evaluations/", views.evaluation_add, name="evaluation_add"),
    path("<int:pk>/evaluations/<int:evaluation_pk>/report/", views.evaluation_report, name="evaluation_report"),
    path("<int:pk>/<slug:part>/<int:part_pk>/delete/", views.part_remove, name="part_remove"),
    path("<int:pk>/submit/", views.entry_submit, name="submit"),
    path("<int:pk>/review/", views.entry_review, name="review"),
    path("<int:pk>/publish/", views.entry_publish, name="publish"),
    path("<int:pk>/unpublish/", views.entry_unpublish, name="unpublish"),
    path("directory/", public_views.directory, name="directory"),
    path("directory.<str:fmt>", public_views.directory_export, name="directory_export"),
    path("directory/<int:pk>/", public_views.public_detail, name="public_entry"),
]
