"""The one way a template prints a score: `{{ result.score|score }}` → "58.78" (maturity.numbers.score_text).

`floatformat` rounds the decimal repr half-up while Python's `round`/`format` round the binary value
half-to-even, so mixing them printed 58.78 and 58.77 for one stored 58.775; every score goes through here."""

from django import template

from maturity.numbers import score_text, short_text

register = template.Library()


@register.filter
def score(value) -> str:
    """A stored score, half-up to two decimals; "—" for none."""
    if value is None or value == "":
        return "—"
    return score_text(float(value))


@register.filter
def short(value) -> str:
    """A threshold or gap, the same rounding with trailing zeros dropped (0.8, 0.35); "—" for none."""
    if value is None or value == "":
        return "—"
    return short_text(float(value))


@register.filter
def signed_score(value) -> str:
    """A change between two scores: "+1.25", "-0.50", "0.00"."""
    if value is None or value == "":
        return "—"
    text = score_text(float(value))
    return text if text.startswith("-") or float(text) == 0 else f"+{text}"


@register.filter
def shortfall(threshold, value) -> str:
    """`{{ threshold|shortfall:score }}`: the threshold minus the score as printed (maturity.trace.shortfall)."""
    from maturity.trace import shortfall as text

    if threshold is None:
        return "—"
    return text(float(threshold), float(value or 0.0))
