"""Funding programmes (vouchers, subsidies, awards) that may pay for a diagnosis report's roadmap steps.

Only the programme catalogue for now: applications, grants and the budget ledger come with the funding issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    """A voucher or subsidy programme issued by a region for enterprises in its subtree."""

    class Kind(models.TextChoices):
        VOUCHER = "voucher", _("服务券")
        SUBSIDY = "subsidy", _("项目奖补")
        AWARD = "award", _("认定奖励")
        LOAN = "loan", _("贷款贴息")

    name = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("扶持方式"), max_length=12, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("发布地区"))
    summary = models.TextField(_("支持内容"), blank=True)
    # Scenarios the programme pays for; none = any transformation project.
    scenarios = models.ManyToManyField("catalog.Scenario", blank=True, related_name="programmes")
    sizes = models.JSONField(_("适用规模"), default=list, blank=True)  # enterprise size classes; empty = all
    max_amount = models.DecimalField(_("最高支持（万元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    share = models.PositiveSmallIntegerField(_("支持比例（%）"), null=True, blank=True)
    opens_on = models.DateField(_("申报开始"), null=True, blank=True)
    closes_on = models.DateField(_("申报截止"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("扶持项目")
        verbose_name_plural = _("扶持项目")

    def __str__(self) -> str:
        return self.name
