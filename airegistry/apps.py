from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AiregistryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "airegistry"
    verbose_name = _("工业模型与智能体")
