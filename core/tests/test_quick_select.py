"""QuickSelect renders the same <select> as Django's Select (which renders a template per option), for the choices
list pages use: plain values, model choices, a chosen value, an empty choice, escaping, a bound field's attributes."""

import re

import pytest
from django import forms

from core.forms import QuickSelect, StyledMixin
from regions.models import IndustryDivision

pytestmark = pytest.mark.django_db


def options(html: str) -> list[tuple[str, bool, str]]:
    found = re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', html)
    return [(value, bool(selected), text) for value, selected, text in found]


def select_attrs(html: str) -> set[str]:
    return set(re.match(r"<select([^>]*)>", html).group(1).split())


def pair(field_factory, data):
    class Django(StyledMixin, forms.Form):
        choice = field_factory(forms.Select)

    class Quick(StyledMixin, forms.Form):
        choice = field_factory(QuickSelect)

    return str(Django(data)["choice"]), str(Quick(data)["choice"])


@pytest.mark.parametrize("data", [{}, {"choice": "b"}, {"choice": "<x>"}])
def test_plain_choices_render_as_djangos_select(data):
    choices = [("", "全部"), ("a", "甲"), ("b", "乙 & 丙"), ("<x>", "<b>粗</b>")]
    django, quick = pair(lambda widget: forms.ChoiceField(choices=choices, required=False, widget=widget), data)
    assert options(quick) == options(django) and len(options(quick)) == 4
    assert select_attrs(quick) == select_attrs(django)
    assert "<b>" not in quick  # labels and values are escaped


def test_model_choices_render_as_djangos_select(world):
    division = IndustryDivision.objects.order_by("code").first()

    def field(widget):
        return forms.ModelChoiceField(IndustryDivision.objects.all(), required=False, widget=widget, empty_label="全部")

    for data in ({}, {"choice": str(division.pk)}):
        django, quick = pair(field, data)
        assert options(quick) == options(django) and len(options(quick)) > 20
        assert select_attrs(quick) == select_attrs(django)
    assert (str(division.pk), True, division.__str__()) in options(quick)
