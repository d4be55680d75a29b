import pytest

from assessments.models import ModelVersion


@pytest.fixture
def cmmm(db):
    return ModelVersion.objects.get(code="cmmm", is_current=True)


@pytest.fixture
def sme2024(db):
    return ModelVersion.objects.get(code="sme-2024", is_current=True)


def all_answers(version, context, choose):
    """Answers for every applicable scoring item, `choose(item)` picking each value."""
    from maturity.answers import applies

    return {r.item.code: choose(r.item) for r in version.parsed().iter_items() if applies(r, context)}
