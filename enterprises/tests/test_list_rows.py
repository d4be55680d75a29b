"""The list's rows rendered in Python are the markup the template loop rendered, value for value."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from enterprises.list_rows import rows_html
from enterprises.models import Enterprise

# The loop _list_results.html had before the rows moved to Python, verbatim.
TEMPLATE_LOOP = """{% load i18n humanize %}{% for e in page %}
    <tr>
      <td class="name"><a href="{% url 'enterprises:detail' e.pk %}">{{ e.name }}</a>{% if e.is_synthetic %} <span class="badge text-bg-warning" title="{% translate '合成演示数据' %}">{% translate "演示" %}</span>{% endif %}</td>
      <td><code>{{ e.credit_code }}</code></td>
      <td>{{ e.county.name }}</td>
      <td class="hide-md">{{ e.industry.name|truncatechars:14 }}</td>
      <td>{{ e.get_size_class_display|default:"—" }}{% if e.is_above_scale %} <span class="badge text-bg-light border">{% translate "规上" %}</span>{% endif %}</td>
      <td class="text-end hide-md">{{ e.revenue|floatformat:"0"|intcomma|default:"—" }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501


def normalised(html: str) -> list[str]:
    return [line.strip() for line in html.splitlines() if line.strip()]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rows_match_the_template_loop(make_enterprise, language):
    make_enterprise("360102", name="东湖<精密>&机械", industry="34", revenue=Decimal("123456789.50"))
    make_enterprise(
        "360111",
        name="青山湖电子",
        industry="39",
        is_synthetic=True,
        is_above_scale=True,
        size_class="medium",
        revenue=Decimal("0"),
    )
    make_enterprise("360402", name="九江化工", industry="26", size_class="micro", is_above_scale=False)
    page = list(Enterprise.objects.select_related("county", "industry").order_by("id"))
    with translation.override(language):
        expected = Template(TEMPLATE_LOOP).render(Context({"page": page}))
        assert normalised(rows_html(page)) == normalised(expected)
    assert "&lt;精密&gt;&amp;" in rows_html(page)  # names are escaped
