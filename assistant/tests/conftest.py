"""Fixtures of the assistant's tests: a tiny corpus (one uploaded Markdown policy and the reports of two enterprises
in different cities), indexed with the real embedder (its model loads once per process)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

POLICY_MD = """# 示例市技术改造奖补办法（测试）

## 第一章 支持对象

在本市注册、正常经营的规模以上工业企业，实施设备更新或数字化改造项目的，可以申请奖补。

## 第二章 奖补标准

按项目设备投资额的百分之十给予奖补，单个项目最高五百万元。

## 第三章 申报程序

企业在每年六月底前通过平台提交申报材料，县级主管部门初审后报市级主管部门审定。
"""


def report_content(enterprise_name: str, weakness: str, finding: str) -> dict:
    return {
        "schema": 1,
        "enterprise": {"name": enterprise_name},
        "models": [{
            "name": "智能制造能力成熟度模型", "level_name": "二级（规范级）", "score": 2.1, "scale_max": 5,
            "kind_label": "诊断评估", "strengths": [{"name": "装备"}], "weaknesses": [{"name": weakness}],
            "gap": {"reached": False, "target_name": "三级（集成级）", "domains": [{"name": weakness, "items": 4}],
                    "blockers": []},
            "roadmap": None,
        }],
        "findings": [{"kind_label": "诊断发现", "text": finding}],
    }  # fmt: skip


def issue(enterprise, content: dict):
    """An issued report row as the reports app stores it (its PDF is not needed by the assistant)."""
    from reports.models import DiagnosisReport
    from reports.services import new_code

    return DiagnosisReport.objects.create(
        enterprise=enterprise, version=1, code=new_code(), title="数字化转型诊断报告", content=content,
        pdf="reports/none.pdf", pdf_sha256="0" * 64, pdf_size=1, issuer="测试",
    )  # fmt: skip


@pytest.fixture
def corpus(world):
    """The policy (uploaded by the province officer), the home enterprise's report (南昌) and the other
    enterprise's report (九江), all indexed."""
    from assistant import services
    from assistant.models import IndexRun

    policy = services.document_add(
        actor=world["province"], title="", kind="policy",
        upload=SimpleUploadedFile("技术改造奖补办法.md", POLICY_MD.encode()),
    )  # fmt: skip
    home = issue(world["home"], report_content(world["home"].name, "质量管控", "东湖精密的检测数据仍靠纸质记录。"))
    other = issue(world["other"], report_content(world["other"].name, "安全环保", "濂溪化工的危化品仓储未接入监控。"))
    services.index_run(IndexRun.objects.create(started_by=world["province"]).pk)  # adds the reports, embeds all
    return {"policy": policy, "home_report": home, "other_report": other}
