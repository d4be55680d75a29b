"""The column names table (enterprises/data/import_columns.yaml): every name in it is recognised, in every form."""

import pytest
import yaml

from enterprises.import_rows import COLUMNS, COLUMNS_FILE, column_of, header_key

TABLE = yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8"))
NAMES = [(key, name) for key, spec in TABLE["columns"].items() for name in (spec["name"], *spec.get("synonyms", ()))]


@pytest.mark.parametrize(("key", "name"), NAMES, ids=[f"{k}:{n}" for k, n in NAMES])
def test_every_name_in_the_table_maps_to_its_column(key, name):
    assert column_of(name) == key
    assert column_of(f" {name} *") == key  # spaces and the template's required mark
    assert column_of(name.replace("(", "（").replace(")", "）")) == key


def test_no_name_belongs_to_two_columns():
    owners: dict[str, str] = {}
    for key, name in NAMES:
        assert owners.setdefault(header_key(name), key) == key, name


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("統一社會信用代碼", "credit_code"),
        ("企業名稱", "name"),
        ("營業收入（萬元）", "revenue"),
        ("從業人員", "employees"),
        ("ＥＭＡＩＬ", "contact_email"),
        ("主营业务收入(万元)", "revenue"),
        ("资产总计[万元]", "assets"),
        ("从业人员期末人数（人）", "employees"),
        ("统一社会信用代码（必填）", "credit_code"),
        ("县 （市、区）", "county"),
        ("序号", "ignored"),
        ("所在乡镇", None),
        ("组织机构代码", None),  # the old 9-character code is not the credit code
    ],
)
def test_headers_are_read_in_full_width_traditional_spaced_and_with_units(header, key):
    assert column_of(header) == key


def test_the_template_names_are_the_table_names():
    assert [col.header for col in COLUMNS] == [spec["name"] for spec in TABLE["columns"].values()]
