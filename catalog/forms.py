"""Forms for the resource-pool pages. Filtering lives in each filter form's `apply()`, so the text search can be
swapped for the tokenizer-based one without touching the views."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of
from core.forms import StyledMixin
from regions.models import IndustryDivision, Region

from . import search
from .models import Case, Need, NeedResponse, Provider, ProviderType, Scenario, Solution
from .workflow import DECISIONS, PROVIDER_ACTIONS, SOLUTION_ACTIONS


def _industry_choices() -> list[tuple[str, str]]:
    return [(d.code, f"{d.code} {d.name}") for d in IndustryDivision.objects.all()]


def _region_choices() -> list[tuple[str, str]]:
    """Provinces and cities: the granularity at which a provider says where it works."""
    regions = Region.objects.filter(is_active=True, level__lte=2).only("code", "name", "level")
    return [(r.code, ("　" * (r.level - 1)) + r.name) for r in regions]


def _json_has(field: str, code: str) -> Q:
    """A JSON list of codes contains `code` (text match on the serialised list; works on SQLite and PostgreSQL)."""
    return Q(**{f"{field}__icontains": f'"{code}"'})


def _serves_region(code: str) -> Q:
    """Providers working in a region: nationwide ones, those listing it or a region above it, or one inside it."""
    q = Q(regions_served=[]) | Q(**{"regions_served__icontains": f'"{code.rstrip("0") or code}'})
    for ancestor in {code[:2] + "0000", code[:4] + "00"} - {code}:
        q |= _json_has("regions_served", ancestor)
    return q


class ProviderFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("名称或简介中的词")}),
    )
    type = forms.ChoiceField(label=gettext_lazy("服务类型"), required=False)
    industry = forms.ChoiceField(label=gettext_lazy("服务行业"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("服务区域"), required=False)
    grade = forms.ChoiceField(label=gettext_lazy("评价等级"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("全部类型")), *ProviderType.choices]
        self.fields["industry"].choices = [("", _("全部行业")), *_industry_choices()]
        self.fields["region"].choices = [("", _("全部区域")), *_region_choices()]
        grades = Provider.objects.exclude(grade="").order_by("grade").values_list("grade", flat=True).distinct()
        self.fields["grade"].choices = [("", _("全部等级")), *((g, g) for g in grades)]
        scope = scope_of(user)
        self.show_status = scope.is_authority
        if self.show_status:
            self.fields["status"].choices = [("", _("全部状态")), *Provider.Status.choices]
        else:
            del self.fields["status"]

    def apply(self, qs):
        data = getattr(self, "cleaned_data", {})  # an unbound form: no filters
        if data.get("q"):
            qs = search.filter_text(qs, data["q"])
        if data.get("type"):
            qs = qs.filter(_json_has("types", data["type"]))
        if data.get("industry"):
            qs = qs.filter(Q(industries=[]) | _json_has("industries", data["industry"]))
        if data.get("region"):
            qs = qs.filter(_serves_region(data["region"]))
        if data.get("grade"):
            qs = qs.filter(grade=data["grade"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs.order_by("-score", "name", "id")


class SolutionFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("名称或介绍中的词")}),
    )
    scenario = forms.ModelChoiceField(Scenario.objects.all(), label=gettext_lazy("场景"), required=False)
    industry = forms.ChoiceField(label=gettext_lazy("适用行业"), required=False)
    deployment = forms.ChoiceField(label=gettext_lazy("部署方式"), required=False)
    budget = forms.DecimalField(
        label=gettext_lazy("预算（万元）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    lightweight = forms.BooleanField(label=gettext_lazy("小快轻准"), required=False)
    ai = forms.BooleanField(label=gettext_lazy("具备人工智能能力"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].empty_label = _("全部场景")
        self.fields["industry"].choices = [("", _("全部行业")), *_industry_choices()]
        self.fields["deployment"].choices = [("", _("全部方式")), *Solution.Deployment.choices]

    def apply(self, qs):
        data = getattr(self, "cleaned_data", {})  # an unbound form: no filters
        if data.get("q"):
            qs = search.filter_text(qs, data["q"])
        if data.get("scenario"):
            qs = qs.filter(scenarios=data["scenario"])
        if data.get("industry"):
            qs = qs.filter(Q(industries=[]) | _json_has("industries", data["industry"]))
        if data.get("deployment"):
            qs = qs.filter(_json_has("deployments", data["deployment"]))
        if data.get("budget") is not None:
            qs = qs.filter(Q(price_min__isnull=True) | Q(price_min__lte=data["budget"]))
        if data.get("lightweight"):
            qs = qs.filter(lightweight=True)
        if data.get("ai"):
            qs = qs.filter(ai_capability=True)
        return qs.distinct().order_by("title", "id")


class ProviderForm(StyledMixin, forms.ModelForm):
    """What a provider keeps up to date itself; its credit code and registration region are the officers' to fix."""

    types = forms.MultipleChoiceField(
        label=gettext_lazy("服务类型"), choices=ProviderType.choices, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.MultipleChoiceField(
        label=gettext_lazy("服务行业"),
        required=False,
        help_text=gettext_lazy("不选表示服务全部制造业"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    regions_served = forms.MultipleChoiceField(
        label=gettext_lazy("服务区域"),
        required=False,
        help_text=gettext_lazy("不选表示全国；选择省份即覆盖其下各市"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Provider
        fields = [
            "name",
            "types",
            "industries",
            "regions_served",
            "description",
            "qualifications",
            "staff",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "qualifications": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].choices = _industry_choices()
        self.fields["regions_served"].choices = _region_choices()
        self.style()


class SolutionForm(StyledMixin, forms.ModelForm):
    scenario_codes = forms.ModelMultipleChoiceField(
        Scenario.objects.all(),
        label=gettext_lazy("适用场景"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    industries = forms.MultipleChoiceField(
        label=gettext_lazy("适用行业"),
        required=False,
        help_text=gettext_lazy("不选表示适用全部制造业"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deployments = forms.MultipleChoiceField(
        label=gettext_lazy("部署方式"),
        required=False,
        choices=Solution.Deployment.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Solution
        fields = [
            "title",
            "description",
            "industries",
            "deployments",
            "price_min",
            "price_max",
            "delivery_days",
            "lightweight",
            "ai_capability",
            "first_version_software",
            "first_set_equipment",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].choices = _industry_choices()
        self.order_fields(["title", "description", "scenario_codes"])
        if self.instance.pk:
            self.fields["scenario_codes"].initial = list(self.instance.scenarios.values_list("code", flat=True))
        self.style()

    def _post_clean(self):
        """Only copy the data onto the instance: the service validates it and reports problems in Chinese."""
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class NeedForm(StyledMixin, forms.ModelForm):
    scenario_codes = forms.ModelMultipleChoiceField(
        Scenario.objects.all(),
        label=gettext_lazy("相关场景"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    deployments = forms.MultipleChoiceField(
        label=gettext_lazy("可接受的部署方式"),
        required=False,
        choices=Solution.Deployment.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    invited = forms.ModelMultipleChoiceField(
        Provider.objects.none(),
        label=gettext_lazy("受邀服务商"),
        required=False,
        help_text=gettext_lazy("可见范围为“仅受邀服务商”时必选"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Need
        fields = ["title", "text", "budget_max", "deadline", "deployments", "visibility"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service refuses an empty or one-character text with its own message; the form does not pre-empt it.
        self.fields["text"].required = False
        self.fields["title"].required = False
        self.fields["invited"].queryset = Provider.objects.listed()
        self.order_fields(["title", "text", "scenario_codes"])
        self.style()

    def clean(self):
        data = super().clean()
        if data.get("visibility") == Need.Visibility.INVITED and not data.get("invited"):
            self.add_error("invited", _("请选择至少一家受邀服务商"))
        return data

    def _post_clean(self):
        """Only copy the data onto the instance: the service validates it (a too-short text, in Chinese)."""
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class ResponseForm(StyledMixin, forms.Form):
    message = forms.CharField(
        label=gettext_lazy("响应说明"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": gettext_lazy("您能提供什么、周期和报价范围")}),
    )
    solution = forms.ModelChoiceField(Solution.objects.none(), label=gettext_lazy("附上解决方案"), required=False)

    def __init__(self, *args, provider: Provider | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solution"].queryset = (
            provider.solutions.exclude(status=Solution.Status.WITHDRAWN) if provider else Solution.objects.none()
        )
        self.fields["solution"].empty_label = _("不附方案")


class DecisionForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "")] + [(s.value, s.label) for s in DECISIONS])
    rating = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=[("", "")] + [(str(i), str(i)) for i in range(1, 6)]
    )

    def clean(self):
        data = super().clean()
        if not data.get("status") and data.get("rating") is None:
            raise forms.ValidationError(_("请选择处理状态或评价"))
        return data


class ReviewForm(StyledMixin, forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("操作"), choices=[])
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("必填，将记入状态说明")}),
    )

    def __init__(self, *args, kind: str = "provider", **kwargs):
        super().__init__(*args, **kwargs)
        if kind == "provider":
            self.fields["action"].choices = [(k, label) for k, (_status, label) in PROVIDER_ACTIONS.items()]
        else:
            self.fields["action"].choices = [(k, Solution.Status(v).label) for k, v in SOLUTION_ACTIONS.items()]


RESPONSE_STATUS_LABELS = dict(NeedResponse.Status.choices)


class RegistrationForm(ProviderForm):
    """服务商入驻申请: the provider's record, where it is registered, and the first account."""

    region = forms.ModelChoiceField(
        Region.objects.none(), label=gettext_lazy("注册地"), help_text=gettext_lazy("由该地主管部门审核")
    )
    credit_code = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=18)
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("电子邮箱（账号）"))
    password = forms.CharField(
        label=gettext_lazy("密码"),
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("至少 10 个字符，须包含字母、数字和符号"),
    )

    class Meta(ProviderForm.Meta):
        fields = ["name", "credit_code", "region", *ProviderForm.Meta.fields[1:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(is_active=True, level__lte=3)
        self.fields["region"].label_from_instance = lambda r: r.full_name
        self.order_fields(["name", "credit_code", "region"])
        self.style()

    def _post_clean(self):
        """Only copy the data onto the instance: the service validates it (the credit code's check character)."""
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class ChangeDecisionForm(StyledMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=gettext_lazy("处理"),
        coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("通过并发布修改")), ("0", gettext_lazy("不通过"))],
    )
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=200, required=False)


GRADE_CHOICES = [
    ("full", gettext_lazy("全部满足")),
    ("most", gettext_lazy("大部分满足")),
    ("partial", gettext_lazy("部分满足")),
    ("none", gettext_lazy("不满足")),
]


class EvaluateForm(StyledMixin, forms.Form):
    capability_review = forms.ChoiceField(
        label=gettext_lazy("产品与服务能力评审"),
        required=False,
        choices=[("", gettext_lazy("沿用上次")), *GRADE_CHOICES],
    )
    qualification_review = forms.ChoiceField(
        label=gettext_lazy("资质与服务体系评审"),
        required=False,
        choices=[("", gettext_lazy("沿用上次")), *GRADE_CHOICES],
    )
    period = forms.CharField(label=gettext_lazy("评价周期"), max_length=20, required=False)

    def reviews(self) -> dict[str, str]:
        return {k: v for k in ("capability_review", "qualification_review") if (v := self.cleaned_data.get(k))}


class AppealForm(StyledMixin, forms.Form):
    evaluation = forms.ModelChoiceField(
        Provider.objects.none(), label=gettext_lazy("申诉事项"), required=False, empty_label=gettext_lazy("状态决定")
    )
    text = forms.CharField(label=gettext_lazy("申诉理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evaluation"].queryset = provider.evaluations.all()
        self.fields["evaluation"].label_from_instance = lambda e: (
            _("%(period)s 分级评价（%(grade)s）")
            % {
                "period": e.period,
                "grade": e.grade,
            }
        )


class AppealDecisionForm(StyledMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=gettext_lazy("处理"),
        coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("采纳")), ("0", gettext_lazy("驳回"))],
    )
    follow_up = forms.ChoiceField(
        label=gettext_lazy("后续处理"),
        required=False,
        choices=[
            ("", gettext_lazy("无")),
            ("reevaluate", gettext_lazy("重新评价")),
            ("restore", gettext_lazy("恢复原状态")),
        ],
    )
    decision = forms.CharField(label=gettext_lazy("处理意见"), max_length=2000, required=False)


class CaseForm(StyledMixin, forms.ModelForm):
    scenario_codes = forms.ModelMultipleChoiceField(
        Scenario.objects.all(),
        label=gettext_lazy("场景"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    enterprise_code = forms.CharField(
        label=gettext_lazy("企业统一社会信用代码"), required=False, max_length=18, help_text=gettext_lazy("选填")
    )
    metrics_text = forms.CharField(
        label=gettext_lazy("前后对比指标"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": gettext_lazy("每行一项：指标，实施前，实施后，单位")}),
        help_text=gettext_lazy("每行一项：指标，实施前，实施后，单位（逗号分隔）"),
    )

    class Meta:
        model = Case
        fields = ["title", "summary", "solution", "industry", "region"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solution"].queryset = provider.solutions.all()
        self.fields["solution"].required = False
        self.fields["region"].queryset = Region.objects.filter(is_active=True, level__lte=3)
        self.fields["region"].label_from_instance = lambda r: r.full_name
        if self.instance.pk:
            self.fields["scenario_codes"].initial = list(self.instance.scenarios.values_list("code", flat=True))
            if self.instance.enterprise_id:
                self.fields["enterprise_code"].initial = self.instance.enterprise.credit_code
            self.fields["metrics_text"].initial = "\n".join(
                "，".join(str(m.get(k, "")) for k in ("metric", "before", "after", "unit"))
                for m in self.instance.metrics
            )
        self.order_fields(["title", "summary", "scenario_codes"])
        self.style()

    def clean_enterprise_code(self):
        from enterprises.models import Enterprise

        code = self.cleaned_data["enterprise_code"].strip().upper()
        if not code:
            return None
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("未找到统一社会信用代码为 %(code)s 的企业") % {"code": code})
        return enterprise

    def clean_metrics_text(self):
        rows = []
        for line in self.cleaned_data["metrics_text"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            parts += [""] * (4 - len(parts))
            rows.append(dict(zip(("metric", "before", "after", "unit"), parts[:4], strict=True)))
        return rows

    def _post_clean(self):
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        if not self.errors:
            self.instance.enterprise = self.cleaned_data.get("enterprise_code")
            self.instance.metrics = self.cleaned_data.get("metrics_text") or []


class CaseVerifyForm(StyledMixin, forms.Form):
    verified = forms.TypedChoiceField(
        label=gettext_lazy("处理"),
        coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("核实通过")), ("0", gettext_lazy("撤销核实"))],
    )
    reason = forms.CharField(label=gettext_lazy("核实说明"), max_length=200, required=False)
