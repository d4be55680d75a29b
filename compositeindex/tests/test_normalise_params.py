"""Per-indicator normalisation parameters from iMeta columns (COINr's names) and from config overrides."""

import numpy as np
import pytest

from compositeindex import build, parse_idata, parse_imeta, table_from_rows
from compositeindex.tests.example import DATA, META

RD = np.array([1.0, 2.0, 3.0, 0.5])  # the example's rd column (no denominator)
CO2 = np.array([5.0, 3.0, 1.0, 4.0])  # direction −1


def coin_with(params: dict[str, dict], config: dict):
    """The synthetic example with extra iMeta columns filled in for some indicators only."""
    meta = [dict(r) | params.get(r["iCode"], {}) for r in META]
    imeta = parse_imeta(table_from_rows(meta))
    return build(parse_idata(table_from_rows(DATA), imeta), imeta, {"denominate": {"enabled": False}, **config})


def changed_columns(a, b) -> set[str]:
    A, B = a.data["Normalised"], b.data["Normalised"]
    return {c for j, c in enumerate(A.codes) if not np.allclose(A.values[:, j], B.values[:, j], equal_nan=True)}


def test_minmax_bounds_from_imeta_change_only_that_indicator():
    base = coin_with({}, {})
    coin = coin_with({"rd": {"minmax_lower": 1, "minmax_upper": 10}}, {})
    assert changed_columns(base, coin) == {"rd"}
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), (RD - 0.5) / 2.5 * 9 + 1)


def test_zscore_mean_and_sd_from_imeta():
    base = coin_with({}, {"normalise": {"method": "zscore"}})
    coin = coin_with({"rd": {"zscore_mean": 10, "zscore_sd": 2}}, {"normalise": {"method": "zscore"}})
    assert changed_columns(base, coin) == {"rd"}
    m, s = RD.mean(), RD.std(ddof=1)
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), (RD - m) / s * 2 + 10)


def test_scaled_bounds_and_factor_from_imeta():
    base = coin_with({}, {"normalise": {"method": "scaled", "l": 0, "u": 10}})
    coin = coin_with(
        {"rd": {"scaled_lower": 0, "scaled_upper": 4, "scale_factor": 1}},
        {"normalise": {"method": "scaled", "l": 0, "u": 10}},
    )
    assert changed_columns(base, coin) == {"rd"}
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), RD / 4)
    np.testing.assert_allclose(base.data["Normalised"].col("rd"), RD / 10 * 100)


def test_goalposts_from_imeta_with_direction_and_truncation_switch():
    cfg = {"normalise": {"method": "goalposts", "l": 0, "u": 100}}
    base = coin_with({}, cfg)
    coin = coin_with(
        {"co2": {"goalpost_lower": 2, "goalpost_upper": 4, "goalpost_scale": 100, "goalpost_trunc2posts": "FALSE"}}, cfg
    )
    assert changed_columns(base, coin) == {"co2"}
    # direction −1: (x − GP_high)/(GP_low − GP_high), not truncated, times the scale
    np.testing.assert_allclose(coin.data["Normalised"].col("co2"), (CO2 - 4) / (2 - 4) * 100)


def test_distance_to_target_uncapped_through_imeta():
    cfg = {"normalise": {"method": "dist2targ"}}
    targets = {"gdp": {"Target": 25}, "rd": {"Target": 2}, "co2": {"Target": 2}, "water": {"Target": 4}}
    capped = coin_with(targets, cfg)
    coin = coin_with({**targets, "rd": {"Target": 2, "dist2targ_cap_max": "FALSE"}}, cfg)
    assert changed_columns(capped, coin) == {"rd"}
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), (RD - 0.5) / (2 - 0.5))
    np.testing.assert_allclose(capped.data["Normalised"].col("rd"), np.minimum((RD - 0.5) / 1.5, 1))
    # direction −1 (COINr): (max − x)/(max − target)
    np.testing.assert_allclose(coin.data["Normalised"].col("co2"), np.minimum((5 - CO2) / (5 - 2), 1))


def test_distance_to_reference_unit_from_imeta():
    cfg = {"normalise": {"method": "dist2ref", "ref": "C"}}
    base = coin_with({}, cfg)
    coin = coin_with({"rd": {"dist2ref_ref": "B"}}, cfg)
    assert changed_columns(base, coin) == {"rd"}
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), 1 - (2 - RD) / (2 - 0.5))
    np.testing.assert_allclose(base.data["Normalised"].col("rd"), 1 - (3 - RD) / (3 - 0.5))


def test_reference_unit_at_the_minimum_is_an_error():
    # COINr's formula divides by x_ref − x_min: a reference at the minimum has no scale
    with pytest.raises(ValueError, match="co2"):
        coin_with({}, {"normalise": {"method": "dist2ref", "ref": "A"}})


def test_override_fields_win_over_imeta_and_unwritten_ones_fall_through():
    params = {"rd": {"minmax_lower": 1, "minmax_upper": 10}}
    coin = coin_with(params, {"normalise": {"overrides": {"rd": {"u": 2}}}})
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), (RD - 0.5) / 2.5 * (2 - 1) + 1)
    coin = coin_with(params, {"normalise": {"overrides": {"gdp": {"l": 50}}}})
    gdp = np.array([20.0, 20, 30, 10])
    np.testing.assert_allclose(coin.data["Normalised"].col("gdp"), (gdp - 10) / 20 * 50 + 50)  # u stays 100
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), (RD - 0.5) / 2.5 * 9 + 1)


def test_override_method_uses_that_methods_imeta_columns():
    params = {"rd": {"zscore_mean": 5, "zscore_sd": 1, "minmax_lower": 1}}
    coin = coin_with(params, {"normalise": {"overrides": {"rd": {"method": "zscore"}}}})
    np.testing.assert_allclose(coin.data["Normalised"].col("rd"), (RD - RD.mean()) / RD.std(ddof=1) + 5)


def test_regenerate_keeps_override_precedence():
    from compositeindex import regenerate

    params = {"rd": {"minmax_lower": 1, "minmax_upper": 10}}
    coin = coin_with(params, {"normalise": {"overrides": {"rd": {"u": 2}}}})
    other = regenerate(coin, {"normalise.overrides.rd.u": 4})  # a deep path: the config is parsed again
    np.testing.assert_allclose(other.data["Normalised"].col("rd"), (RD - 0.5) / 2.5 * (4 - 1) + 1)
    assert other.config.normalise.overrides["rd"].model_fields_set == {"u"}


def test_bad_boolean_in_imeta_is_an_error():
    with pytest.raises(ValueError, match="TRUE/FALSE"):
        coin_with({"rd": {"goalpost_trunc2posts": "maybe"}}, {"normalise": {"method": "goalposts"}})
