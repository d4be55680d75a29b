"""Reads of the scenario taxonomy shared by the pages and the API (so both serve the same lists and graph), and the
pool's part of each role's workbench."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.policy import scope_of

from .models import Need, NeedResponse, Provider, ProviderAppeal, Scenario, Solution


def scenarios_for_industry(industry: str | None) -> list[Scenario]:
    """Scenarios typical for an industry division (a scenario naming no industries is typical for all)."""
    scenarios = list(Scenario.objects.all())
    if industry:
        scenarios = [s for s in scenarios if not s.industries or industry in s.industries]
    return scenarios


def scenario_graph_data(scenarios: list[Scenario]) -> dict:
    """Nodes and edges for an ECharts graph series: links → scenarios → the maturity codes each one closes
    (`closes` maps a model code to its codes)."""
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    for s in scenarios:
        link_id = f"link:{s.link_code}"
        nodes.setdefault(link_id, {"id": link_id, "name": s.link_name, "category": 0, "value": 0})
        nodes[f"scenario:{s.code}"] = {"id": f"scenario:{s.code}", "name": s.name, "category": 1, "value": 0}
        edges.append({"source": link_id, "target": f"scenario:{s.code}"})
        closes = s.closes if isinstance(s.closes, dict) else {"": s.closes or []}
        for model, codes in closes.items():
            for code in dict.fromkeys(codes):
                code_id = f"code:{model}:{code}"
                nodes.setdefault(code_id, {"id": code_id, "name": code, "category": 2, "value": 0})
                edges.append({"source": f"scenario:{s.code}", "target": code_id})
    for edge in edges:
        nodes[edge["source"]]["value"] += 1
        nodes[edge["target"]]["value"] += 1
    categories = [{"name": _("环节")}, {"name": _("场景")}, {"name": _("能力要求")}]
    return {"nodes": list(nodes.values()), "links": edges, "categories": categories}


# --- workbench ----------------------------------------------------------------------------------------------------
# Each returns a plain dict for one partial of this app (templates/catalog/_workbench_*.html); tidu.home picks them
# by role.

WORKBENCH_ROWS = 5
OPEN_NEEDS = (Need.Status.OPEN, Need.Status.SHORTLISTED)


def provider_workbench(user) -> dict:
    """A provider's inbox (open needs shared with it that it has not answered) and where its answers stand."""
    scope = scope_of(user)
    answered = NeedResponse.objects.filter(need=OuterRef("pk"), provider_id__in=scope.provider_ids)
    inbox = (
        Need.objects.visible_to(user)
        .exclude(enterprise_id__in=scope.own_enterprise_ids)
        .filter(status__in=OPEN_NEEDS)
        .exclude(Exists(answered))
        .select_related("enterprise")
        .order_by("-created_at", "-id")
    )
    responses = (
        NeedResponse.objects.filter(provider_id__in=scope.provider_ids)
        .select_related("need", "need__enterprise")
        .order_by("-updated_at", "-id")
    )
    return {
        "inbox": list(inbox[:WORKBENCH_ROWS]),
        "inbox_count": inbox.count(),
        "responses": list(responses[:WORKBENCH_ROWS]),
        "response_count": responses.count(),
        "providers": list(Provider.objects.filter(pk__in=scope.provider_ids).order_by("pk")),
    }


def enterprise_workbench(user) -> dict:
    """The needs an enterprise has posted, with the responses waiting for its decision."""
    ids = scope_of(user).own_enterprise_ids
    needs = (
        Need.objects.filter(enterprise_id__in=ids)
        .annotate(
            n=Count("responses"),
            waiting=Count("responses", filter=Q(responses__status=NeedResponse.Status.RESPONDED)),
        )
        .order_by("-created_at", "-id")
    )
    return {
        "needs": list(needs[:WORKBENCH_ROWS]),
        "need_count": needs.count(),
        "responses_waiting": NeedResponse.objects.filter(
            need__enterprise_id__in=ids, status=NeedResponse.Status.RESPONDED
        ).count(),
    }


def officer_workbench(user) -> dict:
    """The pool's queues in an officer's region: records and edits awaiting review, open appeals, and open needs that
    no provider has answered yet (the ones worth routing to a provider or a matching event)."""
    managed = Provider.objects.managed_by(user)
    review = (
        managed.filter(status=Provider.Status.PENDING).count()
        + Solution.objects.filter(provider__in=managed, status=Solution.Status.PENDING).count()
        + managed.exclude(pending_changes={}).count()
        + Solution.objects.filter(provider__in=managed).exclude(pending_changes={}).count()
    )
    unanswered = (
        Need.objects.visible_to(user)
        .filter(status=Need.Status.OPEN)
        .exclude(Exists(NeedResponse.objects.filter(need=OuterRef("pk"))))
        .select_related("enterprise")
        .order_by("created_at", "id")
    )
    return {
        "review_count": review,
        "appeal_count": ProviderAppeal.objects.filter(provider__in=managed, status=ProviderAppeal.Status.OPEN).count(),
        "unanswered": list(unanswered[:WORKBENCH_ROWS]),
        "unanswered_count": unanswered.count(),
    }
