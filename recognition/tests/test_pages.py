"""Recognition pages by persona (synthetic enterprises): the enterprise sees the prerequisites before applying,
drafts, attaches checked evidence, submits (refusals say why), sees where it stands and why; the county officer
decides the county step; other roles and regions are refused (404 out of scope, 403 in scope but not allowed)
and nothing changes when they are."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recognition import chain, prerequisites, services
from recognition.models import Application, ApplicationEvent, ApplicationEvidence, Programme

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PERSONAS = ("enterprise", "county", "city", "other_city", "province", "provider", "expert")


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def programme(load_programme):
    return load_programme(prerequisites={})  # sf-basic-2026 by 南昌, the chain alone


def submitted(world, programme, attach) -> Application:
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    attach(application)
    check = prerequisites.check(programme.rules, world["home"], {})
    return services.application_submit(actor=world["enterprise"], application=application, check=check)


def snapshot(application) -> tuple:
    application.refresh_from_db()
    return (application.status, application.step, application.events.count(), application.evidence.count(),
            application.summary)  # fmt: skip


# --- programmes ---------------------------------------------------------------------------------------------------


def test_the_programme_page_by_persona(world, login, client, programme):
    url = reverse("recognition:programme", args=[programme.pk])
    expected = {"enterprise": 200, "county": 200, "city": 200, "province": 200, "other_city": 404, "provider": 404,
                "expert": 404}  # fmt: skip
    for persona, status in expected.items():
        assert login(world[persona]).get(url).status_code == status, persona
    client.logout()
    assert client.get(url).status_code == 302


def test_the_enterprise_sees_every_prerequisite_with_its_reason_before_applying(world, login, load_programme):
    programme = load_programme()  # 基础级 with the tier conditions of the maturity library
    page = login(world["enterprise"]).get(reverse("recognition:programme", args=[programme.pk])).content.decode()
    assert 'data-testid="prereq-check"' in page
    check = prerequisites.check(programme.rules, world["home"])
    assert page.count('data-testid="prereq-item"') == len(check.items) > 3
    for item in check.items:
        assert item.name in page and item.reason in page
    assert reverse("assessments:tiers", args=[world["home"].pk]) in page
    assert 'data-testid="apply"' in page and 'data-testid="provisional-note"' in page
    assert "区县真实性审核" in page and "10 个工作日内办理" in page and "公示 5 个工作日" in page


def test_an_officer_sees_the_rules_and_no_prerequisite_check(world, login, programme):
    page = login(world["city"]).get(reverse("recognition:programme", args=[programme.pk])).content.decode()
    assert 'data-testid="prereq-check"' not in page and 'data-testid="apply"' not in page
    assert 'data-testid="programme-close"' in page  # the city runs it
    county = login(world["county"]).get(reverse("recognition:programme", args=[programme.pk])).content.decode()
    assert 'data-testid="programme-close"' not in county


def test_a_draft_programme_is_seen_only_by_the_authority_that_prepares_it(world, login, load_programme):
    programme = load_programme(open_=False)
    url = reverse("recognition:programme", args=[programme.pk])
    assert login(world["city"]).get(url).status_code == 200
    for persona in ("enterprise", "county", "other_city", "province"):
        assert login(world[persona]).get(url).status_code == (200 if persona == "province" else 404), persona


def test_loading_and_opening_a_programme(world, login):
    url = reverse("recognition:programme_load")
    for persona, status in {"county": 403, "enterprise": 403, "provider": 403, "expert": 403}.items():
        assert login(world[persona]).get(url).status_code == status, persona
    form = {"example": "sf-basic-2026", "region": "360100"}
    assert login(world["other_city"]).post(url, form).status_code == 422  # not a region it governs
    assert not Programme.objects.exists()
    response = login(world["city"]).post(url, {**form, "closes_on": "2026-12-31"})
    programme = Programme.objects.get()
    assert response.status_code == 302 and programme.status == Programme.Status.DRAFT
    status_url = reverse("recognition:programme_status", args=[programme.pk])
    assert login(world["other_city"]).post(status_url, {"status": "open"}).status_code == 404
    assert login(world["county"]).post(status_url, {"status": "open"}).status_code == 404  # a draft: not seen
    programme.refresh_from_db()
    assert programme.status == Programme.Status.DRAFT
    login(world["city"]).post(status_url, {"status": "open"})
    programme.refresh_from_db()
    assert programme.status == Programme.Status.OPEN
    assert login(world["county"]).post(status_url, {"status": "closed"}).status_code == 403
    programme.refresh_from_db()
    assert programme.status == Programme.Status.OPEN


def test_a_province_loads_its_own_rules_file_and_every_fault_is_named(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("recognition:programme_load")
    example_url = reverse("recognition:programme_example", args=["sf-basic-2026"])
    assert login(world["enterprise"]).get(example_url).status_code == 403
    city = login(world["city"])  # one client: signed in as the city from here on
    example = city.get(example_url)
    assert example.status_code == 200 and b"code: sf-basic-2026" in example.content
    assert city.get(reverse("recognition:programme_example", args=["nothing"])).status_code == 404
    own = (
        example.content.decode()
        .replace("code: sf-basic-2026", "code: nc-basic-2027")
        .replace("notice_days: 5", "notice_days: 7")
    )

    def post(text: str | bytes):
        data = text if isinstance(text, bytes) else text.encode()
        upload = SimpleUploadedFile("rules.yaml", data, content_type="application/x-yaml")
        return city.post(url, {"region": "360100", "rules_file": upload})

    faults = {
        "chain: [": "不是有效的 YAML 文件第 1 行",
        "- a\n- b\n": "应为键值表",
        own.replace("action: notice", "action: vote"): "action“vote”不可用",
        own.replace("deadline_days: 10", "deadline_days: -1", 1): "不小于 0 的整数",
    }
    for text, message in faults.items():
        response = post(text)
        assert response.status_code == 422 and message in response.content.decode(), message
    assert "UTF-8" in post("名称".encode("gbk")).content.decode()
    assert "请选择一个示例，或上传项目规则文件" in city.post(url, {"region": "360100"}).content.decode()
    assert not Programme.objects.exists()
    response = post(own)
    programme = Programme.objects.get()
    assert response.status_code == 302 and programme.code == "nc-basic-2027"
    assert programme.rules.step(programme.rules.index_of("notice")).notice_days == 7


def test_the_menu_entry_shows_for_applicants_officers_and_experts(world, login):
    for persona in ("enterprise", "county", "city", "province", "expert", "provider", "commissioner"):
        page = login(world[persona]).get(reverse("home")).content.decode()
        assert ('data-testid="nav-recognition"' in page) is (persona not in {"provider", "commissioner"}), persona
        if persona != "provider":
            continue
        assert login(world[persona]).get(reverse("recognition:index")).status_code == 200


# --- the applicant ------------------------------------------------------------------------------------------------


def test_the_applicant_drafts_attaches_submits_and_sees_where_it_stands(world, login, load_programme):
    programme = load_programme(code="sd-industry-model-2025", region="360000", actor="province")
    client = login(world["enterprise"])
    response = client.post(reverse("recognition:apply", args=[programme.pk]))
    application = Application.objects.get()
    assert response.url == reverse("recognition:application_edit", args=[application.pk])

    edit = client.get(response.url).content.decode()
    for criterion in programme.rules.criteria:
        assert criterion.label in edit
    client.post(response.url, {"summary": "自研工业大模型", "c_parameters_billion": "13", "c_own_ip": "true",
                               "c_general_scene_models": "1"})  # fmt: skip
    application.refresh_from_db()
    assert application.declared == {"parameters_billion": 13.0, "own_ip": True, "general_scene_models": 1}

    upload = reverse("recognition:evidence_upload", args=[application.pk])
    bad = client.post(upload, {"code": "model_report", "model_report-file": SimpleUploadedFile("x.pdf", b"<html>")},
                      follow=True)  # fmt: skip
    assert "文件未上传" in bad.content.decode() and "不符" in bad.content.decode()
    assert not ApplicationEvidence.objects.exists()
    client.post(upload, {"code": "model_report", "model_report-file": pdf("../../技术报告.pdf")})
    stored = ApplicationEvidence.objects.get()
    assert stored.name == "技术报告.pdf" and len(stored.sha256) == 64 and "技术报告" not in stored.file.name

    refused = client.post(reverse("recognition:application_submit", args=[application.pk]), follow=True)
    text = refused.content.decode()
    assert "未能提交" in text and "知识产权证明" in text and "通用场景模型数" in text and "特定场景模型数" in text
    application.refresh_from_db()
    assert application.status == chain.DRAFT

    for code in ("ip_proof", "evaluation", "results"):
        client.post(upload, {"code": code, f"{code}-file": pdf(f"{code}.pdf")})
    client.post(reverse("recognition:application_edit", args=[application.pk]), {
        "summary": "自研工业大模型", "c_parameters_billion": "13", "c_own_ip": "true", "c_general_scene_models": "2",
        "c_specific_scene_models": "3", "c_third_party_evaluation": "true", "c_in_service": "true"})  # fmt: skip
    client.post(reverse("recognition:application_submit", args=[application.pk]))
    application.refresh_from_db()
    assert (application.status, application.step) == (chain.IN_REVIEW, 0)
    page = client.get(reverse("recognition:application", args=[application.pk])).content.decode()
    assert "正在“市级审核推荐”环节，由市级主管部门办理" in page
    assert f"办理期限：{application.step_due_on:%Y-%m-%d}" in page and 'data-testid="calendar-note"' in page
    assert 'data-testid="edit"' not in page and 'data-testid="withdraw"' in page


def test_the_applicant_sees_the_return_reason_and_withdraws_with_a_reason(world, login, programme, attach):
    application = submitted(world, programme, attach)
    services.application_decide(actor=world["county"], application=application, decision="return",
                                reason="产值数据与统计口径不一致，请核对")  # fmt: skip
    client = login(world["enterprise"])
    page = client.get(reverse("recognition:application", args=[application.pk])).content.decode()
    assert "产值数据与统计口径不一致，请核对" in page and 'data-testid="return-reason"' in page
    assert "区县级主管部门" in page and ">county<" not in page  # the office, not the officer's account
    client.post(reverse("recognition:application_withdraw", args=[application.pk]), {"reason": "准备不足"})
    application.refresh_from_db()
    assert application.status == chain.WITHDRAWN
    assert application.events.get(action="withdraw").reason == "准备不足"


def test_others_cannot_act_for_the_applicant_and_nothing_changes(world, login, programme, attach):
    application = submitted(world, programme, attach)
    services.application_decide(actor=world["county"], application=application, decision="return", reason="请补正")
    before = snapshot(application)
    evidence = application.evidence.first()
    posts = {
        "application_edit": {"summary": "改写"}, "application_submit": {}, "application_withdraw": {"reason": "x"},
        "evidence_upload": {"code": "report", "report-file": None},
    }  # fmt: skip
    expected = {"county": 403, "city": 403, "province": 403, "other_city": 404, "provider": 404, "expert": 404}
    for persona, status in expected.items():
        client = login(world[persona])
        for name, data in posts.items():
            if "report-file" in data:
                data = {**data, "report-file": pdf()}
            response = client.post(reverse(f"recognition:{name}", args=[application.pk]), data)
            assert response.status_code == status, (persona, name)
        delete = reverse("recognition:evidence_delete", args=[application.pk, evidence.pk])
        assert client.post(delete).status_code == status, persona
    assert snapshot(application) == before


def test_a_draft_is_the_enterprises_own(world, login, programme):
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    url = reverse("recognition:application", args=[application.pk])
    assert login(world["enterprise"]).get(url).status_code == 200
    for persona in ("county", "city", "province", "other_city", "provider", "expert"):
        assert login(world[persona]).get(url).status_code == 404, persona


def test_evidence_downloads_are_scoped(world, login, programme, attach):
    application = submitted(world, programme, attach)
    item = application.evidence.first()
    url = reverse("recognition:evidence_download", args=[application.pk, item.pk])
    expected = {"enterprise": 200, "county": 200, "city": 200, "province": 200, "other_city": 404, "provider": 404,
                "expert": 404}  # fmt: skip
    for persona, status in expected.items():
        response = login(world[persona]).get(url)
        assert response.status_code == status, persona
        if status == 200:
            assert response["X-Content-Type-Options"] == "nosniff"
            assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- officers -----------------------------------------------------------------------------------------------------


def test_the_county_decides_its_step_and_everyone_else_is_refused(world, login, client, programme, attach):
    application = submitted(world, programme, attach)
    url = reverse("recognition:application_decide", args=[application.pk])
    data = {"decision": "pass", "reason": "材料齐全，情况属实"}
    before = snapshot(application)
    expected = {"city": 403, "province": 403, "enterprise": 403, "other_city": 404, "provider": 404, "expert": 404}
    for persona, status in expected.items():
        assert login(world[persona]).post(url, data).status_code == status, persona
    client.logout()
    assert client.post(url, data).status_code == 302  # to the login page
    assert snapshot(application) == before

    county = login(world["county"])
    page = county.get(reverse("recognition:application", args=[application.pk])).content.decode()
    assert 'data-testid="decide-form"' in page and 'value="cultivate"' not in page  # a check cannot cultivate
    assert county.post(url, {"decision": "pass", "reason": " "}).status_code == 422
    assert county.post(url, {"decision": "cultivate", "reason": "可培育"}).status_code == 422
    assert snapshot(application) == before
    county.post(url, data)
    application.refresh_from_db()
    assert application.step == 1
    event = ApplicationEvent.objects.get(application=application, action="pass")
    assert (event.actor, event.reason, event.step_code) == (world["county"], "材料齐全，情况属实", "county_check")


def test_the_queue_lists_what_the_officer_decides_with_deadlines(world, login, programme, attach):
    application = submitted(world, programme, attach)
    url = reverse("recognition:queue", args=[programme.pk])
    page = login(world["county"]).get(url).content.decode()
    assert page.count('data-testid="queue-row"') == 1 and application.step_due_on.strftime("%Y-%m-%d") in page
    assert login(world["city"]).get(url).content.decode().count('data-testid="queue-row"') == 0  # not its step
    Application.objects.filter(pk=application.pk).update(step_due_on="2020-01-02")
    assert 'data-testid="overdue"' in login(world["county"]).get(url).content.decode()
    for persona, status in {"other_city": 404, "enterprise": 403, "provider": 403, "expert": 403}.items():
        assert login(world[persona]).get(url).status_code == status, persona


def test_expert_comments_are_for_officers_not_for_the_applicant(world, login, programme, attach, expert_pool):
    from recognition import experts
    from recognition.models import ReviewTask

    application = submitted(world, programme, attach)
    services.application_decide(actor=world["county"], application=application, decision="pass", reason="属实")
    pool = [expert_pool(f"x{i}", region="360100") for i in range(3)]
    application.refresh_from_db()
    experts.assign_experts(actor=world["city"], applications=[application])
    for task in ReviewTask.objects.filter(application=application):
        expert = next(e for e in pool if e.pk == task.expert_id)
        experts.review_submit(actor=expert.user, task=task, score=77, comment="产线数据采集覆盖不足",
                              visit_report="现场核查了MES")  # fmt: skip
    url = reverse("recognition:application", args=[application.pk])
    city = login(world["city"]).get(url).content.decode()
    assert "产线数据采集覆盖不足" in city and "现场核查了MES" in city and 'data-testid="reviews"' in city
    own = login(world["enterprise"]).get(url).content.decode()
    assert "产线数据采集覆盖不足" not in own and "现场核查了MES" not in own
    assert not re.search(r"\bx0\b", own)  # the expert's username as a word (a CSRF token may hold "x0" by chance)
    assert "分配评审专家" not in own and 'data-testid="score"' not in own
    assert login(pool[0].user).get(url).status_code == 200  # an assigned expert sees the application


def test_the_recommendation_board_ranks_each_city_against_its_quota(world, login, load_programme, attach,
                                                                     make_enterprise, make_user):  # fmt: skip
    from accounts.models import Role
    from enterprises.models import EnterpriseLabel

    programme = load_programme(code="sf-advanced-2026", region="360000", actor="province", prerequisites={},
                               quota={"default": 1})  # fmt: skip
    county2 = make_user("county2", Role.COUNTY_OFFICER, region="360402")
    firms = [(world["home"], world["enterprise"], world["county"])]
    for county, officer in (("360102", world["county"]), ("360402", county2)):
        firm = make_enterprise(county)
        firms.append((firm, make_user(f"u{firm.pk}", Role.ENTERPRISE, enterprise=firm), officer))
    applications = []
    for firm, user, officer in firms:
        EnterpriseLabel.objects.create(enterprise=firm, label_id="tier-basic", year=2025)
        application = services.application_start(actor=user, programme=programme, enterprise=firm)
        attach(application)
        services.application_submit(actor=user, application=application,
                                    check=prerequisites.check(programme.rules, firm, {}))  # fmt: skip
        services.application_decide(actor=officer, application=application, decision="pass", reason="属实")
        applications.append(application)
    url = reverse("recognition:recommend_board", args=[programme.pk, "city_recommend"])
    Application.objects.filter(pk=applications[0].pk).update(score=61.5)
    Application.objects.filter(pk=applications[1].pk).update(score=88.0)
    ranked = login(world["city"]).get(url).content.decode()
    first, second = applications[1].enterprise.name, applications[0].enterprise.name
    assert ranked.index(first) < ranked.index(second) and "88.0" in ranked and "61.5" in ranked  # by score
    services.application_decide(actor=world["city"], application=applications[0], decision="pass", reason="推荐")
    page = login(world["province"]).get(url).content.decode()
    assert 'data-testid="board-360100"' in page and 'data-testid="board-360400"' in page
    assert "已推荐 1 / 名额 1（剩余 0）" in page and "已推荐 0 / 名额 1（剩余 1）" in page
    own = login(world["city"]).get(url).content.decode()
    assert 'data-testid="board-360100"' in own and 'data-testid="board-360400"' not in own
    assert applications[2].enterprise.name not in own
    decide = login(world["city"]).get(reverse("recognition:application", args=[applications[1].pk])).content.decode()
    assert 'data-testid="quota"' in decide and "名额 1 个，剩余 0 个" in decide
    refused = login(world["city"]).post(reverse("recognition:application_decide", args=[applications[1].pk]),
                                        {"decision": "pass", "reason": "推荐"}, follow=True)  # fmt: skip
    assert "推荐名额已用完" in refused.content.decode()
    for persona, status in {"enterprise": 403, "provider": 403, "expert": 403}.items():
        assert login(world[persona]).get(url).status_code == status, persona
    assert login(world["city"]).get(reverse("recognition:recommend_board", args=[programme.pk, "notice"])).status_code \
        == 404  # fmt: skip


def test_the_cultivation_pool_shows_the_blockers_and_the_roadmap_link(world, login, load_programme, attach):
    programme = load_programme()
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    attach(application)
    Application.objects.filter(pk=application.pk).update(
        status=chain.IN_REVIEW, step=1, submitted_at="2026-01-05T08:00Z"
    )
    application.refresh_from_db()
    ApplicationEvent.objects.create(application=application, action="cultivate", status_after="cultivation",
                                    reason="差距较大，先行培育", actor=world["city"])  # fmt: skip
    Application.objects.filter(pk=application.pk).update(status=chain.CULTIVATION)
    url = reverse("recognition:cultivation")
    page = login(world["city"]).get(url).content.decode()
    assert page.count('data-testid="pool-row"') == 1 and "差距较大，先行培育" in page
    assert reverse("reports:enterprise", args=[world["home"].pk]) in page
    evaluation, _cmmm = prerequisites.tiers.check(world["home"])
    basic = next(t for t in evaluation.tiers if t.code == "basic")
    for condition in basic.conditions:
        if condition.outcome != "met":
            assert condition.name in page
    assert login(world["other_city"]).get(url).content.decode().count('data-testid="pool-row"') == 0
    for persona in ("enterprise", "provider", "expert"):
        assert login(world[persona]).get(url).status_code == 403, persona


def test_only_the_enterprise_starts_an_application(world, login, programme):
    url = reverse("recognition:apply", args=[programme.pk])
    expected = {"county": 403, "city": 403, "province": 403, "other_city": 404, "provider": 404, "expert": 404}
    for persona, status in expected.items():
        assert login(world[persona]).post(url).status_code == status, persona
    assert not Application.objects.exists()
    client = login(world["enterprise"])
    client.post(url)
    again = client.post(url, follow=True)  # one open application per programme
    assert "已有该项目的申请" in again.content.decode() and Application.objects.count() == 1
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED)
    Application.objects.all().delete()
    closed = client.post(url, follow=True)
    assert "不在申报期内" in closed.content.decode() and not Application.objects.exists()


def test_the_application_page_by_persona_once_submitted(world, login, programme, attach):
    application = submitted(world, programme, attach)
    url = reverse("recognition:application", args=[application.pk])
    expected = {"enterprise": 200, "county": 200, "city": 200, "province": 200, "other_city": 404, "provider": 404,
                "expert": 404}  # fmt: skip
    for persona, status in expected.items():
        assert login(world[persona]).get(url).status_code == status, persona
    edit = reverse("recognition:application_edit", args=[application.pk])
    for persona, status in {"county": 403, "other_city": 404, "provider": 404}.items():
        assert login(world[persona]).get(edit).status_code == status, persona
    refused = login(world["enterprise"]).get(edit, follow=True)  # under review: not editable
    assert "审核期间不能修改" in refused.content.decode()


@pytest.mark.parametrize("name", ["index", "programme_load", "cultivation"])
def test_anonymous_is_sent_to_sign_in(client, name):
    response = client.get(reverse(f"recognition:{name}"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_anonymous_is_sent_to_sign_in_for_every_application_endpoint(world, client, programme, attach):
    application = submitted(world, programme, attach)
    item = application.evidence.first()
    before = snapshot(application)
    for name, args, method in [
        ("programme", [programme.pk], "get"), ("queue", [programme.pk], "get"), ("apply", [programme.pk], "post"),
        ("programme_status", [programme.pk], "post"), ("application", [application.pk], "get"),
        ("application_edit", [application.pk], "post"), ("evidence_upload", [application.pk], "post"),
        ("evidence_download", [application.pk, item.pk], "get"), ("evidence_delete", [application.pk, item.pk], "post"),
        ("application_submit", [application.pk], "post"), ("application_withdraw", [application.pk], "post"),
        ("application_decide", [application.pk], "post"),
        ("recommend_board", [programme.pk, "county_check"], "get"),
    ]:  # fmt: skip
        response = getattr(client, method)(reverse(f"recognition:{name}", args=args))
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), name
    assert snapshot(application) == before


def test_a_recognised_application_shows_the_recognition_and_its_validity(world, login, programme, attach):
    from recognition import results

    application = submitted(world, programme, attach)
    Application.objects.filter(pk=application.pk).update(status=chain.RECOGNISED, score=82.0)
    application.refresh_from_db()
    recognition = results.recognise(actor=world["city"], application=application)
    page = login(world["enterprise"]).get(reverse("recognition:application", args=[application.pk])).content.decode()
    assert recognition.certificate_code in page and f"有效期至 {recognition.valid_until:%Y-%m-%d}" in page
    assert "专家评审得分：82.0" in page  # the consolidated score, once there is an outcome
