"""Writes for declared tier-check facts: declare (with evidence), confirm, reject. Each writes a timeline event.

A new declaration of a fact supersedes the current one (which stays as history); only the current, still
unreviewed declaration can be confirmed or rejected."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises import events
from enterprises.models import Enterprise, EnterpriseEvent, Visibility

from . import evidence
from .models import TierFact, TierFactEvidence
from .tiers import declared_keys, tier_model

MAX_FILES = 5


class TierFactError(ValueError):
    """A declaration or review that cannot be done; the message says why in Chinese."""


def _record(fact: TierFact, actor, summary: str) -> None:
    # The enterprise reads why its declaration was confirmed or sent back on its own timeline: shared.
    events.record(
        fact.enterprise,
        EnterpriseEvent.Kind.ASSESSED,
        actor=actor,
        summary=summary,
        data={"tier_fact": fact.pk, "key": fact.key, "status": fact.status},
        visibility=Visibility.SHARED,
    )


def tier_fact_declare(*, actor, enterprise: Enterprise, key: str, value: Any, note: str = "", files=()) -> TierFact:
    """Declare one fact with at least one evidence file; the current declaration of that fact is superseded."""
    if key not in declared_keys(enterprise):
        raise TierFactError(_("“%(key)s”不是本地区梯度条件的申报事项") % {"key": key})
    fact_spec = tier_model().facts[key]
    if not fact_spec.accepts(value):
        raise TierFactError(_("“%(label)s”的申报值无效") % {"label": fact_spec.label})
    files = list(files)
    if not files:
        raise TierFactError(_("请上传至少一份佐证材料"))
    if len(files) > MAX_FILES:
        raise TierFactError(_("每次申报最多上传 %(n)d 份佐证材料") % {"n": MAX_FILES})
    checked = [evidence.check(f) for f in files]  # raises evidence.EvidenceError (a ValueError) with the reason
    stored: list[TierFactEvidence] = []
    try:
        with transaction.atomic():
            # One declarer at a time per enterprise, so two declarations cannot both become current.
            Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
            previous = TierFact.objects.filter(enterprise=enterprise, key=key, is_current=True).first()
            if previous is not None:
                previous.is_current = False
                previous.save(update_fields=["is_current"])
            fact = TierFact.objects.create(
                enterprise=enterprise, key=key, value=value, note=note[:500], declared_by=actor
            )
            for c in checked:
                ev = TierFactEvidence(
                    fact=fact,
                    original_name=c.original_name,
                    size=c.size,
                    content_type=c.content_type,
                    sha256=c.sha256,
                    uploaded_by=actor,
                )
                ev.file.save(c.random_name(), ContentFile(c.data), save=False)
                stored.append(ev)
                ev.save()
            summary = _("申报梯度条件：%(label)s为“%(value)s”") % {
                "label": fact_spec.label,
                "value": fact_spec.show(value),
            }
            if previous is not None:
                summary += _("（更新此前的申报）")
            _record(fact, actor, summary)
    except BaseException:
        # The rows were not written: the stored files must not outlive them.
        for ev in stored:
            ev.file.storage.delete(ev.file.name)
        raise
    return fact


def _review(*, actor, fact: TierFact, status: str, reason: str = "") -> TierFact:
    with transaction.atomic():
        locked = TierFact.objects.select_for_update().select_related("enterprise").get(pk=fact.pk)
        if not locked.is_current:
            raise TierFactError(_("该申报已被企业新的申报取代，请审核最新的申报"))
        if locked.status != TierFact.Status.DECLARED:
            raise TierFactError(_("该申报已审核（%(status)s）") % {"status": locked.get_status_display()})
        if locked.declared_by_id == actor.pk:
            raise TierFactError(_("不能审核自己提交的申报"))
        locked.status = status
        locked.reason = reason[:500]
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
        spec = tier_model().facts[locked.key]
        shown = spec.show(locked.value)
        if status == TierFact.Status.CONFIRMED:
            summary = _("确认梯度条件申报：%(label)s为“%(value)s”") % {"label": spec.label, "value": shown}
        else:
            summary = _("退回梯度条件申报：%(label)s，原因：%(reason)s") % {"label": spec.label, "reason": reason}
        _record(locked, actor, summary)
    return locked


def tier_fact_confirm(*, actor, fact: TierFact) -> TierFact:
    return _review(actor=actor, fact=fact, status=TierFact.Status.CONFIRMED)


def tier_fact_reject(*, actor, fact: TierFact, reason: str) -> TierFact:
    if not reason.strip():
        raise TierFactError(_("退回须说明原因"))
    return _review(actor=actor, fact=fact, status=TierFact.Status.REJECTED, reason=reason.strip())
