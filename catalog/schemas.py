"""Request and response schemas of the resource-pool API. Inputs and outputs are separate classes and every field is
named: a model field reaches a client only when it is listed here.

Inputs keep only the limits a client cannot get wrong by accident (lengths, types); the rules with Chinese messages
(a one-character need, unknown scenario or industry codes, an inverted price range) stay in the services, so the
API refuses exactly what the pages refuse, with the same words."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from core.api import Count, Id, Problem

REGION = r"^\d{6}$"
INDUSTRY = r"^\d{2}$"


def _pick(obj, key: str, read):
    """A detail endpoint builds a dict from the list schema's output; resolvers then see the value already made."""
    return obj[key] if isinstance(obj, dict) else read(obj)


ProblemOut = Problem  # the API's one error body (core.api), under the name this module's readers know


# ---------------------------------------------------------------- providers


class ContactOut(Schema):
    name: str
    phone: str
    email: str


class ProviderOut(Schema):
    id: int
    name: str
    credit_code: str
    region_code: str = Field(description="注册地区划代码")
    types: list[str]
    industries: list[str] = Field(description="服务行业（GB/T 4754 大类）；空表示全部制造业")
    regions_served: list[str] = Field(description="服务区域代码；空表示全国")
    status: str
    grade: str
    score: float | None
    is_synthetic: bool

    @staticmethod
    def resolve_region_code(obj) -> str:
        return _pick(obj, "region_code", lambda o: o.region_id)


class ProviderDetailOut(ProviderOut):
    description: str
    qualifications: str
    staff: int | None
    status_reason: str
    contact: ContactOut | None = Field(description="联系方式；无权查看时为 null")
    pending_changes: dict[str, Any] | None = Field(description="待审核的修改；仅服务商本身和审核部门可见")
    solution_count: int
    case_count: int
    can_edit: bool
    can_review: bool


class ProviderFilter(Schema):
    q: str | None = Field(None, max_length=100, description="名称或简介中的词")
    type: str | None = Field(None, max_length=20, description="服务类型代码")
    industry: str | None = Field(None, pattern=INDUSTRY, description="服务行业（大类代码）")
    region: str | None = Field(None, pattern=REGION, description="服务区域（省或市代码）")
    grade: str | None = Field(None, max_length=20, description="评价等级，如“A 级”")
    status: str | None = Field(None, max_length=12, description="状态（仅主管部门可用）")


class ProviderIn(Schema):
    """A provider record registered by an officer or the platform admin (starts as a draft)."""

    name: str = Field(max_length=200)
    credit_code: str = Field(max_length=40)
    region_code: str = Field(pattern=REGION, description="注册地区划代码（须在您的管辖范围内）")
    types: list[str] = []
    industries: list[str] = []
    regions_served: list[str] = []
    description: str = Field("", max_length=5000)
    qualifications: str = Field("", max_length=5000)
    staff: Count | None = None
    contact_name: str = Field("", max_length=60)
    contact_phone: str = Field("", max_length=40)
    contact_email: str = Field("", max_length=254)


class ProviderPatch(Schema):
    """What a provider keeps up to date itself; every change goes back to review."""

    name: str | None = Field(None, max_length=200)
    types: list[str] | None = None
    industries: list[str] | None = None
    regions_served: list[str] | None = None
    description: str | None = Field(None, max_length=5000)
    qualifications: str | None = Field(None, max_length=5000)
    staff: Count | None = None
    contact_name: str | None = Field(None, max_length=60)
    contact_phone: str | None = Field(None, max_length=40)
    contact_email: str | None = Field(None, max_length=254)


class ProviderReviewIn(Schema):
    # Text rather than an enum, so an unknown action is refused by the service in Chinese ("未知的审核操作").
    action: str = Field(max_length=20, description="publish 发布 / warn 警示 / suspend 暂停 / remove 移出")
    reason: str = Field("", max_length=200, description="必填，记入状态说明")


class ChangesReviewIn(Schema):
    approve: bool = Field(description="true 采纳待审核的修改并发布；false 驳回")
    reason: str = Field("", max_length=200)


class EvaluationOut(Schema):
    id: int
    period: str
    scorecard_version: str
    score: float
    grade: str
    provisional: bool
    answers: dict[str, Any]
    note: str
    evaluated_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_evaluated_by(obj) -> str:
        return _pick(obj, "evaluated_by", lambda o: o.evaluated_by.username if o.evaluated_by_id else "")


class EvaluateIn(Schema):
    reviews: dict[str, str] | None = Field(
        None, description="评审条目（capability_review、qualification_review）→ full/most/partial/none；不填沿用上次"
    )
    period: str = Field("", max_length=20, description="评价周期；不填为今天")


