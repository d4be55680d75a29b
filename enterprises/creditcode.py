"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters and a check character.

Alphabet 0-9 and A-Y without I, O, S, V, Z, valued 0–30. Weights are 3^(i-1) mod 31 for positions 1–17;
the check value is 31 − (Σ value·weight mod 31), and 31 is written 0."""

from collections.abc import Container
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


# GB 32100-2015 table 1: the registration authority (position 1) and, for the authorities that define them, the
# organisation categories it may give (position 2). Authorities added later by the standard's maintenance notices
# (2–4, 6–8, A, N) are accepted with any category.
AUTHORITIES = {
    "1": ("机构编制", "1239"),
    "2": ("外交", ""),
    "3": ("司法行政", ""),
    "4": ("文化", ""),
    "5": ("民政", "1239"),
    "6": ("旅游", ""),
    "7": ("宗教", ""),
    "8": ("工会", ""),
    "9": ("市场监管（工商）", "123"),
    "A": ("中央军委改革和编制办公室", ""),
    "N": ("农业", ""),
    "Y": ("其他", ""),
}
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check_character(body: str) -> str:
    """GB 11714: the check character of an 8-character organisation code body (letters valued A=10 … Z=35)."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def validate(code: str, known_regions: Container[str] | None = None) -> CreditCodeError | None:
    """None when valid, otherwise what is wrong in plain Chinese, naming the position of the character in each part:
    authority (1), category (2), division (3–8, checked against `known_regions` when given), organisation code
    (9–17, its own GB 11714 check character at 17) and the check character (18)."""
    if len(code) != 18:
        return CreditCodeError(_("统一社会信用代码应为 18 位，当前为 %(length)s 位") % {"length": len(code)})
    for position, char in enumerate(code, start=1):
        if char not in VALUES:
            hint = _("（代码中不使用字母 I、O、S、V、Z）") if char in "IOSVZ" else ""
            message = _("第 %(position)s 位字符“%(char)s”不是合法字符%(hint)s")
            return CreditCodeError(message % {"position": position, "char": char, "hint": hint}, position)
    if code[0] not in AUTHORITIES:
        message = _("第 1 位登记管理部门代码“%(char)s”不存在（企业由市场监管部门登记，为 9）")
        return CreditCodeError(message % {"char": code[0]}, 1)
    authority, categories = AUTHORITIES[code[0]]
    if categories and code[1] not in categories:
        message = _("第 2 位机构类别代码“%(char)s”不适用于%(authority)s登记的主体（应为 %(allowed)s 之一；企业为 1）")
        return CreditCodeError(message % {"char": code[1], "authority": authority, "allowed": "、".join(categories)}, 2)
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            message = _("第 3–8 位应为登记管理机关行政区划码（6 位数字），第 %(position)s 位是“%(char)s”")
            return CreditCodeError(message % {"position": position, "char": code[position - 1]}, position)
    if known_regions is not None and (error := _division_error(code[2:8], known_regions)):
        return error
    body, org_check = code[8:16], code[16]
    if org_check not in "0123456789X":
        message = _("第 17 位是第 9–17 位组织机构代码的校验码，只能是数字或 X，实为“%(actual)s”")
        return CreditCodeError(message % {"actual": org_check}, 17)
    if org_check != (expected := org_check_character(body)):
        message = _(
            "第 9–17 位组织机构代码的校验码（第 17 位）应为“%(expected)s”，实为“%(actual)s”：第 9–17 位中有字符填错"
        ) % {"expected": expected, "actual": org_check}
        if (typo := _single_typo(code)) is not None:
            position, char = typo
            message += _("；若只错了一个字符，应是第 %(position)s 位，应为“%(char)s”") % {
                "position": position,
                "char": char,
            }
            return CreditCodeError(message, position)
        return CreditCodeError(message, 17)
    expected = check_character(code[:17])
    if code[17] != expected:
        message = _("第 18 位校验码应为“%(expected)s”，实为“%(actual)s”：校验码或前 17 位有字符填错，请对照执照核对")
        return CreditCodeError(message % {"expected": expected, "actual": code[17]}, 18)
    return None


def _single_typo(code: str) -> tuple[int, str] | None:
    """With both check characters failing, one wrong character in 9–17 is usually the only one-character change that
    satisfies both checks; name it when it is unique, else stay with the part (never a guess between several)."""
    found = []
    for position in range(9, 18):
        for char in ALPHABET if position < 17 else "0123456789X":
            if char == code[position - 1]:
                continue
            fixed = code[: position - 1] + char + code[position:]
            if org_check_character(fixed[8:16]) == fixed[16] and check_character(fixed[:17]) == fixed[17]:
                found.append((position, char))
                if len(found) > 1:
                    return None
    return found[0] if found else None


def _division_error(division: str, known_regions: Container[str]) -> CreditCodeError | None:
    """The registering office's division must be a known region. A county code no longer in the current table (a
    county since merged or renamed) is accepted when its city is known: the code was valid when it was issued."""
    if division in known_regions or division[:4] + "00" in known_regions:
        return None
    if division[:2] + "0000" not in known_regions:
        message = _("第 3–4 位“%(part)s”不是省级行政区划代码（第 3–8 位为登记机关所在地的区划代码）")
        return CreditCodeError(message % {"part": division[:2]}, 3)
    message = _("第 5–6 位“%(part)s”在“%(province)s”下不是已知的市级区划代码（第 3–8 位为登记机关所在地的区划代码）")
    return CreditCodeError(message % {"part": division[2:4], "province": division[:2] + "0000"}, 5)


def org_code(body: str) -> str:
    """An organisation code (positions 9–17) from its 8-character body and its GB 11714 check character."""
    return body + org_check_character(body)


def make(first17: str) -> str:
    """A code from its first 17 characters and the check character (synthetic data: build positions 9–17 with
    `org_code` for a code that passes every check)."""
    return first17 + check_character(first17)
