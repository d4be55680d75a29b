"""Resource pools. For now only the service provider a provider user belongs to; the catalog issue grows it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.Model):
    """A service provider (服务商) organisation."""

    name = models.CharField(_("服务商名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")

    def __str__(self) -> str:
        return self.name
