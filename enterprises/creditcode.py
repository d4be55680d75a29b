"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters and a check character.

Alphabet 0-9 and A-Y without I, O, S, V, Z, valued 0–30. Weights are 3^(i-1) mod 31 for positions 1–17;
the check value is 31 − (Σ value·weight mod 31), and 31 is written 0."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
# Position 9–17 is the organisation code (GB 11714): digits and capital letters, with its own check character.


@dataclass(frozen=True)
class CreditCodeError:
    message: str
    position: int | None = None  # 1-based position of the offending character


def normalise(raw: str) -> str:
    """Upper-case, strip spaces and full-width forms (Excel users paste full-width letters and digits)."""
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in str(raw))
    return "".join(text.split()).upper()


def check_character(first17: str) -> str:
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> CreditCodeError | None:
    """None when valid, otherwise what is wrong in plain Chinese, naming the character."""
    if len(code) != 18:
        return CreditCodeError(_("统一社会信用代码应为 18 位，当前为 %(length)s 位") % {"length": len(code)})
    for position, char in enumerate(code, start=1):
        if char not in VALUES:
            hint = _("（代码中不使用字母 I、O、S、V、Z）") if char in "IOSVZ" else ""
            message = _("第 %(position)s 位字符“%(char)s”不是合法字符%(hint)s")
            return CreditCodeError(message % {"position": position, "char": char, "hint": hint}, position)
    if not code[2:8].isdigit():
        return CreditCodeError(_("第 3–8 位应为登记管理机关行政区划码（6 位数字）"), 3)
    expected = check_character(code[:17])
    if code[17] != expected:
        message = _("第 18 位校验码错误：应为“%(expected)s”，实为“%(actual)s”")
        return CreditCodeError(message % {"expected": expected, "actual": code[17]}, 18)
    return None


def make(first17: str) -> str:
    """A valid code from its first 17 characters (used by the synthetic demo data)."""
    return first17 + check_character(first17)
