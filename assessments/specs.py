"""Turning stored model versions into engine specs."""

import hashlib
import json

import maturity
from maturity.memo import per_spec
from maturity.spec import ModelSpec

_parsed: dict[tuple[int, str], ModelSpec] = {}


def spec_json(spec: ModelSpec) -> dict:
    return spec.model_dump(mode="json")


def digest_of(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def parsed_spec(version) -> ModelSpec:
    """Parsed once per process and version: a stored version never changes (a correction is a new version),
    and a 250-item questionnaire page must not pay for validation on every request."""
    key = (version.pk, version.digest)
    spec = _parsed.get(key)
    if spec is None:
        if len(_parsed) > 64:
            _parsed.clear()
        spec = _parsed[key] = maturity.parse_spec(version.spec, source=f"{version.code} {version.version}")
    return spec


def without_provenance(data):
    """A spec's JSON without `provenance` anywhere: what readers who are not officers or admins may download."""
    if isinstance(data, dict):
        return {k: without_provenance(v) for k, v in data.items() if k != "provenance"}
    if isinstance(data, list):
        return [without_provenance(v) for v in data]
    return data


def item_refs(spec: ModelSpec) -> dict:
    """Item code → its ItemRef (item, path, inherited status); computed once per parsed spec."""
    return per_spec(spec, "item_refs", lambda: {r.item.code: r for r in spec.iter_items()})


def item_count(spec: ModelSpec) -> int:
    return sum(1 for _ in spec.iter_items())
