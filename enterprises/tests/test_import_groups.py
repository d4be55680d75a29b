"""Clusters, chains, label variants and date order in the enterprise import: the cell validators (enterprises.
import_rows / import_names / import_values) and the grouping plan and write (enterprises.import_groups).
All names, codes and groupings here are synthetic."""

import datetime as dt
import io
import unicodedata
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accounts.policy import scope_of
from conftest import make_code
from enterprises import import_groups, import_values
from enterprises.import_names import grouping_keys, label_key, label_lookup
from enterprises.import_rows import Lookups, Row, RowValidator, column_of
from enterprises.imports import import_commit, import_start
from enterprises.labels import LABELS
from enterprises.models import (
    Chain,
    ChainMembership,
    Cluster,
    ClusterMembership,
    Enterprise,
    EnterpriseEvent,
    ImportJob,
)

# ------------------------------------------------------------------------------------------------ columns


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("所属产业集群", "clusters"),
        ("先进制造业集群", "clusters"),
        ("集群名称", "clusters"),
        ("產業集群", "clusters"),
        ("所属产业链", "chains"),
        ("重点产业链", "chains"),
        ("链条", "chains"),
        ("所属产业链（链主/上游/中游/下游）", "chains"),
    ],
)
def test_cluster_and_chain_columns_are_recognised(header, key):
    assert column_of(header) == key


# ------------------------------------------------------------------------------------------------ cell validators

VALIDATOR = RowValidator(lookups=None, mapping={})  # the grouping cells need no reference data


def as_read(text: str) -> str:
    """What the validator hands each clean_ method: the cell NFKC-normalised and stripped."""
    return unicodedata.normalize("NFKC", text).strip()


@pytest.mark.parametrize("separator", ["、", "，", ",", ";", "；", "/", "／", "\n"])
def test_a_cluster_cell_may_hold_several_names_with_any_separator(separator):
    text = as_read(f"电子信息产业集群{separator}航空装备集群")
    assert VALIDATOR.clean_clusters(text, 2) == ["电子信息产业集群", "航空装备集群"]


def test_cluster_names_are_normalised_and_repeated_names_kept_once():
    text = as_read("电子信息 产业集群、 电子信息产业集群 、ＩＣ集群")
    assert VALIDATOR.clean_clusters(text, 2) == ["电子信息产业集群", "IC集群"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("新能源汽车（链主）", {"新能源汽车": "leader"}),
        ("电子信息:上游", {"电子信息": "upstream"}),
        ("电子信息：中游环节", {"电子信息": "midstream"}),
        ("光伏【下游企业】", {"光伏": "downstream"}),
        ("新能源汽车(链主/龙头)、电子信息", {"新能源汽车": "leader", "电子信息": None}),
        ("锂电 产业链（龙头企业）", {"锂电产业链": "leader"}),
        ("电子信息、电子信息（上游）", {"电子信息": "upstream"}),
    ],
)
def test_a_chain_name_may_carry_its_position_in_brackets_or_after_a_colon(cell, expected):
    assert VALIDATOR.clean_chains(as_read(cell), 2) == expected


def test_an_unknown_position_word_is_refused_naming_the_word():
    with pytest.raises(import_values.CellError, match="“核心”不是链上位置"):
        VALIDATOR.clean_chains(as_read("新能源汽车（核心）"), 2)


def test_two_positions_for_one_chain_are_refused():
    with pytest.raises(import_values.CellError, match="两个不同的位置"):
        VALIDATOR.clean_chains(as_read("电子信息（上游）、电子信息（下游）"), 2)


def test_an_overlong_grouping_name_is_refused():
    with pytest.raises(import_values.CellError, match="过长"):
        VALIDATOR.clean_clusters("集" * 101, 2)


def test_grouping_names_match_with_and_without_their_kind_suffix():
    assert grouping_keys("新能源汽车产业链")[1] == grouping_keys("新能源汽车")[1] == grouping_keys("新能源汽车链")[1]
    assert grouping_keys("电子信息产业集群")[1] == grouping_keys("电子信息集群")[1] == grouping_keys("电子信息产业")[1]
    assert grouping_keys("电子信息产业集群")[0] != grouping_keys("电子信息集群")[0]


