from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _readers_never_wait_in_shared_memory(sender, connection, **kwargs) -> None:
    """The test database on SQLite is one in-memory database shared by every thread's connection (shared cache).
    There, unlike a file database, a connection reading a table that another connection is writing gets "table is
    locked" at once — a 500 in the concurrent-request tests that production (readers never wait on a file database)
    cannot show. Letting readers of the shared memory database read uncommitted pages restores production's
    behaviour for readers; writers still take their locks and still meet real contention."""
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict.get("NAME", "")):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = true")


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "通用"

    def ready(self) -> None:
        connection_created.connect(_readers_never_wait_in_shared_memory, dispatch_uid="tidu-shared-memory-readers")
