"""Bulk rescoring after a model correction stores what scoring each assessment on its own would store: the same
results, the same domain scores, the same report of assessments that no longer fit. Enterprises and answers are
synthetic."""

import json
import random

import pytest

import maturity
from assessments import rescoring, services
from assessments.import_results import batch_rows, full_snapshot
from assessments.models import AssessmentResult, DomainScore, PeerScore
from assessments.tests.conftest import all_answers
from assessments.tests.test_evidence_and_versions import corrected
from maturity.spec import NA

pytestmark = pytest.mark.django_db
GRADES = ["none", "partial", "most", "full"]


def submit_mixed(make_enterprise, version, n, seed=7):
    """`n` submitted assessments with random grades, some items left unanswered or N/A where the model allows,
    half of them by process makers (another context, so other items apply)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        firm = make_enterprise(county="360102" if k % 3 else "360702")
        a = services.start(
            actor=None, enterprise=firm, version=version, kind="self", production_type=("discrete", "process")[k % 2]
        )

        def choose(item):
            roll = rng.random()
            if roll < 0.05 and item.not_applicable_allowed:
                return NA
            return rng.choice(GRADES)

        answers = all_answers(version, a.context, choose)
        if k % 4 == 1:  # a partly answered assessment: unanswered items count as 0
            answers = {c: v for c, v in answers.items() if rng.random() < 0.7}
        services.save_answers(actor=None, assessment=a, updates=answers)
        services.submit(actor=None, assessment=a)
        a.refresh_from_db()
        out.append(a)
    return out


def stricter(data):
    data["rule"] = {**data["rule"], "pass_threshold": 0.85}


def test_bulk_rescoring_stores_what_scoring_each_assessment_alone_stores(make_enterprise, cmmm):
    assessments = submit_mixed(make_enterprise, cmmm, 9)
    new = services.publish_version(corrected(cmmm, "2020-tidu-bulk", stricter), change_note="阈值修订（测试）")
    spec = new.parsed()
    seen = []
    report = rescoring.rescore(version=new, chunk=4, progress=lambda done, total: seen.append((done, total)))
    assert report.rescored == 9 and report.failed == {}
    assert seen == [(4, 9), (8, 9), (9, 9)]  # three chunks, progress after each
    for a in assessments:
        alone = maturity.score(spec, a.answers, a.context)
        stored = AssessmentResult.objects.get(assessment=a, is_current=True)
        assert stored.model_version == new and stored.reason.startswith("模型修订重算")
        assert stored.score == pytest.approx(alone.score, abs=1e-9)
        assert (stored.level, stored.level_name, stored.provisional) == (
            alone.level,
            alone.level_name,
            alone.provisional,
        )
        assert stored.scale_max == alone.scale_max
        rows = {
            d.node_code: (d.depth, d.score, d.enterprise_id, d.model_code)
            for d in DomainScore.objects.filter(result__assessment=a, is_current=True)
        }
        expected = {n.code: (n.depth, n.score, a.enterprise_id, "cmmm") for n in alone.nodes.values()}
        assert rows.keys() == expected.keys()
        for code, (depth, score, enterprise_id, model) in expected.items():
            got = rows[code]
            assert got[0] == depth and got[2:] == (enterprise_id, model)
            assert (got[1] is None) == (score is None) and (score is None or got[1] == pytest.approx(score, abs=1e-9))
        assert full_snapshot(stored) == alone.to_dict()  # pages read the compact snapshot through this
        old = AssessmentResult.objects.get(assessment=a, is_current=False)
        assert old.model_version == cmmm
        # A threshold correction changes no node score: the rows stay as the old result computed them.
        assert not DomainScore.objects.filter(result=stored).exists()
        total = PeerScore.objects.get(enterprise_id=a.enterprise_id, model_code="cmmm", node_code="")
        assert total.score == stored.score
    assert DomainScore.objects.filter(is_current=True).count() == sum(
        len(maturity.score(spec, a.answers, a.context).nodes) for a in assessments
    )
    peers = set(PeerScore.objects.values_list("enterprise_id", "node_code", "score", "assessment_id"))
    services.peer_scores_rebuild()  # the peer rows updated in place are the ones a rebuild from scratch writes
    assert set(PeerScore.objects.values_list("enterprise_id", "node_code", "score", "assessment_id")) == peers
    assert rescoring.rescore(version=new).rescored == 0  # idempotent


def test_assessments_that_no_longer_fit_are_reported_with_the_error_score_gives(make_enterprise, cmmm):
    assessments = submit_mixed(make_enterprise, cmmm, 6, seed=3)
    first = next(iter(cmmm.parsed().iter_items())).item.code
    answered = [a for a in assessments if first in a.answers]
    assert len(answered) >= 2  # the synthetic answers give the first item an answer in most assessments

    def drop_first_item(data):
        node = data["nodes"][0]
        while node.get("children"):
            node = node["children"][0]
        node["items"] = node["items"][1:]

    new = services.publish_version(corrected(cmmm, "2020-tidu-bulk-cut", drop_first_item))
    spec = new.parsed()
    report = rescoring.rescore(version=new, chunk=4)
    expected = {}
    for a in assessments:
        try:
            maturity.score(spec, a.answers, a.context)
        except maturity.ScoringError as exc:
            expected[a.pk] = str(exc)
    assert report.failed == expected and set(expected) == {a.pk for a in answered}
    assert report.rescored == len(assessments) - len(answered)
    for a in answered:  # keeps its old result, and its domain scores stay current
        current = AssessmentResult.objects.get(assessment=a, is_current=True)
        assert current.model_version == cmmm
        assert DomainScore.objects.filter(result=current, is_current=True).exists()
    for a in assessments:
        assert AssessmentResult.objects.filter(assessment=a, is_current=True).count() == 1


def test_drafts_and_results_already_on_the_new_version_are_left_alone(make_enterprise, cmmm):
    (done,) = submit_mixed(make_enterprise, cmmm, 1)
    draft = services.start(actor=None, enterprise=make_enterprise(), version=cmmm, kind="self")
    new = services.publish_version(corrected(cmmm, "2020-tidu-bulk-2", stricter))
    assert rescoring.rescore(version=new).rescored == 1
    assert not AssessmentResult.objects.filter(assessment=draft).exists()
    assert services.rescore(version=new).rescored == 0  # the service entry point runs the same bulk rescoring
    assert AssessmentResult.objects.filter(assessment=done).count() == 2


@pytest.mark.parametrize("model", ["cmmm", "sme2024"])
def test_the_compact_snapshot_text_is_what_an_import_stores(request, model):
    """Rescoring writes the snapshot as text for speed; it must read back as the import's compact snapshot."""
    version = request.getfixturevalue(model)
    spec = version.parsed()
    rng = random.Random(5)
    context = {"production_type": "discrete", "industry": "34", "size": "small"}

    def choose(item):
        options = getattr(item, "options", None)
        if options:
            return rng.choice(options).code if item.kind != "multi_select" else [rng.choice(options).code]
        return None

    answers = [{c: v for c, v in all_answers(version, context, choose).items() if v is not None} for _ in range(6)]
    batch = maturity.score_many(spec, answers, context)
    built = batch_rows(spec, batch, [True, False] * 3)
    snapshots = rescoring.CompactSnapshots(spec)
    snapshots.bind(batch.node_codes)
    for k, row in enumerate(built):
        text = snapshots.json(
            float(batch.scores[k]),
            row.level,
            row.level_name,
            row.provisional,
            batch.node_scores[k].tolist(),
            batch.level_scores[k].tolist(),
        )
        assert json.loads(text) == json.loads(json.dumps(row.to_dict()))


