"""Scoping for assessments: a user sees assessments of the enterprises they see, and drafts only of their own side."""

from django.db import models
from django.db.models import Q

from accounts.policy import scope_of


class ModelVersionQuerySet(models.QuerySet):
    def current(self) -> "ModelVersionQuerySet":
        return self.filter(is_current=True)


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssessmentQuerySet":
        """Submitted assessments of every enterprise in the user's scope; a draft only to whoever is filling it
        in (the enterprise's own users for a self-assessment, its author for a diagnosis or verification)."""
        from enterprises.models import Enterprise

        scope = scope_of(user)
        if scope.is_admin:
            return self.filter(enterprise__removed_at__isnull=True)
        if not user.is_authenticated:
            return self.none()
        own_drafts = Q(kind="self", enterprise_id__in=scope.own_enterprise_ids)
        authored = ~Q(kind="self") & Q(created_by=user)
        return self.filter(enterprise__in=Enterprise.objects.visible_to(user).values("pk")).filter(
            Q(status="submitted") | own_drafts | authored
        )

    def submitted(self) -> "AssessmentQuerySet":
        return self.filter(status="submitted")
