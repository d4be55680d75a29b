"""The registry's pages: who sees which entry (another region's or developer's is a 404, acting without the right a
403 and nothing changes), the forms end to end (registration, evaluation with a refused upload, review), the report
download, and the public directory that shows published entries only, with its filters, to anyone."""

import pytest

from airegistry import services
from airegistry.models import Entry, Evaluation
from airegistry.tests.conftest import MODEL, complete_model, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(registered):
    entry = registered["entry"]
    services.entry_review(actor=registered["county"], entry=entry, decision="accept")
    services.entry_publish(actor=registered["county"], entry=entry)
    return registered


@pytest.mark.parametrize(("who", "status"), [
    ("enterprise", 200), ("county", 200), ("city", 200), ("province", 200), ("admin", 200),
    ("other_city", 404), ("provider", 404), ("nobody", 404),
])  # fmt: skip
def test_a_submitted_entry_is_seen_by_its_developer_and_its_regions_officers_only(registered, login, who, status):
    assert login(registered[who]).get(f"/ai/models/{registered['entry'].pk}/").status_code == status


def test_a_draft_is_the_developers_alone(world, login):
    entry = services.entry_create(actor=world["enterprise"], kind="model", developer=world["home"], **MODEL)
    assert login(world["enterprise"]).get(f"/ai/models/{entry.pk}/").status_code == 200
    assert login(world["county"]).get(f"/ai/models/{entry.pk}/").status_code == 404


def test_the_developer_registers_a_model_through_the_form(world, login):
    client = login(world["enterprise"])
    page = client.get("/ai/models/new/model/")
    assert page.status_code == 200 and "东湖精密机械有限公司" in page.content.decode()
    response = client.post("/ai/models/new/model/", {
        "developer": f"enterprise:{world['home'].pk}", "name": "赣工质检大模型", "version": "v1", "modality": "vision",
        "parameters_yi": "70", "industries": ["34"], "links": ["quality"], "deployment_forms": ["edge"],
    })  # fmt: skip
    entry = Entry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ai/models/{entry.pk}/"
    assert (entry.parameters, entry.links, entry.region_id, entry.status) == (7_000_000_000, ["quality"], "360102",
                                                                              "draft")  # fmt: skip


def test_the_agent_form_shows_the_provisional_autonomy_levels(world, login):
    body = login(world["enterprise"]).get("/ai/models/new/agent/").content.decode()
    assert "arXiv 2510.17491" in body and "L4 多智能体协同" in body


def test_users_without_a_developer_cannot_open_the_registration_form(world, login):
    refused = login(world["county"]).get("/ai/models/new/model/")
    assert refused.status_code == 403
    assert "只有企业或服务商用户可以登记本单位的工业模型或智能体" in refused.content.decode()
    assert login(world["nobody"]).get("/ai/models/new/agent/").status_code == 403


def test_an_evaluation_with_a_disguised_report_is_refused_on_the_page(world, login):
    entry = services.entry_create(actor=world["enterprise"], kind="model", developer=world["home"], **MODEL)
    data = {"evaluator": "某评测中心", "standard": "GB/T 45288.2", "evaluated_on": "2026-01-05", "safety": "70",
            "report": report("报告.pdf", b"<html><body>x</body></html>")}  # fmt: skip
    response = login(world["enterprise"]).post(f"/ai/models/{entry.pk}/evaluations/", data)
    assert response.status_code == 422 and "文件内容与扩展名 .pdf 不符" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_an_officer_cannot_add_to_a_developers_entry(registered, login):
    response = login(registered["county"]).post(f"/ai/models/{registered['entry'].pk}/scenes/",
                                                {"kind": "general", "name": "插入的场景"})  # fmt: skip
    assert response.status_code == 403 and "只有研发单位本单位的用户可以修改登记信息" in response.content.decode()
    assert registered["entry"].scenes.count() == 5


def test_the_county_returns_with_a_reason_on_the_page(registered, login):
    client = login(registered["county"])
    entry = registered["entry"]
    missing = client.post(f"/ai/models/{entry.pk}/review/", {"decision": "return", "reason": ""})
    assert missing.status_code == 422 and "退回修改时请写明原因" in missing.content.decode()
    client.post(f"/ai/models/{entry.pk}/review/", {"decision": "return", "reason": "部署效益缺少数据来源"})
    page = login(registered["enterprise"]).get(f"/ai/models/{entry.pk}/").content.decode()
    assert "部署效益缺少数据来源" in page and "修改后重新提交" in page
    assert "场景模型：添加“通用场景1”" in page and "退回修改：部署效益缺少数据来源" in page  # the trail


