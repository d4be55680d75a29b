"""The English translation: pages switch to English on request, stay Chinese by default, and the catalogue is
complete (every entry translated, nothing fuzzy, placeholders intact, the compiled .mo matching the .po)."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"

# The main navigation, as (Chinese source, English translation).
NAV = [
    ("工作台", "Workbench"),
    ("企业档案", "Enterprise archive"),
    ("产业集群", "Industrial clusters"),
    ("产业链", "Industry chains"),
    ("批量导入", "Bulk import"),
]


def nav_of(html: str) -> str:
    """The page's navigation bar only: page bodies may still hold Chinese user data (enterprise names)."""
    start = html.index('<nav class="navbar')
    return html[start : html.index("</nav>", start)]


def in_english(client: Client) -> Client:
    """Switch the client's language the way the switch button in base.html does."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


# ---------------------------------------------------------------------------------------------------------------------
# Pages


@pytest.mark.django_db
def english(client):
    """The language switch stores the choice in this cookie; only the choice turns English on."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_user_switches():
    html = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html


@pytest.mark.django_db
def test_login_page_in_english_once_chosen():
    html = english(Client()).get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    for text in ("Log in", "Username", "Password", "Enterprise archive", "locked on this device for 15 minutes"):
        assert text in html
    for text in ("登录", "用户名", "密码"):
        assert text not in html
    assert 'value="zh-hans">中文</button>' in html  # the switch offers the way back


@pytest.mark.django_db
def test_login_page_is_chinese_by_default():
    html = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans">' in html
    for text in ("登录", "用户名", "密码", "企业档案"):
        assert text in html
    for text in ("Log in", "Username", "Password"):
        assert text not in html
    assert 'value="en">EN</button>' in html


@pytest.mark.parametrize("url_name", ["home", "enterprises:list"])
def test_workbench_and_list_in_english_once_chosen(world, login, url_name):
    client = english(login(world["city"]))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    nav = nav_of(html)
    for chinese, english_text in NAV:
        assert english_text in nav
        assert chinese not in nav
    assert "Log out" in nav and "退出登录" not in nav
    assert "City industry authority" in nav  # the role shown in the user menu comes from a model's choices


@pytest.mark.parametrize("url_name", ["home", "enterprises:list"])
def test_workbench_and_list_are_chinese_by_default(world, login, url_name):
    html = login(world["city"]).get(reverse(url_name)).content.decode()
    nav = nav_of(html)
    for chinese, english in NAV:
        assert chinese in nav
        assert english not in nav
    assert "市级主管部门" in nav


def test_workbench_in_english(world, login):
    html = in_english(login(world["city"])).get(reverse("home")).content.decode()
    for text in ("Workbench", "Registered enterprises", "Enterprises above designated size", "Recent activity"):
        assert text in html
    for text in ("在册企业", "规模以上企业", "最近动态"):
        assert text not in html
    assert "Record created" in html  # the event kind of each new enterprise, from the model's choices


def test_enterprise_list_in_english(world, login):
    html = in_english(login(world["city"])).get(reverse("enterprises:list")).content.decode()
    assert "<h1>Enterprise archive</h1>" in html
    for text in ("2 enterprises", "Unified social credit code", "County/district", "Filter", "New enterprise"):
        assert text in html
    for text in ("共 2 家企业", "统一社会信用代码", "新建企业"):
        assert text not in html


def test_enterprise_list_is_chinese_by_default(world, login):
    html = login(world["city"]).get(reverse("enterprises:list")).content.decode()
    assert "<h1>企业档案</h1>" in html
    assert "共 2 家企业" in html
    assert "2 enterprises" not in html


def test_filter_labels_and_form_errors_in_english_once_chosen(world, login):
    client = english(login(world["county"]))
    html = client.get(reverse("enterprises:list")).content.decode()
    for text in (">Search</label>", ">Region</label>", ">Sort by</label>", "All regions", "pinyin initials"):
        assert text in html
    for text in ("搜索", "全部区域", "排序", "拼音首字母"):
        assert text not in html

    data = {"credit_code": "123", "name": "测试企业有限公司", "county": "360102", "industry": "34"}
    response = client.post(reverse("enterprises:create"), data)
    assert response.status_code == 200  # the form again, with its errors
    html = response.content.decode()
    assert "A unified social credit code has 18 characters; this one has 3" in html
    assert "统一社会信用代码应为 18 位" not in html


def test_language_switch_persists_and_switches_back(world, login):
    client = in_english(login(world["county"]))
    assert "Workbench" in nav_of(client.get(reverse("home")).content.decode())
    assert "Enterprise archive" in nav_of(client.get(reverse("enterprises:list")).content.decode())
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    nav = nav_of(client.get(reverse("home")).content.decode())
    assert "工作台" in nav and "Workbench" not in nav


