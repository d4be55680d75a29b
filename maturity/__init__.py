"""Tidu's maturity engine: models as data, scoring with explanations. Pure Python + NumPy, no Django.

Public API:
    load_yaml, dump_yaml, parse_spec, SpecLoadError      (maturity.loaders)
    ModelSpec and friends                                 (maturity.spec)
    score, Result, ScoringError and subclasses            (maturity.scoring, maturity.results, maturity.answers)
    score_many, score_encoded, encode, BatchResult        (maturity.batch)
    AnswerMatrix, NA_VALUE (numeric answers for score_many)  (maturity.encoding)
    load (shipped model files)                            (maturity.library)
    TierModel, evaluate_tiers, load_tier_model, ConditionError  (maturity.conditions; load_tiers in maturity.library)
    export_xlsx, import_xlsx, template_xlsx, XlsxImportError    (maturity.xlsx)
    roadmap, Roadmap, Step (least-effort improvements to a target level or score)  (maturity.roadmap)
"""

from maturity.answers import (
    InvalidAnswerError,
    ItemDoesNotApplyError,
    MissingAnswerError,
    NotApplicableNotAllowedError,
    ScoringError,
    UnknownItemError,
)
from maturity.batch import BatchResult, encode, score_encoded, score_many
from maturity.conditions import ConditionError, TierEvaluation, TierModel, load_tier_model
from maturity.conditions import evaluate as evaluate_tiers
from maturity.encoding import NA_VALUE, AnswerMatrix
from maturity.loaders import SpecLoadError, dump_yaml, load_yaml, parse_spec
from maturity.results import Blocker, ItemResult, LevelResult, NodeResult, Result
from maturity.roadmap import Roadmap, Step, roadmap
from maturity.scoring import score
from maturity.spec import NA, ModelSpec
from maturity.xlsx import XlsxImportError, export_xlsx, import_xlsx, template_xlsx

__all__ = [
    "AnswerMatrix",
    "NA_VALUE",
    "NA",
    "BatchResult",
    "Blocker",
    "InvalidAnswerError",
    "ItemDoesNotApplyError",
    "ItemResult",
    "LevelResult",
    "MissingAnswerError",
    "ModelSpec",
    "NodeResult",
    "NotApplicableNotAllowedError",
    "Result",
    "ScoringError",
    "SpecLoadError",
    "UnknownItemError",
    "dump_yaml",
    "load_yaml",
    "parse_spec",
    "score",
    "encode",
    "score_encoded",
    "score_many",
    "ConditionError",
    "TierEvaluation",
    "TierModel",
    "evaluate_tiers",
    "load_tier_model",
    "XlsxImportError",
    "export_xlsx",
    "import_xlsx",
    "template_xlsx",
    "Roadmap",
    "Step",
    "roadmap",
]
