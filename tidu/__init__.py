"""Tidu (梯度): the platform on which provinces run their manufacturing transformation programmes."""

import os

# One BLAS thread per process, unless the operator says otherwise. The engines multiply blocks of a few
# thousand rows by small matrices (score_many: 16,384 rows × ~150 node weights): extra OpenBLAS threads gain
# nothing on those, but spin after every product, which on this 2-core machine doubled score_many's CPU time
# (9.5 → 4.8 s per million rows) and took the second core from the database during rescoring. It has to be set
# before NumPy is first imported, and this package is imported first by every process (manage.py, the WSGI
# server, the `tidu` command, the tests); benchmarks of the pure engines import it for the same reason.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
