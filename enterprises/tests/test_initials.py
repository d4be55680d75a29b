"""Speed-ups of the import that must not change what is stored: pinyin initials by word, size without its text."""

import random

from pypinyin import Style, lazy_pinyin

from enterprises import demo_names as words
from enterprises.services import initials


def whole_name(name: str) -> str:
    """The initials as computed before the word cache: lazy_pinyin over the whole name."""
    return "".join(part[0] for part in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default") if part).upper()


def test_polyphonic_characters_read_as_in_their_phrase():
    assert initials("江西华联机械") == "JXHLJX"
    assert initials("重庆银行赣州分行") == whole_name("重庆银行赣州分行")
    assert initials("长沙行业协会") == whole_name("长沙行业协会")


def test_it_matches_pypinyin_on_synthetic_names_with_letters_digits_and_symbols():
    rng = random.Random(7)
    industry_words = [word for group in words.INDUSTRY_WORDS.values() for word in group]
    tails = ["有限公司", "（江西）有限责任公司", "厂 2号", "A区Ltd.", "行业", "重庆银行"]
    tails += ["ABC 12", "朝阳", "ㄅ", "〇一", ""]
    names = [
        rng.choice(["南昌", "赣州", "重庆", "长沙", ""])
        + rng.choice(words.BRAND_FIRST)
        + rng.choice(words.BRAND_SECOND)
        + rng.choice(industry_words)
        + rng.choice(tails)
        + rng.choice(tails)
        for _ in range(3000)
    ]
    assert [initials(name) for name in names] == [whole_name(name)[:200] for name in names]
    assert initials("") == ""
    assert len(initials("江" * 300)) == 200


def test_the_size_an_import_sets_is_the_size_classify_explains():
    from decimal import Decimal

    from enterprises.sizing import class_and_scale, classify

    for employees in (None, 0, 19, 20, 299, 300, 999, 1000, 5000):
        for revenue in (None, Decimal(0), Decimal("299.99"), Decimal(300), Decimal(1999), Decimal(2000),
                        Decimal(39999), Decimal(40000), Decimal(90000)):  # fmt: skip
            result = classify(employees, revenue)
            assert class_and_scale(employees, revenue) == (result.size_class, result.is_above_scale)
