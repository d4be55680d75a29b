"""Constants and the frozen, strict pydantic base shared by the spec modules."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["official", "provisional"]
NA = "n/a"  # the answer meaning "not applicable to this enterprise"; reserved, so never an option code
SCORING_KINDS = frozenset({"graded", "single_choice", "multi_select", "numeric_bands", "scene"})
EPS = 1e-9  # tolerance for threshold and band comparisons, so 0.8 computed as 0.7999999999 still passes


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
