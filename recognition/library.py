"""The programme files shipped with Tidu (recognition/programmes/*.yaml): examples a province loads and edits."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from . import chain

FOLDER = Path(__file__).parent / "programmes"


@cache
def shipped() -> dict[str, dict]:
    """{programme code: the file's data}, each checked by chain.parse."""
    found = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[chain.parse(data).code] = data
    return found


def path_of(code: str) -> Path | None:
    """The file a shipped programme comes from (None for an unknown code)."""
    for path in sorted(FOLDER.glob("*.yaml")):
        if chain.parse(yaml.safe_load(path.read_text(encoding="utf-8"))).code == code:
            return path
    return None
