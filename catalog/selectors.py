"""Reads of the scenario taxonomy shared by the pages and the API (so both serve the same lists and graph)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Scenario


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
