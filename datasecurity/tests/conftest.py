"""Data-security fixtures (synthetic): complete data assets for the 南昌 enterprise, and a user of the 九江 one."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from datasecurity import services
from datasecurity.models import DataAsset

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


COMPLETE = {"source": "生产线传感器采集", "records": 1_000_000, "storage_gb": 200.0, "carrier": "本地服务器（机房）",
            "purpose": "工艺优化，批处理分析", "scope_of_use": "本企业工艺部门", "responsible": "企业数据安全负责人",
            "sharing": "无", "cross_border": "无", "protection": "加密存储、异地备份、访问审计"}  # fmt: skip


@pytest.fixture
def make_asset():
    def make(world, *, name="工艺参数库", category="production", level="important", user="enterprise", when=None,
             enterprise="home", **fields):  # fmt: skip
        asset = DataAsset(enterprise=world[enterprise], name=name, category=category, level=level,
                          **{**COMPLETE, **fields})  # fmt: skip
        return services.asset_save(actor=world[user], asset=asset, now=when)

    return make


@pytest.fixture
def ds(world, make_user, make_asset):
    from accounts.models import Role

    world["other_enterprise"] = make_user("other_enterprise", Role.ENTERPRISE, enterprise=world["other"])
    world["asset"] = make_asset(world)
    return world
