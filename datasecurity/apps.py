from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasecurityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "datasecurity"
    verbose_name = _("工业数据安全")
