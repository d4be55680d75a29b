"""The list's filter choices are read once per process, and a change to them shows on the next page at once."""

import pytest

from enterprises.forms import _choices, forget_reference_choices
from enterprises.models import Label


@pytest.fixture(autouse=True)
def fresh_choices():
    forget_reference_choices()
    yield
    forget_reference_choices()  # the database is emptied after a transactional test: keep nothing of it


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a served page is: the cache is in use
def test_new_label_is_offered_on_the_next_page(world, login):
    client = login(world["province"])
    assert "新认定称号" not in client.get("/enterprises/").content.decode()
    assert _choices  # the lists were kept for the next page
    Label.objects.create(code="new-title", name="新认定称号", order=99)
    page = client.get("/enterprises/").content.decode()
    assert '<option value="new-title">新认定称号</option>' in page
    assert client.get("/enterprises/?label=new-title").status_code == 200
    Label.objects.filter(code="new-title").delete()  # a queryset delete: post_delete per row still clears
    assert "新认定称号" not in client.get("/enterprises/").content.decode()


def test_region_choices_follow_each_officers_scope(world, login):
    county_page = login(world["county"]).get("/enterprises/").content.decode()
    assert 'value="360102"' in county_page and 'value="360111"' not in county_page
    city_page = login(world["city"]).get("/enterprises/").content.decode()
    assert 'value="360111"' in city_page and 'value="360402"' not in city_page