class AppealIn(Schema):
    text: str = Field(max_length=4000)
    evaluation_id: Id | None = Field(None, description="所申诉的评价；不填表示对状态处理的申诉")


class AppealOut(Schema):
    id: int
    provider_id: int
    evaluation_id: int | None
    text: str
    status: str
    decision: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class AppealDecisionIn(Schema):
    accept: bool
    decision: str = Field("", max_length=4000)


# ---------------------------------------------------------------- solutions


class SolutionOut(Schema):
    id: int
    title: str
    provider_id: int
    provider_name: str
    scenarios: list[str] = Field(description="场景代码")
    industries: list[str]
    sizes: list[str]
    tiers: list[str]
    deployments: list[str]
    price_min: Decimal | None = Field(description="万元")
    price_max: Decimal | None = Field(description="万元")
    delivery_days: int | None
    lightweight: bool
    first_version_software: bool
    first_set_equipment: bool
    ai_capability: bool
    status: str
    is_synthetic: bool

    @staticmethod
    def resolve_provider_name(obj) -> str:
        return _pick(obj, "provider_name", lambda o: o.provider.name)

    @staticmethod
    def resolve_scenarios(obj) -> list[str]:
        return _pick(obj, "scenarios", lambda o: [s.code for s in o.scenarios.all()])


class SolutionDetailOut(SolutionOut):
    description: str
    outcomes: list[dict[str, Any]]
    status_reason: str
    pending_changes: dict[str, Any] | None
    case_count: int
    can_edit: bool
    can_review: bool


class SolutionFilter(Schema):
    q: str | None = Field(None, max_length=100)
    scenario: str | None = Field(None, max_length=20, description="场景代码")
    industry: str | None = Field(None, pattern=INDUSTRY)
    deployment: str | None = Field(None, max_length=20, description="saas / on_premises / hybrid")
    budget: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="预算（万元）：最低价格不超过预算"
    )
    lightweight: bool | None = None
    ai: bool | None = None
    status: str | None = Field(None, max_length=12, description="状态（仅主管部门可用，如 pending 待审核）")


class SolutionIn(Schema):
    provider_id: Id | None = Field(None, description="仅平台管理员需要；服务商用户默认为本单位")
    title: str = Field(max_length=200)
    description: str = Field(max_length=10000)
    scenario_codes: list[str] = Field(description="适用场景代码，至少一个")
    industries: list[str] = []
    sizes: list[str] = []
    tiers: list[str] = []
    deployments: list[str] = []
    price_min: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    price_max: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    delivery_days: Count | None = None
    lightweight: bool = False
    first_version_software: bool = False
    first_set_equipment: bool = False
    ai_capability: bool = False
    outcomes: list[dict[str, Any]] = []


class SolutionPatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10000)
    scenario_codes: list[str] | None = None
    industries: list[str] | None = None
    sizes: list[str] | None = None
    tiers: list[str] | None = None
    deployments: list[str] | None = None
    price_min: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    price_max: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    delivery_days: Count | None = None
    lightweight: bool | None = None
    first_version_software: bool | None = None
    first_set_equipment: bool | None = None
    ai_capability: bool | None = None
    outcomes: list[dict[str, Any]] | None = None


class SolutionReviewIn(Schema):
    action: str = Field(max_length=20, description="publish 发布 / withdraw 下架")
    reason: str = Field("", max_length=200)


# ---------------------------------------------------------------- scenarios and cases


class ScenarioOut(Schema):
    code: str
    name: str
    link_code: str
    link_name: str
    dimension: str
    ai: bool
    provisional: bool
    industries: list[str] = Field(description="典型行业；空表示全部")
    solution_count: int = Field(0, description="您可见的已发布解决方案数")


class ClosedCodeOut(Schema):
    model: str = Field(description="评估模型代码，如 cmmm")
    code: str
    name: str = Field(description="模型当前版本中的名称；找不到时为空")


class ScenarioDetailOut(ScenarioOut):
    description: str
    keywords: list[str]
    closes: list[ClosedCodeOut] = Field(description="该场景帮助补齐的成熟度模型子域或条目")


class GraphOut(Schema):
    count: int
    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]
    categories: list[dict[str, Any]]


class CaseOut(Schema):
    id: int
    title: str
    provider_id: int
    provider_name: str
    solution_id: int | None
    industry_code: str
    region_code: str
    verified: bool
    is_synthetic: bool

    @staticmethod
    def resolve_provider_name(obj) -> str:
        return _pick(obj, "provider_name", lambda o: o.provider.name)

    @staticmethod
    def resolve_industry_code(obj) -> str:
        return _pick(obj, "industry_code", lambda o: o.industry_id)

    @staticmethod
    def resolve_region_code(obj) -> str:
        return _pick(obj, "region_code", lambda o: o.region_id)


