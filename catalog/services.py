"""Writes for the resource pools. Every check that a form or an import needs lives here, so the pages, the API and
the demo refuse the same things with the same Chinese messages, and nothing is half-written."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regions.models import IndustryDivision

from .events import record
from .models import Case, Need, Provider, Scenario, Solution
from .search_index import index_objects

MIN_NEED_TEXT = 2  # characters of real content; "a need with an empty or one-character text" is refused


class CatalogError(ValueError):
    """A refused write; `problems` maps field names ("" for the whole record) to Chinese messages."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems.values()))


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise CatalogError({k: "；".join(v) for k, v in exc.message_dict.items()}) from exc


def _known_industries(codes: list[str]) -> None:
    unknown = sorted(set(codes) - set(IndustryDivision.objects.filter(code__in=codes).values_list("code", flat=True)))
    if unknown:
        raise CatalogError({"industries": _("未知的行业代码：%(codes)s") % {"codes": "、".join(unknown)}})


def _scenarios(codes: list[str]) -> list[Scenario]:
    found = list(Scenario.objects.filter(code__in=codes))
    if unknown := sorted(set(codes) - {s.code for s in found}):
        raise CatalogError({"scenarios": _("未知的场景代码：%(codes)s") % {"codes": "、".join(unknown)}})
    return found


@transaction.atomic
def provider_create(*, actor, provider: Provider) -> Provider:
    """Register a provider record (as a draft unless the caller set another status)."""
    provider.credit_code = (provider.credit_code or "").strip().upper()
    existing = Provider.objects.filter(credit_code=provider.credit_code).first()
    if existing is not None:
        raise CatalogError(
            {
                "credit_code": _("统一社会信用代码 %(code)s 已登记为服务商“%(name)s”")
                % {"code": provider.credit_code, "name": existing.name}
            }
        )
    _full_clean(provider)
    _known_industries(provider.industries)
    provider.save()
    index_objects(provider)
    record(
        "provider_registered",
        actor=actor,
        summary=_("登记服务商“%(name)s”") % {"name": provider.name},
        provider=provider,
    )
    return provider


@transaction.atomic
def solution_save(*, actor, solution: Solution, scenario_codes: list[str]) -> Solution:
    """Create or update a solution with its scenarios; unknown scenarios or industries change nothing."""
    if not scenario_codes:
        raise CatalogError({"scenarios": _("请至少选择一个适用场景")})
    scenarios = _scenarios(scenario_codes)
    _full_clean(solution, exclude=["scenarios"])
    _known_industries(solution.industries)
    solution.save()
    solution.scenarios.set(scenarios)
    index_objects(solution)
    return solution


@transaction.atomic
def need_create(*, actor, need: Need, scenario_codes: list[str] | None = None, invited=()) -> Need:
    """Post a need with its scenarios and, for an invitation-only need, the providers invited (both or neither)."""
    need.title = (need.title or "").strip()
    need.text = (need.text or "").strip()
    if len(need.text) < MIN_NEED_TEXT:
        raise CatalogError({"text": _("请具体描述需求（至少 %(n)d 个字）") % {"n": MIN_NEED_TEXT}})
    if not need.title:
        need.title = need.text[:40]
    scenarios = _scenarios(scenario_codes or [])
    need.created_by = actor
    _full_clean(need, exclude=["scenarios", "invited", "created_by"])
    need.save()
    index_objects(need)
    need.scenarios.set(scenarios)
    if need.visibility == Need.Visibility.INVITED:
        need.invited.set(invited)
    record(
        "need_posted",
        actor=actor,
        summary=_("发布需求“%(title)s”（%(visibility)s）")
        % {"title": need.title, "visibility": need.get_visibility_display()},
        need=need,
    )
    return need


MAX_METRICS = 20


