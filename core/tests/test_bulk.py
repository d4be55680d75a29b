"""core.bulk.update_rows writes what Django's bulk_update writes, field by field, whatever the field's type."""

import datetime as dt
from decimal import Decimal

import pytest

from core.bulk import update_rows
from enterprises.models import Enterprise


@pytest.mark.django_db
def test_it_writes_each_objects_fields_by_primary_key(make_enterprise):
    first, second, untouched = make_enterprise(), make_enterprise(county="360103"), make_enterprise()
    first.name, first.former_names, first.county_id = "新名称有限公司", ["旧名称厂", "更早的名称"], "360103"
    first.revenue, first.founded_on = Decimal("1234.50"), dt.date(2015, 3, 1)
    second.name, second.former_names, second.revenue, second.founded_on = "另一家有限公司", [], None, None
    fields = ["name", "former_names", "county_id", "revenue", "founded_on"]

    assert update_rows([first, second], fields, batch_size=1) == 2

    for obj in (first, second):
        stored = Enterprise.objects.get(pk=obj.pk)
        assert [getattr(stored, f) for f in fields] == [getattr(obj, f) for f in fields]
    assert Enterprise.objects.get(pk=untouched.pk).name == untouched.name


@pytest.mark.django_db
def test_it_refuses_the_primary_key():
    with pytest.raises(ValueError):
        update_rows([Enterprise(pk=1)], ["id"])


@pytest.mark.django_db
def test_insert_rows_writes_what_bulk_create_writes_and_sets_primary_keys(make_enterprise):
    from core.bulk import insert_rows
    from enterprises.models import EnterpriseEvent

    template = make_enterprise()
    fresh = [
        Enterprise(
            credit_code=code,
            name=f"合成企业{n}有限公司",
            county_id="360102",
            industry_id="34",
            former_names=["旧名"],
            revenue=Decimal("10.50"),
        )
        for n, code in enumerate(["91360102MA00000001", "91360102MA00000002"])
    ]
    assert insert_rows(fresh, key="credit_code", batch_size=1) == 2
    for obj in fresh:
        assert obj.pk and not obj._state.adding
        stored = Enterprise.objects.get(pk=obj.pk)
        assert (stored.credit_code, stored.name, stored.former_names, stored.revenue) == (
            obj.credit_code, obj.name, ["旧名"], Decimal("10.50"),
        )  # fmt: skip
        assert stored.created_at is not None  # auto_now_add applied, as bulk_create applies it
    event = EnterpriseEvent(
        enterprise_id=template.pk, kind=EnterpriseEvent.Kind.IMPORTED, summary="建档", data={"a": 1}
    )
    insert_rows([event])
    stored = EnterpriseEvent.objects.get(enterprise=template, summary="建档")
    assert stored.data == {"a": 1} and stored.at is not None


@pytest.mark.django_db
def test_the_plain_column_shortcut_prepares_every_field_as_the_orm_does(make_enterprise, world):
    """Each field of the import's models, with the values an import gives them (None, text, numbers, a foreign key,
    JSON, dates, decimals): the shortcut and `pre_save` + `get_db_prep_save` give equal database values."""
    from django.db import connection

    from core.bulk import insert_preparer
    from enterprises.models import Contact, EnterpriseEvent, EnterpriseFigures, EnterpriseLabel

    home = make_enterprise(name="准备值样例有限公司")
    samples = [
        Enterprise(credit_code="91360102MA35000001", name="样例", county_id="360102", former_names=["旧名"],
                   founded_on=dt.date(2015, 4, 3), revenue=Decimal("1234.50"), employees=12, is_above_scale=True,
                   industry_detail_code="3421"),
        EnterpriseFigures(enterprise=home, year=2025, employees=None, revenue=Decimal("0.5"), assets=None),
        Contact(enterprise=home, name="张三", phone="0791-00000000", email="", is_primary=True),
        EnterpriseEvent(enterprise=home, kind=EnterpriseEvent.Kind.IMPORTED, summary="建档", data={"row": 3}),
        EnterpriseLabel(enterprise=home, label_id="specialised-sme", year=None),
    ]  # fmt: skip
    for obj in samples:
        for field in type(obj)._meta.concrete_fields:
            if field.primary_key or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue  # the clock moves between two pre_save calls; these go the ORM's way anyway
            orm = field.get_db_prep_save(field.pre_save(obj, True), connection)
            shortcut = insert_preparer(field, connection)(obj)
            assert _as_sent(shortcut) == _as_sent(orm), (type(obj).__name__, field.name)


def _as_sent(value):
    """What the driver sends: psycopg wraps JSON in adapter objects (`Jsonb`) that compare by identity, so two equal
    documents are compared by wrapper type and wrapped value."""
    wrapped = getattr(value, "obj", None)
    return (type(value).__name__, wrapped) if wrapped is not None else value
