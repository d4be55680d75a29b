"""The JSON API at /api/v1/: one router per app, token or session auth, domain errors mapped once."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI

from accounts.api_auth import API_AUTH
from assessments.api import router as assessments_router
from assessments.import_api import router as assessment_imports_router
from catalog.api import refused as catalog_refused
from catalog.api import router as catalog_router
from catalog.meetings_api import router as meetings_router
from catalog.needs_api import router as needs_router
from catalog.services import CatalogError
from enterprises.api import router as enterprises_router
from notifications.api import router as notifications_router
from regions.api import router as regions_router
from reports.api import router as reports_router

api = NinjaAPI(
    title="Tidu API",
    version="1",
    description=(
        "梯度平台 API。使用个人中心创建的令牌：`Authorization: Bearer tidu_…`。"
        "所有数据按令牌所属用户的权限范围返回。"
    ),
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", regions_router)
api.add_router("/", enterprises_router)
api.add_router("/", assessments_router)
api.add_router("/", assessment_imports_router)
api.add_router("/", catalog_router)
api.add_router("/", needs_router)
api.add_router("/", meetings_router)
api.add_router("/", reports_router)
api.add_router("/", notifications_router)
api.add_exception_handler(CatalogError, catalog_refused)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "不存在或不在您的权限范围内"}, status=404)
