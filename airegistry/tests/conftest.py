"""A complete model entry of the home enterprise (every Shandong gate met by its records) and helpers. Synthetic."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from airegistry import services

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MODEL = {"name": "赣工质检大模型", "version": "v1.0", "base_model": "Qwen2.5-7B", "base_origin": "third_party",
         "base_licence": "Apache-2.0", "modality": "vision", "parameters": 7_000_000_000, "industries": ["34"],
         "links": ["quality", "production"], "deployment_forms": ["private"],
         "data_description": "合成：缺陷图像 12 万张"}


def report(name="报告.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def evaluation(**changes) -> dict:
    values = {"evaluator": "某第三方评测中心（合成）", "accreditation": "CNAS L0000", "standard": "GB/T 45288.2",
              "standard_version": "2025", "evaluated_on": dt.date.today() - dt.timedelta(days=60),
              "performance": Decimal("86"), "industry_fit": Decimal("90"), "safety": Decimal("75"),
              "report": report()}  # fmt: skip
    values.update(changes)
    return values


def complete_model(user, developer, **changes):
    """A model with 2 general and 3 specific scene models, a deployment with a measured benefit, an evaluation."""
    entry = services.entry_create(actor=user, kind="model", developer=developer, **{**MODEL, **changes})
    for i in range(2):
        services.scene_add(actor=user, entry=entry, kind="general", name=f"通用场景{i + 1}")
    for i in range(3):
        services.scene_add(actor=user, entry=entry, kind="specific", name=f"特定场景{i + 1}", link="quality")
    since = dt.date.today() - dt.timedelta(days=200)
    services.deployment_add(actor=user, entry=entry, client_name="某应用企业（合成）", since=since,
                            benefit="缺陷检出率 92% → 98.5%")  # fmt: skip
    services.evaluation_add(actor=user, entry=entry, **evaluation())
    return entry


@pytest.fixture
def registered(world):
    """The home enterprise's complete model, submitted (at the county's review)."""
    entry = complete_model(world["enterprise"], world["home"])
    services.entry_submit(actor=world["enterprise"], entry=entry)
    return {**world, "entry": entry}
