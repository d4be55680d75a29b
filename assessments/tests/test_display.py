"""What a result looks like to its reader: one number everywhere, answered-but-unscored parts shown with their meaning,
no development notes."""

import re

import pytest
from django.urls import reverse

import maturity
from assessments import services
from assessments.models import Assessment, AssessmentResult
from enterprises.models import EnterpriseEvent
from maturity.library import load
from maturity.numbers import rounded, score_text
from reports import compose, render

pytestmark = pytest.mark.django_db

# SME 2024 answers whose points add up to 58.775: Python's format/round print 58.77 (binary 58.77499…), Django's
# floatformat printed 58.78 — the "得分 58.78 beside 总分 58.77" of issue 16.
SME_58_775 = {
    "B1.1": ["5g", "coverage"],
    "B1.2": 5,
    "B1.3": 30,
    "B2.1": ["energy", "equipment", "finance", "hr", "marketing", "warehousing"],
    "B3.1": "none",
    "B4.1": ["access", "products", "risk"],
    "B4.2": ["inventory", "policy", "protection", "risk"],
    "O1.1": 3, "O1.2": 3, "O1.3": 1, "O1.4": 3,
    "O2.1": 1, "O2.2": 2, "O2.3": 3, "O2.4": 4, "O2.5": 2, "O2.6": 4,
    "O3.1": 4, "O3.2": 4,
    "O4.1": 2, "O4.2": 4, "O4.3": 3, "O4.4": 1,
    "M1.1": "planned",
    "M1.2": ["data", "process", "systems"],
    "M2.1": ["pay", "pipeline", "staff", "training", "unit"],
    "M2.2": "60-100",
    "E1.1": "down", "E2.1": "flat", "E3.1": "flat", "E3.2": "down",
}  # fmt: skip


def submitted(actor, enterprise, version, answers, kind=Assessment.Kind.SELF):
    a = services.start(actor=actor, enterprise=enterprise, version=version, kind=kind)
    assert services.save_answers(actor=actor, assessment=a, updates=answers) == {}
    services.submit(actor=actor, assessment=a)
    a.refresh_from_db()
    return a


def numbers_after(label: str, text: str) -> list[str]:
    """Every number printed right after `label` (e.g. "得分 58.78", "总分 S = 3.20")."""
    return re.findall(label + r"\s*(?:S\s*=\s*)?(-?\d+(?:\.\d+)?)", text)


def test_the_rounding_rule_is_half_up_on_the_stored_value():
    assert (score_text(58.775), score_text(2.675), score_text(0.125), score_text(3.2)) == (
        "58.78",
        "2.68",
        "0.13",
        "3.20",
    )
    assert f"{58.775:.2f}" == "58.77" and round(58.775, 2) == 58.77  # what the old paths did
    assert score_text(58.774999999999999) == "58.78"  # float noise from summing points does not decide
    assert score_text(-0.001) == "0.00" and score_text(None) == "—"


