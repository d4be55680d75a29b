"""`make test`'s second pass (PostgreSQL) leaves out the tests that use no database: they ran in the SQLite pass and
cannot behave differently on another engine. A test that uses one must never be left out."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = "recognition/tests/test_chain.py"  # the chain's rules: no database
WITH_DATABASE = "recognition/tests/test_chain_by_role.py"  # applications moved by each role: database


def collected(*, database_only: bool) -> dict[str, int]:
    env = {**os.environ, "TIDU_TEST_DATABASE_ONLY": "1" if database_only else ""}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "--collect-only", "-q", PURE, WITH_DATABASE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    counts: dict[str, int] = {}
    for line in out.splitlines():
        if "::" in line:
            path = line.split("::")[0]
            counts[path] = counts.get(path, 0) + 1
    counts["deselected"] = int(m.group(1)) if (m := re.search(r"(\d+) deselected", out)) else 0
    return counts


def test_the_second_pass_keeps_every_test_that_uses_a_database_and_only_those():
    everything = collected(database_only=False)
    second = collected(database_only=True)
    assert everything[PURE] > 0 and everything[WITH_DATABASE] > 0
    assert second.get(PURE, 0) == 0
    assert second[WITH_DATABASE] == everything[WITH_DATABASE]
    assert second["deselected"] == everything[PURE]
