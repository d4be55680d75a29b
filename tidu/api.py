"""The JSON API at /api/v1/: one router per app, token or session auth, domain errors mapped once.

Every error leaves this API as one shape, `core.api.Problem` ({"detail": …, "problems": {field: …}}), and the
OpenAPI description lists it under every status an operation can return: the statuses that follow from how an
operation is declared (auth, path parameters, inputs) are added here, once; the domain's own (409, 413, a 403 on a
read, a 404 for an id in a body) are declared on the operation itself."""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from accounts.api_auth import API_AUTH
from airegistry.api import router as ai_registry_router
from assessments.api import router as assessments_router
from assessments.import_api import router as assessment_imports_router
from assistant.api import router as assistant_router
from catalog.api import refused as catalog_refused
from catalog.api import router as catalog_router
from catalog.meetings_api import router as meetings_router
from catalog.needs_api import router as needs_router
from catalog.services import CatalogError
from core.api import Problem
from datasecurity.api import router as datasecurity_router
from enterprises.api import router as enterprises_router
from incentives.api import router as funding_router
from monitoring.api import router as monitoring_router
from notifications.api import router as notifications_router
from recognition.api import router as recognition_router
from regions.api import router as regions_router
from reports.api import router as reports_router
from scheduling.api import router as scheduling_router

NOT_FOUND = gettext_noop("不存在或不在您的权限范围内")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# The descriptions in the OpenAPI document, and (translated when sent) the detail of those errors.
STATUS_TEXT = {
    400: gettext_noop("请求体不是有效的 JSON"),
    401: gettext_noop("未登录或令牌无效"),
    403: "没有权限（会话请求还须带 CSRF 令牌）",
    404: NOT_FOUND,
    422: "输入不符合要求：`problems` 按字段列出原因",
}


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul(source: str, data: dict) -> dict:
    """PostgreSQL cannot store NUL in text; refuse it with the input's other faults, not as a server error."""
    bad = [key for key, value in data.items() if _has_nul(key) or _has_nul(value)]
    if bad:
        raise InputError([{"loc": (source, key), "msg": _("不能包含空字符（\\x00）"), "type": "nul"} for key in bad])
    return data


class TiduParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):  # every body here is an object; a list would validate as "no fields set"
            raise InputError([{"loc": ("body",), "msg": _("请求体须为 JSON 对象"), "type": "object_type"}])
        return _refuse_nul("body", data)

    def parse_querydict(self, data, list_fields, request):
        # One value per parameter unless it is a list: `?status=a&status=b` is refused, not read as its last value.
        repeated = [key for key, values in data.lists() if len(values) > 1 and key not in list_fields]
        if repeated:
            message = _("只能给一个值")
            raise InputError([{"loc": ("query", key), "msg": message, "type": "repeated"} for key in repeated])
        return _refuse_nul("query", super().parse_querydict(data, list_fields, request))


class TiduAPI(NinjaAPI):
    def _get_urls(self):
        # Anything else under /api/v1/ is a JSON 404 in the one error shape, not the site's HTML page.
        return [*super()._get_urls(), re_path(r"^.+$", self._unknown_path)]

    def _unknown_path(self, request, *args, **kwargs):
        return self.create_response(request, {"detail": _(NOT_FOUND), "problems": {}}, status=404)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = _Description(self, path_prefix)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for path_item in schema["paths"].values():
            for method, operation in path_item.items():
                _document_errors(method, operation)
        return schema


class _Description(OpenAPISchema):
    def add_schema_definitions(self, definitions: dict) -> None:
        # ninja files every schema under its class name: two different ones of one name would silently become one.
        for name, definition in definitions.items():
            if self.schemas.get(name, definition) != definition:
                raise ImproperlyConfigured(f"Two API schemas are both named {name!r}; rename one (or core.api.choices)")
        super().add_schema_definitions(definitions)


def _document_errors(method: str, operation: dict) -> None:
    """The statuses that follow from the declaration itself, each with the one error body."""
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    secured = bool(operation.get("security"))
    statuses = set()
    if "application/json" in body:
        statuses.add(400)
    if secured:
        statuses.add(401)
        if method != "get":  # a session client's write without its CSRF token
            statuses.add(403)
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if parameters or body:
        statuses.add(422)
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        entry = responses.setdefault(status, {"description": STATUS_TEXT[status]})
        entry.setdefault("content", {"application/json": {"schema": PROBLEM_REF}})


api = TiduAPI(
    title="Tidu API",
    version="1",
    description=(
        "梯度平台 API。使用个人中心创建的令牌：`Authorization: Bearer tidu_…`。"
        '所有数据按令牌所属用户的权限范围返回。出错时返回 `{"detail": 说明, "problems": {字段: 原因}}`。'
    ),
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    parser=TiduParser(),
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
api.add_router("/monitoring", monitoring_router)
api.add_router("/recognition", recognition_router)
api.add_router("/funding", funding_router)
api.add_router("/ai/models", ai_registry_router)
api.add_router("/ai/assistant", assistant_router)
api.add_router("/data-security", datasecurity_router)
api.add_router("/scheduling", scheduling_router)
api.add_exception_handler(CatalogError, catalog_refused)


def problem(request, status: int, detail: str, problems: dict | None = None):
    return api.create_response(request, {"detail": detail, "problems": problems or {}}, status=status)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return problem(request, 403, str(exc) or _("没有权限"))


@api.exception_handler(Http404)
def not_found(request, exc):
    return problem(request, 404, _(NOT_FOUND))


NINJA_CSRF_FAILED = "CSRF check Failed"  # what ninja's SessionAuth raises, in English, for a write without the token
CSRF_REFUSED = gettext_noop("会话请求的写操作须带 CSRF 令牌（请求头 X-CSRFToken）；脚本和系统对接请使用 API 令牌")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        return problem(request, 401, _(STATUS_TEXT[401]))
    if exc.status_code == 403 and str(exc) == NINJA_CSRF_FAILED:
        return problem(request, 403, _(CSRF_REFUSED))
    if isinstance(exc.__cause__, InputError):  # ninja wraps whatever the body parser raises in a 400
        return invalid_input(request, exc.__cause__)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):  # not JSON, or not UTF-8
        return problem(request, 400, _(STATUS_TEXT[400]))
    return problem(request, exc.status_code, str(exc))


def _field(loc) -> str:
    """("body", "payload", "name") → "name"; ("query", "limit") → "limit": the names a client sent."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # the handler's parameter name, which the client never sees
    return ".".join(parts)


@api.exception_handler(InputError)
def invalid_input(request, exc: InputError):
    problems: dict[str, str] = {}
    for error in exc.errors:
        key = _field(error.get("loc", ()))
        problems[key] = "；".join(filter(None, [problems.get(key), str(error.get("msg", ""))]))
    listed = "；".join(f"{k or _('请求')}：{v}" for k, v in problems.items())
    detail = _("输入不符合要求：%(problems)s") % {"problems": listed}
    return problem(request, 422, detail, problems)


@api.exception_handler(DjangoValidationError)
def refused_by_model(request, exc: DjangoValidationError):
    """A model's own validation (full_clean) refusing the input: its Chinese messages, per field."""
    if hasattr(exc, "error_dict"):
        problems = {("" if k == "__all__" else k): "；".join(v) for k, v in exc.message_dict.items()}
    else:
        problems = {"": "；".join(exc.messages)}
    return problem(request, 422, "；".join(problems.values()), problems)
