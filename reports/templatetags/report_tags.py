from django import template

register = template.Library()

NUMERALS = "零一二三四五六七八九十"


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def cn_number(n: int) -> str:
    """Section numbers as Chinese numerals, 1–99 (一、二、……十一)."""
    n = int(n)
    if n <= 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens] if tens > 1 else "") + "十" + (NUMERALS[ones] if ones else "")
