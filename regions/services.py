"""Loading the shipped reference data. Upserts by code so a newer file never breaks existing references."""

import csv
from pathlib import Path

from django.db import transaction

from .models import IndustryDivision, IndustryGroup, Region, code_prefix

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def regions_load(*, path: Path = DATA_DIR / "divisions.csv", region_model=Region) -> int:
    """Upsert divisions; codes missing from the file are marked inactive. Works inside migrations too."""
    rows = _read_csv(path)
    by_code = {row["code"]: row for row in rows}
    parents = {row["parent"] for row in rows if row["parent"]}

    def full_name(code: str) -> str:
        names = []
        while code:
            row = by_code[code]
            if row["name"] not in ("市辖区", "县") or not row["parent"]:
                names.append(row["name"])
            code = row["parent"]
        return " ".join(reversed(names))

    existing = set(region_model.objects.values_list("code", flat=True))
    objs = [
        region_model(
            code=row["code"],
            name=row["name"],
            level=int(row["level"]),
            parent_id=row["parent"] or None,
            path=code_prefix(row["code"]),
            full_name=full_name(row["code"]),
            is_leaf=row["code"] not in parents,
            is_active=True,
            lng=float(row["lng"]) if row["lng"] else None,
            lat=float(row["lat"]) if row["lat"] else None,
        )
        for row in sorted(rows, key=lambda r: (int(r["level"]), r["code"]))
    ]
    fields = ["name", "level", "parent", "path", "full_name", "is_leaf", "is_active", "lng", "lat"]
    region_model.objects.bulk_create([o for o in objs if o.code not in existing], batch_size=500)
    region_model.objects.bulk_update([o for o in objs if o.code in existing], fields, batch_size=500)
    region_model.objects.exclude(code__in=by_code).update(is_active=False)
    return len(objs)


@transaction.atomic
def industries_load(*, path: Path = DATA_DIR / "industries.csv", division_model=IndustryDivision) -> int:
    rows = _read_csv(path)
    for row in rows:
        division_model.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    return len(rows)


class ReferenceFileError(ValueError):
    pass


@transaction.atomic
def industry_groups_load(*, path: Path) -> int:
    rows = _read_csv(path)
    divisions = set(IndustryDivision.objects.values_list("code", flat=True))
    for number, row in enumerate(rows, start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if len(code) != 3 or not code.isdigit() or code[:2] not in divisions or not name:
            raise ReferenceFileError(f"第 {number} 行：行业中类代码“{code}”无效（应为 3 位数字，前两位为已有大类）")
        IndustryGroup.objects.update_or_create(code=code, defaults={"name": name, "division_id": code[:2]})
    return len(rows)