# ------------------------------------------------------------------------------------------------ label variants


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("专精特新中小企业", "specialised-sme"),
        ("“专精特新”中小企业", "specialised-sme"),
        ('"专精特新"中小企业', "specialised-sme"),
        ("「专精特新」中小企业", "specialised-sme"),
        ("＂专精特新＂中小企业", "specialised-sme"),
        ("专精特新企业", "specialised-sme"),
        ("专精特新", "specialised-sme"),
        ("专精特新 中小企业", "specialised-sme"),
        ("專精特新中小企業", "specialised-sme"),
        ("专精特新“小巨人”企业", "little-giant"),
        ("专精特新小巨人", "little-giant"),
        ("小巨人企业", "little-giant"),
        ("创新型中小企业", "innovative-sme"),
        ("高新技术企业", "high-tech"),
        ("高新技术", "high-tech"),
        ("高企", "high-tech"),
        ("国家高新技术企业", "high-tech"),
        ("链主", "chain-leader"),
        ("单项冠军企业", "single-champion"),
        ("制造业单项冠军企业", "single-champion"),
        ("智能工厂(先进级)", "tier-advanced"),
        ("智能工厂先进级", "tier-advanced"),
    ],
)
def test_each_label_is_matched_in_its_variants(written, code):
    labels, ambiguous = label_lookup((c, n) for c, n, _kind in LABELS)
    assert label_key(written) in labels, written
    assert labels[label_key(written)] == code
    assert not ambiguous


def test_no_two_shipped_labels_share_a_variant():
    _labels, ambiguous = label_lookup((c, n) for c, n, _kind in LABELS)
    assert ambiguous == {}


def test_a_variant_two_labels_share_is_never_given_to_either():
    labels, ambiguous = label_lookup([("a", "示范企业"), ("b", "示范")])
    assert label_key("示范") not in labels
    assert ambiguous[label_key("示范")] == {"示范企业", "示范"}


@pytest.mark.django_db
def test_the_label_cell_reads_variants_with_their_year(world):
    validator = RowValidator(Lookups(scope_of(world["county"])), {})
    assert validator.clean_labels("“专精特新”中小企业:2023；高企（2022）、专精特新“小巨人”企业", 2) == {
        "specialised-sme": 2023,
        "high-tech": 2022,
        "little-giant": None,
    }
    with pytest.raises(ValueError, match="未知标签"):
        validator.clean_labels("专精特新示范", 2)


# ------------------------------------------------------------------------------------------------ date order


@pytest.mark.parametrize(
    ("values", "order"),
    [
        (["03/04/2015", "25/03/2019"], import_values.DAY_FIRST),
        (["03/04/2015", "03/25/2019", ""], import_values.MONTH_FIRST),
        (["03/04/2015", "04/05/2016"], None),  # nothing settles it
        (["25/03/2019", "03/25/2019", "03/04/2015"], None),  # the column contradicts itself
        (["25/03/19", "03/04/2015"], None),  # a two-digit year settles nothing (it is refused on its own)
        (["2015-03-04", "25.03.2019"], import_values.DAY_FIRST),
    ],
)
def test_a_columns_own_dates_settle_its_order_or_not(values, order):
    assert import_values.slash_date_order(values) == order


def test_an_ambiguous_date_follows_the_settled_order():
    assert import_values.slash_date("03/04/2015", import_values.DAY_FIRST) == dt.date(2015, 4, 3)
    assert import_values.slash_date("03/04/2015", import_values.MONTH_FIRST) == dt.date(2015, 3, 4)
    assert import_values.slash_date("25/04/2015", import_values.MONTH_FIRST) == dt.date(2015, 4, 25)


@pytest.mark.django_db
def test_the_validator_reads_ambiguous_dates_in_the_order_the_file_settles(world):
    mapping = {"founded_on": 0}
    validator = RowValidator(Lookups(scope_of(world["county"])), mapping)
    rows = [(2, ["03/04/2015"]), (3, ["25/03/2019"])]
    notes = validator.settle_date_orders(rows)
    assert notes and "日/月/年" in notes[0] and "成立日期" in notes[0]
    assert validator.clean_founded_on("03/04/2015", 2) == dt.date(2015, 4, 3)


@pytest.mark.django_db
def test_without_a_settling_date_the_ambiguous_one_stays_a_row_error_naming_the_cell(world):
    validator = RowValidator(Lookups(scope_of(world["county"])), {"founded_on": 1})
    assert validator.settle_date_orders([(2, ["x", "03/04/2015"]), (3, ["y", "04/05/2016"])]) == []
    row, errors = validator.validate(2, ["x", "03/04/2015"])
    assert row is None
    assert errors[0].message.startswith("单元格 B2：") and "日和月可能颠倒" in errors[0].message


