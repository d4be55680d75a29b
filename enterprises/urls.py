from django.urls import path

from . import grouping_views, views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/figures/", views.enterprise_figures, name="figures"),
    path("<int:pk>/note/", views.enterprise_note, name="note"),
    path("<int:pk>/remove/", views.enterprise_remove, name="remove"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:pk>/", views.import_status, name="import_status"),
    path("import/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:pk>/answer/", views.import_answer, name="import_answer"),
    path("groups/<str:kind>/", grouping_views.grouping_list, name="grouping_list"),
    path("groups/<str:kind>/new/", grouping_views.grouping_edit, name="grouping_create"),
    path("groups/<str:kind>/<int:pk>/", grouping_views.grouping_detail, name="grouping_detail"),
    path("groups/<str:kind>/<int:pk>/edit/", grouping_views.grouping_edit, name="grouping_edit"),
    path("groups/<str:kind>/<int:pk>/member/", grouping_views.grouping_member, name="grouping_member"),
]
