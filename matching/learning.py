"""Learning from recorded outcomes, with no service: smoothed success rates and fitted signal weights.

Both are pure functions of their input: the same outcome log (or labelled set and seed) gives the same
numbers, so a recommendation can be replayed later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .model import Outcome

# Reward of a (need, solution) pair by the furthest event reached.
EVENT_REWARD = {"shown": 0.0, "contacted": 0.5, "contracted": 1.0}


def pair_rewards(outcomes: Iterable[Outcome]) -> dict[tuple[str, str], tuple[float, Outcome]]:
    """One reward in 0..1 per (need, solution): furthest event, blended with the rating if there is one."""
    best: dict[tuple[str, str], float] = {}
    stars: dict[tuple[str, str], list[int]] = {}
    example: dict[tuple[str, str], Outcome] = {}
    for n, o in enumerate(outcomes):
        key = (o.need_id or f"#{n}", o.solution_id)
        example.setdefault(key, o)
        if o.event == "rated" and o.stars is not None:
            stars.setdefault(key, []).append(int(o.stars))
            best.setdefault(key, 0.5)  # rating implies contact
        else:
            best[key] = max(best.get(key, 0.0), EVENT_REWARD.get(o.event, 0.0))
    result = {}
    for key in sorted(best):
        reward = best[key]
        if key in stars:
            rating = (float(np.mean(stars[key])) - 1) / 4
            reward = 0.5 * reward + 0.5 * rating
        result[key] = (reward, example[key])
    return result


@dataclass
class OutcomeModel:
    """Beta-smoothed success rate per solution and per (scenario, solution)."""

    alpha: float = 1.0
    beta: float = 4.0  # prior mean 0.2: most shown solutions are not contacted
    per_solution: dict[str, tuple[float, float]] = field(default_factory=dict)
    per_scenario: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    # Facts an explanation may state: per solution, the needs (or meeting pairs) that got in touch with it and
    # those that signed (a rating counts as contact).
    contacts: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def from_log(cls, outcomes: Iterable[Outcome], *, alpha: float = 1.0, beta: float = 4.0) -> OutcomeModel:
        model = cls(alpha=alpha, beta=beta)
        outcomes = list(outcomes)
        furthest: dict[tuple[str, str], int] = {}
        for n, o in enumerate(outcomes):
            key = (o.need_id or f"#{n}", o.solution_id)
            level = {"contacted": 1, "rated": 1, "contracted": 2}.get(o.event, 0)
            furthest[key] = max(furthest.get(key, 0), level)
        for (_, sid), level in sorted(furthest.items()):
            if level:
                touched, signed = model.contacts.get(sid, (0, 0))
                model.contacts[sid] = (touched + 1, signed + (level == 2))
        for reward, outcome in pair_rewards(outcomes).values():
            _add(model.per_solution, outcome.solution_id, reward)
            for code in outcome.scenarios:
                _add(model.per_scenario, (code, outcome.solution_id), reward)
        return model

    def rate(self, solution_id: str, scenarios: Sequence[str] = ()) -> float:
        """Posterior mean success rate; scenario-specific evidence counts where there is some."""
        s, n = self.per_solution.get(solution_id, (0.0, 0.0))
        for code in scenarios:
            cs, cn = self.per_scenario.get((code, solution_id), (0.0, 0.0))
            s, n = s + cs, n + cn
        return (self.alpha + s) / (self.alpha + self.beta + n)

    def prior(self, solution_id: str, scenarios: Sequence[str] = ()) -> float:
        """The ranking signal in 0..1: 0.5 with no evidence, above for solutions that do better than prior."""
        base = self.alpha / (self.alpha + self.beta)
        rate = self.rate(solution_id, scenarios)
        if rate >= base:
            return 0.5 + 0.5 * (rate - base) / (1 - base)
        return 0.5 * rate / base


def _add(table: dict, key: object, reward: float) -> None:
    s, n = table.get(key, (0.0, 0.0))
    table[key] = (s + reward, n + 1.0)


def fit_weights(
    objective: Callable[[dict[str, float]], float],
    start: dict[str, float],
    *,
    seed: int = 0,
    rounds: int = 3,
    factors: Sequence[float] = (0.0, 0.5, 0.75, 1.5, 2.0),
) -> tuple[dict[str, float], float]:
    """Coordinate ascent on ``objective`` (e.g. mean NDCG@10 over a labelled set).

    Signals are visited in an order drawn from ``seed``; a change is kept only if it strictly improves the
    objective, so the same objective and seed give the same weights.
    """
    rng = np.random.default_rng(seed)
    weights = dict(start)
    best = objective(weights)
    names = sorted(weights)
    for _ in range(rounds):
        improved = False
        for j in rng.permutation(len(names)):
            name = names[int(j)]
            for factor in factors:
                trial = (
                    {**weights, name: round(weights[name] * factor, 6)} if weights[name] else {**weights, name: 0.05}
                )
                if trial == weights:
                    continue
                value = objective(trial)
                if value > best + 1e-9:
                    best, weights, improved = value, trial, True
        if not improved:
            break
    return weights, best
