"""Tidu's maturity engine: models as data, scoring with explanations. Pure Python + NumPy, no Django.

Public API:
    load_yaml, dump_yaml, parse_spec, SpecLoadError      (maturity.loaders)
    ModelSpec and friends                                 (maturity.spec)
    score, Result, ScoringError and subclasses            (maturity.scoring, maturity.results, maturity.answers)
    score_many, score_encoded, encode, BatchResult        (maturity.batch)
    load (shipped model files)                            (maturity.library)
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
from maturity.loaders import SpecLoadError, dump_yaml, load_yaml, parse_spec
from maturity.results import Blocker, ItemResult, LevelResult, NodeResult, Result
from maturity.scoring import score
from maturity.spec import NA, ModelSpec

__all__ = [
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
]