def test_grouping_title_is_translated(world, login):
    html = in_english(login(world["city"])).get(reverse("enterprises:grouping_list", args=["clusters"])).content
    html = html.decode()
    assert "<h1>Industrial clusters</h1>" in html
    assert "New Industrial cluster" in html
    assert "新建" not in html


# ---------------------------------------------------------------------------------------------------------------------
# The catalogue


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (msgstr[n] as 'msgstr[n]'), flags.

    Obsolete entries (#~) are skipped; the header (empty msgid) is included."""
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry or {"flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            if "msgid" in entry and key in ("msgctxt", "msgid"):  # a new entry without a blank line before it
                entries.append(entry)
                entry = {"flags": set()}
            entry[key] = _unquote(value)
    return entries


def translations(entry: dict) -> list[tuple[str, str]]:
    """(key, text) of every translation of an entry: msgstr, or msgstr[0], msgstr[1] … for a plural."""
    return sorted((k, v) for k, v in entry.items() if k.startswith("msgstr"))


@pytest.fixture(scope="module")
def po_entries():
    assert PO_FILE.exists(), "run: manage.py makemessages -l en"
    return parse_po(PO_FILE)


def test_po_has_a_header_and_many_entries(po_entries):
    header = [e for e in po_entries if e["msgid"] == ""]
    assert len(header) == 1
    assert "Language: en" in header[0]["msgstr"]
    assert "charset=UTF-8" in header[0]["msgstr"]
    assert len(po_entries) > 200


def test_po_has_no_fuzzy_or_untranslated_entries(po_entries):
    fuzzy = [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]]
    empty = [
        e["msgid"] for e in po_entries if e["msgid"] and any(not v for k, v in e.items() if k.startswith("msgstr"))
    ]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not empty, f"untranslated entries: {empty}"


def test_po_translations_are_english_and_keep_placeholders(po_entries):
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|\{\w*\}")
    for e in po_entries:
        if not e["msgid"]:
            continue
        for key, msgstr in translations(e):
            source = e["msgid_plural"] if key == "msgstr[1]" else e["msgid"]
            assert not re.search(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff1f]", msgstr), (e["msgid"], msgstr)
            assert sorted(placeholder.findall(source)) == sorted(placeholder.findall(msgstr)), e["msgid"]
            assert msgstr.count("<code>") == source.count("<code>"), e["msgid"]


def test_mo_is_compiled_from_the_current_po(po_entries):
    assert MO_FILE.exists(), "run: manage.py compilemessages -l en"
    with MO_FILE.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    for e in po_entries:
        if not e["msgid"]:
            continue
        if "msgid_plural" in e:  # English: n == 1 → msgstr[0], otherwise msgstr[1]
            got = [mo.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr[0]"], e["msgstr[1]"]]
        else:
            got = mo.pgettext(e["msgctxt"], e["msgid"]) if "msgctxt" in e else mo.gettext(e["msgid"])
            want = e["msgstr"]
        assert got == want, f"{e['msgid']!r}: .mo is stale, run: manage.py compilemessages -l en"


def test_templates_have_no_unmarked_chinese_text():
    """Chinese outside {% translate %}/{% blocktranslate %} would stay Chinese in English. The brand and the
    language switch's own label are deliberately the same in both languages."""
    allowed = {
        '<a class="navbar-brand fw-semibold" href="">梯度 <span class="brand-sub">Tidu</span></a>',
        '<button class="btn btn-sm btn-outline-light" name="language" value="zh-hans">中文</button>',
    }
    found = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        text = re.sub(r"\{%\s*blocktranslate.*?endblocktranslate\s*%\}", "", path.read_text(), flags=re.S)
        text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", "", text, flags=re.S)
        for line in text.splitlines():
            if re.search(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff1f]", line) and line.strip() not in allowed:
                found.append(f"{path.relative_to(TEMPLATES_DIR)}: {line.strip()}")
    assert not found, "unmarked text:\n" + "\n".join(found)


API_REFUSALS = {"HttpError": 1, "PermissionDenied": 0, "problem": 2}  # call → position of its message argument


def test_api_refusals_are_marked_for_translation():
    """An API refusal's message reaches the client as `detail`: a Chinese literal not passed through gettext stays
    Chinese for an English user. Every `*api.py` module's HttpError / PermissionDenied / problem messages."""
    import ast

    found = []
    for path in sorted(Path(settings.BASE_DIR).glob("*/*api.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            at = API_REFUSALS.get(name)
            if at is None or len(node.args) <= at:
                continue
            message = node.args[at]
            literal = isinstance(message, ast.Constant | ast.JoinedStr)
            if literal and re.search(r"[\u4e00-\u9fff]", ast.unparse(message)):
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}: {ast.unparse(message)}")
    assert not found, "API refusals not marked for translation:\n" + "\n".join(found)
