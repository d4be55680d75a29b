"""A funding programme may require an AI registry gate (issue 22): the enterprise meets the rule once an officer has
reviewed its model entry that passes the gate — not while the entry only waits for review. Synthetic data."""

from decimal import Decimal

import pytest

from airegistry import services as registry
from airegistry.tests.conftest import complete_model
from incentives import services
from incentives.facts import facts_in
from incentives.tests.conftest import voucher_data
from regions.models import Region

pytestmark = pytest.mark.django_db

GATE = "ai-gate:shandong-industry-model"


@pytest.fixture
def programme(world):
    data = voucher_data(rules=[{"fact": "label", "op": "has", "value": GATE, "label": "行业大模型遴选门槛"}])
    province = Region.objects.get(code="360000")
    programme = services.programme_load(actor=world["province"], region=province, data=data)
    services.budget_set(actor=world["province"], programme=programme, region=province, year=2026,
                        amount=Decimal("1000000"))  # fmt: skip
    return programme


def test_the_gate_rule_is_met_only_after_the_entry_is_reviewed(world, programme):
    home = world["home"]
    entry = complete_model(world["enterprise"], home)
    registry.entry_submit(actor=world["enterprise"], entry=entry)
    waiting = services.eligibility(programme, home)
    assert [item.outcome for item in waiting.items] == ["not_met"]

    registry.entry_review(actor=world["county"], entry=entry, decision="accept")
    checked = services.eligibility(programme, home)
    assert [item.outcome for item in checked.items] == ["met"]
    assert "山东省行业大模型遴选基本门槛" in checked.items[0].actual  # the gate by its name, not its code
    assert GATE in dict(facts_in("36"))[home.pk].labels  # the bulk re-check reads the same fact
    assert GATE not in dict(facts_in("36"))[world["other"].pk].labels
