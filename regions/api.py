from typing import Annotated

from ninja import Router, Schema
from pydantic import Field

from .models import IndustryDivision, Region

router = Router(tags=["参考数据"])


class RegionOut(Schema):
    code: str
    name: str
    full_name: str
    level: int
    parent_id: str | None


class IndustryOut(Schema):
    code: str
    name: str


@router.get("/regions", response=list[RegionOut], summary="行政区划（按上级或层级筛选）")
def list_regions(
    request,
    parent: Annotated[str | None, Field(pattern=r"^\d{6}$", description="上级区划代码")] = None,
    level: Annotated[int | None, Field(ge=1, le=3, description="1 省 / 2 市 / 3 区县")] = None,
):
    qs = Region.objects.filter(is_active=True)
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    elif not parent:
        qs = qs.filter(level=1)
    return list(qs)


@router.get("/industries", response=list[IndustryOut], summary="制造业行业大类（GB/T 4754-2017）")
def list_industries(request):
    return list(IndustryDivision.objects.all())
