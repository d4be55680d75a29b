"""The published directory (优质服务商目录): who sees which providers, the filters, and the XLSX and PDF exports.
All providers here are synthetic."""

import io
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import Case, Provider, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db
URL = "/catalog/directory/"


def provider(name, region="360100", status="published", grade="A 级", score=90.0, **fields):
    return Provider.objects.create(
        name=name,
        credit_code=make_code(region),
        region_id=region,
        status=status,
        grade=grade,
        score=score,
        types=fields.pop("types", ["software"]),
        is_synthetic=True,
        **fields,
    )


@pytest.fixture
def listed(world):
    """南昌: a published A, a warned B serving 九江, a draft; 九江: a published C. Counts on the A."""
    a = provider("南昌甲级智造服务有限公司", regions_served=["360100"])
    b = provider(
        "南昌乙级软件有限公司",
        status="warned",
        grade="B 级",
        score=75.0,
        status_reason="合同纠纷（测试）",
        types=["consulting"],
        regions_served=["360400"],
    )
    draft = provider("南昌草稿服务商有限公司", status="draft")
    c = provider("九江丙级集成有限公司", region="360400", grade="C 级", score=62.0, types=["integration"])
    Solution.objects.create(provider=a, title="排产云（测试）", description="测试", status="published")
    Solution.objects.create(provider=a, title="草稿方案（测试）", description="测试", status="draft")
    for verified in (True, True, False):
        Case.objects.create(provider=a, title="案例（测试）", industry_id="34", region_id="360102", verified=verified)
    return {**world, "a": a, "b": b, "draft": draft, "c": c}


def names(response) -> list[str]:
    return [e.name for e in response.context["entries"]]


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "d.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return "".join(text.split())  # table cells wrap: compare without the line breaks and spaces


@pytest.mark.parametrize("persona", ["enterprise", "provider", "commissioner", "expert", "nobody", "admin"])
def test_everyone_signed_in_sees_the_nationwide_directory_of_listed_providers(listed, login, persona):
    response = login(listed[persona]).get(URL)
    assert response.status_code == 200
    assert names(response) == ["南昌甲级智造服务有限公司", "南昌乙级软件有限公司", "九江丙级集成有限公司"]
    assert response.context["issuer"] == "全国"


def test_anonymous_visitors_are_sent_to_login(listed, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(URL + "?format=pdf").status_code == 302


def test_the_directory_shows_counts_and_flags_warned_providers(listed, login):
    response = login(listed["enterprise"]).get(URL)
    a, b = response.context["entries"][:2]
    assert (a.published_solutions, a.verified_cases, a.warned) == (1, 2, False)
    assert b.warned and b.regions_served == ["九江市"]
    html = response.content.decode()
    assert 'data-testid="warned"' in html and "南昌草稿服务商有限公司" not in html


def test_a_city_officer_sees_the_providers_registered_in_the_city_by_default(listed, login):
    client = login(listed["city"])
    response = client.get(URL)
    assert names(response) == ["南昌甲级智造服务有限公司", "南昌乙级软件有限公司"]  # listed only: no draft
    assert response.context["issuer"] == "江西省 南昌市"
    assert names(client.get(URL, {"scope": "all"})) == [
        "南昌甲级智造服务有限公司",
        "南昌乙级软件有限公司",
        "九江丙级集成有限公司",
    ]


def test_other_city_officer_does_not_get_nanchang_providers_in_their_directory(listed, login):
    assert names(login(listed["other_city"]).get(URL)) == ["九江丙级集成有限公司"]


def test_other_roles_cannot_narrow_the_export_to_a_region(listed, login):
    response = login(listed["enterprise"]).get(URL, {"scope": "region", "format": "xlsx"})
    assert len(xlsx_rows(response)) == 1 + 3  # the scope parameter is ignored: nationwide


def test_the_directory_filters_by_region_served_type_and_grade(listed, login):
    client = login(listed["enterprise"])
    # 九江: the warned B (serves 九江) and C (nationwide), not A (serves 南昌 only)
    assert names(client.get(URL, {"region": "360400"})) == ["南昌乙级软件有限公司", "九江丙级集成有限公司"]
    assert names(client.get(URL, {"type": "integration"})) == ["九江丙级集成有限公司"]
    assert names(client.get(URL, {"grade": "A 级"})) == ["南昌甲级智造服务有限公司"]
    assert client.get(URL, {"grade": "Z"}).context["entries"] == []  # an unknown grade is an invalid filter


def test_the_xlsx_export_holds_the_filtered_list(listed, login):
    response = login(listed["province"]).get(URL, {"format": "xlsx", "grade": "B 级"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    header, *rows = xlsx_rows(response)
    assert header[:5] == ["序号", "服务商名称", "统一社会信用代码", "评价等级", "评价得分"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["服务商名称"] == "南昌乙级软件有限公司" and row["状态"] == "已警示"
    assert row["警示说明"] == "合同纠纷（测试）" and row["服务区域"] == "九江市"


def test_the_xlsx_export_neutralises_formulas_in_names(listed, login):
    provider('=HYPERLINK("http://evil.example","点击")', grade="A 级", score=99.0)
    response = login(listed["enterprise"]).get(URL, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://evil.example","点击")'


def test_the_pdf_holds_the_cover_the_providers_by_grade_and_page_numbers(listed, login, tmp_path):
    response = login(listed["city"]).get(URL, {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "优质服务商目录" in text and "江西省南昌市" in text and "2家" in text
    assert "暂定" in text  # the default scorecard is provisional
    assert "南昌甲级智造服务有限公司" in text and "南昌乙级软件有限公司" in text and "九江丙级集成有限公司" not in text
    assert text.index("A级（1家）") < text.index("B级（1家）")
    assert "【已警示】" in text
    assert "第1页/共2页" in text and "第2页/共2页" in text


def test_the_pdf_fetches_nothing_from_the_network(listed, login, tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the PDF renderer tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    provider('<img src="http://evil.example/x.png">注入测试有限公司', grade="A 级", score=95.0)
    response = login(listed["enterprise"]).get(URL, {"format": "pdf"})
    assert response.status_code == 200
    assert "注入测试有限公司" in pdf_text(response.content, tmp_path)


def test_an_invalid_filter_exports_nothing(listed, login):
    assert login(listed["enterprise"]).get(URL, {"format": "pdf", "grade": "Z"}).status_code == 400


def test_the_directory_link_resolves_in_the_catalog_namespace():
    assert reverse("catalog:directory") == URL
