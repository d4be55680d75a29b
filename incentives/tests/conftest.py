"""A voucher programme of the province (the shipped example without its application window), its budget, a listed
provider with a published solution, and a helper that takes an application to its last step. Synthetic data."""

from decimal import Decimal

import pytest

from incentives import rules, services
from regions.models import Region


def voucher_data(**changes) -> dict:
    import yaml

    data = yaml.safe_load((rules.EXAMPLES / "sme-service-voucher.yaml").read_text(encoding="utf-8"))
    data.pop("opens", None)
    data.pop("closes", None)
    data["documents"] = [{"code": "contract", "name": "数字化改造服务合同"}]
    data.update(changes)
    return data


@pytest.fixture
def funding(world):
    from catalog.models import Provider, Solution

    org = Provider.objects.get(name="测试服务商有限公司")  # world["provider"] is the provider's user
    Provider.objects.filter(pk=org.pk).update(status="published")
    org.refresh_from_db()
    solution = Solution.objects.create(provider=org, title="设备联网改造方案", description="合成",
                                       status="published")  # fmt: skip
    province = Region.objects.get(code="360000")
    programme = services.programme_load(actor=world["province"], region=province, data=voucher_data())
    services.programme_set_status(actor=world["province"], programme=programme, status="open")
    budget = services.budget_set(actor=world["province"], programme=programme, region=province, year=2026,
                                 amount=Decimal("1000000"))  # fmt: skip
    world["home"].size_class = "small"
    world["home"].save(update_fields=["size_class"])
    return {**world, "programme": programme, "budget": budget, "solution": solution, "provider_org": org}


def attach_contract(application, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incentives.models import FundingDocument

    FundingDocument.objects.create(application=application, code="contract", name="合同.pdf", size=10, sha256="0" * 64,
                                   uploaded_by=user, file=SimpleUploadedFile("c.pdf", b"%PDF-1.4 x"))  # fmt: skip


_numbers = iter(range(1, 10_000))


def draft(f, enterprise=None, user=None, cost="100000", **values):
    n = next(_numbers)
    fields = {"project_name": f"设备联网改造{n}", "contract_number": f"HT-2026-{n:04d}",
              "invoice_numbers": f"FP{n:06d}", "provider": f["provider_org"], "solution": f["solution"],
              "not_related": True, "cost": Decimal(cost), **values}  # fmt: skip
    application = services.draft_save(actor=user or f["enterprise"], programme=f["programme"],
                                       enterprise=enterprise or f["home"], **fields)  # fmt: skip
    attach_contract(application, user or f["enterprise"])
    return application


def to_last_step(f, application):
    """Submitted, and passed by the county and the city: the province's decision is next."""
    services.submit(actor=f["enterprise"], application=application)
    services.decide(actor=f["county"], application=application, decision="pass")
    services.decide(actor=f["city"], application=application, decision="pass")
    application.refresh_from_db()
    return application
