"""Development index runs: start one (inputs frozen at once), compute it in the background with the composite-index
engine and an uncertainty analysis of the weights for rank intervals, publish it. Never overwritten: each run is
a version of its definition, province and year."""

from __future__ import annotations

import csv
import io
import math

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import Region

from . import devindex
from .models import IndexRun
from .querysets import require_governs


def _require_governs(actor, region: Region) -> None:
    require_governs(actor, region, _("只有主管该地区的部门可以计算和发布发展指数"))


@transaction.atomic
def run_start(*, actor, code: str, region: Region, year: int) -> IndexRun:
    """A new version with its inputs read from the tallies now; the computation is queued after the commit."""
    _require_governs(actor, region)
    spec = devindex.definitions().get(code)
    if spec is None:
        raise ValidationError({"code": _("没有这个指数定义")})
    idata, imeta = devindex.inputs(spec, region, year)
    last = IndexRun.objects.filter(code=code, region=region, year=year).aggregate(v=Max("version"))["v"] or 0
    run = IndexRun.objects.create(code=code, region=region, year=year, version=last + 1, definition=spec,
                                  idata=idata, imeta=imeta, created_by=actor)  # fmt: skip
    from .tasks import compute_index_run

    transaction.on_commit(lambda: compute_index_run.enqueue(run.pk))
    return run


def compute(run: IndexRun) -> IndexRun:
    """Build the index from the frozen inputs; rank intervals from `uncertainty.runs` draws of noisy weights."""
    from compositeindex import build, regenerate
    from compositeindex.inputs import load, table_from_rows
    from compositeindex.sensitivity import noisy_weights, uncertainty

    IndexRun.objects.filter(pk=run.pk).update(status=IndexRun.Status.RUNNING, progress=10)
    try:
        idata, imeta = load(table_from_rows(run.idata), table_from_rows(run.imeta))
        spec = run.definition
        coin = build(idata, imeta, spec.get("config") or {})
        top = next(a["code"] for a in spec["aggregates"] if not a.get("parent"))
        IndexRun.objects.filter(pk=run.pk).update(progress=40)
        settings = spec.get("uncertainty") or {}
        changes, noisy = noisy_weights(coin, noise=float(settings.get("weight_noise", 0.25)), n=64)
        analysed = uncertainty(regenerate(coin, changes), [noisy], n=int(settings.get("runs", 64)), code=top,
                               workers=1)  # fmt: skip
        names = {row["uCode"]: row["uName"] for row in run.idata}
        run.outputs = _outputs(coin, analysed, spec, top, names)
        run.status, run.progress, run.finished_at, run.error = IndexRun.Status.DONE, 100, timezone.now(), ""
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the run, which the page shows
        run.status, run.finished_at = IndexRun.Status.FAILED, timezone.now()
        run.error = f"{type(error).__name__}: {error}"[:2000]
    run.save(update_fields=["outputs", "status", "progress", "finished_at", "error"])
    return run


def _number(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 4)


def _outputs(coin, analysed, spec: dict, top: str, names: dict[str, str]) -> dict:
    scores = coin.scores
    ranks = coin.ranks()
    components = [a["code"] for a in spec["aggregates"] if a.get("parent")]
    interval = dict(
        zip(analysed.units, zip(analysed.q05, analysed.q95, analysed.median_rank, strict=True), strict=True)
    )
    units = []
    for i, unit in enumerate(scores.units):
        q05, q95, median = interval.get(unit, (math.nan, math.nan, math.nan))
        units.append({
            "code": unit, "name": names.get(unit, unit), "score": _number(scores.col(top)[i]),
            "rank": _number(ranks[top][i]), "components": {c: _number(scores.col(c)[i]) for c in components},
            "rank_low": _number(q05), "rank_high": _number(q95), "rank_median": _number(median),
        })  # fmt: skip
    units.sort(key=lambda u: (u["rank"] is None, u["rank"] or 0, u["code"]))
    return {"index": top, "components": components, "units": units, "runs": analysed.runs,
            "effective_weights": {k: round(v, 6) for k, v in coin.effective_weights.items()}}  # fmt: skip


@transaction.atomic
def run_publish(*, actor, run: IndexRun) -> IndexRun:
    _require_governs(actor, run.region)
    if run.status != IndexRun.Status.DONE:
        raise ValidationError(_("只有计算完成的结果可以发布"))
    run.published_at, run.published_by = timezone.now(), actor
    run.save(update_fields=["published_at", "published_by"])
    return run


def previous_published(run: IndexRun) -> IndexRun | None:
    """The latest published run of the year before, for the change column."""
    return (
        IndexRun.objects.filter(code=run.code, region=run.region, year=run.year - 1, published_at__isnull=False)
        .order_by("-version").first()
    )  # fmt: skip


def with_change(run: IndexRun) -> list[dict]:
    before = previous_published(run)
    earlier = {u["code"]: u for u in (before.outputs.get("units", []) if before else [])}
    rows = []
    for unit in run.outputs.get("units", []):
        old = earlier.get(unit["code"])
        change = None
        if old and old.get("score") is not None and unit.get("score") is not None:
            change = round(unit["score"] - old["score"], 2)
        rows.append({**unit, "change": change, "rank_before": old.get("rank") if old else None})
    return rows


def csv_text(rows: list[dict]) -> str:
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def config_yaml(run: IndexRun) -> str:
    return yaml.safe_dump(run.definition.get("config") or {}, allow_unicode=True, sort_keys=False)
