"""Per-address counters in the cache, for pages open to anonymous visitors (registration, report verification)."""

from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def over(key: str, limit: int) -> bool:
    return (cache.get(key) or 0) >= limit


def count(key: str, seconds: int = 3600) -> None:
    if not cache.add(key, 1, seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, seconds)
