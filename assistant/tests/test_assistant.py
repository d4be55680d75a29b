"""The assistant with the database: every question is scoped (an enterprise's reports only for those who may see
them), the pages and the API, the corpus page for province officers, uploads, and the index run with progress."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistant import answers, services
from assistant.models import Document, IndexRun, Passage

pytestmark = pytest.mark.django_db
API = "/api/v1/ai/assistant"


def documents_of(answer) -> set[int]:
    return {p.document_id for p in answer.passages}


def report_doc(report) -> Document:
    return Document.objects.get(report=report)


def test_the_policy_answers_with_document_section_and_passage(corpus, world):
    answer = answers.ask(world["enterprise"], "技改项目奖补最高给多少钱？")
    top = answer.passages[0]
    assert top.document_id == corpus["policy"].pk
    assert top.section == "第二章 奖补标准"  # the heading path below the document's title
    assert "最高五百万元" in top.text
    assert answer.mode == "extractive"


def test_an_enterprise_finds_its_own_report_and_never_another_enterprises(corpus, world):
    own, other = report_doc(corpus["home_report"]), report_doc(corpus["other_report"])
    mine = answers.ask(world["enterprise"], "我们企业的检测数据是怎么记录的？")
    assert mine.passages[0].document_id == own.pk
    assert "纸质记录" in mine.passages[0].text
    # Asked in the other enterprise's own words, it still gets nothing of that report.
    for question in ("濂溪化工的危化品仓储有什么问题", "安全环保短板", "九江濂溪化工有限公司诊断报告"):
        assert other.pk not in documents_of(answers.ask(world["enterprise"], question))


def test_officers_see_the_reports_of_their_own_region(corpus, world):
    own, other = report_doc(corpus["home_report"]), report_doc(corpus["other_report"])
    jiujiang = answers.ask(world["other_city"], "危化品仓储监控")
    assert jiujiang.passages[0].document_id == other.pk
    assert own.pk not in documents_of(answers.ask(world["other_city"], "检测数据纸质记录"))
    assert own.pk in documents_of(answers.ask(world["province"], "检测数据纸质记录"))
    assert other.pk in documents_of(answers.ask(world["province"], "危化品仓储监控"))
    assert other.pk in documents_of(answers.ask(world["admin"], "危化品仓储监控"))
    # A provider, an expert or a user without a role sees the public corpus only.
    for persona in ("provider", "expert", "nobody"):
        seen = set()
        for q in ("检测数据纸质记录", "危化品仓储监控"):
            seen |= documents_of(answers.ask(world[persona], q))
        assert seen and not seen & {own.pk, other.pk}, persona


def test_the_ask_page_lists_sources_that_link_to_the_cited_passage(corpus, world, login):
    client = login(world["enterprise"])
    page = client.get("/ai/assistant/", {"q": "技改项目奖补最高给多少钱？"})
    html = page.content.decode()
    top = answers.ask(world["enterprise"], "技改项目奖补最高给多少钱？").passages[0]
    assert page.status_code == 200
    assert f"/ai/assistant/passages/{top.pk}/" in html and "第二章 奖补标准" in html and "最高五百万元" in html
    cited = client.get(f"/ai/assistant/passages/{top.pk}/").content.decode()
    assert f'id="p-{top.pk}" class="assistant-cited" data-testid="cited"><mark>按项目设备投资额' in cited
    assert "第一章 支持对象" in cited  # the passages around it, in the document's order


def test_a_report_passage_is_404_outside_its_scope(corpus, world, login):
    own = report_doc(corpus["home_report"]).passages.first()
    other = report_doc(corpus["other_report"]).passages.first()
    client = login(world["enterprise"])
    assert client.get(f"/ai/assistant/passages/{own.pk}/").status_code == 200
    assert client.get(f"/ai/assistant/passages/{other.pk}/").status_code == 404
    assert login(world["other_city"]).get(f"/ai/assistant/passages/{own.pk}/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(corpus, client):
    assert client.get("/ai/assistant/", {"q": "奖补"}).status_code == 302
    assert client.post(f"{API}/ask", {"question": "奖补"}, content_type="application/json").status_code == 401


def test_the_api_answers_scoped_with_links(corpus, world, login):
    client = login(world["enterprise"])
    body = client.post(f"{API}/ask", {"question": "濂溪化工的危化品仓储有什么问题", "k": 8},
                       content_type="application/json").json()  # fmt: skip
    other = report_doc(corpus["other_report"])
    assert body["mode"] == "extractive" and body["sentences"] == []
    assert body["sources"] and other.pk not in {Passage.objects.get(pk=s["passage_id"]).document_id
                                                for s in body["sources"]}  # fmt: skip
    first = body["sources"][0]
    assert first["number"] == 1 and first["url"].endswith(f"/ai/assistant/passages/{first['passage_id']}/")
    assert client.post(f"{API}/ask", {"question": ""}, content_type="application/json").status_code == 422


def test_the_corpus_page_is_for_province_officers_only(corpus, world, login):
    for persona in ("enterprise", "city", "provider"):
        client = login(world[persona])
        assert client.get("/ai/assistant/corpus/").status_code == 403
        assert client.post("/ai/assistant/corpus/index/").status_code == 403
        assert client.post(f"/ai/assistant/corpus/{corpus['policy'].pk}/remove/").status_code == 403
    assert IndexRun.objects.count() == 1 and Document.objects.filter(pk=corpus["policy"].pk).exists()
    page = login(world["province"]).get("/ai/assistant/corpus/")
    assert page.status_code == 200 and "示例市技术改造奖补办法（测试）" in page.content.decode()


def _pdf(pages: list[str]) -> bytes:
    from weasyprint import HTML

    body = "".join(f'<p style="page-break-after: always">{text}</p>' for text in pages)
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def test_an_uploaded_pdf_keeps_its_pages_and_the_index_run_embeds_the_new_passages(
    corpus, world, login, django_capture_on_commit_callbacks
):
    client = login(world["province"])
    pdf = _pdf(["本细则适用于示例市的专精特新企业。", "首次认定的专精特新企业奖励三十万元。"])
    response = client.post("/ai/assistant/corpus/", {"title": "专精特新奖励细则", "kind": "rules",
                                                     "file": SimpleUploadedFile("细则.pdf", pdf)})  # fmt: skip
    assert response.status_code == 302
    document = Document.objects.get(title="专精特新奖励细则")
    rows = list(document.passages.values_list("page", "text"))
    assert [page for page, _text in rows] == [1, 2] and "三十万元" in rows[1][1]
    assert not document.passages.filter(vector__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ai/assistant/corpus/index/")  # the task is queued on commit and runs inline in tests
    run = IndexRun.objects.first()
    assert (run.status, run.total, run.done) == ("done", 2, 2)
    answer = answers.ask(world["enterprise"], "专精特新企业首次认定奖励多少")
    assert answer.passages[0].document_id == document.pk and answer.passages[0].page == 2
    assert "第 2 页" in str(answer.passages[0].citation)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("办法.wps", b"PK\x03\x04", "仅支持 .txt、.md、.docx 和 .pdf 文件"),
        ("办法.md", b"<html><script>alert(1)</script></html>", "文件内容与扩展名 .md 不符"),
        ("办法.pdf", b"%PDF-1.4 no end", "文件内容与扩展名 .pdf 不符"),
        ("空白.txt", b"   \n\n", "文件中没有可检索的文字"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(world, login, name, content, message):
    client = login(world["province"])
    response = client.post("/ai/assistant/corpus/", {"kind": "policy", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Document.objects.exists()


def test_gb18030_text_is_read(world):
    upload = SimpleUploadedFile("通知.txt", io.BytesIO("第一条 本通知自发布之日起施行。".encode("gb18030")).read())
    document = services.document_add(actor=world["province"], title="", kind="policy", upload=upload)
    assert document.title == "通知" and document.passages.get().text == "第一条 本通知自发布之日起施行。"


def test_the_model_library_and_the_example_corpus_load_as_documents(world):
    n = services.library_sync()
    library = Document.objects.filter(kind="library")
    assert n == Passage.objects.filter(document__in=library).count() > 100
    assert {"library:cmmm", "library:sme-2024"} <= {d.source_key for d in library}
    assert services.library_sync() == 0  # unchanged models are not stored again
    assert services.example_load() == 50
    assert Document.objects.filter(example=True).count() == 8
    assert Passage.objects.filter(key="voucher-03").get().document.title.endswith("（示例）")


def test_the_index_run_writes_each_passage_its_own_vector_batch_by_batch(world):
    """Three passages in batches of two: every vector is the embedding of its own passage's section and text (a
    batch written against the wrong ids would still fill every row), and progress reaches the total."""
    import numpy as np

    from assistant import retrieval

    sections = {"第一章 总则": "适用于全省工业企业。", "第二章 标准": "补助比例百分之三十。"}
    sections["第三章 程序"] = "每年六月申报。"
    text = "# 办法\n\n" + "".join(f"## {heading}\n\n{body}\n\n" for heading, body in sections.items())
    upload = SimpleUploadedFile("办法.md", text.encode())
    services.document_add(actor=world["province"], title="", kind="policy", upload=upload)
    run = services.index_run(IndexRun.objects.create().pk, sync=False, batch=2)
    assert (run.status, run.done, run.total) == ("done", 3, 3)
    rows = list(Passage.objects.order_by("id").values_list("section", "text", "vector"))
    expected = retrieval.embedder().passages([f"{section}\n{body}" for section, body, _v in rows])
    stored = retrieval.from_bytes([bytes(v) for _s, _t, v in rows])
    assert np.allclose(stored, expected, atol=1e-3)  # batches of 2 + 1 against one batch of 3
    assert not np.allclose(stored[0], stored[1], atol=1e-2)


def test_a_reuploaded_document_copies_the_vectors_of_unchanged_passages(world):
    """Only the changed passage is embedded again; the others get the vectors of the identical passages already
    embedded (a province re-uploads a revised policy: most of it is unchanged)."""
    import numpy as np

    from assistant import retrieval

    class Counting(retrieval.Embedder):
        def __init__(self) -> None:
            self.embedded: list[str] = []

        def passages(self, texts):
            self.embedded.extend(texts)
            return super().passages(texts)

    def upload(third: str) -> Document:
        text = f"# 办法\n\n## 一、对象\n\n全省工业企业。\n\n## 二、标准\n\n补助百分之三十。\n\n## 三、程序\n\n{third}\n"
        file = SimpleUploadedFile("办法.md", text.encode())
        return services.document_add(actor=world["province"], title="", kind="policy", upload=file)

    first = upload("每年六月申报。")
    services.index_run(IndexRun.objects.create().pk, sync=False)
    second = upload("每年九月申报。")
    counting = Counting()
    run = services.index_run(IndexRun.objects.create().pk, sync=False, embedder=counting)
    assert (run.done, run.total) == (3, 3)
    assert counting.embedded == ["三、程序\n每年九月申报。"]

    def vectors(document):
        return retrieval.from_bytes(
            [bytes(v) for v in document.passages.order_by("ordinal").values_list("vector", flat=True)]
        )

    old, new = vectors(first), vectors(second)
    assert np.array_equal(old[:2], new[:2]) and not np.allclose(old[2], new[2], atol=1e-3)
