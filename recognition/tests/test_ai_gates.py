"""A recognition programme may require an AI registry gate among its prerequisites (issue 22): the line is met once
an officer has reviewed the applicant's entry that passes the gate; the bulk re-check reads the same fact; a gate
that does not exist is refused when the programme is loaded. Synthetic data."""

import copy

import pytest

from airegistry import services as registry
from airegistry.tests.conftest import complete_model
from recognition import chain, library, prerequisites, rechecks
from recognition.models import PrerequisiteResult, PrerequisiteRun
from regions.models import Region

pytestmark = pytest.mark.django_db

GATE = "shandong-industry-model"


def _spec(gates) -> dict:
    data = copy.deepcopy(library.shipped()["sd-industry-model-2025"])
    data["prerequisites"] = {"ai_gates": gates}
    return data


def test_an_unknown_gate_is_refused_when_the_programme_is_loaded():
    with pytest.raises(chain.SpecError, match="no-such-gate"):
        chain.parse(_spec([GATE, "no-such-gate"]))


def test_the_gate_line_is_met_after_review_and_the_bulk_recheck_agrees(world, load_programme):
    home = world["home"]
    programme = load_programme(code="sd-industry-model-2025", region="360000", actor="province",
                               prerequisites={"ai_gates": [GATE]})  # fmt: skip
    entry = complete_model(world["enterprise"], home)
    registry.entry_submit(actor=world["enterprise"], entry=entry)
    (line,) = prerequisites.check(programme.rules, home).items
    assert (line.name, line.outcome) == ("山东省行业大模型遴选基本门槛（暂行）", "not_met")

    registry.entry_review(actor=world["county"], entry=entry, decision="accept")
    assert prerequisites.check(programme.rules, home).outcome == "met"
    run = PrerequisiteRun.objects.create(programme=programme, region=Region.objects.get(code="360000"),
                                         started_by=world["province"])  # fmt: skip
    rechecks.run(run)
    got = dict(PrerequisiteResult.objects.filter(run=run).values_list("enterprise_id", "outcome"))
    assert got[home.pk] == "met" and got[world["other"].pk] == "not_met"