# ------------------------------------------------------------------------------------------------ grouping plan


def action(number: int, county: str, *, enterprise: Enterprise | None = None, **values):
    """An import action as enterprises.imports builds one: a validated row and its (saved or unsaved) enterprise."""
    is_new = enterprise is None
    enterprise = enterprise or Enterprise(credit_code=f"SYNTHETIC{number}", name=f"新企业{number}", county_id=county)
    row = Row(number, {"county": county, **values})
    return SimpleNamespace(row=row, enterprise=enterprise, is_new=is_new, changes=[])


@pytest.mark.django_db
def test_names_resolve_to_the_narrowest_grouping_in_scope_that_holds_the_enterprise(world):
    city = Cluster.objects.create(name="电子信息产业集群", region_id="360100")
    county = Cluster.objects.create(name="电子信息产业集群", region_id="360102")
    chain = Chain.objects.create(name="新能源汽车产业链", region_id="360111")
    rows = [
        action(2, "360102", clusters=["电子信息产业集群"]),
        action(3, "360111", clusters=["电子信息集群"], chains={"新能源汽车": "leader"}),
    ]
    plan = import_groups.plan_groupings(rows, scope=scope_of(world["city"]))
    assert plan.errors == [] and plan.new == [] and not plan.needs_confirmation
    assert [(link.cluster, link.enterprise.name) for link in plan.cluster_links] == [
        (county, "新企业2"),
        (city, "新企业3"),
    ]
    assert [(link.chain, link.position) for link in plan.chain_links] == [(chain, "leader")]
    assert rows[1].changes[-1]["label"] == "产业链“新能源汽车产业链”" and rows[1].changes[-1]["new"] == "链主"


@pytest.mark.django_db
def test_a_grouping_above_the_importers_region_is_refused_not_duplicated(world):
    Cluster.objects.create(name="南昌市电子信息产业集群", region_id="360100")
    rows = [action(2, "360102", clusters=["南昌市电子信息产业集群"])]
    plan = import_groups.plan_groupings(rows, scope=scope_of(world["county"]), mapping={"clusters": 4})
    assert plan.new == [] and plan.cluster_links == []
    assert len(plan.errors) == 1
    assert plan.errors[0].message.startswith("单元格 E2：") and "不在您的管理范围内" in plan.errors[0].message


@pytest.mark.django_db
def test_another_citys_grouping_is_never_linked(world):
    other = Chain.objects.create(name="有色金属产业链", region_id="360400")
    plan = import_groups.plan_groupings(
        [action(2, "360102", chains={"有色金属产业链": "upstream"})], scope=scope_of(world["city"])
    )
    assert [(g.name, g.region_id) for g in plan.new] == [("有色金属产业链", "360100")]
    assert [link.chain for link in plan.chain_links] == plan.new  # the new city chain, not 九江's
    assert not other.memberships.exists()


@pytest.mark.django_db
def test_new_names_are_made_in_the_importers_own_region_and_asked_before_anything_is_written(world):
    rows = [
        action(2, "360102", clusters=["航空装备集群"], chains={"VR": "midstream"}),
        action(3, "360111", clusters=["航空装备产业集群"]),
    ]
    plan = import_groups.plan_groupings(rows, scope=scope_of(world["city"]))
    # A city officer's new name is one city-wide grouping (spellings of one stem merged), not one per county.
    assert [(type(g), g.name, g.region_id) for g in plan.new] == [
        (Cluster, "航空装备产业集群", "360100"),
        (Chain, "VR", "360100"),
    ]
    assert plan.needs_confirmation
    question = plan.question
    assert question["clusters"] == [
        {
            "name": "航空装备产业集群",
            "region": "360100",
            "region_name": question["clusters"][0]["region_name"],
            "rows": 2,
        }
    ]
    assert "南昌" in question["clusters"][0]["region_name"]
    assert [q["name"] for q in question["chains"]] == ["VR"]
    with pytest.raises(ValueError, match="not confirmed"):
        import_groups.write(plan)
    assert not Cluster.objects.exists()

    county_plan = import_groups.plan_groupings(
        [action(2, "360102", clusters=["航空装备集群"])], scope=scope_of(world["county"])
    )
    assert [g.region_id for g in county_plan.new] == ["360102"]  # a county officer's is the county's own


