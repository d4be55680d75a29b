"""Database helpers shared by the apps: telling lock contention from real errors."""

from django.db import OperationalError

# SQLSTATEs of lock contention on PostgreSQL: serialization failure, deadlock, lock not available.
_CONTENTION_SQLSTATES = {"40001", "40P01", "55P03"}


def is_contention(exc: OperationalError) -> bool:
    """True when a write lost a lock race (worth retrying or skipping), not when the statement itself was wrong.

    SQLite says "database is locked" when its busy timeout ran out, and "table is locked" (SQLITE_LOCKED) on
    shared-cache connections, as in the in-memory test database, where the busy timeout does not wait at all."""
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return sqlstate in _CONTENTION_SQLSTATES or "database is locked" in str(exc) or "table is locked" in str(exc)
