"""Administrative divisions (GB/T 2260) and the manufacturing industry classification (GB/T 4754-2017)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def code_prefix(code: str) -> str:
    """The significant digits of a GB/T 2260 code: '36' for a province, '3601' for a city, '360102' for a county.

    The codes are hierarchical, so this prefix is the division's materialised path: everything under a
    division has a code that starts with it."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def prefix_range(field: str, prefix: str) -> dict[str, str]:
    """Lookup kwargs selecting codes that start with `prefix` as an index-friendly range (':' sorts after '9')."""
    return {f"{field}__gte": prefix, f"{field}__lt": prefix + ":"}


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: "Region") -> "RegionQuerySet":
        return self.filter(**prefix_range("code", region.path))

    def counties_in(self, region: "Region") -> "RegionQuerySet":
        """Leaves an enterprise can sit in: counties, and cities that have no counties (e.g. 东莞市)."""
        return self.subtree(region).filter(is_leaf=True)


class Region(models.Model):
    """One administrative division: province, city (prefecture) or county."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("地级")
        COUNTY = 3, _("县级")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(_("路径"), max_length=6, db_index=True, help_text="代码的有效前缀，即物化路径")
    full_name = models.CharField(_("全称"), max_length=160)
    is_leaf = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.full_name


class IndustryDivision(models.Model):
    """A GB/T 4754-2017 manufacturing division (大类), e.g. 34 通用设备制造业."""

    code = models.CharField(_("行业代码"), max_length=2, primary_key=True)
    name = models.CharField(_("行业名称"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业大类")
        verbose_name_plural = _("行业大类")

    def __str__(self) -> str:
        return f"C{self.code} {self.name}"


class IndustryGroup(models.Model):
    """A GB/T 4754-2017 industry group (中类), loaded by a province when it has the official table."""

    code = models.CharField(_("行业中类代码"), max_length=3, primary_key=True)
    name = models.CharField(_("行业中类名称"), max_length=64)
    division = models.ForeignKey(IndustryDivision, on_delete=models.PROTECT, related_name="groups")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业中类")
        verbose_name_plural = _("行业中类")

    def __str__(self) -> str:
        return f"C{self.code} {self.name}"
