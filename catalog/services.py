"""Writes for the resource pools. Every check that a form or an import needs lives here, so the pages, the API and
the demo refuse the same things with the same Chinese messages, and nothing is half-written."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regions.models import IndustryDivision

from .models import Need, Provider, Scenario, Solution

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
    return solution


@transaction.atomic
def need_create(*, actor, need: Need, scenario_codes: list[str] | None = None) -> Need:
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
    need.scenarios.set(scenarios)
    return need


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
