"""Model files shipped with Tidu; a province replaces or extends them by importing its own file."""

from pathlib import Path

from maturity.conditions import TierModel, load_tier_model
from maturity.loaders import load_yaml
from maturity.spec import ModelSpec

LIBRARY = Path(__file__).parent


def load(name: str) -> ModelSpec:
    """Load a shipped model by file stem, e.g. load("cmmm-2020")."""
    return load_yaml(LIBRARY / f"{name}.yaml")


def load_tiers(name: str) -> TierModel:
    """Load a shipped tier-condition model from library/tiers/, e.g. load_tiers("smart-factory-2025")."""
    return load_tier_model(LIBRARY / "tiers" / f"{name}.yaml")
