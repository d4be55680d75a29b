"""Writes of emergency drills (应急演练): plan (scenario, injects with the expected action and its deadline,
participants), start, log each decision, finish (findings and the score: the share of expectations met), the
after-action items with owners and due dates, and the retest of an earlier drill.

As datasecurity.services: keyword arguments, PermissionDenied for one who may see but not act, ValidationError
(Chinese) for a step the state refuses, one transaction, an Event per act, `now` settable."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import access, events
from .models import Drill, DrillAction, DrillInject, Scenario
from .services import _now


def _clean_injects(injects: list[dict]) -> list[dict]:
    rows = [i for i in injects if (i.get("text") or "").strip() or (i.get("expected") or "").strip()]
    if not rows:
        raise ValidationError(_("请至少填写一条情景注入及其预期处置"))
    for n, row in enumerate(rows, start=1):
        if not (row.get("text") or "").strip() or not (row.get("expected") or "").strip():
            raise ValidationError(_("第 %(n)s 条情景注入须同时填写情景和预期处置") % {"n": n})
        minutes = row.get("deadline_minutes")
        if not isinstance(minutes, int) or minutes <= 0:
            raise ValidationError(_("第 %(n)s 条情景注入的处置时限应为正整数（分钟）") % {"n": n})
    return rows


@transaction.atomic
def drill_plan(*, actor, title: str, scenario: str, planned_on: dt.date, injects: list[dict], participants: str = "",
               enterprise=None, retest_of: Drill | None = None, now: dt.datetime | None = None) -> Drill:  # fmt: skip
    """Plan a drill of an enterprise (its own users) or, without an enterprise, of the officer's region."""
    now = _now(now)
    if enterprise is not None:
        access.require_own(actor, enterprise.pk)
        region_code = enterprise.county_id
    else:
        region_code = access.officer_region(actor)
        if region_code is None:
            raise PermissionDenied(_("只有企业或主管部门可以组织演练"))
    if scenario not in Scenario.values:
        raise ValidationError(_("请选择演练场景"))
    if not title.strip():
        raise ValidationError(_("请填写演练名称"))
    rows = _clean_injects(injects)
    if retest_of is not None:
        if retest_of.status != Drill.Status.DONE:
            raise ValidationError(_("只能复测已完成的演练"))
        if (retest_of.enterprise_id, retest_of.region_code) != (getattr(enterprise, "pk", None), region_code):
            raise ValidationError(_("只能复测本单位组织的演练"))
    drill = Drill.objects.create(enterprise=enterprise, region_code=region_code, title=title.strip()[:200],
                                 scenario=scenario, planned_on=planned_on, participants=participants.strip(),
                                 retest_of=retest_of, created_by=actor)  # fmt: skip
    DrillInject.objects.bulk_create([
        DrillInject(drill=drill, order=n, text=r["text"].strip()[:500], expected=r["expected"].strip()[:500],
                    deadline_minutes=r["deadline_minutes"])
        for n, r in enumerate(rows, start=1)
    ])  # fmt: skip
    events.record("drill_plan", actor=actor, drill=drill, at=now,
                  data={"retest_of": retest_of.pk if retest_of else None})  # fmt: skip
    return drill


def _load(drill: Drill, actor) -> Drill:
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    access.require_holder(actor, drill.enterprise_id, drill.region_code)
    return drill


@transaction.atomic
def drill_start(*, actor, drill: Drill, now: dt.datetime | None = None) -> Drill:
    drill = _load(drill, actor)
    now = _now(now)
    if drill.status != Drill.Status.PLANNED:
        raise ValidationError(_("只有计划中的演练可以开始"))
    drill.status, drill.started_at = Drill.Status.RUNNING, now
    drill.save()
    events.record("drill_start", actor=actor, drill=drill, at=now)
    return drill


@transaction.atomic
def drill_decide(*, actor, drill: Drill, inject_id: int, decision: str, met: bool,
                 now: dt.datetime | None = None) -> DrillInject:  # fmt: skip
    """Log the decision taken on an inject. It meets the expectation only when the evaluator says so and it came
    within the inject's deadline (minutes from the drill's start)."""
    drill = _load(drill, actor)
    now = _now(now)
    if drill.status != Drill.Status.RUNNING:
        raise ValidationError(_("演练进行中才能记录处置决策"))
    inject = drill.injects.filter(pk=inject_id).first()
    if inject is None:
        raise ValidationError(_("没有这条情景注入"))
    if not decision.strip():
        raise ValidationError(_("请填写处置决策"))
    late = now > drill.started_at + dt.timedelta(minutes=inject.deadline_minutes)
    inject.decision, inject.decided_at, inject.met = decision.strip(), now, bool(met) and not late
    inject.save()
    events.record("drill_decide", actor=actor, drill=drill, at=now, reason=inject.decision,
                  data={"inject": inject.order, "met": inject.met, "late": late})  # fmt: skip
    return inject


@transaction.atomic
def drill_finish(*, actor, drill: Drill, findings: str, participants: str | None = None,
                 now: dt.datetime | None = None) -> Drill:  # fmt: skip
    """Close the drill with its findings; the score is the share of injects whose expectation was met (an inject
    with no decision logged counts as not met)."""
    drill = _load(drill, actor)
    now = _now(now)
    if drill.status != Drill.Status.RUNNING:
        raise ValidationError(_("演练进行中才能结束并记录"))
    if not findings.strip():
        raise ValidationError(_("请填写演练发现的问题（没有问题请写“无”）"))
    injects = list(drill.injects.all())
    drill.score = sum(1 for i in injects if i.met) / len(injects)
    drill.status, drill.finished_at, drill.findings = Drill.Status.DONE, now, findings.strip()
    if participants is not None and participants.strip():
        drill.participants = participants.strip()
    drill.save()
    events.record("drill_finish", actor=actor, drill=drill, at=now, data={"score": drill.score})
    return drill


@transaction.atomic
def drill_action_add(*, actor, drill: Drill, text: str, owner: str, due_on: dt.date | None,
                     now: dt.datetime | None = None) -> DrillAction:  # fmt: skip
    drill = _load(drill, actor)
    now = _now(now)
    if drill.status != Drill.Status.DONE:
        raise ValidationError(_("演练结束后才能登记整改事项"))
    if not text.strip() or not owner.strip() or due_on is None:
        raise ValidationError(_("整改事项须写明事项、责任人和完成期限"))
    if due_on < now.date():
        raise ValidationError(_("完成期限不能早于今天"))
    action = DrillAction.objects.create(drill=drill, text=text.strip()[:500], owner=owner.strip()[:120],
                                        due_on=due_on)  # fmt: skip
    events.record("drill_action", actor=actor, drill=drill, at=now, reason=action.text,
                  data={"owner": action.owner, "due_on": due_on.isoformat()})  # fmt: skip
    return action


@transaction.atomic
def drill_action_done(*, actor, drill: Drill, action_id: int, now: dt.datetime | None = None) -> DrillAction:
    drill = _load(drill, actor)
    now = _now(now)
    action = drill.actions.filter(pk=action_id).first()
    if action is None:
        raise ValidationError(_("没有这项整改事项"))
    if action.done_at is not None:
        raise ValidationError(_("该整改事项已完成"))
    action.done_at = now
    action.save()
    events.record("drill_action_done", actor=actor, drill=drill, at=now, reason=action.text)
    return action