def test_a_score_of_58_775_reads_58_78_on_every_surface(world, login, sme2024):
    a = submitted(world["enterprise"], world["home"], sme2024, SME_58_775)
    result = AssessmentResult.objects.get(assessment=a, is_current=True)
    assert result.score == pytest.approx(58.775) and f"{result.score:.2f}" == "58.77"
    shown: dict[str, list[str]] = {}

    client = login(world["province"])
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    shown["result page 得分"] = numbers_after("得分", page)[:1]
    shown["explanation 总分"] = numbers_after("总分", page)
    listing = client.get(reverse("assessments:list")).content.decode()
    shown["assessment list"] = re.findall(r"二级 · (\d+\.\d+)", listing)
    panel = client.get(reverse("assessments:enterprise_panel", args=[world["home"].pk])).content.decode()
    shown["enterprise panel"] = re.findall(r"二级 · (\d+\.\d+)", panel)
    event = EnterpriseEvent.objects.get(enterprise=world["home"], kind=EnterpriseEvent.Kind.ASSESSED)
    shown["timeline"] = re.findall(r"（(\d+\.\d+) 分）", event.summary)
    timeline = client.get(reverse("enterprises:detail", args=[world["home"].pk])).content.decode()
    shown["timeline page"] = re.findall(r"（(\d+\.\d+) 分）", timeline)

    api = client.get(f"/api/v1/assessments/{a.pk}/result").json()
    shown["api score_display"] = [api["score_display"]]
    shown["api trace"] = numbers_after("总分", " ".join(api["trace"]))
    shown["api history"] = [api["history"][-1]["score_display"]]
    shown["api detail"] = [client.get(f"/api/v1/assessments/{a.pk}").json()["score_display"]]

    content = compose.compose(world["home"], world["province"])
    body = render.html_body(content)
    shown["report summary table"] = re.findall(r'<td class="num">(\d+\.\d+) / 100</td>', body)
    shown["report standing"] = numbers_after("总分", body)
    shown["report PDF"] = numbers_after("总分", _pdf_text(render.pdf(content)))

    assert all(shown.values()), {k: v for k, v in shown.items() if not v}
    assert {n for values in shown.values() for n in values} == {"58.78"}, shown


def _pdf_text(pdf: bytes) -> str:
    from tidu.tests.crawler import pdf_text

    return pdf_text(pdf)


def test_cmmm_level_scores_and_gaps_read_the_same_in_the_ladder_and_the_explanation(world, login, cmmm):
    def choose(item):
        return {1: "full", 2: "most", 3: "partial"}.get(item.level, "none")

    from .conftest import all_answers

    a = submitted(world["enterprise"], world["home"], cmmm, all_answers(cmmm, {"production_type": "discrete"}, choose))
    snapshot = AssessmentResult.objects.get(assessment=a).snapshot
    page = login(world["province"]).get(reverse("assessments:detail", args=[a.pk])).content.decode()
    for lv in snapshot["levels"]:
        if lv["score"] is not None and lv["counted"]:
            printed = score_text(lv["score"])
            assert f"{lv['name']} {printed}" in page  # the explanation
            assert f"{printed}（达标线" in page  # the ladder
    failed = next(lv for lv in snapshot["levels"] if not lv["passed"])
    gap = float(rounded(failed["threshold"]) - rounded(failed["score"]))
    assert f"{failed['name']}得分 {score_text(failed['score'])}，低于通过线 0.8，差 {gap:g}" in page
    assert f"总分 S = {score_text(snapshot['score'])}" in page


def test_history_change_is_the_difference_of_the_printed_scores(world, login, sme2024):
    first = dict(SME_58_775)
    submitted(world["enterprise"], world["home"], sme2024, first)
    second = {**first, "B3.1": "single"}  # +2.5 points → 61.275, printed 61.28
    a = submitted(world["enterprise"], world["home"], sme2024, second)
    page = login(world["province"]).get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "61.28" in page and "+2.50" in page


# ------------------------------------------------------------------------------ unscored parts


def test_answered_scenes_outside_the_score_are_listed_with_their_grade_meaning_and_not_plotted(world, login, sme2024):
    a = submitted(world["enterprise"], world["home"], sme2024, SME_58_775)
    response = login(world["enterprise"]).get(reverse("assessments:detail", args=[a.pk]))
    page = response.content.decode()
    chart = response.context["chart"]
    plotted = set(chart["radar"]["names"]) | set(chart["bars"]["names"])
    scene_groups = {"产品生命周期数字化", "生产执行数字化", "供应链数字化", "管理决策数字化", "数字化经营"}
    assert plotted and not plotted & scene_groups
    assert None not in chart["radar"]["values"] + chart["bars"]["values"]
    assert 'data-testid="unscored"' in page and "数字化经营（按等级评定，不计入总分；已答 16 项）" in page
    spec = sme2024.parsed()
    for code in ("O2.4", "O1.3"):  # graded 4 and 1
        item = next(r.item for r in spec.iter_items() if r.item.code == code)
        row = re.search(rf'data-testid="unscored-item-{re.escape(code)}">(.*?)</tr>', page, re.S).group(1)
        grade = SME_58_775[code]
        assert f"{grade} 级 / 4 级" in row and item.grade_label(grade) in row and item.name in row
    assert "4 级：5 项" in page  # the summary by grade: O2.4, O2.6, O3.1, O3.2 and O4.2


