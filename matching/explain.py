"""为什么推荐: each sentence states a fact the user can check, and is said only when that fact holds.

Sentence types and their evidence (matching/tests/test_explanations.py checks each one both ways):

- 覆盖您的需求场景：… — scenarios the need or diagnosis names that the solution declares.
- 覆盖您描述中涉及的场景：…（按描述推断） — scenarios guessed from the need's words that the solution declares.
- 方案名称或介绍中有您写到的“…” — informative words of the need's own text found in the solution's text.
- 在同行业（C36 …）有 N 个已验证案例 / 在本省有 N 个已验证案例 — verified cases of the solution.
- 服务商评级 A — the provider's grade (B or better).
- 标注适合中型企业 / 标注为小快轻准方案 — what the solution's record says.
- 报价上限在预算内（最高 N 万元） — the solution's price_max and the need's budget.
- 该方案在平台上有 N 次对接记录，其中 M 次签约 — recorded outcomes of this solution (never said without them).
- 提示：该服务商近期被警示 — the provider's status.
"""

from __future__ import annotations

from .model import Catalog, Need, Solution
from .taxonomy import INDUSTRY_NAMES, ScenarioSet

SIZE_NAMES = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}
MAX_REASONS = 4


def _term(token: str) -> str:
    return token.upper() if token.isascii() else token


def explain(
    need: Need, solution: Solution, catalog: Catalog, signals: dict[str, float], detail: dict, taxonomy: ScenarioSet
) -> list[str]:
    """Plain-Chinese reasons, strongest first (at most four), then a warning about the provider if there is one."""
    reasons: list[tuple[float, str]] = []
    if detail["declared"]:
        names = "、".join(taxonomy.name(c) for c in detail["declared"][:4])
        reasons.append((1.0 + signals["scenario"], f"覆盖您的需求场景：{names}"))
    if detail["terms"]:
        terms = "、".join(_term(t) for t in detail["terms"][:3])
        reasons.append((0.9 + signals["text"], f"方案名称或介绍中有您写到的“{terms}”"))
    if detail["guessed"]:
        names = "、".join(taxonomy.name(c) for c in detail["guessed"][:3])
        reasons.append((0.85 + signals["scenario"], f"覆盖您描述中涉及的场景：{names}（按描述推断）"))
    if detail["same_industry"]:
        name = INDUSTRY_NAMES.get(need.industry, "")
        label = f"C{need.industry}{' ' + name if name else ''}"
        reasons.append(
            (0.8 + detail["same_industry"] / 10, f"在同行业（{label}）有 {detail['same_industry']} 个已验证案例")
        )
    if detail["nearby"]:
        reasons.append((0.6, f"在本省有 {detail['nearby']} 个已验证案例"))
    contacts = detail.get("contacts")
    if contacts and signals["outcome"] > 0.5:
        touched, signed = contacts
        reasons.append((0.55, f"该方案在平台上有 {touched} 次对接记录，其中 {signed} 次签约"))
    provider = catalog.providers[solution.provider_id]
    if provider.grade and signals["grade"] >= 0.7:
        reasons.append((0.5, f"服务商评级 {provider.grade}"))
    if need.size and need.size in solution.sizes:
        reasons.append((0.4, f"标注适合{SIZE_NAMES.get(need.size, need.size)}企业"))
    if need.budget_max is not None and solution.price_max is not None and solution.price_max <= need.budget_max:
        reasons.append((0.38, f"报价上限在预算内（最高 {solution.price_max:g} 万元）"))
    if solution.lightweight:
        reasons.append((0.35, "标注为小快轻准方案"))
    reasons.sort(key=lambda r: -r[0])
    out = [text for _, text in reasons[:MAX_REASONS]]
    if provider.status == "warned":
        out.append("提示：该服务商近期被警示")
    return out
