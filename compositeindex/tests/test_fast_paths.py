"""What keeps `tidu index build` and regenerate() fast must not change what they compute or what they need:
the column-wise normalisation equals the per-indicator one, `--help` loads neither NumPy nor pydantic, and a
build with all its files never imports SciPy. (Timings are in benchmarks/bench_compositeindex.py, not here.)"""

import subprocess
import sys

import numpy as np
import pytest

from compositeindex import build
from compositeindex import normalise as norm
from compositeindex.tests.example import example


@pytest.mark.parametrize("method", ["minmax", "zscore", "scaled", "fracmax", "dist2max", "none"])
def test_columnwise_normalisation_equals_the_per_indicator_formula(method):
    idata, imeta = example()
    coin = build(idata, imeta, {"impute": {"method": "mean"}, "normalise": {"method": method, "l": 1}})
    treated, cfg = coin.data["Treated"], coin.config.normalise
    assert norm._all_at_once(treated, imeta, cfg) is not None  # the fast path was taken
    for j, code in enumerate(treated.codes):
        n = norm.resolve(code, imeta[code], cfg)
        y, _ = norm.normalise_one(treated.values[:, j], n, direction=imeta[code].direction)
        np.testing.assert_allclose(coin.data["Normalised"].col(code), y, rtol=1e-13)


def test_overrides_still_go_indicator_by_indicator():
    idata, imeta = example()
    coin = build(idata, imeta, {"normalise": {"overrides": {"gdp": {"method": "fracmax"}}}})
    assert norm._all_at_once(coin.data["Treated"], imeta, coin.config.normalise) is None
    assert coin.data["Normalised"].step["per_indicator"]["gdp"]["method"] == "fracmax"


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_help_loads_neither_numpy_nor_pydantic():
    out = run(
        "import sys\nfrom compositeindex.cli import main\ntry:\n    main(['build', '--help'])\nexcept SystemExit:\n"
        "    pass\nprint(sorted(m for m in ('numpy', 'pydantic', 'scipy', 'yaml') if m in sys.modules))"
    )
    assert out.strip().endswith("[]")


def test_a_build_and_its_files_never_import_scipy():
    out = run(
        "import sys\nfrom compositeindex import build\nfrom compositeindex.outputs import outputs\n"
        "from compositeindex.tests.example import example\nidata, imeta = example()\n"
        "files = outputs(build(idata, imeta, {'impute': {'method': 'mean'}, 'results': {'outranking': True}}))\n"
        "print(len(files), 'scipy' in sys.modules)"
    )
    assert out.split()[1] == "False" and int(out.split()[0]) > 15


def test_a_constant_column_keeps_its_gaps_in_both_paths():
    from compositeindex.config import NormOne

    x = np.array([3.0, np.nan, 3.0])
    y, _ = norm.normalise_one(x, NormOne(method="minmax", l=1), direction=1)
    assert y[0] == y[2] == 1 and np.isnan(y[1])  # l for the units that have the value; a gap stays a gap
