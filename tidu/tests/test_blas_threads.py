"""Every process of the platform runs NumPy's BLAS on one thread unless the operator sets otherwise (why: the
comment in tidu/__init__.py). Counted as the process's threads after a product, in a fresh interpreter, since the
setting only works before NumPy is first imported."""

import os
import subprocess
import sys

import pytest

PROBE = "import tidu, numpy as np, os; a = np.ones((2000, 200)); a @ a.T; print(len(os.listdir('/proc/self/task')))"


def threads_after_a_product(**env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads through Linux's /proc")
def test_the_platform_starts_no_blas_worker_threads_and_the_operator_may_ask_for_more():
    assert threads_after_a_product() == 1
    assert threads_after_a_product(OPENBLAS_NUM_THREADS="2") == 2  # the operator's setting is kept