def _clean_metrics(metrics: list[dict]) -> list[dict]:
    """Before/after figures as [{"metric", "before", "after", "unit"}]; a metric needs a name and both values."""
    if len(metrics or []) > MAX_METRICS:
        raise CatalogError({"metrics": _("前后对比指标最多 %(n)d 项") % {"n": MAX_METRICS}})
    cleaned = []
    for i, row in enumerate(metrics or [], start=1):
        row = {k: str(row.get(k, "") or "").strip()[:60] for k in ("metric", "before", "after", "unit")}
        if not row["metric"] or not row["before"] or not row["after"]:
            raise CatalogError({"metrics": _("第 %(n)d 项指标须填写名称、实施前和实施后的数值") % {"n": i}})
        cleaned.append(row)
    return cleaned


@transaction.atomic
def case_save(*, actor, case: Case, scenario_codes: list[str]) -> Case:
    """A provider adds or edits one of its benchmark cases. Changing a verified case clears the verification: the
    officer confirmed the figures as they were."""
    if not scenario_codes:
        raise CatalogError({"scenarios": _("请至少选择一个场景")})
    scenarios = _scenarios(scenario_codes)
    case.title = (case.title or "").strip()
    if case.solution_id and case.solution.provider_id != case.provider_id:
        raise CatalogError({"solution": _("只能关联本单位的解决方案")})
    case.metrics = _clean_metrics(case.metrics)
    created = case.pk is None
    was_verified = bool(case.pk) and Case.objects.filter(pk=case.pk, verified=True).exists()
    case.verified, case.verified_by = False, None
    _full_clean(case, exclude=["scenarios", "verified_by", "enterprise", "solution"])
    case.save()
    index_objects(case)
    case.scenarios.set(scenarios)
    summary = (_("新增标杆案例“%(title)s”") if created else _("修改标杆案例“%(title)s”")) % {"title": case.title}
    if was_verified:
        summary += _("（修改后需重新核实）")
    record("case_saved", actor=actor, summary=summary, provider=case.provider, data={"case": case.pk})
    return case


@transaction.atomic
def case_verify(*, actor, case: Case, verified: bool = True, reason: str = "") -> Case:
    """An officer of the case's region confirms (or withdraws the confirmation of) a case's figures."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise CatalogError({"reason": _("请填写核实说明（至少 2 个字）")})
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    if fresh.verified == verified:
        raise CatalogError({"": _("该案例已核实") if verified else _("该案例尚未核实")})
    fresh.verified, fresh.verified_by = verified, actor if verified else None
    fresh.save(update_fields=["verified", "verified_by", "updated_at"])
    summary = (_("核实标杆案例“%(title)s”") if verified else _("撤销标杆案例“%(title)s”的核实")) % {
        "title": fresh.title
    }
    record(
        "case_verified",
        actor=actor,
        summary=summary,
        reason=reason,
        provider=fresh.provider,
        data={"case": fresh.pk, "verified": verified},
    )
    return fresh


def sync_scenarios() -> int:
    """Load the shipped scenario taxonomy (catalog/data) into the Scenario table: new codes are added and existing
    ones updated; scenarios no longer in the file are kept, because solutions, cases and needs point at them."""
    from .scenarios import load_default

    taxonomy = load_default()
    links = {link.code: link.name for link in taxonomy.links}
    provisional = taxonomy.status == "provisional"
    rows = [
        Scenario(
            code=s.code,
            name=s.name,
            link_code=s.link,
            link_name=links[s.link],
            description=s.description,
            keywords=list(s.keywords),
            closes={model: list(codes) for model, codes in s.closes.items()},
            industries=list(s.industries),
            dimension=s.smart_factory_dimension,
            ai=s.ai,
            provisional=provisional,
            order=i,
        )
        for i, s in enumerate(taxonomy.scenarios)
    ]
    fields = ["name", "link_code", "link_name", "description", "keywords", "closes", "industries", "dimension", "ai"]
    Scenario.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["code"], update_fields=[*fields, "provisional", "order"]
    )
    return len(rows)
