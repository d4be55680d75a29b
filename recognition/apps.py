from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recognition"
    verbose_name = _("梯度认定")

    def ready(self) -> None:
        from core import verification

        from . import certificates

        verification.register("certificate", certificates.issued)