def test_the_report_downloads_for_those_who_see_the_entry(registered, login):
    evaluation = registered["entry"].evaluations.get()
    url = f"/ai/models/{registered['entry'].pk}/evaluations/{evaluation.pk}/report/"
    response = login(registered["county"]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert login(registered["other_city"]).get(url).status_code == 404


def test_the_index_lists_own_entries_and_an_officers_waiting_work(registered, login):
    assert "赣工质检大模型" in login(registered["enterprise"]).get("/ai/models/").content.decode()
    waiting = login(registered["county"]).get("/ai/models/").content.decode()
    assert 'data-testid="waiting"' in waiting and "赣工质检大模型" in waiting
    assert "赣工质检大模型" not in login(registered["other_city"]).get("/ai/models/").content.decode()
    assert login(registered["county"]).get("/ai/models/").status_code == 200


def test_anonymous_users_are_sent_to_sign_in_for_the_workbench_but_not_the_directory(client, published):
    assert client.get("/ai/models/").status_code == 302
    assert client.get("/ai/models/directory/").status_code == 200


def test_the_public_directory_shows_published_entries_only(client, published):
    draft = services.entry_create(actor=published["enterprise"], kind="model", developer=published["home"],
                                  **{**MODEL, "name": "未发布的草稿模型"})  # fmt: skip
    body = client.get("/ai/models/directory/").content.decode()
    assert "赣工质检大模型" in body and "未发布的草稿模型" not in body
    assert client.get(f"/ai/models/directory/{draft.pk}/").status_code == 404
    detail = client.get(f"/ai/models/directory/{published['entry'].pk}/").content.decode()
    assert "GB/T 45288.2" in detail and "山东省行业大模型遴选基本门槛（暂行）" in detail
    assert "/report/" not in detail and "办理记录" not in detail  # no report files, no review trail in public


def test_the_directory_filters_by_link_industry_modality_and_autonomy(client, world):
    vision = complete_model(world["enterprise"], world["home"])
    agent = services.entry_create(actor=world["provider"], kind="agent",
                                  developer=world["provider"].memberships.get().provider, name="排产智能体",
                                  version="2.0", modality="language", industries=["39"], links=["production"],
                                  autonomy_level=4, systems=["APS", "MES"], data_description="合成")  # fmt: skip
    Entry.objects.filter(pk__in=[vision.pk, agent.pk]).update(status="published")

    def names(query):
        body = client.get(f"/ai/models/directory/?{query}").content.decode()
        return {n for n in ("赣工质检大模型", "排产智能体") if n in body}

    assert names("") == {"赣工质检大模型", "排产智能体"}
    assert names("link=quality") == {"赣工质检大模型"}
    assert names("link=production") == {"赣工质检大模型", "排产智能体"}
    assert names("industry=39") == {"排产智能体"}
    assert names("industry=3") == {"赣工质检大模型", "排产智能体"}  # not a division code: the filters are ignored
    assert names("modality=vision") == {"赣工质检大模型"}
    assert names("autonomy=4") == {"排产智能体"} and names("autonomy=3") == set()
    assert names("q=排产") == {"排产智能体"}


def test_anyone_exports_the_directory_as_filtered_with_what_the_directory_prints(client, world, published):
    import csv
    import io

    from openpyxl import load_workbook

    agent = services.entry_create(actor=world["provider"], kind="agent",
                                  developer=world["provider"].memberships.get().provider, name="=排产智能体",
                                  version="2.0", modality="language", industries=["39"], links=["production"],
                                  autonomy_level=4, systems=["APS", "MES"], data_description="合成")  # fmt: skip
    Entry.objects.filter(pk=agent.pk).update(status="published")
    services.entry_create(actor=published["enterprise"], kind="model", developer=published["home"],
                          **{**MODEL, "name": "未发布的草稿模型"})  # fmt: skip
    response = client.get("/ai/models/directory.csv")
    assert response.status_code == 200 and response["Content-Disposition"].startswith('attachment; filename="ai-')
    header, *rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert header[:3] == ["名称", "版本", "登记类型"]
    assert sorted(r[0] for r in rows) == ["'=排产智能体", "赣工质检大模型"]  # no draft; the formula neutralised
    model = next(r for r in rows if r[0] == "赣工质检大模型")
    assert model[6] == "东湖精密机械有限公司" and "质量" in model[8]
    assert "退回原因" not in header and "评测报告" not in header  # what the public pages never show
    filtered = client.get("/ai/models/directory.xlsx?industry=39")
    sheet = load_workbook(io.BytesIO(filtered.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["'=排产智能体"]
    assert client.get("/ai/models/directory.pdf").status_code == 404
