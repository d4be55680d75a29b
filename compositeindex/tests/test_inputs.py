import subprocess
import sys

import numpy as np
import openpyxl
import pytest

from compositeindex import InputError, load, parse_config, parse_idata, parse_imeta, table_from_rows
from compositeindex.tests.example import DATA, META, example


def problems(exc):
    return [(p.table, p.row, p.column) for p in exc.value.problems]


def test_example_tables_parse_into_arrays():
    idata, imeta = example()
    assert idata.units == ("A", "B", "C", "D")
    assert imeta.indicators == ("gdp", "rd", "co2", "water")
    assert imeta.children("index") == ("econ", "green")
    assert np.isnan(idata.column("water")[1])
    assert idata.groups["region_group"] == ("南", "南", "北", "北")


def test_unknown_parent_names_row_and_column():
    meta = [dict(r) for r in META]
    meta[1]["Parent"] = "nowhere"
    with pytest.raises(InputError) as exc:
        parse_imeta(table_from_rows(meta))
    assert ("iMeta", 3, "Parent") in problems(exc)
    assert "nowhere" in str(exc.value)


def test_cycle_is_reported():
    meta = [dict(r) for r in META]
    meta[6]["Parent"] = "econ"  # index → econ → index
    with pytest.raises(InputError) as exc:
        parse_imeta(table_from_rows(meta))
    assert "循环" in str(exc.value)


def test_duplicate_code_weight_nan_and_bad_direction_all_reported_at_once():
    meta = [dict(r) for r in META]
    meta[1]["iCode"] = "gdp"
    meta[2]["Weight"] = None
    meta[3]["Direction"] = 2
    with pytest.raises(InputError) as exc:
        parse_imeta(table_from_rows(meta))
    found = problems(exc)
    assert ("iMeta", 3, "iCode") in found
    assert ("iMeta", 4, "Weight") in found
    assert ("iMeta", 5, "Direction") in found


def test_non_numeric_value_names_row_and_column():
    imeta = parse_imeta(table_from_rows(META))
    data = [dict(r) for r in DATA]
    data[2]["rd"] = "abc"
    with pytest.raises(InputError) as exc:
        parse_idata(table_from_rows(data), imeta)
    assert ("iData", 4, "rd") in problems(exc)


def test_missing_denominator_column_and_unknown_column_reported():
    imeta = parse_imeta(table_from_rows(META))
    data = [{k: v for k, v in r.items() if k != "pop"} | {"extra": 1} for r in DATA]
    with pytest.raises(InputError) as exc:
        parse_idata(table_from_rows(data), imeta)
    text = str(exc.value)
    assert "pop" in text and "extra" in text


def test_csv_and_xlsx_read_alike(tmp_path):
    import csv

    for name, rows in (("meta", META), ("data", DATA)):
        with open(tmp_path / f"{name}.csv", "w", newline="", encoding="utf-8-sig") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
        book = openpyxl.Workbook()
        ws = book.active
        ws.append(list(rows[0]))
        for r in rows:
            ws.append(list(r.values()))
        book.save(tmp_path / f"{name}.xlsx")
    a, ma = load(tmp_path / "data.csv", tmp_path / "meta.csv")
    b, mb = load(tmp_path / "data.xlsx", tmp_path / "meta.xlsx")
    assert a.units == b.units and ma == mb
    np.testing.assert_array_equal(a.values, b.values)


def test_config_rejects_unknown_method_with_its_path():
    with pytest.raises(InputError) as exc:
        parse_config("normalise:\n  method: magic\n")
    assert exc.value.problems[0].column == "normalise.method"


def test_engine_imports_without_django():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'django' or name.startswith('django.'):\n"
        "            raise ImportError('django blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import compositeindex, compositeindex.cli, compositeindex.pipeline\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)
