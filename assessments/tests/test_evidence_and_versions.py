"""Evidence uploads are checked; model versions are stored, corrected and rescored without losing old results."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import maturity
from assessments import services
from assessments.model_views import public_spec
from assessments.models import Assessment, AssessmentResult, Evidence, ModelVersion
from core.tests import hostile

from .conftest import all_answers

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, a, code, name, content, group):
    body = {"group": group, "upload": code, f"f:{code}": SimpleUploadedFile(name, content)}
    return client.post(reverse("assessments:evidence_upload", args=[a.pk]), body)


def test_evidence_is_checked_stored_and_served_only_in_scope(world, login, cmmm):
    client = login(world["enterprise"])
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    ref = next(iter(cmmm.parsed().iter_items()))
    group = ref.path[0].code
    response = upload(client, a, ref.item.code, "制度.pdf", PDF, group)
    assert response.status_code == 302
    ev = Evidence.objects.get(assessment=a, item_code=ref.item.code)
    assert ev.original_name == "制度.pdf" and ev.size == len(PDF) and ev.file.name.endswith(".pdf")
    assert "制度" not in ev.file.name  # stored under a random name
    download = client.get(reverse("assessments:evidence_download", args=[a.pk, ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert (
        login(world["other_city"]).get(reverse("assessments:evidence_download", args=[a.pk, ev.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("fake.pdf", b"<html>not a pdf</html>", "文件内容与扩展名"),
        ("fake.docx", b"PK\x03\x04rubbish", "文件内容与扩展名"),
        ("polyglot.pdf", hostile.pdf() + b"<html><script>alert(1)</script></html>", "文件内容与扩展名 .pdf 不符"),
        ("polyglot.png", hostile.png() + b"<html><script>alert(1)</script></html>", "文件内容与扩展名 .png 不符"),
        ("macro.docx", hostile.docx({"word/vbaProject.bin": b"VBA"}), "含有宏、ActiveX 控件或脚本"),
        ("empty.png", b"", "文件为空"),
    ],
)
def test_bad_evidence_is_refused_with_a_reason_and_answers_on_the_page_are_kept(
    world, login, cmmm, name, content, message
):
    client = login(world["enterprise"])
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    first, second = list(cmmm.parsed().iter_items())[:2]
    group = first.path[0].code
    body = {
        "group": group,
        "upload": first.item.code,
        f"f:{first.item.code}": SimpleUploadedFile(name, content),
        f"m:{second.item.code}": "1",
        f"a:{second.item.code}": "most",
    }
    response = client.post(reverse("assessments:evidence_upload", args=[a.pk]), body)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Evidence.objects.exists()
    a.refresh_from_db()
    assert a.answers == {second.item.code: "most"}


def test_an_office_document_must_really_be_one(world, login, cmmm):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    client = login(world["enterprise"])
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    ref = next(iter(cmmm.parsed().iter_items()))
    assert upload(client, a, ref.item.code, "方案.docx", buffer.getvalue(), ref.path[0].code).status_code == 302
    assert upload(client, a, ref.item.code, "方案.xlsx", buffer.getvalue(), ref.path[0].code).status_code == 422


def corrected(version: ModelVersion, new_version: str, tweak) -> maturity.ModelSpec:
    data = dict(version.spec)
    data["version"] = new_version
    tweak(data)
    return maturity.parse_spec(data)


def test_a_corrected_version_rescored_adds_snapshots_and_keeps_the_old_ones(world, cmmm):
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    services.save_answers(
        actor=world["enterprise"], assessment=a, updates=all_answers(cmmm, a.context, lambda i: "most")
    )
    services.submit(actor=world["enterprise"], assessment=a)
    old = AssessmentResult.objects.get(assessment=a)
    assert old.level_name.startswith("四级")  # 0.8 at every level: S = 4.0

    def stricter(data):
        data["rule"] = {**data["rule"], "pass_threshold": 0.85}

    new = services.publish_version(corrected(cmmm, "2020-tidu-1-fix", stricter), change_note="阈值修订（测试）")
    cmmm.refresh_from_db()
    assert new.is_current and not cmmm.is_current and new.corrects == cmmm
    report = services.rescore(version=new)
    assert report.rescored == 1 and report.failed == {}
    results = list(AssessmentResult.objects.filter(assessment=a).order_by("id"))
    assert [r.is_current for r in results] == [False, True]
    assert results[0].level_name == old.level_name  # the old snapshot is unchanged
    # 0.8 < 0.85: level 1 fails, so only its 0.8 counts → 一级 (0.8 ≤ S < 1.8)
    assert results[1].model_version == new and results[1].score == pytest.approx(0.8)
    assert results[1].level_name.startswith("一级")
    a.refresh_from_db()
    assert a.model_version == cmmm  # the answers stay pinned to the version they were given against
    assert services.rescore(version=new).rescored == 0  # idempotent


def test_rescoring_reports_assessments_that_do_not_fit_the_corrected_model(world, cmmm):
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    code = next(iter(cmmm.parsed().iter_items())).item.code
    services.save_answers(actor=world["enterprise"], assessment=a, updates={code: "full"})
    services.submit(actor=world["enterprise"], assessment=a)

    def drop_first_item(data):
        node = data["nodes"][0]
        while node.get("children"):
            node = node["children"][0]
        node["items"] = node["items"][1:]

    new = services.publish_version(corrected(cmmm, "2020-tidu-1-cut", drop_first_item))
    report = services.rescore(version=new)
    assert report.rescored == 0 and code in report.failed[a.pk]
    assert AssessmentResult.objects.get(assessment=a).is_current  # keeps its old result


def test_admin_publishes_a_new_version_from_a_file_and_bad_files_are_explained(world, login, cmmm):
    client = login(world["admin"])
    url = reverse("assessments:model_upload")
    bad = SimpleUploadedFile("m.yaml", b"code: x\nname: y\nversion: '1'\nstatus: maybe\nnodes: []\n")
    response = client.post(url, {"file": bad, "change_note": "测试"})
    assert response.status_code == 200 and "status" in response.content.decode()
    assert ModelVersion.objects.filter(code="x").count() == 0
    spec = corrected(cmmm, "2020-tidu-9", lambda d: None)
    good = SimpleUploadedFile("m.yaml", maturity.dump_yaml(spec).encode())
    response = client.post(url, {"file": good, "change_note": "新版本"})
    assert response.status_code == 302
    assert ModelVersion.objects.get(code="cmmm", is_current=True).version == "2020-tidu-9"
    again = SimpleUploadedFile("m.yaml", maturity.dump_yaml(spec).encode())
    assert "已存在" in client.post(url, {"file": again, "change_note": "重复"}).content.decode()
    assert login(world["province"]).post(url, {"file": good, "change_note": "x"}).status_code == 403


def test_model_pages_show_status_and_download_yaml_that_loads_back(world, login, cmmm):
    client = login(world["enterprise"])
    listing = client.get(reverse("assessments:model_list")).content.decode()
    assert cmmm.name in listing and "暂定" in listing
    text = client.get(reverse("assessments:model_download", args=[cmmm.pk, "yaml"])).content.decode()
    # The enterprise's copy is the model without its provenance (officers' working notes); the admin's is whole.
    assert maturity.load_yaml(text) == public_spec(cmmm.parsed()) and "provenance" not in text
    detail = client.get(reverse("assessments:model_detail", args=[cmmm.pk])).content.decode()
    assert "M2.3" in detail and 'data-testid="provenance"' not in detail
    whole = login(world["admin"]).get(reverse("assessments:model_download", args=[cmmm.pk, "yaml"]))
    assert maturity.load_yaml(whole.content.decode()) == cmmm.parsed()
    officer = login(world["province"]).get(reverse("assessments:model_detail", args=[cmmm.pk])).content.decode()
    assert 'data-testid="provenance"' in officer and "[NF]" in officer


def test_submitted_answers_cannot_be_changed_by_any_path(world, login, cmmm):
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    services.submit(actor=world["enterprise"], assessment=a)
    with pytest.raises(services.AssessmentError):
        services.save_answers(actor=world["enterprise"], assessment=a, updates={})
    with pytest.raises(services.AssessmentError):
        services.submit(actor=world["enterprise"], assessment=Assessment.objects.get(pk=a.pk))
    client = login(world["enterprise"])
    assert client.post(reverse("assessments:autosave", args=[a.pk]), {"group": "P"}).status_code == 403


def test_a_model_edited_in_excel_is_published_and_the_admin_rescores_from_its_page(world, login, cmmm):
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    services.save_answers(
        actor=world["enterprise"], assessment=a, updates=all_answers(cmmm, a.context, lambda i: "most")
    )
    services.submit(actor=world["enterprise"], assessment=a)
    spec = corrected(cmmm, "2020-tidu-xlsx", lambda d: d.update(rule={**d["rule"], "pass_threshold": 0.85}))
    client = login(world["admin"])
    workbook = SimpleUploadedFile("cmmm.xlsx", maturity.export_xlsx(spec))
    response = client.post(reverse("assessments:model_upload"), {"file": workbook, "change_note": "Excel 修订"})
    assert response.status_code == 302
    new = ModelVersion.objects.get(code="cmmm", is_current=True)
    assert new.version == "2020-tidu-xlsx" and new.parsed() == spec
    page = client.get(reverse("assessments:model_detail", args=[new.pk])).content.decode()
    assert "1 份已提交评估的当前结果来自其他版本" in page
    assert client.post(reverse("assessments:model_rescore", args=[new.pk])).status_code == 302
    assert AssessmentResult.objects.get(assessment=a, is_current=True).model_version == new
    assert login(world["province"]).post(reverse("assessments:model_rescore", args=[new.pk])).status_code == 403
