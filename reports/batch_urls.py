from django.urls import path

from . import batch_views

# Included under /reports/batches/ inside the "reports" namespace: reverse("reports:batch_detail", args=[pk]).
urlpatterns = [
    path("", batch_views.batch_list, name="batch_list"),
    path("new/", batch_views.batch_new, name="batch_new"),
    path("<int:pk>/", batch_views.batch_detail, name="batch_detail"),
    path("<int:pk>/cancel/", batch_views.batch_cancel, name="batch_cancel"),
    path("<int:pk>/resume/", batch_views.batch_resume, name="batch_resume"),
    path("<int:pk>/archive/", batch_views.batch_archive, name="batch_archive"),
]
