"""Print a PostgreSQL URL the test suite can use, or nothing when none is reachable.

TIDU_DATABASE_URL wins when it names PostgreSQL; otherwise the local server at 127.0.0.1:5432 is tried."""

import os

import psycopg

candidates = []
if os.environ.get("TIDU_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    candidates.append(os.environ["TIDU_DATABASE_URL"])
candidates += [
    "postgresql://postgres@127.0.0.1:5432/tidu",
    f"postgresql://{os.environ.get('USER', 'root')}@127.0.0.1:5432/tidu",
]

for url in candidates:
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, connect_timeout=2) as conn:
            conn.execute("select 1")
    except psycopg.Error:
        continue
    print(url)
    break
