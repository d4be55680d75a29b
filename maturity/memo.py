"""Per-spec memoisation. Specs are frozen, and a province scores many assessments with the same one, so facts that
depend only on the spec (and a context) are computed once. Entries are keyed by the spec's identity and checked
through a weak reference, so a collected spec whose id is reused never hits a stale entry."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable

_LIMIT = 1024
_memo: dict[tuple[int, Hashable], tuple[weakref.ref, object]] = {}


def per_spec[T](spec: object, key: Hashable, build: Callable[[], T]) -> T:
    try:
        full = (id(spec), key)
        hash(full)
    except TypeError:  # an unhashable key (e.g. a context with a list in it): nothing to cache by
        return build()
    hit = _memo.get(full)
    if hit is not None and hit[0]() is spec:
        return hit[1]  # type: ignore[return-value]
    if len(_memo) >= _LIMIT:
        _memo.clear()
    value = build()
    _memo[full] = (weakref.ref(spec), value)
    return value
