"""On the SQLite test database (one in-memory database shared by every thread's connection), a request reading a
table while another request is writing it is not refused with "table is locked": readers behave as on a file
database, so concurrency tests see the contention production sees, not an artefact of the shared cache."""

import threading

import pytest
from django.db import connection, transaction

from enterprises.models import Label

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a property of SQLite's shared in-memory test database")
def test_a_reader_is_not_refused_while_another_connection_writes_the_table():
    Label.objects.create(code="reader-test", name="读者测试（合成）")
    written, read_done = threading.Event(), threading.Event()
    outcome: dict = {}

    def writer():
        try:
            with transaction.atomic():
                Label.objects.filter(code="reader-test").update(name="写入中（合成）")
                written.set()
                read_done.wait(timeout=30)  # hold the write lock while the other connection reads
        finally:
            connection.close()

    def reader():
        written.wait(timeout=30)
        try:
            outcome["count"] = Label.objects.filter(code="reader-test").count()
        except Exception as exc:  # what the shared cache raised before: OperationalError "table is locked"
            outcome["error"] = exc
        finally:
            read_done.set()
            connection.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcome == {"count": 1}
