"""Enterprise size class and the above-scale rule for industrial enterprises, with the basis shown to users.

Thresholds from 统计上大中小微型企业划分办法（2017） (industry row) and the 20 million yuan above-scale line.
Both are tagged [U] in shared/reference/standards.md §8, so the basis text says they await verification."""

from dataclasses import dataclass
from decimal import Decimal

ABOVE_SCALE_REVENUE_WAN = Decimal(2000)
PROVISIONAL_NOTE = "依据《统计上大中小微型企业划分办法（2017）》工业行业标准（待核实）"

# (class, minimum employees, minimum revenue in 万元): both thresholds must be met; otherwise the lower class.
THRESHOLDS = [
    ("large", 1000, Decimal(40000)),
    ("medium", 300, Decimal(2000)),
    ("small", 20, Decimal(300)),
]
NAMES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


@dataclass(frozen=True)
class SizeResult:
    size_class: str  # large / medium / small / micro, or "" when figures are missing
    is_above_scale: bool | None
    basis: str


def _size_class(employees: int, revenue_wan: Decimal) -> tuple[str, str]:
    """The highest class whose two thresholds are both met, with the sentence that explains it."""
    for size_class, min_staff, min_revenue in THRESHOLDS:
        if employees >= min_staff and revenue_wan >= min_revenue:
            staff = f"从业人员 {employees} 人 ≥ {min_staff}"
            return size_class, f"{staff} 且营业收入 {revenue_wan} 万元 ≥ {min_revenue} 万元"
    return "micro", f"从业人员 {employees} 人 < 20 或营业收入 {revenue_wan} 万元 < 300 万元"


def classify(employees: int | None, revenue_wan: Decimal | None) -> SizeResult:
    if employees is None or revenue_wan is None:
        above = None if revenue_wan is None else revenue_wan >= ABOVE_SCALE_REVENUE_WAN
        return SizeResult("", above, "缺少从业人员或营业收入，无法判定规模")
    above = revenue_wan >= ABOVE_SCALE_REVENUE_WAN
    size_class, basis = _size_class(employees, revenue_wan)
    scale = f"营业收入 {'≥' if above else '<'} 2000 万元，{'属于' if above else '不属于'}规模以上"
    return SizeResult(size_class, above, f"{NAMES[size_class]}：{basis}；{scale}。{PROVISIONAL_NOTE}")
