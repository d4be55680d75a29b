"""The peer-score table: each enterprise's latest submitted assessment per model, with its peer-group keys, kept
right by every write of a result and by following the archive's timeline. All enterprises and answers are
synthetic."""

import datetime as dt
import importlib
import io

import pytest
from django.core.management import call_command
from django.db import connection

from assessments import services
from assessments.demo import seed_demo_assessments
from assessments.models import Assessment, AssessmentResult, DomainScore, PeerScore, PeerScoreSync
from assessments.tests.conftest import all_answers
from assessments.tests.test_evidence_and_versions import corrected
from assessments.tests.test_import import confirm, row_for, template_headers, upload, xlsx
from enterprises import events
from enterprises.demo import seed_demo
from enterprises.models import Enterprise, EnterpriseEvent
from enterprises.services import Figures, enterprise_remove, enterprise_set_figures, enterprise_update

pytestmark = pytest.mark.django_db
DISCRETE = {"production_type": "discrete", "industry": "34", "size": None}


def submitted(enterprise, version, grade="partial", kind="self", verifies=None):
    a = services.start(actor=None, enterprise=enterprise, version=version, kind=kind, verifies=verifies)
    services.save_answers(actor=None, assessment=a, updates=all_answers(version, a.context, lambda item: grade))
    services.submit(actor=None, assessment=a)
    return a


def rows_of(enterprise, model_code="cmmm") -> dict[str, tuple]:
    return {
        p.node_code: (p.assessment_id, p.score, p.industry, p.size_class, p.province, p.city)
        for p in PeerScore.objects.filter(enterprise=enterprise, model_code=model_code)
    }


def expected_rows(assessment) -> dict[str, tuple]:
    """What the table should hold for this assessment: the current total and every top-level node (None when
    nothing under it counts)."""
    e = Enterprise.objects.get(pk=assessment.enterprise_id)
    keys = (e.industry_id, e.size_class, e.county_id[:2], e.county_id[:4])
    result = AssessmentResult.objects.get(assessment=assessment, is_current=True)
    out = {"": (assessment.pk, result.score, *keys)}
    for d in DomainScore.objects.filter(result__assessment=assessment, is_current=True, depth=0):
        out[d.node_code] = (assessment.pk, d.score, *keys)
    return out


def table() -> set[tuple]:
    return set(
        PeerScore.objects.values_list(
            "enterprise_id", "model_code", "node_code", "score", "assessment_id", "industry", "size_class", "province",
            "city",
        )
    )  # fmt: skip


def test_submit_writes_the_total_and_each_top_level_domain_with_the_enterprises_keys(make_enterprise, cmmm):
    firm = make_enterprise(county="360102", industry="34", size_class="small")
    a = submitted(firm, cmmm)
    rows = rows_of(firm)
    assert set(rows) == {"", "P", "T", "R", "M"}  # CMMM's four elements (人员、技术、资源、制造) and the total
    assert rows == expected_rows(a)
    assert rows[""][2:] == ("34", "small", "36", "3601")


def test_the_latest_submission_wins_whatever_its_kind(make_enterprise, cmmm):
    firm = make_enterprise(county="360102")
    first = submitted(firm, cmmm, grade="full")
    assert rows_of(firm) == expected_rows(first)
    check = services.start(actor=None, enterprise=firm, version=cmmm, kind="verified", verifies=first)
    changed = next(iter(check.answers))
    services.save_answers(
        actor=None, assessment=check, updates={changed: "none"}, reasons={changed: "现场核查（测试）"}
    )
    services.submit(actor=None, assessment=check)
    assert rows_of(firm) == expected_rows(check)
    assert rows_of(firm)[""][1] < AssessmentResult.objects.get(assessment=first).score


def test_latest_means_submitted_last_not_created_last(make_enterprise, cmmm):
    firm = make_enterprise(county="360102")
    older, newer = submitted(firm, cmmm, grade="full"), submitted(firm, cmmm, grade="none")
    assert rows_of(firm) == expected_rows(newer)
    # An assessment entered later for an earlier date (as imports and the demo do) does not replace a newer one.
    Assessment.objects.filter(pk=newer.pk).update(submitted_at=older.submitted_at - dt.timedelta(days=30))
    services.peer_scores_refresh(enterprise_ids=[firm.pk])
    assert rows_of(firm) == expected_rows(older)


def test_drafts_and_other_models_are_left_alone(make_enterprise, cmmm, sme2024):
    firm = make_enterprise(county="360102")
    sme = submitted(firm, sme2024, grade="x")  # no valid answer: domains score 0, or nothing where nothing counts
    services.start(actor=None, enterprise=firm, version=cmmm, kind="self")  # a draft: no score yet
    assert rows_of(firm, "cmmm") == {}
    rows = rows_of(firm, "sme-2024")
    assert rows == expected_rows(sme) and set(rows) == {"", "B", "O", "M", "E"}
    assert None in {score for _a, score, *_keys in rows.values()}  # an unscored domain is kept, as NULL


def test_rescoring_moves_the_rows_to_the_new_result(make_enterprise, cmmm):
    firm = make_enterprise(county="360102")
    a = submitted(firm, cmmm, grade="most")
    assert rows_of(firm)[""][1] == pytest.approx(4.0)  # 0.8 at every level

    def stricter(data):
        data["rule"] = {**data["rule"], "pass_threshold": 0.85}

    new = services.publish_version(corrected(cmmm, "2020-tidu-1-peers", stricter), change_note="阈值修订（测试）")
    assert services.rescore(version=new).rescored == 1
    assert rows_of(firm)[""][1] == pytest.approx(0.8)
    assert rows_of(firm) == expected_rows(a)


