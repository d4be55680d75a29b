"""A working day's worth of synthetic data on top of the `world` personas, so every workbench and menu page has
something in it: a submitted self-assessment waiting for verification, needs with and without responses, a provider
waiting for review, a report issued by the county, and an internal and a shared note on the enterprise."""

from assessments import services as assessment_services
from assessments.models import ModelVersion
from assessments.tests.conftest import all_answers
from catalog import services as catalog_services
from catalog import workflow
from catalog.models import Need, Provider
from conftest import make_code
from enterprises.services import enterprise_add_note

INTERNAL_NOTE = "企业负责人改造意愿不强，建议暂缓推荐资金"
SHARED_NOTE = "已约定下周上门诊断"


def populate(world) -> dict:
    home, enterprise = world["home"], world["enterprise"]
    world["commissioner"].memberships.get().assigned_enterprises.add(home)
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    assessment = assessment_services.start(actor=enterprise, enterprise=home, version=cmmm, kind="self")
    answers = all_answers(cmmm, assessment.context, lambda item: "full" if item.level == 1 else "none")
    assessment_services.save_answers(actor=enterprise, assessment=assessment, updates=answers)
    assessment_services.submit(actor=enterprise, assessment=assessment)
    answered = catalog_services.need_create(
        actor=enterprise, need=Need(enterprise=home, title="排产系统", text="需要一套排产系统", visibility="public")
    )
    unanswered = catalog_services.need_create(
        actor=enterprise, need=Need(enterprise=home, title="设备联网", text="需要设备联网改造方案", visibility="public")
    )
    provider = world["provider"].memberships.get().provider  # world["provider"] is the user; this is its firm
    response = workflow.response_create(
        actor=world["provider"], need=answered, provider=provider, message="我们提供排产系统"
    )
    pending = Provider.objects.create(
        name="待审核服务商有限公司", credit_code=make_code("360102"), region_id="360100", status="pending"
    )
    enterprise_add_note(actor=world["county"], enterprise=home, text=INTERNAL_NOTE, visibility="internal")
    enterprise_add_note(actor=world["county"], enterprise=home, text=SHARED_NOTE, visibility="shared")
    return {
        "assessment": assessment,
        "answered": answered,
        "unanswered": unanswered,
        "response": response,
        "pending_provider": pending,
    }
