"""Users, their roles and scopes (memberships), and API tokens for machine clients."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may see comes from their memberships, never from the user row."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    PROVINCE_OFFICER = "province_officer", _("省级主管部门")
    CITY_OFFICER = "city_officer", _("市级主管部门")
    COUNTY_OFFICER = "county_officer", _("县级主管部门")
    ENTERPRISE = "enterprise", _("企业用户")
    PROVIDER = "provider", _("服务商用户")
    COMMISSIONER = "commissioner", _("数字专员")
    EXPERT = "expert", _("专家")
    ADMIN = "admin", _("平台管理员")


OFFICER_ROLES = {Role.PROVINCE_OFFICER: 1, Role.CITY_OFFICER: 2, Role.COUNTY_OFFICER: 3}


class Membership(models.Model):
    """One role a user holds, with its scope: a region subtree, one enterprise, one provider, or assignments."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("管辖区域")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    provider = models.ForeignKey(
        "catalog.Provider", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    assigned_enterprises = models.ManyToManyField(
        "enterprises.Enterprise", blank=True, related_name="commissioner_memberships", verbose_name=_("负责企业")
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role in OFFICER_ROLES:
            if not self.region_id:
                raise ValidationError({"region": _("主管部门角色必须指定管辖区域。")})
            if self.region.level != OFFICER_ROLES[self.role]:
                raise ValidationError({"region": _("管辖区域的层级与角色不一致。")})
        if self.role == Role.ENTERPRISE and not self.enterprise_id:
            raise ValidationError({"enterprise": _("企业用户必须关联一家企业。")})
        if self.role == Role.PROVIDER and not self.provider_id:
            raise ValidationError({"provider": _("服务商用户必须关联一家服务商。")})


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for a machine client, acting as its user. Only a digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=64)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_secret() -> tuple[str, str, str]:
        """Returns (plain token shown once, prefix, digest)."""
        prefix = secrets.token_hex(4)
        plain = f"tidu_{prefix}_{secrets.token_urlsafe(32)}"
        return plain, prefix, _digest(plain)

    def matches(self, plain: str) -> bool:
        return secrets.compare_digest(self.digest, _digest(plain))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