class CaseDetailOut(CaseOut):
    summary: str
    metrics: list[dict[str, Any]]
    scenarios: list[str]
    solution_title: str

    @staticmethod
    def resolve_scenarios(obj) -> list[str]:
        return _pick(obj, "scenarios", lambda o: [s.code for s in o.scenarios.all()])

    @staticmethod
    def resolve_solution_title(obj) -> str:
        return _pick(obj, "solution_title", lambda o: o.solution.title if o.solution_id else "")


# ---------------------------------------------------------------- needs


class NeedOut(Schema):
    id: int
    title: str
    enterprise_id: int
    enterprise_name: str
    status: str
    visibility: str
    budget_max: Decimal | None
    deadline: dt.date | None
    deployments: list[str]
    response_count: int = 0
    created_at: dt.datetime
    is_synthetic: bool

    @staticmethod
    def resolve_enterprise_name(obj) -> str:
        return _pick(obj, "enterprise_name", lambda o: o.enterprise.name)


class InboxNeedOut(NeedOut):
    responded: bool


class ResponseOut(Schema):
    id: int
    need_id: int
    provider_id: int
    provider_name: str
    solution_id: int | None
    message: str
    status: str
    rating: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_provider_name(obj) -> str:
        return _pick(obj, "provider_name", lambda o: o.provider.name)


class NeedDetailOut(NeedOut):
    text: str
    scenarios: list[str]
    responses: list[ResponseOut] = Field(description="企业与主管部门看到全部响应；服务商只看到自己的响应")
    own: bool = Field(description="是否为本企业发布的需求")
    can_respond: bool


class NeedIn(Schema):
    enterprise_id: Id | None = Field(None, description="发布需求的企业；不填为您所属的企业")
    title: str = Field("", max_length=200)
    text: str = Field("", max_length=10000)
    scenario_codes: list[str] = []
    budget_max: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    deadline: dt.date | None = None
    deployments: list[str] = []
    visibility: Literal["public", "region", "invited"] = "region"
    invited_ids: list[Id] = Field([], description="可见范围为 invited 时必填：受邀服务商 id")


class RespondIn(Schema):
    message: str = Field("", max_length=4000)
    solution_id: Id | None = None


class CloseIn(Schema):
    reason: str = Field("", max_length=200, description="可不填")


class DecisionIn(Schema):
    status: str = Field("", max_length=12, description="shortlisted / contacted / contracted / declined；可不填")
    rating: int | None = Field(None, description="1–5 星；可不填（范围由服务检查，中文提示）")


# ---------------------------------------------------------------- recommendations


class RecommendationOut(Schema):
    rank: int
    solution_id: int
    solution_title: str
    provider_id: int
    provider_name: str
    score: float
    signals: dict[str, float] = Field(description="各信号（0–1）")
    breakdown: dict[str, float] = Field(
        description="权重 × 信号，及 penalty（≤ 0，行业、部署、预算不符的扣减）；合计为 score"
    )
    reasons: list[str]
    explanation: str = Field(description="为什么推荐（中文）")
    relevance: float = Field(0.0, description="与需求的相关度（绝对值 0–1，不是相对名次）")
    confidence: str = Field("", description="高 / 中 / 低")
    cautions: list[str] = Field(default_factory=list, description="不完全符合的条件及原因，如“报价下限略高于预算”")


class NearMissOut(Schema):
    solution_id: int
    solution_title: str
    provider_id: int
    provider_name: str
    relevance: float = Field(description="落选前的相关度（0–1）")
    reasons: list[str] = Field(description="落选原因，如“不服务您所在地区（服务区域：九江市）”")


class AbstentionOut(Schema):
    message: str = Field(description="资源池中暂无匹配的方案")
    reasons: list[str]
    next_steps: list[str]


class NeedRecommendationsOut(Schema):
    need_id: int
    recommendations: list[RecommendationOut]
    abstention: AbstentionOut | None = Field(None, description="没有方案达到相关度门槛时给出")
    excluded: dict[str, int] = Field(description="被排除的方案数，按原因")
    why_few: str = Field(description="被排除原因的中文说明")
    near_misses: list[NearMissOut] = Field(description="仅在 near_misses=true 时给出")


class GapOut(Schema):
    scenario_code: str
    scenario_name: str
    weight: float = Field(description="相对权重（最大为 1）")


class AssessmentRecommendationsOut(Schema):
    assessment_id: int
    gaps: list[GapOut]
    recommendations: list[RecommendationOut]
