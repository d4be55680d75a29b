from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_library(sender, using="default", **kwargs) -> None:
    """Every database carries the shipped model library: after migrate, and after a test flush."""
    from .services import sync_library

    if using == "default":
        sync_library()


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = _("成熟度评估")

    def ready(self) -> None:
        post_migrate.connect(_load_library, sender=self, dispatch_uid="assessments.load_library")
