from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("passages/<int:pk>/", views.passage, name="passage"),
    path("corpus/", views.corpus, name="corpus"),
    path("corpus/index/", views.index_start, name="index_start"),
    path("corpus/library/", views.library_load, name="library_load"),
    path("corpus/example/", views.example_load, name="example_load"),
    path("corpus/<int:pk>/remove/", views.document_remove, name="document_remove"),
]
