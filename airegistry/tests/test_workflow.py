"""The registry's state machine by role and scope: the developer registers and submits its own entries; the
officers of the developer's region accept or return (with a reason) and publish; everyone else is refused in
Chinese and nothing changes. Evaluation records are checked (evaluator and standard named, date not in the future,
scores within 0–100, the report's type by its bytes); gate labels count only reviewed entries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from airegistry import facts, services
from airegistry.models import Entry, Evaluation, RegistryEvent
from airegistry.tests.conftest import MODEL, complete_model, evaluation, report

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def kinds(entry):
    return list(RegistryEvent.objects.filter(entry=entry).values_list("kind", flat=True))


def test_the_developer_registers_submits_and_the_county_accepts_and_publishes(registered):
    entry = registered["entry"]
    assert (entry.status, entry.region_id) == ("submitted", "360102")
    services.entry_review(actor=registered["county"], entry=entry, decision="accept")
    services.entry_publish(actor=registered["county"], entry=entry)
    entry.refresh_from_db()
    assert entry.status == "published" and entry.published_at is not None
    assert kinds(entry) == ["create"] + ["scene"] * 5 + ["deployment", "evaluation", "submit", "accept", "publish"]
    assert list(Entry.objects.published()) == [entry]


def test_a_return_needs_a_reason_then_the_developer_edits_and_resubmits(registered):
    entry, county = registered["entry"], registered["county"]
    with pytest.raises(ValidationError, match="退回修改时请写明原因"):
        services.entry_review(actor=county, entry=entry, decision="return", reason="  ")
    services.entry_review(actor=county, entry=entry, decision="return", reason="请补充第三方评测报告的盖章页")
    entry.refresh_from_db()
    assert (entry.status, entry.status_reason) == ("returned", "请补充第三方评测报告的盖章页")
    services.entry_update(actor=registered["enterprise"], entry=entry, version="v1.1")
    services.entry_submit(actor=registered["enterprise"], entry=entry)
    entry.refresh_from_db()
    assert (entry.status, entry.version, entry.status_reason) == ("submitted", "v1.1", "")
    assert kinds(entry)[-4:] == ["submit", "return", "edit", "submit"]
    assert RegistryEvent.objects.filter(entry=entry, kind="return").get().reason == "请补充第三方评测报告的盖章页"


@pytest.mark.parametrize("who", ["other_city", "enterprise", "provider", "commissioner", "expert", "nobody"])
def test_only_officers_of_the_developers_region_review(registered, who):
    entry = registered["entry"]
    with pytest.raises(PermissionDenied, match="只有研发单位所在地区的主管部门可以审核和发布"):
        services.entry_review(actor=registered[who], entry=entry, decision="accept")
    entry.refresh_from_db()
    assert entry.status == "submitted" and kinds(entry)[-1] == "submit"


def test_publication_waits_for_acceptance_and_the_developer_cannot_publish(registered):
    entry = registered["entry"]
    with pytest.raises(ValidationError, match="审核通过后才能发布"):
        services.entry_publish(actor=registered["city"], entry=entry)
    services.entry_review(actor=registered["city"], entry=entry, decision="accept")
    with pytest.raises(PermissionDenied):
        services.entry_publish(actor=registered["enterprise"], entry=entry)
    with pytest.raises(ValidationError, match="只有待审核的登记可以审核"):
        services.entry_review(actor=registered["province"], entry=entry, decision="return", reason="x")
    entry.refresh_from_db()
    assert entry.status == "accepted"


def test_a_submitted_entry_is_frozen_for_the_developer_and_closed_to_officers(registered):
    entry = registered["entry"]
    with pytest.raises(ValidationError, match="“待审核”状态下不能修改"):
        services.scene_add(actor=registered["enterprise"], entry=entry, kind="general", name="新场景")
    with pytest.raises(PermissionDenied, match="只有研发单位本单位的用户可以修改"):
        services.entry_update(actor=registered["county"], entry=entry, name="改名")
    entry.refresh_from_db()
    assert entry.name == MODEL["name"] and entry.scenes.count() == 5


def test_nobody_registers_for_another_enterprise(world):
    with pytest.raises(PermissionDenied, match="只能为本单位登记"):
        services.entry_create(actor=world["enterprise"], kind="model", developer=world["other"], name="x", version="1")
    with pytest.raises(PermissionDenied):
        services.entry_create(actor=world["city"], kind="model", developer=world["home"], name="x", version="1")
    assert not Entry.objects.exists()


def test_an_incomplete_entry_cannot_be_submitted_and_says_what_is_missing(world):
    entry = services.entry_create(actor=world["enterprise"], kind="agent", developer=world["home"], name="排产智能体",
                                  version="1.0", links=["production"])  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.entry_submit(actor=world["enterprise"], entry=entry)
    assert error.value.messages == ["提交前请补全：适用行业、自主等级、作用系统、训练数据说明"]
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_agent_fields_and_codes_are_checked(world):
    with pytest.raises(ValidationError) as error:
        services.entry_create(actor=world["enterprise"], kind="model", developer=world["home"], name="x",
                              version="1", autonomy_level=3, links=["marketing", "moon"],
                              industries=["34", "99"])  # fmt: skip
    assert error.value.message_dict == {"autonomy_level": ["自主等级、作用系统和任务成功率只适用于工业智能体"],
                                        "links": ["不可用的选项：moon"],
                                        "industries": ["不是国民经济行业大类代码：99"]}  # fmt: skip
    with pytest.raises(ValidationError, match="任务成功率应在 0–100 之间"):
        services.entry_create(actor=world["enterprise"], kind="agent", developer=world["home"], name="x",
                              version="1", task_success=Decimal("100.5"))  # fmt: skip


def test_a_providers_entry_is_reviewed_by_the_city_of_its_registration_not_a_county(world):
    entry = complete_model(world["provider"], world["provider"].memberships.get().provider)
    services.entry_submit(actor=world["provider"], entry=entry)
    assert entry.region_id == "360100"
    with pytest.raises(PermissionDenied):
        services.entry_review(actor=world["county"], entry=entry, decision="accept")
    services.entry_review(actor=world["city"], entry=entry, decision="accept")
    assert Entry.objects.get(pk=entry.pk).status == "accepted"


def test_unpublishing_takes_the_entry_back_to_the_developer_with_the_reason(registered):
    entry = registered["entry"]
    services.entry_review(actor=registered["county"], entry=entry, decision="accept")
    services.entry_publish(actor=registered["county"], entry=entry)
    with pytest.raises(ValidationError):
        services.entry_unpublish(actor=registered["county"], entry=entry, reason="")
    services.entry_unpublish(actor=registered["county"], entry=entry, reason="评测报告已过期")
    entry.refresh_from_db()
    assert (entry.status, entry.status_reason, entry.published_at) == ("returned", "评测报告已过期", None)
    assert not Entry.objects.published().exists()


# --- evaluation records -------------------------------------------------------------------------------------------


def test_evaluation_checks_name_each_problem():
    problems = services.evaluation_problems(evaluator=" ", standard="", evaluated_on=TODAY + dt.timedelta(days=1),
                                            scores={"performance": Decimal("100.01"), "safety": Decimal("-1")},
                                            today=TODAY)  # fmt: skip
    assert problems == {"evaluator": "请填写评测机构", "standard": "请填写评测标准（如 GB/T 45288.2）",
                        "evaluated_on": "评测日期不能晚于今天", "performance": "得分应在 0–100 之间",
                        "safety": "得分应在 0–100 之间"}  # fmt: skip
    none = services.evaluation_problems(evaluator="a", standard="b", evaluated_on=TODAY, scores={"safety": None},
                                        today=TODAY)  # fmt: skip
    assert none == {"performance": "请至少填写一个维度的得分"}
    edges = {"performance": Decimal(0), "reliability": Decimal(100)}
    assert services.evaluation_problems(evaluator="a", standard="b", evaluated_on=TODAY, scores=edges,
                                        today=TODAY) == {}  # fmt: skip


def _draft(world):
    return services.entry_create(actor=world["enterprise"], kind="model", developer=world["home"], **MODEL)


def test_an_evaluation_is_recorded_with_its_report_checked_and_hashed(world):
    entry = _draft(world)
    record = services.evaluation_add(actor=world["enterprise"], entry=entry, **evaluation())
    import hashlib

    from airegistry.tests.conftest import PDF

    expected = ("报告.pdf", hashlib.sha256(PDF).hexdigest(), len(PDF))
    assert (record.report_name, record.report_sha256, record.report_size) == expected
    assert record.report.name.endswith(".pdf") and "报告" not in record.report.name  # stored under a random name
    assert record.scores()[0] == ("性能", Decimal("86"))


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: report("报告.pdf", b"<html><script>alert(1)</script></html>"), "文件内容与扩展名 .pdf 不符"),
    (lambda: report("报告.exe", b"MZ"), "不支持的文件类型 .exe"),
    (lambda: None, "请上传评测报告"),
])  # fmt: skip
def test_a_report_that_is_not_what_it_claims_is_refused(world, upload, message):
    entry = _draft(world)
    with pytest.raises(ValidationError) as error:
        services.evaluation_add(actor=world["enterprise"], entry=entry, **evaluation(report=upload()))
    assert message in error.value.message_dict["report"][0]
    assert not Evaluation.objects.exists()


def test_a_future_evaluation_date_is_refused(world):
    entry = _draft(world)
    with pytest.raises(ValidationError) as error:
        services.evaluation_add(actor=world["enterprise"], entry=entry,
                                **evaluation(evaluated_on=TODAY + dt.timedelta(days=1)))  # fmt: skip
    assert error.value.message_dict == {"evaluated_on": ["评测日期不能晚于今天"]}


# --- facts for programmes -----------------------------------------------------------------------------------------


def test_gate_labels_count_only_reviewed_entries_of_the_enterprise(registered):
    home = registered["home"]
    assert facts.gate_labels_of(home.pk) == set()  # submitted: not yet reviewed
    services.entry_review(actor=registered["county"], entry=registered["entry"], decision="accept")
    assert facts.gate_labels_of(home.pk) == {"ai-gate:shandong-industry-model"}
    assert facts.gate_labels_in("36") == {home.pk: {"ai-gate:shandong-industry-model"}}
    assert facts.gate_labels_in("3604") == {}
    assert facts.gate_labels_of(registered["other"].pk) == set()
    assert facts.gate_names()["ai-gate:shandong-industry-model"] == "山东省行业大模型遴选基本门槛（暂行）"


def test_a_model_below_the_parameter_threshold_earns_no_label(world):
    entry = complete_model(world["enterprise"], world["home"], parameters=900_000_000)
    services.entry_submit(actor=world["enterprise"], entry=entry)
    services.entry_review(actor=world["county"], entry=entry, decision="accept")
    result = facts.gate_results(entry)[0]
    assert result.outcome == "not_met" and result.items[0].actual == "9 亿"
    assert facts.gate_labels_of(world["home"].pk) == set()


def test_a_gate_prerequisite_line_reads_the_labels():
    met = facts.gate_item("shandong-industry-model", {"ai-gate:shandong-industry-model"})
    assert met[:2] == ("山东省行业大模型遴选基本门槛（暂行）", "met")
    assert facts.gate_item("shandong-industry-model", set())[1] == "not_met"
