"""Records for monitoring tests, written as the services leave them (synthetic data). Results are stored
directly with a chosen level and date: the tests are about counting results, not scoring answers."""

import datetime as dt

import pytest
from django.utils import timezone

from assessments.models import Assessment, AssessmentResult, ModelVersion


def at(year: int, month: int = 6, day: int = 1) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def give_result(db):
    version = ModelVersion.objects.get(code="cmmm", is_current=True)

    def give(enterprise, level: int, *, kind="self", when=None, status=Assessment.Status.SUBMITTED):
        assessment = Assessment.objects.create(
            enterprise=enterprise, model_version=version, model_code=version.code, kind=kind, status=status,
            submitted_at=(when or at(2026)) if status == Assessment.Status.SUBMITTED else None,
        )  # fmt: skip
        if status == Assessment.Status.SUBMITTED:
            AssessmentResult.objects.create(
                assessment=assessment, model_version=version, score=float(level), scale_max=5.0, level=level,
                level_name=f"{level}级", snapshot={},
            )  # fmt: skip
        return assessment

    return give
