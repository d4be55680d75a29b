"""Per-client limits for pages open to anonymous visitors (provider registration, report verification).

Taking a place is one statement — insert the key, or add one to its count while under the limit — so parallel
requests cannot all pass a check before any of them is counted (15 parallel sign-ups beat a limit of 5 when the
check and the count were two cache calls). The statement is the same on SQLite (3.35+) and PostgreSQL: an upsert
is serialised on the key's row by the database, and a request over the limit updates nothing and gets no row back."""

import time

from django.db import connection
from django.db.models import F

from core.models import ThrottleCount

MAX_KEY = ThrottleCount._meta.get_field("key").max_length
# Insert the key with a count of one; or, on the existing row, start a new window if its window has closed, else add
# one — but only while under the limit (the WHERE): over it, nothing is updated and RETURNING gives no row.
TAKE = """
    INSERT INTO "core_throttlecount" ("key", "count", "window_ends") VALUES (%(key)s, 1, %(ends)s)
    ON CONFLICT ("key") DO UPDATE SET
        "count" = CASE WHEN "core_throttlecount"."window_ends" <= %(now)s THEN 1
                       ELSE "core_throttlecount"."count" + 1 END,
        "window_ends" = CASE WHEN "core_throttlecount"."window_ends" <= %(now)s THEN excluded."window_ends"
                             ELSE "core_throttlecount"."window_ends" END
    WHERE "core_throttlecount"."window_ends" <= %(now)s OR "core_throttlecount"."count" < %(limit)s
    RETURNING "count"
"""


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def take(key: str, limit: int, seconds: int = 3600) -> bool:
    """Count one use of `key` and return True, or return False (counting nothing) when `limit` uses were counted in
    its current window. A window opens with the first use after the last one closed and lasts `seconds`."""
    now = int(time.time())
    with connection.cursor() as cursor:
        cursor.execute(TAKE, {"key": key[:MAX_KEY], "ends": now + seconds, "now": now, "limit": limit})
        row = cursor.fetchone()
    if row is None:
        return False
    if row[0] == 1:  # a new window: a good moment to drop the counters whose windows have closed
        ThrottleCount.objects.filter(window_ends__lt=now).delete()
    return True


def give_back(key: str) -> None:
    """Undo one take() whose action did not happen after all (e.g. the application was refused), atomically."""
    ThrottleCount.objects.filter(key=key[:MAX_KEY], count__gt=0).update(count=F("count") - 1)