def test_the_report_lists_unscored_scenes_and_leaves_them_out_of_the_domain_bars(world, sme2024):
    submitted(world["enterprise"], world["home"], sme2024, SME_58_775)
    content = compose.compose(world["home"], world["province"])
    section = content["models"][0]
    assert [d["name"] for d in section["domains"]] == ["数字化基础", "数字化管理", "数字化成效"]
    (part,) = section["unscored"]
    assert part["name"] == "数字化经营" and part["count"] == 16
    body = render.html_body(content)
    assert 'data-testid="report-unscored"' in body and "系统间协同或集成并具备实时或自动功能" in body


def test_a_cmmm_result_has_no_unscored_section(world, login, cmmm):
    from .conftest import all_answers

    a = submitted(
        world["enterprise"], world["home"], cmmm, all_answers(cmmm, {"production_type": "discrete"}, lambda i: "full")
    )
    page = login(world["enterprise"]).get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert 'data-testid="unscored"' not in page


# ------------------------------------------------------------------------------ provenance


MARKERS = ("[P]", "[U]", "[NF]", "[V]", "按记忆整理", "抓取", "未找到", "standards.md")


def test_a_legacy_snapshot_and_a_legacy_model_note_never_reach_the_enterprise(world, login, sme2024):
    """Versions stored before provenance had their remarks in `note`, and their results a trace line quoting it."""
    a = submitted(world["enterprise"], world["home"], sme2024, SME_58_775)
    result = AssessmentResult.objects.get(assessment=a)
    legacy = "注意：该模型或其评分规则为暂定版本，结果仅供参考（按记忆整理的规则（[U]），网上问卷抓取（[P]））。"
    result.snapshot = {**result.snapshot, "trace": [legacy, *result.snapshot["trace"][1:]]}
    result.save(update_fields=["snapshot"])
    client = login(world["enterprise"])
    for url in (
        reverse("assessments:detail", args=[a.pk]),
        f"/api/v1/assessments/{a.pk}/result",
        reverse("assessments:model_detail", args=[sme2024.pk]),
        reverse("assessments:model_download", args=[sme2024.pk, "yaml"]),
        f"/api/v1/models/{sme2024.pk}",
        f"/api/v1/models/{sme2024.pk}/export?format=yaml",
    ):
        text = client.get(url).content.decode()
        assert [m for m in MARKERS if m in text] == [], url
    assert (
        "本模型部分内容尚待官方文本核实，结果仅供参考"
        in client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    )
    officer = login(world["province"])
    assert "[P]" in officer.get(f"/api/v1/models/{sme2024.pk}").content.decode()  # the officer's copy is whole


def test_an_old_style_model_file_with_notes_loads_with_them_as_provenance():
    data = load("sme-2024").model_dump(mode="json")
    data.pop("provenance")
    data["note"] = "指标来自网上抓取（[P]）"
    data["nodes"][0]["note"] = "基础（[P]）"
    data["nodes"][1]["note"] = "场景（[U]）"
    spec = maturity.parse_spec(data)
    assert spec.provenance.notes == "指标来自网上抓取（[P]）" and spec.provenance.status == "provisional"
    assert spec.nodes[0].provenance.notes == "基础（[P]）"
    assert spec.nodes[1].provenance.notes.endswith("\n场景（[U]）")  # added to the provenance it already had