def test_domain_scores_follow_every_change_of_the_model(make_enterprise, cmmm):
    """A correction that renames a sub-domain and reweights an item: the renamed node's rows are replaced, the
    changed ones rewritten, the rest left as they were; each assessment's current domain scores are then exactly
    what scoring it alone gives, and the peer rows are what a rebuild from them writes."""
    assessments = submit_mixed(make_enterprise, cmmm, 8, seed=11)

    def rename_and_reweight(data):
        leaves = []

        def walk(node):
            if node.get("children"):
                for child in node["children"]:
                    walk(child)
            else:
                leaves.append(node)

        for node in data["nodes"]:
            walk(node)
        leaves[0]["code"] = leaves[0]["code"] + "R"
        leaves[1]["items"][0] = {**leaves[1]["items"][0], "weight": 3.0}

    new = services.publish_version(corrected(cmmm, "2020-tidu-bulk-rename", rename_and_reweight))
    spec = new.parsed()
    assert rescoring.rescore(version=new, chunk=3).rescored == len(assessments)
    changed = 0
    for a in assessments:
        alone = maturity.score(spec, a.answers, a.context)
        assert AssessmentResult.objects.get(assessment=a, is_current=True).model_version == new
        current = DomainScore.objects.filter(result__assessment=a, is_current=True)
        rows = {d.node_code: (d.depth, d.score, d.is_current) for d in current}
        assert current.count() == len(rows)  # one row per node
        assert rows.keys() == alone.nodes.keys()
        for code, node in alone.nodes.items():
            depth, score, current = rows[code]
            assert depth == node.depth and current
            assert (score is None) == (node.score is None)
            assert node.score is None or score == pytest.approx(node.score, abs=1e-9)
        before = maturity.score(cmmm.parsed(), a.answers, a.context).nodes
        changed += any(
            code in before and (before[code].score or 0) != pytest.approx(n.score or 0, abs=1e-9)
            for code, n in alone.nodes.items()
        )
    assert changed  # the reweighted item moved some sub-domain's score, so rewrites were exercised
    assert DomainScore.objects.filter(is_current=True).count() == sum(
        len(maturity.score(spec, a.answers, a.context).nodes) for a in assessments
    )
    # The renamed node's rows are new (for the new result); its old rows are gone.
    assert DomainScore.objects.filter(result__is_current=True, result__model_version=new).exists()
    renamed = next(c for c in spec.counting_codes() if c.endswith("R") and c[:-1] in cmmm.parsed().counting_codes())
    assert not DomainScore.objects.filter(node_code=renamed[:-1]).exists()
    peers = set(PeerScore.objects.values_list("enterprise_id", "node_code", "score", "assessment_id"))
    services.peer_scores_rebuild()
    assert set(PeerScore.objects.values_list("enterprise_id", "node_code", "score", "assessment_id")) == peers


def test_snapshots_written_on_postgresql_are_compressed_with_lz4(make_enterprise, cmmm):
    """A rescoring writes a snapshot per result: on PostgreSQL they are compressed with lz4 (migration 0008), which
    costs ~40 % less server time than the default pglz. SQLite stores the text as it is."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    submit_mixed(make_enterprise, cmmm, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = 'assessments_assessmentresult'::regclass "
            "AND attname = 'snapshot'"
        )
        assert cursor.fetchone()[0] == "l"
        cursor.execute(
            "SELECT DISTINCT pg_column_compression(snapshot) FROM assessments_assessmentresult "
            "WHERE pg_column_size(snapshot) < octet_length(snapshot::text)"
        )
        assert [row[0] for row in cursor.fetchall()] == ["lz4"]
