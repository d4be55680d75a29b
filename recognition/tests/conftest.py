"""Recognition fixtures (synthetic data): the example programmes loaded for 南昌 and the province, an evidence
helper, and an expert pool."""

import copy

import pytest
from django.core.files.base import ContentFile

from monitoring.tests.conftest import give_result  # noqa: F401  (a fixture recognition tests use too)
from recognition import library, services
from recognition.models import ApplicationEvidence, Expert, Programme
from regions.models import Region


@pytest.fixture
def load_programme(world):
    def load(code="sf-basic-2026", region="360100", actor="city", open_=True, **changes):
        data = copy.deepcopy(library.shipped()[code])
        data.update(changes)
        programme = services.programme_load(actor=world[actor], region=Region.objects.get(code=region), data=data)
        if open_:
            services.programme_set_status(actor=world[actor], programme=programme, status=Programme.Status.OPEN)
        return programme

    return load


@pytest.fixture
def attach():
    def attach(application, *codes):
        for code in codes or [e.code for e in application.programme.rules.evidence if e.required]:
            ApplicationEvidence.objects.create(
                application=application, code=code, file=ContentFile(b"%PDF-1.4 synthetic", name=f"{code}.pdf"),
                name=f"{code}.pdf", size=18, sha256="0" * 64,
            )  # fmt: skip

    return attach


@pytest.fixture
def expert_pool(make_user):
    from accounts.models import Role

    def make(name, region=None, organisation="", organisation_code="", fields=()):
        user = make_user(name, Role.EXPERT)
        return Expert.objects.create(user=user, region_id=region, organisation=organisation,
                                     organisation_code=organisation_code, fields=list(fields))  # fmt: skip

    return make
