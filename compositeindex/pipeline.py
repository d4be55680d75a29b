"""build() and regenerate(): the stages in order, each stage's table, the log of choices, results and outputs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from . import aggregate as agg
from . import prepare
from .config import Config, parse_config
from .data import Dataset, rank_scores
from .derived import derive_outputs, names_in
from .inputs import IData, IMeta, InputError, Problem, load
from .normalise import normalise

STAGES = ("denominate", "screen", "impute", "treat", "normalise", "weights", "aggregate", "derived")
DATASETS = ("Raw", "Denominated", "Screened", "Imputed", "Treated", "Normalised", "Aggregated", "Derived")


@dataclass
class Coin:
    idata: IData
    imeta: IMeta
    config: Config
    data: dict[str, Dataset] = field(default_factory=dict)
    log: list[dict] = field(default_factory=list)
    screened_out: list[dict] = field(default_factory=list)
    treatment: list[dict] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    effective_weights: dict[str, float] = field(default_factory=dict)

    @property
    def scores(self) -> Dataset:
        return self.data["Aggregated"]

    def ranks(self) -> dict[str, np.ndarray]:
        """Ranks at every level, then of every derived output; on scores rounded to `results.rank_decimals`
        when set (published ranks are taken after rounding, so equal rounded scores share a rank)."""
        decimals = self.config.results.rank_decimals
        out = {}
        for name in ("Aggregated", "Derived"):
            ds = self.data.get(name)
            if ds is not None:
                out.update({c: rank_scores(ds.values[:, j], decimals) for j, c in enumerate(ds.codes)})
        return out

    def rank_of(self, code: str) -> np.ndarray:
        """Ranks on one column of Aggregated or Derived, as ranks() gives them."""
        ds = self.scores if code in self.scores.codes else self.data["Derived"]
        return rank_scores(ds.col(code), self.config.results.rank_decimals)

    def correlations(self, dset: str = "Aggregated", method: str = "pearson") -> list[dict]:
        """Correlations on any named dataset (Raw, Treated, Normalised, Aggregated, …), as COINr's get_corr."""
        from .analysis import correlations  # SciPy's statistics are not needed to build

        return correlations(self, dset, method)


def _select_time(idata: IData, cfg: Config) -> IData:
    if idata.times is None:
        return idata
    t = cfg.time if cfg.time is not None else float(np.nanmax(idata.times))
    return idata.select(np.flatnonzero(idata.times == t))


def _run(coin: Coin, start: int) -> Coin:
    cfg, imeta = coin.config, coin.imeta
    idata = _select_time(coin.idata, cfg) if start <= 2 else coin.idata
    d = coin.data
    after = cfg.screen.order == "after_impute"
    if after and start == 2:
        start = 1  # the screen reads the imputed data: an imputation change redoes it
    if start <= 0:
        d["Raw"] = prepare.raw(idata, imeta)
        d["Denominated"] = prepare.denominate(d["Raw"], idata, imeta, cfg.denominate)
    if start <= 2:
        panel = coin.idata if coin.idata.times is not None else None
        when = None if panel is None else (cfg.time if cfg.time is not None else float(np.nanmax(panel.times)))

        def impute(ds: Dataset) -> Dataset:
            return prepare.impute(ds, idata, cfg.impute, imeta=imeta, panel=panel, time=when, den=cfg.denominate)

        if after:  # impute with every unit, then screen on the observed values
            d["Imputed"] = impute(d["Denominated"])
            d["Screened"], coin.screened_out = prepare.screen(d["Imputed"], cfg.screen)
        else:
            d["Screened"], coin.screened_out = prepare.screen(d["Denominated"], cfg.screen)
            d["Imputed"] = impute(d["Screened"])
    if start <= 3:
        d["Treated"], coin.treatment = prepare.treat(d["Screened" if after else "Imputed"], cfg.treat)
    if start <= 4:
        d["Normalised"] = normalise(d["Treated"], imeta, cfg.normalise)
    if start <= 5:
        coin.weights = agg.resolve_weights(imeta, cfg.weights)
        coin.effective_weights = agg.effective_weights(imeta, coin.weights)
    if start <= 6:
        d["Aggregated"] = agg.aggregate(
            d["Normalised"],
            imeta,
            coin.weights,
            cfg.aggregate,
            cfg.weights.use,
            cfg.weights.targets,
            cfg.weights.levels,
        )
        if cfg.weights.use in agg.DERIVED:
            coin.weights = d["Aggregated"].step["weights"]
            coin.effective_weights = agg.effective_weights(imeta, coin.weights)
    if start <= 7:
        if cfg.derived:
            d["Derived"] = derive_outputs(d["Aggregated"], cfg.derived)
        else:
            d.pop("Derived", None)
    for name in STAGES[start:]:
        coin.log.append({"stage": name, "params": getattr(cfg, name)})  # serialised when written
    return coin