@pytest.mark.django_db
def test_memberships_already_held_are_skipped_and_a_new_position_moves_the_link(world):
    home = world["home"]
    cluster = Cluster.objects.create(name="装备集群", region_id="360102")
    chain = Chain.objects.create(name="装备产业链", region_id="360102")
    ClusterMembership.objects.create(cluster=cluster, enterprise=home)
    ChainMembership.objects.create(chain=chain, enterprise=home, position="upstream")
    row = action(2, "360102", enterprise=home, clusters=["装备集群"], chains={"装备产业链": "leader"})
    plan = import_groups.plan_groupings([row], scope=scope_of(world["county"]), confirmed=True)
    assert plan.cluster_links == [] and plan.chain_links == []
    assert [(link.chain, link.position) for link in plan.chain_moves] == [(chain, "leader")]
    assert [(c["old"], c["new"]) for c in row.changes] == [("上游", "链主")]
    import_groups.write(plan)
    assert ChainMembership.objects.get(chain=chain, enterprise=home).position == "leader"
    assert ClusterMembership.objects.filter(cluster=cluster, enterprise=home).count() == 1


@pytest.mark.django_db
def test_a_chain_named_without_a_position_is_joined_unstated_and_an_existing_member_keeps_its_own(world):
    home, neighbour = world["home"], world["neighbour"]
    chain = Chain.objects.create(name="装备产业链", region_id="360100")
    ChainMembership.objects.create(chain=chain, enterprise=home, position="downstream")
    rows = [
        action(2, "360102", enterprise=home, chains={"装备产业链": None}),
        action(3, "360111", enterprise=neighbour, chains={"装备产业链": None}),
    ]
    plan = import_groups.plan_groupings(rows, scope=scope_of(world["city"]))
    assert plan.errors == [] and plan.chain_moves == [] and rows[0].changes == []
    assert [(link.enterprise, link.position) for link in plan.chain_links] == [(neighbour, "")]
    assert rows[1].changes[0]["new"] == "加入（未注明位置）"
    import_groups.write(plan)
    assert ChainMembership.objects.get(chain=chain, enterprise=home).position == "downstream"
    assert ChainMembership.objects.get(chain=chain, enterprise=neighbour).position == ""


@pytest.mark.django_db
def test_confirmed_new_groupings_and_memberships_are_written_in_bulk(world):
    home = world["home"]
    fresh = action(3, "360102", clusters=["航空装备集群"], chains={"航空产业链": "downstream"})
    rows = [action(2, "360102", enterprise=home, clusters=["航空装备集群"]), fresh]
    plan = import_groups.plan_groupings(rows, scope=scope_of(world["county"]), confirmed=True)
    assert not plan.needs_confirmation and plan.errors == []
    assert [g["name"] for g in plan.question["clusters"]] == ["航空装备集群"]  # still listed once confirmed
    fresh.enterprise.industry_id = "34"
    fresh.enterprise.save()  # the import saves its new enterprises before the groupings are written
    import_groups.write(plan, source="名单.xlsx")
    cluster = Cluster.objects.get(name="航空装备集群", region_id="360102")
    assert "名单.xlsx" in cluster.description
    assert set(cluster.members.all()) == {home, fresh.enterprise}
    link = ChainMembership.objects.get(chain__name="航空产业链")
    assert (link.enterprise, link.position, link.chain.region_id) == (fresh.enterprise, "downstream", "360102")
    assert rows[0].changes[0]["label"] == "产业集群“航空装备集群”"


@pytest.mark.django_db
def test_the_admin_gets_the_narrowest_region_the_rows_share(world):
    rows = [action(2, "360102", clusters=["稀土集群"]), action(3, "360111", clusters=["稀土集群"])]
    plan = import_groups.plan_groupings(rows, scope=scope_of(world["admin"]))
    assert [g.region_id for g in plan.new] == ["360100"]
    rows = [action(2, "360102", clusters=["稀土集群"]), action(3, "360402", clusters=["稀土集群"])]
    plan = import_groups.plan_groupings(rows, scope=scope_of(world["admin"]))
    assert [g.region_id for g in plan.new] == ["360000"]


@pytest.mark.django_db
def test_same_named_groupings_that_do_not_hold_the_enterprise_are_refused(world):
    Cluster.objects.create(name="食品集群", region_id="360111")
    Cluster.objects.create(name="食品集群", region_id="360121")
    plan = import_groups.plan_groupings(
        [action(2, "360102", clusters=["食品集群"])], scope=scope_of(world["city"]), mapping={"clusters": 0}
    )
    assert plan.cluster_links == [] and plan.new == []
    assert "无法判断是哪一个" in plan.errors[0].message


# ------------------------------------------------------------------------------------------------ through the import

