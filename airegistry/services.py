"""Writes on the registry: the developer registers and edits its models and agents (with their scene models, live
deployments and third-party evaluations) and submits them; an officer of the developer's region accepts or returns
them (with a reason) and publishes accepted ones to the public directory.

Every refusal is a PermissionDenied (a 403: may see, may not act) or a ValidationError with a Chinese message; every
state change and edit is a RegistryEvent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from catalog.models import Provider
from core import uploads
from enterprises.models import Enterprise
from regions.models import IndustryDivision

from . import events
from .models import Deployment, Entry, Evaluation, Link, LiveDeployment, SceneModel, System

S = Entry.Status
FIELDS = ("name", "version", "summary", "base_model", "base_origin", "base_licence", "modality", "parameters",
          "deployment_forms", "industries", "links", "data_description", "autonomy_level", "systems",
          "task_success")  # fmt: skip
AGENT_ONLY = ("autonomy_level", "systems", "task_success")


def max_report_bytes() -> int:
    return int(getattr(settings, "TIDU_EVIDENCE_MAX_MB", 20)) * uploads.MB


# --- who may act --------------------------------------------------------------------------------------------------


def is_developer(user, entry: Entry) -> bool:
    scope = scope_of(user)
    return (entry.developer_enterprise_id in scope.own_enterprise_ids
            or entry.developer_provider_id in scope.provider_ids)  # fmt: skip


def governs(user, entry: Entry) -> bool:
    return scope_of(user).manages_code(entry.region_id)


def developers_of(user) -> list[Enterprise | Provider]:
    """The enterprises and providers this user may register models and agents for."""
    scope = scope_of(user)
    return [*Enterprise.objects.filter(pk__in=scope.own_enterprise_ids, removed_at__isnull=True).order_by("pk"),
            *Provider.objects.filter(pk__in=scope.provider_ids).order_by("pk")]  # fmt: skip


def _editable(actor, entry: Entry) -> None:
    if not is_developer(actor, entry):
        raise PermissionDenied(_("只有研发单位本单位的用户可以修改登记信息"))
    if not entry.editable:
        status = entry.get_status_display()
        raise ValidationError(_("“%(status)s”状态下不能修改，退回修改后方可编辑") % {"status": status})


# --- the entry ----------------------------------------------------------------------------------------------------


def _check_codes(kind: str, values: dict) -> None:
    problems: dict[str, str] = {}
    allowed = {"links": set(Link.values), "deployment_forms": set(Deployment.values), "systems": set(System.values)}
    for key, codes in allowed.items():
        wrong = [c for c in values.get(key) or [] if c not in codes]
        if wrong:
            problems[key] = _("不可用的选项：%(codes)s") % {"codes": "、".join(map(str, wrong))}
    industries = values.get("industries") or []
    if industries:
        known = set(IndustryDivision.objects.filter(code__in=industries).values_list("code", flat=True))
        if wrong := [c for c in industries if c not in known]:
            problems["industries"] = _("不是国民经济行业大类代码：%(codes)s") % {"codes": "、".join(map(str, wrong))}
    level = values.get("autonomy_level")
    if level is not None and not 1 <= int(level) <= 5:
        problems["autonomy_level"] = _("自主等级应为 L1–L5")
    success = values.get("task_success")
    if success is not None and not Decimal(0) <= Decimal(success) <= Decimal(100):
        problems["task_success"] = _("任务成功率应在 0–100 之间")
    if kind != Entry.Kind.AGENT and any(values.get(k) not in (None, "", []) for k in AGENT_ONLY):
        problems["autonomy_level"] = _("自主等级、作用系统和任务成功率只适用于工业智能体")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def entry_create(*, actor, kind: str, developer: Enterprise | Provider, **values) -> Entry:
    """Register a model or agent as a draft for a developer the actor belongs to."""
    if kind not in Entry.Kind.values:
        raise ValidationError(_("未知的登记类型"))
    scope = scope_of(actor)
    if isinstance(developer, Enterprise):
        if developer.pk not in scope.own_enterprise_ids:
            raise PermissionDenied(_("只能为本单位登记工业模型或智能体"))
        owner = {"developer_enterprise": developer, "region_id": developer.county_id}
    else:
        if developer.pk not in scope.provider_ids:
            raise PermissionDenied(_("只能为本单位登记工业模型或智能体"))
        owner = {"developer_provider": developer, "region_id": developer.region_id}
    _check_codes(kind, values)
    entry = Entry(kind=kind, created_by=actor, **owner, **{k: v for k, v in values.items() if k in FIELDS})
    entry.full_clean()
    entry.save()
    events.record(entry, "create", actor=actor)
    return entry


@transaction.atomic
def entry_update(*, actor, entry: Entry, **values) -> Entry:
    _editable(actor, entry)
    _check_codes(entry.kind, values)
    changed = [k for k, v in values.items() if k in FIELDS and getattr(entry, k) != v]
    for key in changed:
        setattr(entry, key, values[key])
    entry.full_clean()
    entry.save()
    if changed:
        events.record(entry, "edit", actor=actor, data={"fields": changed})
    return entry


def missing_for_submit(entry: Entry) -> list[str]:
    """What the entry still lacks before it can be submitted, in Chinese (empty when complete)."""
    missing = []
    if not entry.links:
        missing.append(_("价值链环节"))
    if not entry.industries:
        missing.append(_("适用行业"))
    if entry.kind == Entry.Kind.MODEL:
        if not entry.parameters:
            missing.append(_("参数量"))
        if not entry.base_model:
            missing.append(_("基座模型"))
    else:
        if not entry.autonomy_level:
            missing.append(_("自主等级"))
        if not entry.systems:
            missing.append(_("作用系统"))
    if not entry.data_description.strip():
        missing.append(_("训练数据说明"))
    return missing


@transaction.atomic
def entry_submit(*, actor, entry: Entry) -> Entry:
    _editable(actor, entry)
    if missing := missing_for_submit(entry):
        raise ValidationError(_("提交前请补全：%(fields)s") % {"fields": "、".join(missing)})
    resubmit = entry.status == S.RETURNED
    entry.status, entry.status_reason, entry.submitted_at = S.SUBMITTED, "", timezone.now()
    entry.save(update_fields=["status", "status_reason", "submitted_at", "updated_at"])
    events.record(entry, "submit", actor=actor, data={"resubmit": resubmit})
    return entry


def _officer(actor, entry: Entry) -> None:
    if not governs(actor, entry):
        raise PermissionDenied(_("只有研发单位所在地区的主管部门可以审核和发布"))


@transaction.atomic
def entry_review(*, actor, entry: Entry, decision: str, reason: str = "") -> Entry:
    """accept or return (a reason is required to return) a submitted entry."""
    _officer(actor, entry)
    if entry.status != S.SUBMITTED:
        status = entry.get_status_display()
        raise ValidationError(_("只有待审核的登记可以审核，当前状态为“%(status)s”") % {"status": status})
    reason = (reason or "").strip()
    if decision == "return":
        if not reason:
            raise ValidationError({"reason": _("退回修改时请写明原因")})
        entry.status, entry.status_reason = S.RETURNED, reason[:500]
    elif decision == "accept":
        entry.status, entry.status_reason = S.ACCEPTED, ""
    else:
        raise ValidationError(_("未知的审核决定"))
    entry.save(update_fields=["status", "status_reason", "updated_at"])
    events.record(entry, decision, actor=actor, reason=reason[:500])
    return entry


@transaction.atomic
def entry_publish(*, actor, entry: Entry) -> Entry:
    _officer(actor, entry)
    if entry.status != S.ACCEPTED:
        raise ValidationError(_("审核通过后才能发布，当前状态为“%(status)s”") % {"status": entry.get_status_display()})
    entry.status, entry.published_at = S.PUBLISHED, timezone.now()
    entry.save(update_fields=["status", "published_at", "updated_at"])
    events.record(entry, "publish", actor=actor)
    return entry


@transaction.atomic
def entry_unpublish(*, actor, entry: Entry, reason: str) -> Entry:
    """Take a published entry off the directory and back to the developer (a reason is required)."""
    _officer(actor, entry)
    if entry.status != S.PUBLISHED:
        raise ValidationError(_("只有已发布的登记可以撤下"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("撤下时请写明原因")})
    entry.status, entry.status_reason, entry.published_at = S.RETURNED, reason.strip()[:500], None
    entry.save(update_fields=["status", "status_reason", "published_at", "updated_at"])
    events.record(entry, "unpublish", actor=actor, reason=reason.strip()[:500])
    return entry


# --- scene models and deployments ---------------------------------------------------------------------------------


@transaction.atomic
def scene_add(*, actor, entry: Entry, kind: str, name: str, link: str = "", description: str = "") -> SceneModel:
    _editable(actor, entry)
    scene = SceneModel(entry=entry, kind=kind, name=(name or "").strip(), link=link, description=description)
    scene.full_clean(exclude=["entry"])
    scene.save()
    events.record(entry, "scene", actor=actor, data={"added": scene.name})
    return scene


@transaction.atomic
def deployment_add(*, actor, entry: Entry, client_name: str, since: dt.date, client: Enterprise | None = None,
                   scene: str = "", benefit: str = "") -> LiveDeployment:  # fmt: skip
    _editable(actor, entry)
    if since > timezone.localdate():
        raise ValidationError({"since": _("上线日期不能晚于今天")})
    name = (client_name or "").strip() or (client.name if client else "")
    deployment = LiveDeployment(entry=entry, client=client, client_name=name, since=since, scene=scene,
                                benefit=benefit)  # fmt: skip
    deployment.full_clean(exclude=["entry"])
    deployment.save()
    events.record(entry, "deployment", actor=actor, data={"added": deployment.client_name})
    return deployment


@transaction.atomic
def part_remove(*, actor, part: SceneModel | LiveDeployment | Evaluation) -> None:
    entry = part.entry
    _editable(actor, entry)
    kind = {SceneModel: "scene", LiveDeployment: "deployment", Evaluation: "evaluation"}[type(part)]
    if isinstance(part, Evaluation) and part.report:
        part.report.delete(save=False)
    events.record(entry, kind, actor=actor, data={"removed": str(part)})
    part.delete()


# --- evaluations --------------------------------------------------------------------------------------------------


def evaluation_problems(*, evaluator: str, standard: str, evaluated_on: dt.date | None, scores: dict,
                        today: dt.date) -> dict[str, str]:  # fmt: skip
    """What is wrong with an evaluation record, by field (empty when it may be recorded). Tidu checks what it
    records — evaluator and standard named, a date not in the future, each score within 0–100 — and runs nothing."""
    problems: dict[str, str] = {}
    if not (evaluator or "").strip():
        problems["evaluator"] = _("请填写评测机构")
    if not (standard or "").strip():
        problems["standard"] = _("请填写评测标准（如 GB/T 45288.2）")
    if evaluated_on is None:
        problems["evaluated_on"] = _("请填写评测日期")
    elif evaluated_on > today:
        problems["evaluated_on"] = _("评测日期不能晚于今天")
    given = {k: v for k, v in scores.items() if v is not None}
    for key, value in given.items():
        if not Decimal(0) <= Decimal(value) <= Decimal(100):
            problems[key] = _("得分应在 0–100 之间")
    if not given:
        problems["performance"] = _("请至少填写一个维度的得分")
    return problems


@transaction.atomic
def evaluation_add(*, actor, entry: Entry, evaluator: str, standard: str, evaluated_on: dt.date | None,
                   report, standard_version: str = "", accreditation: str = "", **scores) -> Evaluation:  # fmt: skip
    """Record a third-party evaluation with its report file (checked as every upload: type by content, size)."""
    _editable(actor, entry)
    scores = {d: scores.get(d) for d in Evaluation.DIMENSIONS}
    problems = evaluation_problems(evaluator=evaluator, standard=standard, evaluated_on=evaluated_on, scores=scores,
                                   today=timezone.localdate())  # fmt: skip
    if report is None:
        problems["report"] = _("请上传评测报告")
    if problems:
        raise ValidationError(problems)
    try:
        checked = uploads.check(report, max_bytes=max_report_bytes())
    except uploads.UploadError as error:
        raise ValidationError({"report": str(error)}) from error
    evaluation = Evaluation(entry=entry, evaluator=evaluator.strip(), standard=standard.strip(),
                            standard_version=(standard_version or "").strip(), accreditation=accreditation or "",
                            evaluated_on=evaluated_on, report_name=checked.original_name,
                            report_sha256=checked.sha256, report_size=checked.size, created_by=actor,
                            **scores)  # fmt: skip
    evaluation.report.save(checked.random_name(), ContentFile(checked.data), save=False)
    evaluation.save()
    events.record(entry, "evaluation", actor=actor, data={"added": str(evaluation), "sha256": checked.sha256})
    return evaluation


def report_content_type(evaluation: Evaluation) -> str:
    from pathlib import PurePath

    return uploads.ALLOWED.get(PurePath(evaluation.report_name).suffix.lower(), "application/octet-stream")
