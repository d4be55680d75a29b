"""Facts an enterprise declares for the smart-factory tier check (abnormal-list status, accidents, scene counts).

A declaration is never edited: declaring a fact again adds a row and moves `is_current`, so the history of what
was declared, by whom, and how it was reviewed stays readable. Only the current declaration is reviewed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import EvidenceFile  # defined before models.py imports this module


class TierFact(models.Model):
    """One declaration of one tier-check fact by an enterprise, with its review (confirmed or rejected)."""

    class Status(models.TextChoices):
        DECLARED = "declared", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("已退回")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="tier_facts")
    key = models.SlugField(_("事项"), max_length=40)  # a `source: declared` fact of the tier model
    value = models.JSONField(_("申报值"))  # bool, int or enum text, as the tier model's fact type says
    note = models.CharField(_("说明"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DECLARED)
    is_current = models.BooleanField(default=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("申报人")
    )
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reason = models.CharField(_("退回原因"), max_length=500, blank=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("梯度条件申报")
        verbose_name_plural = _("梯度条件申报")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "key"], condition=models.Q(is_current=True), name="tierfact_one_current"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reason=""),
                name="tierfact_rejection_has_reason",
                violation_error_message=_("退回须说明原因"),
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "key", "-declared_at"], name="tierfact_history")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.key} {self.get_status_display()}"


class TierFactEvidence(EvidenceFile):
    """A file supporting one declaration; checked like assessment evidence, served only through a scoped view."""

    fact = models.ForeignKey(TierFact, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="tier-facts/%Y/%m/")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("梯度条件佐证材料")
        verbose_name_plural = _("梯度条件佐证材料")
