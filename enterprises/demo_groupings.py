"""Clusters and industry chains of the synthetic demo province, drawn from the enterprises already generated."""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING

from regions.models import prefix_range

from . import demo_names as words
from .demo_records import BATCH
from .demo_records import synthetic as _synthetic
from .models import Chain, ChainMembership, Cluster, ClusterMembership, EnterpriseLabel

if TYPE_CHECKING:
    from .demo import Geography

CLUSTERS = 8
CHAINS = 5


def make_clusters(rng: random.Random, geo: Geography, per_city_industry: Counter, counts: Counter) -> None:
    """About eight city clusters named after a city's specialty; members from that city and those industries."""
    by_size = Counter()
    for (city_code, _industry), n in per_city_industry.items():
        by_size[city_code] += n
    cities = sorted(geo.cities.values(), key=lambda c: (-by_size[c.code], c.code))
    made: set[tuple[str, str]] = set()
    for round_ in range(3):
        for city in cities:
            if len(made) >= CLUSTERS or round_ >= len(city.specialties):
                continue
            theme = words.THEME_OF[city.specialties[round_]]
            divisions = words.THEMES[theme]
            if (city.code, theme) in made or sum(per_city_industry[(city.code, d)] for d in divisions) < 3:
                continue
            made.add((city.code, theme))
            cluster = Cluster.objects.create(
                name=f"{city.label}{theme}产业集群",
                region_id=city.code,
                description=f"合成演示数据：{city.label}以{theme}为特色的产业集群，成员按行业从本市企业中抽取。",
                is_synthetic=True,
            )
            cluster.industries.set(divisions)
            candidates = list(
                _synthetic(industry_id__in=divisions, **prefix_range("county_id", city.path))
                .order_by("id")
                .values_list("id", flat=True)
            )
            k = min(len(candidates), max(5, round(len(candidates) * 0.4)), 500)
            members = sorted(rng.sample(candidates, k))
            ClusterMembership.objects.bulk_create(
                [ClusterMembership(cluster=cluster, enterprise_id=pk) for pk in members], batch_size=BATCH
            )
            counts.update(clusters=1, cluster_members=len(members))


def make_chains(rng: random.Random, geo: Geography, total: int, counts: Counter) -> None:
    """About five province chains, favouring the themes that are most cities' specialties; 1–2 leaders (链主,
    given the chain-leader label) and upstream, midstream and downstream members."""
    specialties = Counter(code for city in geo.cities.values() for code in city.specialties)
    order = list(words.CHAINS)
    ranked = sorted(
        order,
        key=lambda t: (
            -sum(specialties[d] for d, pos in words.CHAINS[t].items() if pos == "midstream"),
            order.index(t),
        ),
    )
    in_province = prefix_range("county_id", geo.province.path)
    leaders_all: dict[int, int] = {}
    size = max(12, min(300, round(total * 0.008)))
    shares = {"upstream": 0.30, "midstream": 0.45, "downstream": 0.25}
    for theme in ranked[:CHAINS]:
        positions = words.CHAINS[theme]
        chain = Chain.objects.create(
            name=f"{geo.province.name}{theme}产业链",
            region_id=geo.province.code,
            description=f"合成演示数据：{geo.province.name}{theme}产业链，含链主企业及上中下游配套企业。",
            is_synthetic=True,
        )
        chain.industries.set(list(positions))
        mid = [d for d, pos in positions.items() if pos == "midstream"]
        leaders = list(
            _synthetic(industry_id__in=mid, **in_province)
            .order_by("-revenue", "id")
            .values_list("id", flat=True)[: rng.choice((1, 2))]
        )
        links = [ChainMembership(chain=chain, enterprise_id=pk, position="leader") for pk in leaders]
        taken = set(leaders)
        for position, share in shares.items():
            divisions = [d for d, pos in positions.items() if pos == position]
            want = round(size * share)
            for above in (True, False):
                if want <= 0:
                    break
                pool = [
                    pk
                    for pk in _synthetic(industry_id__in=divisions, is_above_scale=above, **in_province)
                    .order_by("id")
                    .values_list("id", flat=True)
                    if pk not in taken
                ]
                chosen = sorted(rng.sample(pool, min(want, len(pool))))
                taken.update(chosen)
                want -= len(chosen)
                links += [ChainMembership(chain=chain, enterprise_id=pk, position=position) for pk in chosen]
        ChainMembership.objects.bulk_create(links, batch_size=BATCH)
        counts.update(chains=1, chain_members=len(links))
        for pk in leaders:
            leaders_all.setdefault(pk, rng.randint(2023, 2025))
    EnterpriseLabel.objects.bulk_create(
        [
            EnterpriseLabel(enterprise_id=pk, label_id="chain-leader", year=year)
            for pk, year in sorted(leaders_all.items())
        ]
    )
    counts.update(labels=len(leaders_all))
