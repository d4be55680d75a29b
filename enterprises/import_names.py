"""Names in import cells, matched by their variants rather than by lists of every spelling: the column table's data
(enterprises/data/import_columns.yaml), traditional characters, programme labels, and cluster and chain names with a
chain position. Pure functions; import_rows validates with them and import_groups resolves groupings with them."""

import re
import unicodedata
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from . import import_values

COLUMNS_FILE = Path(__file__).parent / "data" / "import_columns.yaml"
COLUMNS_DATA = yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8"))
# The characters of traditional-script headers (統一社會信用代碼, 營業收入, 從業人員 …) mapped to simplified, so a
# list typed in Hong Kong, Macao or Taiwan software is read alike; the table itself is kept in simplified only.
TRADITIONAL = str.maketrans(
    "統會碼業稱區縣營額資產總從員數聯係繫電話郵類屬經濟單號註冊構織機點標簽職專萬實際規劃鄉鎮稅場時間備說團開發園鏈"
    "絡詳細計設報門檢則財務這個與為們來對於當還長銷售務達證書權負責審製填歷輔層級稱戶稽異變動於義項種點"
    "軍國術創廠進領礎頭遊龍",
    "统会码业称区县营额资产总从员数联系系电话邮类属经济单号注册构织机点标签职专万实际规划乡镇税场时间备说团开发园链"
    "络详细计设报门检则财务这个与为们来对于当还长销售务达证书权负责审制填历辅层级称户稽异变动于义项种点"
    "军国术创厂进领础头游龙",
)


# ------------------------------------------------------------------------------------------------ labels

# Marks that do not change which label is meant: quotes of every kind, brackets, spaces and the middle dot.
LABEL_NOISE = re.compile(r"[\s\"'“”‘’「」『』〝〞()\[\]【】·]")
LABEL_SUFFIXES = ("中小企业", "企业")
LABEL_SYNONYMS: dict[str, list[str]] = COLUMNS_DATA.get("label_synonyms") or {}


def label_key(name: str) -> str:
    """The form label names are matched on, so that each label's variants are derived rather than listed: half-width,
    simplified, without quotes, brackets or spaces, and without a trailing 中小企业 or 企业 — “专精特新”中小企业,
    专精特新中小企业, 专精特新企业 and 专精特新 are one label."""
    key = LABEL_NOISE.sub("", unicodedata.normalize("NFKC", name).translate(TRADITIONAL)).casefold()
    for suffix in LABEL_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key.removesuffix(suffix)
    return key


def label_lookup(labels) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Key → label code for every label's code, name and synonyms (enterprises/data/import_columns.yaml), and the
    keys two labels share (key → their names), which are never resolved to either."""
    found: dict[str, str] = {}
    names: dict[str, str] = {}
    ambiguous: dict[str, set[str]] = {}
    for code, name in labels:
        names[code] = name
        for variant in (code, name, *LABEL_SYNONYMS.get(code, ())):
            key = label_key(str(variant))
            if found.setdefault(key, code) != code:
                ambiguous.setdefault(key, {names[found[key]]}).add(name)
    for key in ambiguous:
        del found[key]
    return found, ambiguous


# ------------------------------------------------------------------------------------------------ clusters and chains

GROUPING_SEPARATORS = frozenset("、,;/\n\r")  # after NFKC: ， ； ／ are already , ; /
GROUPING_NOISE = re.compile(r"[\s\"'“”‘’「」『』〝〞]")
GROUPING_SUFFIXES = ("产业集群", "集群", "产业链", "链")
MAX_GROUPING_NAME = 100  # Grouping.name
CHAIN_POSITIONS: dict[str, str] = {
    word: position for position, words in COLUMNS_DATA["chain_positions"].items() for word in [position, *words]
}
POSITION_IN_BRACKETS = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<a>[^()]*)\)|\[(?P<b>[^\[\]]*)\]|【(?P<c>[^【】]*)】)$")
POSITION_AFTER_COLON = re.compile(r"^(?P<name>[^:]+?)\s*:\s*(?P<a>[^:]*)$")


def split_grouping_names(text: str) -> list[str]:
    """A cell's names, split on 、，,;；/ and line breaks outside brackets ("汽车（链主/龙头）" stays whole)."""
    parts, current, depth = [], [], 0
    for char in text:
        if char in "([【":
            depth += 1
        elif char in ")]】" and depth:
            depth -= 1
        elif depth == 0 and char in GROUPING_SEPARATORS:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [name for part in parts if (name := grouping_name(part))]


def grouping_name(text: str) -> str:
    """A name as it will be shown and stored: half-width, runs of spaces made one, none beside Chinese characters
    ("电子信息 产业集群" → "电子信息产业集群")."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)


def grouping_keys(name: str) -> tuple[str, str]:
    """The two forms a grouping name is matched on: exact (width, script, spaces, quotes and case ignored), and its
    stem, without a trailing 产业集群/集群/产业链/链 or 产业, so "新能源汽车" finds the chain "新能源汽车产业链".
    The exact form is tried first, so two groupings that differ only by that suffix are still told apart."""
    exact = GROUPING_NOISE.sub("", unicodedata.normalize("NFKC", name).translate(TRADITIONAL)).casefold()
    stem = exact
    for suffix in GROUPING_SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem.removesuffix(suffix)
            break
    if stem.endswith("产业") and len(stem) > 2:  # 电子信息产业 is the 电子信息 cluster too
        stem = stem.removesuffix("产业")
    return exact, stem


def chain_position(word: str) -> str | None:
    """The ChainMembership position a word names (链主, 龙头企业, 上游环节 …), None when it names none."""
    key = re.sub(r"\s", "", word).removesuffix("企业").removesuffix("环节")
    return CHAIN_POSITIONS.get(key) or CHAIN_POSITIONS.get(key.casefold())


def check_grouping_name(name: str) -> None:
    if len(name) > MAX_GROUPING_NAME:
        raise import_values.CellError(
            _("名称“%(name)s…”过长（最多 %(n)s 字）") % {"name": name[:20], "n": MAX_GROUPING_NAME}
        )


def split_position(part: str) -> re.Match | None:
    """The name and the position word of a chain entry written "name（word）", "name[word]", "name【word】" or
    "name:word", as a match with groups "name" and one of "a"/"b"/"c"; None when the entry has no position part."""
    return POSITION_IN_BRACKETS.match(part) or POSITION_AFTER_COLON.match(part)
