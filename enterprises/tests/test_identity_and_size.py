"""The credit-code check character (GB 32100) and the size classes with their basis."""

from decimal import Decimal

import pytest

from enterprises import creditcode
from enterprises.sizing import classify


def test_check_character_follows_the_published_rule():
    # Σ value·3^(i-1) mod 31 over 17 characters; worked by hand for an all-zero body: check = 31 - 0 → 0.
    assert creditcode.check_character("0" * 17) == "0"
    body = "91360102" + creditcode.org_code("MA35ABCD")
    total = sum(creditcode.VALUES[c] * pow(3, i, 31) for i, c in enumerate(body))
    assert creditcode.check_character(body) == creditcode.ALPHABET[(31 - total % 31) % 31]
    assert creditcode.validate(creditcode.make(body)) is None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91360102MA35ABCD", "应为 18 位，当前为 16 位"),
        ("91360102MA35ABID1X", "第 15 位字符“I”不是合法字符（代码中不使用字母 I、O、S、V、Z）"),
        ("9136A102MA35ABCD1X", "第 3–8 位"),
    ],
)
def test_invalid_codes_name_the_offending_character(code, fragment):
    assert fragment in creditcode.validate(code).message


def test_wrong_check_character_says_which_it_should_be():
    good = creditcode.make("91360102" + creditcode.org_code("MA35ABCD"))
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    error = creditcode.validate(wrong)
    assert error.position == 18 and f"第 18 位校验码应为“{good[17]}”" in error.message


def test_full_width_and_spaces_are_normalised():
    good = creditcode.make("91360102" + creditcode.org_code("MA35ABCD"))
    pasted = " ".join(good[:9]) + "".join(chr(ord(c) + 0xFEE0) for c in good[9:]).lower()
    assert creditcode.normalise(pasted) == good


GOOD = creditcode.make("91360102" + creditcode.org_code("MA35ABCD"))


def with_char(position: int, char: str, code: str = GOOD) -> str:
    """The code with one character replaced and the overall check character made right again, so that only the part
    under test is wrong."""
    changed = code[: position - 1] + char + code[position:]
    return creditcode.make(changed[:17]) if position < 18 else changed


def test_the_organisation_code_check_follows_gb_11714():
    # Worked by hand: body 12345678 → Σ = 1·3+2·7+3·9+4·10+5·5+6·8+7·4+8·2 = 201; 201 mod 11 = 3; 11 − 3 = 8.
    assert creditcode.org_check_character("12345678") == "8"
    assert creditcode.org_code("12345678") == "123456788"
    assert creditcode.validate(creditcode.make("91360102" + "123456788")) is None


@pytest.mark.parametrize(
    ("position", "char", "fragment"),
    [
        (1, "0", "第 1 位登记管理部门代码“0”不存在"),
        (2, "9", "第 2 位机构类别代码“9”不适用于市场监管（工商）登记的主体"),
        (2, "5", "应为 1、2、3 之一"),
        (5, "A", "第 3–8 位应为登记管理机关行政区划码（6 位数字），第 5 位是“A”"),
        (17, "A", "第 17 位是第 9–17 位组织机构代码的校验码，只能是数字或 X，实为“A”"),
    ],
)
def test_each_part_of_the_code_names_the_position_of_the_wrong_character(position, char, fragment):
    error = creditcode.validate(with_char(position, char))
    assert fragment in error.message and error.position == position


def typo_at(position: int) -> list[str]:
    """Every code that differs from GOOD in one character at `position` (the check characters left as they were)."""
    chars = creditcode.ALPHABET if position < 17 else "0123456789X"
    return [GOOD[: position - 1] + char + GOOD[position:] for char in chars if char != GOOD[position - 1]]


def test_a_typo_in_the_organisation_code_names_its_own_check_character():
    typo = next(code for code in typo_at(12) if creditcode.org_check_character(code[8:16]) != code[16])
    error = creditcode.validate(typo)
    expected = creditcode.org_check_character(typo[8:16])
    assert f"第 9–17 位组织机构代码的校验码（第 17 位）应为“{expected}”，实为“{GOOD[16]}”" in error.message
    assert error.position in (12, 17)


def test_a_single_typo_is_located_only_when_one_character_alone_satisfies_both_checks():
    located = 0
    for position in range(9, 18):
        for typo in typo_at(position):
            error = creditcode.validate(typo)
            if "若只错了一个字符" in error.message:
                # Named only when unique, so always the character that was changed, with the right value back.
                assert error.position == position
                assert f"应是第 {position} 位，应为“{GOOD[position - 1]}”" in error.message
                located += 1
            else:
                assert error.position in (17, 18)  # the part, never a guess between several characters
    assert located > 50  # the common case: most single typos in 9–17 are located


def test_letters_the_code_never_uses_are_named_with_their_position():
    for position, char in ((4, "O"), (10, "I"), (13, "S"), (15, "V"), (16, "Z")):
        error = creditcode.validate(GOOD[: position - 1] + char + GOOD[position:])
        assert error.position == position
        assert f"第 {position} 位字符“{char}”不是合法字符（代码中不使用字母 I、O、S、V、Z）" in error.message


def test_the_division_must_be_a_known_region_when_regions_are_given():
    known = {"360000", "360100", "360102"}
    assert creditcode.validate(GOOD, known_regions=known) is None
    retired = with_char(8, "9")  # 360109: not in the table, but its city 3601 is: a county since merged
    assert creditcode.validate(retired, known_regions=known) is None
    unknown_city = creditcode.make("91369902" + GOOD[8:17])
    error = creditcode.validate(unknown_city, known_regions=known)
    assert error.position == 5 and "第 5–6 位“99”" in error.message
    unknown_province = creditcode.make("91990102" + GOOD[8:17])
    error = creditcode.validate(unknown_province, known_regions=known)
    assert error.position == 3 and "第 3–4 位“99”不是省级行政区划代码" in error.message
    assert creditcode.validate(unknown_province) is None  # without the region table only the form of 3–8 is checked


@pytest.mark.parametrize(
    ("employees", "revenue", "size", "above"),
    [
        (1000, 40000, "large", True),
        (999, 50000, "medium", True),  # both thresholds needed for large
        (300, 2000, "medium", True),
        (2000, 1999, "small", False),  # revenue below the medium line
        (20, 300, "small", False),
        (19, 100000, "micro", True),  # few staff: micro, yet above scale by revenue
        (500, 299, "micro", False),
    ],
)
def test_size_class_needs_both_thresholds_and_above_scale_is_revenue(employees, revenue, size, above):
    result = classify(employees, Decimal(revenue))
    assert (result.size_class, result.is_above_scale) == (size, above)
    assert "待核实" in result.basis  # the thresholds are not yet verified against the 2017 notice


def test_missing_figures_give_no_size():
    assert classify(None, Decimal(5000)).size_class == ""
    assert classify(10, None).is_above_scale is None
