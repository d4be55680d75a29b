"""The 基础级 chain end to end by role (synthetic enterprises): county check → city expert review with a visit →
city decision → public notice → publication, and every refusal on the way: wrong role, wrong region, wrong level,
a step skipped, no reason, an expert with a conflict, a deadline passed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from enterprises.models import EnterpriseEvent
from recognition import chain, experts, prerequisites, results, services
from recognition.models import Application, ApplicationEvent, Recognition, ReviewTask

pytestmark = pytest.mark.django_db


def no_prerequisites(application):
    return prerequisites.check(application.programme.rules, application.enterprise, application.declared)


@pytest.fixture
def programme(load_programme):
    return load_programme(prerequisites={})  # the chain alone: prerequisites are tested on their own


def submitted(world, programme, attach):
    application = services.application_start(actor=world["enterprise"], programme=programme,
                                             enterprise=world["home"])  # fmt: skip
    attach(application)
    return services.application_submit(actor=world["enterprise"], application=application,
                                       check=no_prerequisites(application))  # fmt: skip


def decide(world, who, application, decision="pass", reason="材料齐全，情况属实"):
    return services.application_decide(actor=world[who], application=application, decision=decision, reason=reason)


def test_only_the_regions_officers_load_a_programme_and_only_its_enterprises_apply(world, load_programme):
    with pytest.raises(PermissionDenied):
        load_programme(actor="other_city")
    programme = load_programme()
    with pytest.raises(PermissionDenied):  # an officer does not apply for an enterprise
        services.application_start(actor=world["county"], programme=programme, enterprise=world["home"])
    other = load_programme(code="sf-advanced-2026", region="360400", actor="other_city")
    with pytest.raises(ValidationError, match="不在该项目的申报范围内"):
        services.application_start(actor=world["enterprise"], programme=other, enterprise=world["home"])


def test_a_submission_lacking_evidence_says_which_and_nothing_moves(world, programme, attach):
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    attach(application, "report")
    with pytest.raises(ValidationError) as error:
        services.application_submit(actor=world["enterprise"], application=application,
                                    check=no_prerequisites(application))  # fmt: skip
    assert "智能制造能力成熟度自评估结果" in str(error.value) and "申报材料真实性承诺书" in str(error.value)
    application.refresh_from_db()
    assert application.status == chain.DRAFT


def test_the_basic_chain_end_to_end_with_every_refusal(world, programme, attach, expert_pool, make_user):
    application = submitted(world, programme, attach)
    assert (application.status, application.step) == (chain.IN_REVIEW, 0)
    assert application.step_due_on > timezone.localdate()  # 10 working days

    # county check: the county's officer only — not the city (another level), not a neighbouring county
    neighbour = make_user("county2", Role.COUNTY_OFFICER, region="360111")
    for who in ("city", "province"):
        with pytest.raises(PermissionDenied, match="区县级主管部门办理"):
            decide(world, who, application)
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=neighbour, application=application, decision="pass", reason="通过")
    with pytest.raises(ValidationError):
        decide(world, "county", application, reason=" ")
    with pytest.raises(ValidationError, match="不能作出“纳入培育库”"):
        decide(world, "county", application, "cultivate")
    decide(world, "county", application, "return", "产值数据与统计口径不一致，请核对")
    application.refresh_from_db()
    assert application.status == chain.RETURNED
    with pytest.raises(ValidationError, match="申请不在审核中"):
        decide(world, "county", application)
    services.application_submit(actor=world["enterprise"], application=application, check=no_prerequisites(application))
    application.refresh_from_db()
    assert (application.status, application.step) == (chain.IN_REVIEW, 0)
    decide(world, "county", application)
    application.refresh_from_db()
    assert application.step == 1

    # city expert review: no skipping the experts
    with pytest.raises(ValidationError, match="尚未分配评审专家"):
        decide(world, "city", application)
    own = expert_pool("own", organisation="东湖精密机械", organisation_code=world["home"].credit_code)
    local = expert_pool("local", region="360102")  # the applicant's county: excluded by this programme
    chosen = [expert_pool("e1", region="360100"), expert_pool("e2"), expert_pool("e3", region="360000")]
    with pytest.raises(PermissionDenied):
        experts.assign_experts(actor=world["county"], applications=[application])
    outcome = experts.assign_experts(actor=world["city"], applications=[application])
    assert sorted(outcome.chosen[application.pk]) == sorted(e.pk for e in chosen)
    assert dict(outcome.excluded[application.pk]) == {own.pk: ["专家所在单位即申请单位（东湖精密机械有限公司）"],
                                                      local.pk: ["专家与申请单位在同一区县"]}  # fmt: skip
    tasks = {t.expert_id: t for t in ReviewTask.objects.filter(application=application)}
    assert sum(t.is_chair for t in tasks.values()) == 1
    with pytest.raises(PermissionDenied):  # not assigned
        experts.review_submit(actor=own.user, task=tasks[chosen[0].pk], score=90, comment="很好", visit_report="看过")
    with pytest.raises(ValidationError, match="现场核查记录"):
        experts.review_submit(actor=chosen[0].user, task=tasks[chosen[0].pk], score=90, comment="很好")
    for expert, score in zip(chosen, (50, 80, 90), strict=True):
        experts.review_submit(actor=expert.user, task=tasks[expert.pk], score=score, comment="意见如附",
                              visit_report="现场核查了产线和系统")  # fmt: skip
    with pytest.raises(ValidationError, match="已提交"):
        experts.review_submit(actor=chosen[0].user, task=tasks[chosen[0].pk], score=99, comment="改分",
                              visit_report="再看")  # fmt: skip
    decide(world, "city", application, reason="专家评审通过")
    application.refresh_from_db()
    assert application.score == 80.0  # trimmed mean of 50, 80, 90
    assert application.step == 2

    # city decision, then the public notice: not closed before it ends
    decide(world, "city", application, reason="同意认定")
    application.refresh_from_db()
    assert application.programme.rules.step(application.step).action == "notice"
    with pytest.raises(ValidationError, match="期满后才能办结"):
        decide(world, "city", application, reason="公示无异议")
    Application.objects.filter(pk=application.pk).update(step_due_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        decide(world, "county", application, reason="公示无异议")
    decide(world, "city", application, reason="公示期满无异议")
    decide(world, "city", application, reason="公布认定名单")
    application.refresh_from_db()
    assert application.status == chain.RECOGNISED

    recognition = Recognition.objects.get(application=application)
    assert recognition.subject == "basic" and recognition.valid_until.year == timezone.localdate().year + 3
    assert world["home"].label_links.filter(label_id="tier-basic", year=2026).exists()
    steps = list(ApplicationEvent.objects.filter(application=application).values_list("action", "actor__username"))
    assert steps[:4] == [("draft", "enterprise"), ("submit", "enterprise"), ("return", "county"),
                         ("resubmit", "enterprise")]  # fmt: skip
    assert ("revoke", "city") not in steps
    shared = EnterpriseEvent.objects.visible_to(world["enterprise"]).filter(kind="recognition")
    assert shared.filter(summary__contains="认定通过").exists()

    with pytest.raises(PermissionDenied):
        results.revoke(actor=world["county"], recognition=recognition, reason="发现材料造假")
    results.revoke(actor=world["city"], recognition=recognition, reason="发现材料造假")
    assert not world["home"].label_links.filter(label_id="tier-basic").exists()
    application.refresh_from_db()
    assert application.status == chain.REVOKED


def test_an_expert_past_the_deadline_and_a_resubmission_past_the_correction_period_are_refused(
    world, programme, attach, expert_pool
):
    application = submitted(world, programme, attach)
    decide(world, "county", application)
    application.refresh_from_db()
    pool = [expert_pool(f"x{i}", region="360100") for i in range(3)]
    experts.assign_experts(actor=world["city"], applications=[application])
    task = ReviewTask.objects.filter(application=application).first()
    ReviewTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    expert = next(e for e in pool if e.pk == task.expert_id)
    with pytest.raises(ValidationError, match="已超过评审期限"):
        experts.review_submit(actor=expert.user, task=task, score=70, comment="同意", visit_report="已核查")
    decide(world, "city", application, "return", "请补充现场照片")
    Application.objects.filter(pk=application.pk).update(step_due_on=timezone.localdate() - dt.timedelta(days=1))
    application.refresh_from_db()
    with pytest.raises(ValidationError, match="已超过补正期限"):
        services.application_submit(actor=world["enterprise"], application=application,
                                    check=no_prerequisites(application))  # fmt: skip


def test_withdrawal_before_the_notice_only_and_by_the_applicant_only(world, programme, attach):
    application = submitted(world, programme, attach)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=world["county"], application=application)
    services.application_withdraw(actor=world["enterprise"], application=application, reason="准备不足")
    application.refresh_from_db()
    assert application.status == chain.WITHDRAWN
    again = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    assert again.pk != application.pk  # a withdrawn application does not block a new one


def test_recommendation_upward_stops_at_the_citys_quota(world, load_programme, attach, make_enterprise, make_user):
    from enterprises.models import EnterpriseLabel

    programme = load_programme(code="sf-advanced-2026", region="360000", actor="province",
                               prerequisites={}, quota={"default": 1})  # fmt: skip
    firms = [world["home"], make_enterprise("360102")]
    applications = []
    for firm in firms:
        user = world["enterprise"] if firm == world["home"] else make_user(f"u{firm.pk}", Role.ENTERPRISE,
                                                                          enterprise=firm)  # fmt: skip
        EnterpriseLabel.objects.create(enterprise=firm, label_id="tier-basic", year=2025)
        application = services.application_start(actor=user, programme=programme, enterprise=firm)
        attach(application)
        services.application_submit(actor=user, application=application, check=no_prerequisites(application))
        decide(world, "county", application)
        applications.append(application)
    decide(world, "city", applications[0], reason="推荐")
    with pytest.raises(ValidationError, match="推荐名额已用完（1 个）"):
        decide(world, "city", applications[1], reason="推荐")
    decide(world, "city", applications[1], "cultivate", "名额有限，纳入培育库")
    applications[1].refresh_from_db()
    assert applications[1].status == chain.CULTIVATION
