"""The demo seed: synthetic and labelled, reached through the services, idempotent, and removable."""

import pytest

from airegistry import demo
from airegistry.models import Entry
from enterprises.demo_records import DEMO_EMAIL_DOMAIN

pytestmark = pytest.mark.django_db


def test_seed_is_labelled_idempotent_and_clearable(world):
    from accounts.models import User

    User.objects.filter(username__in=["province", "enterprise", "provider"]).update(
        email=f"x@{DEMO_EMAIL_DOMAIN}")  # the demo accounts are told by their address  # fmt: skip
    counts = demo.seed("36")
    assert (counts["published"], counts["submitted"], counts["draft"]) == (2, 1, 1)
    assert all(e.is_synthetic and e.name.endswith("（演示）") for e in Entry.objects.all())
    assert demo.seed("36") is None and Entry.objects.count() == 4
    published = Entry.objects.published().order_by("kind")
    assert [(e.kind, e.developer.name) for e in published] == [("agent", "测试服务商有限公司"),
                                                                ("model", "东湖精密机械有限公司")]  # fmt: skip
    assert demo.clear()["entries"] == 4 and not Entry.objects.exists()


def test_without_the_demo_accounts_nothing_is_made(world):
    with pytest.raises(demo.DemoError, match="缺少演示账号"):
        demo.seed("36")
    assert not Entry.objects.exists()
