"""The one rounding rule for every score a person reads: half-up to two decimals on the stored value.

Scores are stored unrounded (floats); pages, reports, exports, the API's display fields and the engine's own
explanation all print them through `score_text`, so one result never shows two different numbers. Python's
`round`/`format` round the binary value half-to-even (58.775 is stored as 58.77499999… and prints 58.77) while
Django's `floatformat` rounds the decimal repr half-up (58.78): that pair gave "得分 58.78" beside "总分 58.77".

The value is first brought to 9 decimals (the engine's EPS) so that float noise from summing points
(58.774999999999999 for 58.775) does not decide the rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

SCORE_PLACES = 2
_NOISE = Decimal("1e-9")


def rounded(x: float | int | Decimal, places: int = SCORE_PLACES) -> Decimal:
    """`x` half-up to `places` decimals, as a Decimal (exact: 58.78, not 58.78000000000000113687)."""
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    d = d.quantize(_NOISE, rounding=ROUND_HALF_EVEN)
    out = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return out + 0 if out else abs(out)  # no "-0.00"


def score_text(x: float | int | Decimal | None, places: int = SCORE_PLACES) -> str:
    """A score as printed everywhere: "58.78", "3.20", "—" for no score."""
    if x is None:
        return "—"
    return f"{rounded(x, places):.{places}f}"


def score_value(x: float | int | Decimal | None, places: int = SCORE_PLACES) -> float | None:
    """The displayed score as a number (for charts, exports and the API): float(rounded(x))."""
    return None if x is None else float(rounded(x, places))


def short_text(x: float) -> str:
    """Thresholds, gaps and gains in explanations: the same half-up rule, trailing zeros dropped ("0.8", "0.35");
    a small non-zero gain keeps one significant digit ("0.004") so it does not read as 0."""
    if 0 < abs(x) < 0.005:
        return f"{x:.1g}"
    if abs(x) >= 1e6:
        return f"{rounded(x, 0):f}"
    text = f"{rounded(x, 2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