def test_an_import_commit_writes_the_rows_of_every_imported_enterprise(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    home, neighbour = world["home"], world["neighbour"]
    before = submitted(home, cmmm, grade="full")
    rows = [
        row_for(headers, home, all_answers(cmmm, DISCRETE, lambda item: "none")),
        row_for(headers, neighbour, all_answers(cmmm, DISCRETE, lambda item: "most")),
    ]
    job = confirm(client, upload(client, cmmm, xlsx(headers, rows)))
    assert job.status == "done", job.message
    for firm in (home, neighbour):
        imported = Assessment.objects.get(enterprise=firm, source="import")
        assert rows_of(firm) == expected_rows(imported)
    assert rows_of(home)[""][0] != before.pk


def test_demo_seeding_writes_the_rows_and_replacing_it_rewrites_them(settings):
    seed_demo(province="36", enterprises=40, seed=3, password="Demo-pass-2026!")
    seed_demo_assessments(seed=1)
    after_first = table()
    seeded = Assessment.objects.values_list("enterprise_id", "model_code").distinct()
    assert {(e, m) for e, m, *_ in after_first} == set(seeded)
    assert after_first == rebuilt()
    seed_demo_assessments(seed=2, replace=True)
    assert table() == rebuilt() and table() != after_first
    assert not PeerScore.objects.exclude(assessment__in=Assessment.objects.all()).exists()


def rebuilt() -> set[tuple]:
    services.peer_scores_rebuild()
    return table()


def test_a_removed_enterprise_leaves_the_table_once_the_timeline_is_followed(make_enterprise, cmmm):
    firm, other = make_enterprise(county="360102"), make_enterprise(county="360102")
    submitted(firm, cmmm)
    kept = submitted(other, cmmm)
    enterprise_remove(actor=None, enterprise=firm, reason="注销（测试）")
    assert services.peer_scores_follow_archive() == 1
    assert rows_of(firm) == {} and rows_of(other) == expected_rows(kept)
    assert services.peer_scores_follow_archive() == 0  # nothing left to do


def test_a_restored_enterprise_comes_back(make_enterprise, cmmm):
    firm = make_enterprise(county="360102")
    a = submitted(firm, cmmm)
    enterprise_remove(actor=None, enterprise=firm, reason="误操作（测试）")
    services.peer_scores_follow_archive()
    assert rows_of(firm) == {}
    # There is no restore service yet; this is what one does: clear removed_at and write the timeline event.
    Enterprise.objects.filter(pk=firm.pk).update(removed_at=None)
    events.record(firm, EnterpriseEvent.Kind.RESTORED, summary="恢复档案（测试）")
    services.peer_scores_follow_archive()
    assert rows_of(firm) == expected_rows(a)


def test_moving_reclassifying_and_resizing_an_enterprise_moves_its_rows(make_enterprise, cmmm):
    firm = make_enterprise(county="360102", industry="34")
    a = submitted(firm, cmmm)
    enterprise_update(actor=None, enterprise=firm, data={"county_id": "360203", "industry_id": "39"})
    services.peer_scores_follow_archive()
    assert rows_of(firm)[""][2:] == ("39", "", "36", "3602")
    enterprise_set_figures(actor=None, enterprise=firm, figures=Figures(year=2025, employees=500, revenue=50000))
    services.peer_scores_follow_archive()
    firm.refresh_from_db()
    assert firm.size_class and rows_of(firm)[""][3] == firm.size_class
    assert rows_of(firm) == expected_rows(a)


def test_following_looks_only_at_recent_timeline_events(make_enterprise, cmmm):
    firm = make_enterprise(county="360102")
    submitted(firm, cmmm)
    services.peer_scores_follow_archive()
    # A change made around the services (no timeline event) is not seen: that is what the command is for.
    Enterprise.objects.filter(pk=firm.pk).update(industry_id="39")
    assert services.peer_scores_follow_archive() == 0 and rows_of(firm)[""][2] == "34"
    # An event older than the margin before the last follow is not read again.
    enterprise_update(actor=None, enterprise=firm, data={"industry_id": "40"})
    long_ago = PeerScoreSync.objects.get().followed_until - services.FOLLOW_MARGIN - dt.timedelta(seconds=1)
    EnterpriseEvent.objects.filter(enterprise=firm, kind="changed").update(at=long_ago)
    assert services.peer_scores_follow_archive() == 0
    out = io.StringIO()
    call_command("rebuild_peer_scores", stdout=out)
    assert "同行对标得分已重建：5 行" in out.getvalue()
    assert rows_of(firm)[""][2] == "40"


def test_the_rebuild_command_gives_what_the_writes_gave(make_enterprise, cmmm, sme2024):
    expected = []
    for county, grade in (("360102", "full"), ("360103", "most"), ("360203", "none")):
        firm = make_enterprise(county=county, size_class="micro")
        expected += [expected_rows(submitted(firm, cmmm, grade=grade)), expected_rows(submitted(firm, sme2024))]
    written = table()
    assert len(written) == sum(len(rows) for rows in expected)
    PeerScore.objects.filter(node_code="").update(score=-1)  # damage it
    call_command("rebuild_peer_scores", stdout=io.StringIO())
    assert table() == written


def test_the_migrations_backfill_gives_what_the_service_gives(make_enterprise, cmmm):
    migration = importlib.import_module("assessments.migrations.0004_peer_scores")
    for county, grade in (("360102", "full"), ("360103", "partial")):
        submitted(make_enterprise(county=county, size_class="small"), cmmm, grade=grade)
    written = table()
    PeerScore.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert table() == written
