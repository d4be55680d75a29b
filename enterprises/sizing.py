"""Enterprise size class and the above-scale rule for industrial enterprises, with the basis shown to users.

Thresholds from 统计上大中小微型企业划分办法（2017） (industry row) and the 20 million yuan above-scale line.
Both are tagged [U] in shared/reference/standards.md §8, so the basis text says they await verification."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ABOVE_SCALE_REVENUE_WAN = Decimal(2000)
PROVISIONAL_NOTE = gettext_lazy("依据《统计上大中小微型企业划分办法（2017）》工业行业标准（待核实）")

# (class, minimum employees, minimum revenue in 万元): both thresholds must be met; otherwise the lower class.
THRESHOLDS = [
    ("large", 1000, Decimal(40000)),
    ("medium", 300, Decimal(2000)),
    ("small", 20, Decimal(300)),
]
NAMES = {
    "large": gettext_lazy("大型"),
    "medium": gettext_lazy("中型"),
    "small": gettext_lazy("小型"),
    "micro": gettext_lazy("微型"),
}


@dataclass(frozen=True)
class SizeResult:
    size_class: str  # large / medium / small / micro, or "" when figures are missing
    is_above_scale: bool | None
    basis: str


def _size_class(employees: int, revenue_wan: Decimal) -> tuple[str, str]:
    """The highest class whose two thresholds are both met, with the sentence that explains it."""
    for size_class, min_staff, min_revenue in THRESHOLDS:
        if employees >= min_staff and revenue_wan >= min_revenue:
            basis = _("从业人员 %(employees)s 人 ≥ %(min_staff)s 且营业收入 %(revenue)s 万元 ≥ %(min_revenue)s 万元")
            values = {
                "employees": employees,
                "min_staff": min_staff,
                "revenue": revenue_wan,
                "min_revenue": min_revenue,
            }
            return size_class, basis % values
    basis = _("从业人员 %(employees)s 人 < 20 或营业收入 %(revenue)s 万元 < 300 万元")
    return "micro", basis % {"employees": employees, "revenue": revenue_wan}


def classify(employees: int | None, revenue_wan: Decimal | None) -> SizeResult:
    if employees is None or revenue_wan is None:
        above = None if revenue_wan is None else revenue_wan >= ABOVE_SCALE_REVENUE_WAN
        return SizeResult("", above, _("缺少从业人员或营业收入，无法判定规模"))
    above = revenue_wan >= ABOVE_SCALE_REVENUE_WAN
    size_class, basis = _size_class(employees, revenue_wan)
    scale = _("营业收入 ≥ 2000 万元，属于规模以上") if above else _("营业收入 < 2000 万元，不属于规模以上")
    text = _("%(size)s：%(basis)s；%(scale)s。%(note)s") % {
        "size": NAMES[size_class],
        "basis": basis,
        "scale": scale,
        "note": PROVISIONAL_NOTE,
    }
    return SizeResult(size_class, above, text)


def class_and_scale(employees: int | None, revenue_wan: Decimal | None) -> tuple[str, bool | None]:
    """What `classify` decides, without the sentence explaining it: an import sets both on 100,000 enterprises, and
    the sentence (four translations and formatting) cost more than the rest of the import's planning of a row. A
    test holds the two to the same answers."""
    above = None if revenue_wan is None else revenue_wan >= ABOVE_SCALE_REVENUE_WAN
    if employees is None or revenue_wan is None:
        return "", above
    for size_class, min_staff, min_revenue in THRESHOLDS:
        if employees >= min_staff and revenue_wan >= min_revenue:
            return size_class, above
    return "micro", above