def check_config(cfg: Config, idata: IData, imeta: IMeta) -> None:
    """Names in the config that the tables do not have, reported like the table errors (path in `column`)."""
    problems = []
    indicators = set(imeta.indicators)
    elements = set(imeta.weights())
    for sec in ("impute", "treat", "normalise"):
        for code in getattr(cfg, sec).overrides:
            if code not in indicators:
                problems.append(Problem("config", None, f"{sec}.overrides.{code}", "不是 iMeta 中的指标"))
    for name, ws in cfg.weights.sets.items():
        for code in ws:
            if code not in elements:
                problems.append(Problem("config", None, f"weights.sets.{name}.{code}", "不是 iMeta 中的指标或汇总项"))
    if cfg.weights.use not in (*agg.DERIVED, "original", "equal") and cfg.weights.use not in cfg.weights.sets:
        problems.append(Problem("config", None, "weights.use", f"权重集 “{cfg.weights.use}” 不存在"))
    if cfg.impute.group and cfg.impute.group not in idata.groups:
        problems.append(Problem("config", None, "impute.group", f"iData 中没有分组列 “{cfg.impute.group}”"))
    refs = [cfg.normalise.ref, *(o.ref for o in cfg.normalise.overrides.values())]
    for code in [*cfg.screen.force_include, *cfg.screen.force_exclude, *(r for r in refs if r)]:
        if code not in idata.units:
            problems.append(Problem("config", None, "screen/normalise", f"单位 “{code}” 不存在"))
    for code in cfg.weights.targets:
        if code not in elements:
            problems.append(Problem("config", None, f"weights.targets.{code}", "不是 iMeta 中的指标或汇总项"))
    for name in (*cfg.analysis.stats_datasets, *cfg.analysis.corr_datasets, *cfg.analysis.denom_datasets):
        if name not in DATASETS:
            message = f"没有名为 “{name}” 的数据集（{' / '.join(DATASETS)}）"
            problems.append(Problem("config", None, "analysis", message))
    for code, expr in cfg.derived.items():
        where = f"derived.{code}"
        if code in elements:
            problems.append(Problem("config", None, where, "与 iMeta 中的代码重名"))
        try:
            unknown = sorted(names_in(expr) - elements)
        except ValueError as exc:
            problems.append(Problem("config", None, where, str(exc)))
            continue
        if unknown:
            problems.append(Problem("config", None, where, f"不是 iMeta 中的指标或汇总项：{'、'.join(unknown)}"))
    for level in cfg.weights.levels or ():
        if not 2 <= level <= imeta.max_level:
            message = f"汇总层级应在 2 到 {imeta.max_level} 之间（权重作用于被汇总的下一层）"
            problems.append(Problem("config", None, "weights.levels", message))
    if cfg.time is not None and (idata.times is None or cfg.time not in set(idata.times.tolist())):
        problems.append(Problem("config", None, "time", f"iData 中没有时间 {cfg.time}"))
    if problems:
        raise InputError(problems)


def build(idata: IData, imeta: IMeta, config: Config | dict | str | None = None) -> Coin:
    cfg = config if isinstance(config, Config) else parse_config(config)
    check_config(cfg, idata, imeta)
    return _run(Coin(idata, imeta, cfg), 0)


def _merge(base: dict, changes: dict) -> dict:
    out = json.loads(json.dumps(base))
    for path, value in changes.items():
        keys = path.split(".")
        cur = out
        for k in keys[:-1]:
            cur = cur.setdefault(k, {})
        cur[keys[-1]] = value
    return out


def apply_changes(cfg: Config, changes: dict) -> Config:
    """`cfg` with dotted-path changes. Two-part paths (the usual "stage.field") are validated field by field, which
    keeps a regeneration cheap when the config carries large weight sets; deeper paths go through a full parse."""

    def reparse() -> Config:
        # exclude_unset keeps which override fields were written: they take precedence over iMeta's parameters
        return parse_config(_merge(cfg.model_dump(mode="json", exclude_unset=True), changes))

    if any(path.count(".") != 1 for path in changes):
        return reparse()
    sections: dict[str, dict] = {}
    for path, value in changes.items():
        sec, name = path.split(".")
        sections.setdefault(sec, {})[name] = value
    update = {}
    for sec, fields in sections.items():
        current = getattr(cfg, sec, None)
        if current is None or not all(f in type(current).model_fields for f in fields):
            return reparse()
        try:
            checked = type(current).model_validate(fields)  # the changed fields only; the others keep their values
        except ValidationError:
            return reparse()  # raises with the field's path
        update[sec] = current.model_copy(update={f: getattr(checked, f) for f in fields})
    return cfg.model_copy(update=update)


def regenerate(coin: Coin, changes: dict) -> Coin:
    """A new Coin with `changes` ({"normalise.method": "zscore", …}) applied; stages before the first changed one
    are reused, not recomputed."""
    new_cfg = apply_changes(coin.config, changes)
    first = len(STAGES)
    for i, name in enumerate(STAGES):
        if getattr(new_cfg, name) != getattr(coin.config, name):
            first = i
            break
    if new_cfg.time != coin.config.time:
        first = 0
    new = Coin(
        coin.idata,
        coin.imeta,
        new_cfg,
        dict(coin.data),
        [*coin.log, {"regenerate": changes}],
        coin.screened_out,
        coin.treatment,
        coin.weights,
        coin.effective_weights,
    )
    return _run(new, first)


def build_files(data: Path, meta: Path, config: Path | None) -> tuple[Coin, dict[str, bytes]]:
    idata, imeta = load(data, meta)
    raw = {"iData": data.read_bytes(), "iMeta": meta.read_bytes()}
    if config:
        raw["config"] = config.read_bytes()
    return build(idata, imeta, config.read_text(encoding="utf-8") if config else None), raw
