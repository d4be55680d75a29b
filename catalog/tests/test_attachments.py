"""Attachments of providers, solutions and cases: checked uploads, scoped downloads, removal by the owner, events.
Views are exercised through their URLs. All records and files here are synthetic."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from catalog.models import Attachment, Case, PoolEvent, Provider, Solution
from conftest import make_code
from core.tests import hostile

pytestmark = pytest.mark.django_db
UPLOAD = "/catalog/attachments/upload/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = hostile.png()  # a real 1×1 PNG: the check walks its chunks to IEND


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "not an office document")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.fixture
def pool(world):
    """The world's provider organisation (registered in 南昌, published) with a draft and a published solution and
    a case; the provider *user* is world["provider"]."""
    org = world["provider"].memberships.get().provider
    Provider.objects.filter(pk=org.pk).update(status="published")
    org.refresh_from_db()
    draft = Solution.objects.create(provider=org, title="草稿方案（测试）", description="测试", status="draft")
    published = Solution.objects.create(
        provider=org, title="已发布方案（测试）", description="测试", status="published"
    )
    case = Case.objects.create(provider=org, title="案例（测试）", industry_id="34", region_id="360102")
    return {**world, "org": org, "draft": draft, "published": published, "case": case}


def post(client, target: dict, name="资质证书.pdf", content=PDF, kind="qualification"):
    return client.post(UPLOAD, {**target, "kind": kind, "file": SimpleUploadedFile(name, content)})


def add(pool, target=None, **kw) -> Attachment:
    client_response = post(pool["client"], target or {"provider": pool["org"].pk}, **kw)
    assert client_response.status_code == 302
    return Attachment.objects.latest("id")


@pytest.fixture
def owner(pool, login):
    return {**pool, "client": login(pool["provider"])}


def test_a_provider_user_uploads_a_qualification_stored_under_a_random_name(owner, media):
    attachment = add(owner, name="营业执照（测试）.pdf")
    assert attachment.original_name == "营业执照（测试）.pdf" and attachment.size == len(PDF)
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64
    assert "营业执照" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert attachment.uploaded_by == owner["provider"]
    assert [p.read_bytes() for p in stored_files(media)] == [PDF]
    event = PoolEvent.objects.get(kind="attachment_added")
    assert event.provider == owner["org"] and event.actor == owner["provider"] and "营业执照" in event.summary


def test_a_provider_user_attaches_files_to_its_solutions_and_cases(owner):
    on_solution = add(owner, {"solution": owner["draft"].pk}, name="产品手册.docx", content=docx(), kind="brochure")
    assert (on_solution.solution, on_solution.case, on_solution.provider) == (owner["draft"], None, owner["org"])
    on_case = add(owner, {"case": owner["case"].pk}, name="成效.png", content=PNG, kind="evidence")
    assert (on_case.case, on_case.solution) == (owner["case"], None)
    assert PoolEvent.objects.filter(kind="attachment_added").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "不支持的文件类型"),
        ("资质.pdf", b"MZ\x90\x00" + b"\x00" * 60, "文件内容与扩展名 .pdf 不符"),  # a Windows program renamed
        ("资质.pdf", b"<html><script>alert(1)</script></html>", "文件内容与扩展名 .pdf 不符"),
        ("图片.png", b"<!doctype html><html></html>", "文件内容与扩展名 .png 不符"),
        ("方案.docx", plain_zip(), "文件内容与扩展名 .docx 不符"),
        ("资质.pdf", hostile.pdf() + b"<html><script>alert(1)</script></html>", "文件内容与扩展名 .pdf 不符"),
        ("图片.png", PNG + b"<html><script>alert(1)</script></html>", "文件内容与扩展名 .png 不符"),
        ("方案.docx", hostile.docx({"word/vbaProject.bin": b"VBA"}), "含有宏、ActiveX 控件或脚本"),
        ("空.pdf", b"", "文件为空"),
    ],
)
def test_disguised_or_empty_files_are_refused_and_nothing_is_stored(owner, media, name, content, message):
    response = post(owner["client"], {"provider": owner["org"].pk}, name=name, content=content)
    # The provider's page again with the reason, as a client error.
    assert response.status_code == 422 and message in response.content.decode()
    assert owner["org"].name in response.content.decode()
    assert not Attachment.objects.exists() and not PoolEvent.objects.exists()
    assert stored_files(media) == []


def test_a_refused_file_on_a_case_shows_the_case_page_with_the_reason(owner, media):
    target = {"case": owner["case"].pk}
    response = post(owner["client"], target, name="成效.png", content=PNG + b"<html>", kind="evidence")
    assert response.status_code == 422 and "文件内容与扩展名 .png 不符" in response.content.decode()
    assert owner["case"].title in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_the_size_limit_comes_from_the_setting(owner, media, settings):
    settings.TIDU_ATTACHMENT_MAX_MB = 1
    response = post(owner["client"], {"provider": owner["org"].pk}, content=PDF + b"0" * (1024 * 1024))
    assert response.status_code == 422 and "文件超过 1 MB 上限" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_an_unknown_kind_is_refused(owner, media):
    response = post(owner["client"], {"provider": owner["org"].pk}, kind="virus")
    assert response.status_code == 422 and "请选择附件类别" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_a_registration_region_officer_may_add_qualifications_only(pool, login, media):
    client = login(pool["city"])
    assert post(client, {"provider": pool["org"].pk}).status_code == 302
    assert Attachment.objects.get().uploaded_by == pool["city"]
    assert post(client, {"provider": pool["org"].pk}, kind="brochure").status_code == 403
    assert post(client, {"solution": pool["published"].pk}).status_code == 403
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1


@pytest.mark.parametrize("persona", ["enterprise", "commissioner", "expert", "nobody", "other_city"])
def test_other_personas_cannot_upload_to_a_published_provider(pool, login, media, persona):
    assert post(login(pool[persona]), {"provider": pool["org"].pk}).status_code == 403
    assert not Attachment.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("persona", ["enterprise", "other_city", "nobody"])
def test_outsiders_cannot_upload_to_a_draft_solution_it_does_not_exist_for_them(pool, login, media, persona):
    assert post(login(pool[persona]), {"solution": pool["draft"].pk}, kind="brochure").status_code == 404
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_a_solution_named_with_another_provider_is_not_found(owner, media):
    other = Provider.objects.create(name="另一服务商（测试）", credit_code=make_code("360402"), region_id="360400")
    response = post(owner["client"], {"provider": other.pk, "solution": owner["draft"].pk}, kind="brochure")
    assert response.status_code == 404 and not Attachment.objects.exists()


def test_anonymous_visitors_cannot_upload_or_download(owner, client):
    attachment = add(owner)
    client.logout()
    assert post(client, {"provider": owner["org"].pk}).status_code == 302
    assert client.get(f"/catalog/attachments/{attachment.pk}/").status_code == 302
    assert Attachment.objects.count() == 1


def test_the_download_is_an_attachment_with_the_original_name_and_nosniff(owner, login):
    attachment = add(owner, name="资质 证书.pdf")
    response = login(owner["enterprise"]).get(f"/catalog/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E8%B5%84%E8%B4%A8%20%E8%AF%81%E4%B9%A6.pdf" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("provider", 200), ("city", 200), ("province", 200), ("admin", 200)]
    + [(p, 404) for p in ("enterprise", "other_city", "commissioner", "expert", "nobody")],
)
def test_a_draft_solution_s_files_are_there_only_for_the_provider_and_its_officers(owner, login, persona, status):
    attachment = add(owner, {"solution": owner["draft"].pk}, kind="brochure")
    assert login(owner[persona]).get(f"/catalog/attachments/{attachment.pk}/").status_code == status


def test_a_draft_provider_s_files_are_not_there_for_outsiders(owner, login):
    attachment = add(owner)
    Provider.objects.filter(pk=owner["org"].pk).update(status="draft")
    assert login(owner["enterprise"]).get(f"/catalog/attachments/{attachment.pk}/").status_code == 404
    assert login(owner["city"]).get(f"/catalog/attachments/{attachment.pk}/").status_code == 200


def test_the_owner_deletes_an_attachment_and_its_file(owner, media, django_capture_on_commit_callbacks):
    attachment = add(owner)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the removal is committed
        response = owner["client"].post(f"/catalog/attachments/{attachment.pk}/delete/")
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert PoolEvent.objects.filter(kind="attachment_removed", provider=owner["org"]).count() == 1


@pytest.mark.parametrize(
    ("persona", "status"), [("enterprise", 403), ("city", 403), ("other_city", 403), ("expert", 403)]
)
def test_others_cannot_delete_the_provider_s_attachment(owner, login, media, persona, status):
    attachment = add(owner, kind="brochure")
    assert login(owner[persona]).post(f"/catalog/attachments/{attachment.pk}/delete/").status_code == status
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1
    assert not PoolEvent.objects.filter(kind="attachment_removed").exists()


def test_an_officer_removes_a_qualification_they_added(pool, login, media):
    client = login(pool["city"])
    post(client, {"provider": pool["org"].pk})
    attachment = Attachment.objects.get()
    assert client.post(f"/catalog/attachments/{attachment.pk}/delete/").status_code == 302
    assert not Attachment.objects.exists()


def test_delete_needs_a_post(owner):
    attachment = add(owner)
    assert owner["client"].get(f"/catalog/attachments/{attachment.pk}/delete/").status_code == 405
    assert Attachment.objects.count() == 1


def render_panel(user, **owner) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load catalog_attachments %}{% attachments_panel provider solution=solution case=case %}")
    return template.render(Context({"request": request, "solution": None, "case": None, **owner}))


def test_the_panel_lists_the_record_s_files_and_offers_the_form_to_those_who_may_upload(owner):
    add(owner, name="<i>资质.pdf")
    add(owner, {"solution": owner["published"].pk}, name="手册.pdf", kind="brochure")
    html = render_panel(owner["provider"], provider=owner["org"])
    assert "&lt;i&gt;资质.pdf" in html and "手册.pdf" not in html  # inert, and only the record's own files
    assert 'data-testid="attachment-form"' in html and 'data-testid="delete-attachment"' in html
    outsider = render_panel(owner["enterprise"], provider=owner["org"])
    assert "资质" in outsider and "attachment-form" not in outsider and "delete-attachment" not in outsider
    officer = render_panel(owner["city"], provider=owner["org"])
    assert 'value="qualification"' in officer and 'value="brochure"' not in officer
    on_solution = render_panel(owner["provider"], provider=owner["org"], solution=owner["published"])
    assert "手册.pdf" in on_solution and 'name="solution"' in on_solution
