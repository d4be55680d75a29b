"""A small synthetic three-level framework used across the tests (all figures invented)."""

from compositeindex import parse_idata, parse_imeta, table_from_rows

META = [
    {
        "Level": 1,
        "iCode": "gdp",
        "iName": "人均产值",
        "Parent": "econ",
        "Direction": 1,
        "Weight": 1,
        "Type": "Indicator",
        "Denominator": "pop",
    },
    {
        "Level": 1,
        "iCode": "rd",
        "iName": "研发强度",
        "Parent": "econ",
        "Direction": 1,
        "Weight": 1,
        "Type": "Indicator",
    },
    {
        "Level": 1,
        "iCode": "co2",
        "iName": "碳排放",
        "Parent": "green",
        "Direction": -1,
        "Weight": 2,
        "Type": "Indicator",
    },
    {
        "Level": 1,
        "iCode": "water",
        "iName": "节水",
        "Parent": "green",
        "Direction": 1,
        "Weight": 1,
        "Type": "Indicator",
    },
    {"Level": 2, "iCode": "econ", "iName": "经济", "Parent": "index", "Direction": 1, "Weight": 1, "Type": "Aggregate"},
    {
        "Level": 2,
        "iCode": "green",
        "iName": "绿色",
        "Parent": "index",
        "Direction": 1,
        "Weight": 1,
        "Type": "Aggregate",
    },
    {
        "Level": 3,
        "iCode": "index",
        "iName": "发展指数",
        "Parent": None,
        "Direction": 1,
        "Weight": 1,
        "Type": "Aggregate",
    },
    {
        "Level": None,
        "iCode": "pop",
        "iName": "人口",
        "Parent": None,
        "Direction": None,
        "Weight": None,
        "Type": "Denominator",
    },
]

DATA = [
    {"uCode": "A", "uName": "甲市", "region_group": "南", "pop": 2, "gdp": 20, "rd": 1.0, "co2": 5, "water": 3},
    {"uCode": "B", "uName": "乙市", "region_group": "南", "pop": 4, "gdp": 20, "rd": 2.0, "co2": 3, "water": None},
    {"uCode": "C", "uName": "丙市", "region_group": "北", "pop": 1, "gdp": 30, "rd": 3.0, "co2": 1, "water": 5},
    {"uCode": "D", "uName": "丁市", "region_group": "北", "pop": 5, "gdp": 10, "rd": 0.5, "co2": 4, "water": 1},
]


def example():
    imeta = parse_imeta(table_from_rows(META))
    return parse_idata(table_from_rows(DATA), imeta), imeta
