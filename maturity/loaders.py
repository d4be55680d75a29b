"""Reading and writing model specs as YAML, with errors an official can act on.

Errors name the path of the bad field using node/item codes where the data has them
(`nodes[0](A).items[2](A-1).options`), because officials edit these files by hand and list indices alone
are hard to find in a long file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from maturity.spec import ModelSpec


class SpecLoadError(ValueError):
    """A model file could not be read or is not a valid spec; `problems` lists (path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {path or '(根)'}: {msg}" for path, msg in problems)
        super().__init__(f"模型文件 {source} 无效 (invalid model spec):\n{lines}")


def _readable_path(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into `nodes[0](A).items[1](A-1).kind`, skipping union tags."""
    parts: list[str] = []
    cur = data
    for key in loc:
        if isinstance(key, int) and isinstance(cur, list):
            cur = cur[key] if key < len(cur) else None
            code = cur.get("code") if isinstance(cur, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]" + (f"({code})" if code else "")]
        elif isinstance(cur, dict) and key in cur:
            cur = cur[key]
            parts.append(str(key))
        elif isinstance(cur, dict):
            # A discriminated-union tag (e.g. "graded") or a missing field: keep field names, drop tags.
            if str(key) in _TAGS:
                continue
            parts.append(str(key))
            cur = None
        else:
            parts.append(str(key))
            cur = None
    return ".".join(parts)


_TAGS = {
    "graded",
    "single_choice",
    "multi_select",
    "numeric_bands",
    "scene",
    "prerequisite",
    "evidence_file",
    "evidence_text",
    "weighted_sum",
    "score_bands",
    "cmmm_cumulative",
    "score_and_scene_counts",
    "capped_bands",
}


def parse_spec(data: Any, source: str = "<data>") -> ModelSpec:
    """Validate already-parsed data (e.g. from an XLSX import) into a ModelSpec."""
    if not isinstance(data, dict):
        raise SpecLoadError(source, [("", "顶层须为映射 top level must be a mapping")])
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        problems = [(_readable_path(data, tuple(e["loc"])), e["msg"]) for e in exc.errors()]
        raise SpecLoadError(source, problems) from exc


def read_yaml(source: str | Path, error: type[ValueError] = SpecLoadError) -> tuple[Any, str]:
    """(parsed data, name for messages) from a path (Path, or a str naming a .yaml/.yml file) or from YAML text;
    unreadable files and syntax errors raise `error(name, problems)` with the line and column where known."""
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))
    ):
        path = Path(source)
        try:
            text, name = path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise error(str(path), [("", f"无法读取文件 cannot read: {exc}")]) from exc
    else:
        text, name = source, "<text>"
    try:
        return yaml.safe_load(text), name
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列 (line {mark.line + 1})" if mark else ""
        raise error(name, [(where, f"YAML 语法错误 syntax error: {getattr(exc, 'problem', exc)}")]) from exc


def load_yaml(source: str | Path) -> ModelSpec:
    """Load a spec from a path (Path, or a str naming an existing .yaml/.yml file) or from YAML text."""
    data, name = read_yaml(source)
    return parse_spec(data, name)


def dump_yaml(spec: ModelSpec) -> str:
    """YAML in the spec's field order (stable diffs), defaults left out so files stay short."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
