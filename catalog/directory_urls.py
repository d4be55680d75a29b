from django.urls import path

from . import directory_views

urlpatterns = [
    path("directory/", directory_views.directory_page, name="directory"),
    path("attachments/upload/", directory_views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", directory_views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", directory_views.attachment_delete, name="attachment_delete"),
]