GROUP_HEADER = "统一社会信用代码,企业名称,所在区县,行业代码,成立日期,所属产业集群,所属产业链"


def group_csv(*rows: str) -> bytes:
    return ("\n".join([GROUP_HEADER, *rows]) + "\n").encode()


def upload(user, content: bytes, name: str = "集群名单.csv"):
    job = import_start(actor=user, upload=SimpleUploadedFile(name, content))
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_new_names_are_asked_on_the_page_and_written_only_once_confirmed(world, client):
    home = world["home"]
    known = Cluster.objects.create(name="东湖装备产业集群", region_id="360102")
    fresh_code = make_code("360102")
    content = group_csv(
        f"{home.credit_code},{home.name},360102,34,,东湖装备集群,",
        f'{fresh_code},集群新企业有限公司,360102,34,,"东湖装备产业集群、东湖光电集群",东湖光电产业链（链主）',
    )
    job = upload(world["county"], content)
    assert job.status == ImportJob.Status.INVALID and job.errors == []  # a question, not an error
    assert "新的产业集群/产业链名称" in job.message
    assert [g["name"] for g in job.questions["new_groupings"]["clusters"]] == ["东湖光电集群"]
    assert [g["name"] for g in job.questions["new_groupings"]["chains"]] == ["东湖光电产业链"]
    # Unconfirmed, even a commit forced past the page writes nothing.
    import_commit(job)
    assert not Enterprise.objects.filter(credit_code=fresh_code).exists() and Cluster.objects.count() == 1

    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/enterprises/import/{job.pk}/").content.decode()
    assert "产业集群“东湖光电集群”（" in page and 'name="confirm_groupings"' in page
    client.post(f"/enterprises/import/{job.pk}/answer/", {"confirm_groupings": "on"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY and job.answers == {"confirm_groupings": True}
    assert job.updated_count == 1  # joining a cluster is the home enterprise's change
    import_commit(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    fresh = Enterprise.objects.get(credit_code=fresh_code)
    assert set(known.members.all()) == {home, fresh}
    assert Cluster.objects.get(name="东湖光电集群").region_id == "360102"
    assert ChainMembership.objects.get(enterprise=fresh).position == "leader"
    event = EnterpriseEvent.objects.get(enterprise=home, kind=EnterpriseEvent.Kind.IMPORTED)
    assert "产业集群“东湖装备产业集群”" in event.summary


@pytest.mark.django_db
def test_a_grouping_the_importer_does_not_manage_is_a_row_error_naming_the_cell(world):
    Chain.objects.create(name="南昌电子信息产业链", region_id="360100")
    job = upload(
        world["county"], group_csv(f"{make_code('360102')},链外企业有限公司,360102,34,,,南昌电子信息产业链:上游")
    )
    assert job.status == "invalid"
    assert len(job.errors) == 1 and job.errors[0]["message"].startswith("单元格 G2：产业链")
    assert "不在您的管理范围内" in job.errors[0]["message"] and "new_groupings" not in job.questions


@pytest.mark.django_db
def test_the_files_own_dates_settle_the_order_through_the_check(world):
    codes = [make_code("360102") for _ in range(2)]
    job = upload(
        world["county"],
        group_csv(
            f"{codes[0]},日期甲有限公司,360102,34,03/04/2015,,", f"{codes[1]},日期乙有限公司,360102,34,25/03/2019,,"
        ),
    )
    assert job.status == "ready", job.errors
    assert any("日/月/年" in note for note in job.notes)
    import_commit(job)
    assert Enterprise.objects.get(credit_code=codes[0]).founded_on == dt.date(2015, 4, 3)


@pytest.mark.django_db
def test_the_command_lists_new_names_and_creates_them_only_with_confirm_groupings(world, tmp_path):

    path = tmp_path / "集群.csv"
    code = make_code("360111")
    path.write_bytes(group_csv(f"{code},命令行企业有限公司,360111,34,,南昌新材料集群,"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="--confirm-groupings"):
        call_command("import_enterprises", str(path), "--user", "city", "--yes", stdout=out)
    assert "新名称产业集群：南昌新材料集群（" in out.getvalue()
    assert not Cluster.objects.exists()
    call_command("import_enterprises", str(path), "--user", "city", "--yes", "--confirm-groupings", stdout=out)
    cluster = Cluster.objects.get(name="南昌新材料集群")
    assert cluster.region_id == "360100"  # a city officer's new cluster is the city's
    assert list(cluster.members.values_list("credit_code", flat=True)) == [code]
