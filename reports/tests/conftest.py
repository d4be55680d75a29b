"""Fixtures for the reports app's transactional tests (threads, migrations): they end with a flush that also empties
the reference tables the data migrations loaded, so those are loaded again before and after."""

import pytest
from django.db import connection


def _reload_reference_data():
    from enterprises.labels import labels_load
    from enterprises.models import Label
    from regions.models import IndustryDivision, Region
    from regions.services import industries_load, regions_load

    if not Region.objects.exists():
        regions_load()
    if not IndustryDivision.objects.exists():
        industries_load()
    if not Label.objects.exists():
        labels_load(Label)


@pytest.fixture(scope="module")
def _reference_data_after_module(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _reload_reference_data()


@pytest.fixture
def transactional_world(transactional_db, _reference_data_after_module):
    """A transactional database with the reference data in place; request it before `world`."""
    _reload_reference_data()
    yield
    connection.close()  # the flush after the test must not wait on a connection a thread left behind
