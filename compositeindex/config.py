"""The pipeline configuration (YAML), validated with pydantic. Defaults follow COINr's documented defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .inputs import InputError, Problem


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Denominate(Strict):
    enabled: bool = True
    scale: float = 1.0


class Screen(Strict):
    dat_thresh: float = Field(0.0, ge=0, le=1)  # COINr: no screening unless asked
    nonzero_thresh: float | None = Field(None, ge=0, le=1)
    force_include: tuple[str, ...] = ()
    force_exclude: tuple[str, ...] = ()
    # before_impute (COINr's usual order) or after_impute: imputation then sees every unit (group means include
    # units later removed); availability and non-zero shares count observed values either way, never imputed ones
    order: Literal["before_impute", "after_impute"] = "before_impute"


ImputeMethod = Literal[
    "none", "mean", "median", "group_mean", "group_median", "row_mean", "carry_forward", "interpolate"
]


class Impute(Strict):
    method: ImputeMethod = "none"
    group: str | None = None  # *_group column for group_mean / group_median
    normalise_first: bool = True  # row_mean: average min-max scaled siblings, then back-transform
    overrides: dict[str, ImputeMethod] = {}


class TreatOne(Strict):
    # log: ln(x) on every value, no shift and no outlier test (HDI's income); x ≤ 0 is an error
    method: Literal["winsorise", "log", "none"] = "winsorise"
    winmax: int = Field(5, ge=0)
    skew_thresh: float = 2.0
    kurt_thresh: float = 3.5
    fallback: Literal["log_ct", "log_plus1", "boxcox", "log", "none"] = "log_ct"  # log: plain ln(x), no shift
    boxcox_lambda: float = 1.0


class Treat(TreatOne):
    overrides: dict[str, TreatOne] = {}


NormMethod = Literal[
    "minmax",
    "zscore",
    "scaled",
    "fracmax",
    "dist2max",
    "dist2ref",
    "dist2targ",
    "goalposts",
    "prank",
    "rank",
    "borda",
    "none",
]


class NormOne(Strict):
    """One indicator's normalisation. In an override only the fields written count: the others come from iMeta's
    parameter columns, then from the global section (see normalise.resolve)."""

    method: NormMethod = "minmax"
    l: float = 0.0  # noqa: E741 - COINr's l_u naming
    u: float = 100.0
    mean: float = 0.0
    sd: float = 1.0
    ref: str | None = None  # unit code for dist2ref
    cap: bool | None = None  # None: the method's default (dist2targ capped, goalposts truncated, dist2ref not)
    scale: float = 1.0  # goalposts scaling parameter a
    scale_factor: float = 100.0  # scaled: (x − l)/(u − l)·scale_factor


class Normalise(NormOne):
    overrides: dict[str, NormOne] = {}


class Weights(Strict):
    use: str = "original"  # original (iMeta) | equal | <name of a set> | pca | entropy | critic | equal_influence
    sets: dict[str, dict[str, float]] = {}
    targets: dict[str, float] = {}  # equal_influence: relative target influence per child (default equal)
    levels: tuple[int, ...] | None = None  # derived methods only for the groups aggregated at these levels


class AggOne(Strict):
    method: Literal["arithmetic", "geometric", "harmonic", "power", "copeland", "bod"] = "arithmetic"
    p: float = 1.0  # generalised (power) mean exponent
    nonpositive: Literal["error", "shift"] = "error"
    missing: Literal["zero", "drop"] = "zero"  # bod: a gap scores 0, or each unit's LP over its own indicators
    dat_thresh: float | None = Field(None, ge=0, le=1)  # in by_level: this level's threshold (None: the global one)


class Aggregate(AggOne):
    dat_thresh: float = Field(0.0, ge=0, le=1)
    by_level: dict[int, AggOne] = {}


class Results(Strict):
    strengths: int = Field(5, ge=1)  # COINr get_str_weak: topN = bottomN = 5
    min_discard: bool = True  # COINr: an indicator where the unit ranks last is never reported as a strength
    rank_decimals: int | None = Field(None, ge=0, le=12)  # rank the scores as published, rounded (half up)
    outranking: bool = False  # results_outranking.csv and results_copeland.csv (units × units: off by default)


class Analysis(Strict):
    """What the build writes as analysis; thresholds are COINr's get_stats / get_corr_flags defaults."""

    stats_datasets: tuple[str, ...] = ("Raw", "Treated", "Normalised", "Aggregated")
    corr_datasets: tuple[str, ...] = ("Normalised", "Aggregated")
    corr_methods: tuple[Literal["pearson", "spearman", "kendall"], ...] = ("pearson", "spearman", "kendall")
    t_avail: float = 0.65
    t_zero: float = 0.5
    t_unique: float = 0.5
    collinear: float = 0.9
    negative: float = -0.4
    denom_datasets: tuple[str, ...] = ("Raw",)  # correlations of indicators with every denominator (get_denom_corr)
    denom_thresh: float = 0.6  # COINr get_denom_corr's cor_thresh: |r| above it is flagged


class Config(Strict):
    time: float | None = None  # for panel iData: which Time to build (default the latest)
    denominate: Denominate = Denominate()
    screen: Screen = Screen()
    impute: Impute = Impute()
    treat: Treat = Treat()
    normalise: Normalise = Normalise()
    weights: Weights = Weights()
    aggregate: Aggregate = Aggregate()
    derived: dict[str, str] = {}  # new outputs as expressions of aggregates: {GDI: "HDI_f / HDI_m"}
    results: Results = Results()
    analysis: Analysis = Analysis()


def parse_config(data: dict | str | Path | None) -> Config:
    if data is None:
        return Config()
    if isinstance(data, Path) or (isinstance(data, str) and "\n" not in data and data.endswith((".yaml", ".yml"))):
        data = Path(data).read_text(encoding="utf-8")
    if isinstance(data, str):
        data = yaml.safe_load(data) or {}
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            Problem("config", None, ".".join(str(x) for x in e["loc"]), e["msg"]) for e in exc.errors()
        ) from None
