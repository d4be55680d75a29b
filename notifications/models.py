"""In-app notifications: what happened that a person should know about, where to look, and whether they have read it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import NotificationQuerySet


class Notification(models.Model):
    """One message to one user. Written by the service that made the change; the recipient only marks it read."""

    class Kind(models.TextChoices):
        NEED_RESPONDED = "need_responded", _("需求收到响应")
        ASSESSMENT_VERIFIED = "assessment_verified", _("评估结果经核验")
        REPORT_ISSUED = "report_issued", _("收到诊断报告")
        CAMPAIGN_INVITED = "campaign_invited", _("专项行动邀请")
        CAMPAIGN_REMINDED = "campaign_reminded", _("专项行动提醒")
        CAMPAIGN_RETURNED = "campaign_returned", _("评估被退回")
        RECOGNITION_REREVIEW = "recognition_rereview", _("认定复核通知")
        RECOGNITION_OBJECTION = "recognition_objection", _("收到公示异议")
        DATASEC_ESCALATION = "datasec_escalation", _("数据安全时限届满")
        DATASEC_RETURNED = "datasec_returned", _("数据目录备案被退回")
        DATASEC_REGRADED = "datasec_regraded", _("数据安全事件级别调整")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # A path on this site ("/catalog/needs/3/"), never a full address: the page links it, the e-mail makes it absolute.
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The badge on every page counts the unread ones: a partial index keeps that count small and fast.
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(link="") | models.Q(link__startswith="/"), name="notification_link_is_a_path"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
