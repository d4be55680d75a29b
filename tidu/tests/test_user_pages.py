"""Every page, PDF and export of a seeded demo, as every persona reaches it from the menu: no development notes.

Where a model's facts come from ("[P]", "按记忆整理", "网上…抓取", "standards.md" …) is provenance. Officers and admins
read it in one place, the provenance section of a model's page; nobody meets it anywhere else."""

import re
from collections import Counter

import pytest

from accounts.models import User
from assessments import services as assessment_services
from assessments.demo import seed_demo_assessments
from assessments.models import Assessment, AssessmentResult, ModelVersion
from catalog import demo as catalog_demo
from enterprises.demo import seed_demo
from maturity.answers import applies
from reports.services import issue_report
from tidu.tests.crawler import crawl

pytestmark = pytest.mark.django_db

MARKERS = ("[P]", "[U]", "[NF]", "[V]", "按记忆整理", "按记忆", "抓取", "未找到", "standards.md", "(ref ", "（ref ")
PERSONAS = ("admin", "province", "city", "county", "enterprise", "provider", "commissioner", "expert")
AUTHORITIES = {"admin", "province", "city", "county"}
# The one place provenance may be read, and by authorities only: the model page's provenance section, and the model
# file itself (its download is the file a province edits and re-imports).
PROVENANCE_SECTION = re.compile(r'<section[^>]*data-testid="provenance".*?</section>', re.S)
MODEL_FILE = re.compile(r"^/assessments/models/\d+/download\.")
LEGACY_LINE = "注意：该模型或其评分规则为暂定版本，结果仅供参考（按记忆整理的规则（[U]），网上问卷抓取（[P]））。"


def _answers(a: Assessment) -> dict:
    answers = {}
    for ref in a.model_version.parsed().iter_items():
        item = ref.item
        if not applies(ref, a.context):
            continue
        if item.kind in ("graded", "single_choice"):
            answers[item.code] = item.options[len(item.options) // 2].code
        elif item.kind == "multi_select":
            answers[item.code] = [next(o.code for o in item.options if not o.exclusive)]
        elif item.kind == "numeric_bands":
            answers[item.code] = 35
        elif item.kind == "scene":
            answers[item.code] = 3
        elif item.kind == "prerequisite":
            answers[item.code] = True
    return answers


@pytest.fixture
def demo(settings):
    """A small synthetic province: 40 enterprises, demo pools, demo assessments; the demo enterprise has a CMMM and an
    SME-2024 result (with scenes, one of them carrying a trace line written before provenance existed) and an issued
    report in each series."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(province="36", enterprises=40, seed=3, password="Demo-pass-2026!")
    catalog_demo.seed(province="36", seed=1, needs=4)
    seed_demo_assessments(seed=1, cmmm_share=0.3, sme_share=0.3)
    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
    me = users["enterprise"]
    enterprise = me.memberships.get().enterprise
    for code in ("cmmm", "sme-2024"):
        version = ModelVersion.objects.get(code=code, is_current=True)
        a = assessment_services.start(actor=me, enterprise=enterprise, version=version, kind=Assessment.Kind.SELF)
        assert assessment_services.save_answers(actor=me, assessment=a, updates=_answers(a)) == {}
        assessment_services.submit(actor=me, assessment=a)
    draft = assessment_services.start(  # its questionnaire pages carry the model's banner and item badges
        actor=me, enterprise=enterprise, version=ModelVersion.objects.get(code="sme-2024", is_current=True), kind="self"
    )
    assessment_services.save_answers(actor=me, assessment=draft, updates={"O1.1": 2})
    result = AssessmentResult.objects.filter(assessment__enterprise=enterprise, is_current=True).first()
    result.snapshot = {**result.snapshot, "trace": [LEGACY_LINE, *result.snapshot["trace"]]}
    result.save(update_fields=["snapshot"])
    issue_report(actor=users["county"], enterprise=enterprise)
    issue_report(actor=me, enterprise=enterprise)
    return users


def leaks(page, persona: str) -> list[str]:
    text = page.text
    if persona in AUTHORITIES:
        if MODEL_FILE.match(page.url):
            return []
        text = PROVENANCE_SECTION.sub("", text)
    return [m for m in MARKERS if m in text]


def test_no_page_pdf_or_export_shows_development_notes_to_anyone(demo, client):
    covered: Counter = Counter()
    found = []
    pages_of = {}
    for persona in PERSONAS:
        client.force_login(demo[persona], backend="django.contrib.auth.backends.ModelBackend")
        pages = crawl(client, start=["/"], limit=200, per_pattern=1)
        for page in pages:
            covered[(persona, page.kind)] += 1
            found += [(persona, page.url, m, page.source) for m in leaks(page, persona)]
        covered[(persona, "all")] = len(pages)
        pages_of[persona] = pages
        assert [p.url for p in pages if p.status >= 500] == [], persona
    by_kind = Counter()
    for (_persona, kind), n in covered.items():
        if kind != "all":
            by_kind[kind] += n
    print(f"\nmarker scan: {sum(by_kind.values())} responses — " + ", ".join(f"{k} {n}" for k, n in by_kind.items()))
    print("per persona: " + ", ".join(f"{p} {covered[(p, 'all')]}" for p in PERSONAS))
    assert found == []
    # The crawl really went places: a broken crawler (or a login that failed) must fail here, not pass quietly.
    assert sum(by_kind.values()) >= 250 and by_kind["pdf"] >= 4 and by_kind["html"] >= 200
    assert by_kind["csv"] + by_kind["xlsx"] >= 2
    for persona in PERSONAS:
        assert covered[(persona, "html")] >= 10, persona
    fills = [p for p in pages_of["enterprise"] if "/fill/" in p.url and p.kind == "html"]
    assert fills and "本模型部分内容尚待官方文本核实" in fills[0].text  # the questionnaire was reached


def test_the_scan_is_not_blind(world, login):
    """The officer's model page does carry provenance; the scan allows it there for officers and nowhere else."""
    client = login(world["province"])
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    (page,) = crawl(client, start=[f"/assessments/models/{version.pk}/"], limit=1)
    assert "[NF]" in page.text and leaks(page, "province") == []
    assert leaks(page, "enterprise")  # the same text anywhere else is a leak
