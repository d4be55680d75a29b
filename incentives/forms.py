"""Forms of the funding pages: loading a programme's rules file, a budget, the applicant's draft (the fields its
programme's type asks for; providers and solutions only from the resource pool), a document, an officer's decision,
clawback and cancellation, and the provider's voucher code."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.policy import scope_of
from catalog.models import Provider, Solution
from core.forms import StyledMixin
from regions.models import Region

from . import rules

MAX_RULES_BYTES = 256 * 1024
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class ProgrammeLoadForm(StyledMixin, forms.Form):
    """A programme's rules: a shipped example or the region's own file (same YAML format), checked by rules.parse
    in the service."""

    example = forms.ChoiceField(label=_("项目规则（平台提供的示例）"), required=False)
    rules_file = forms.FileField(
        label=_("或上传本地的项目规则文件（YAML）"), required=False,
        help_text=_("格式与示例相同：可先下载示例，按本地通知修改扶持方式、比例、上限、申报期、材料与审核环节后上传"),
    )  # fmt: skip
    region = forms.ModelChoiceField(label=_("发布地区"), queryset=Region.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.examples = {spec.code: spec for spec in rules.examples()}
        self.fields["example"].choices = [("", "—")] + [(c, s.name) for c, s in self.examples.items()]
        scope = scope_of(user)
        regions = Region.objects.filter(level__in=[1, 2, 3], is_active=True)
        if not scope.is_admin:
            regions = regions.filter(code__in=[p.ljust(6, "0") for p in scope.officer_paths])
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["region"].empty_label = None
        self.style()

    def clean(self):
        data = super().clean()
        upload = data.get("rules_file")
        if upload:
            data["rules"] = self._rules_of(upload)
        elif data.get("example"):
            data["rules"] = example_data(data["example"])
        else:
            self.add_error("example", _("请选择一个示例，或上传项目规则文件"))
        return data

    def _rules_of(self, upload) -> dict | None:
        import yaml

        if upload.size > MAX_RULES_BYTES:
            self.add_error("rules_file", _("规则文件不能超过 256 KB"))
            return None
        try:
            data = yaml.safe_load(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            self.add_error("rules_file", _("规则文件须为 UTF-8 编码的文本（YAML）"))
            return None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = _("第 %(line)s 行") % {"line": mark.line + 1} if mark else ""
            self.add_error("rules_file", _("不是有效的 YAML 文件%(where)s") % {"where": where})
            return None
        if not isinstance(data, dict):
            self.add_error("rules_file", _("规则文件的内容应为键值表（与示例相同的格式）"))
            return None
        return data


def example_paths() -> dict:
    return {path.stem: path for path in sorted(rules.EXAMPLES.glob("*.yaml"))}


def example_data(code: str) -> dict | None:
    """A shipped example's data by its programme code (or file name)."""
    import yaml

    for path in example_paths().values():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("code") == code or path.stem == code:
            return data
    return None


class BudgetForm(StyledMixin, forms.Form):
    region = forms.ModelChoiceField(label=_("地区"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("预算（元）"), **MONEY)

    def __init__(self, *args, programme, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        regions = Region.objects.filter(is_active=True, code__startswith=programme.region.path, level__lte=3)
        if not scope.is_admin:
            # Its own region's total, or a split to the regions right below one it governs.
            from django.db.models import Q

            q = Q(pk__in=[])
            for path in scope.officer_paths:
                q |= Q(code__startswith=path)
                q |= Q(parent__code=path.ljust(6, "0"))
            regions = regions.filter(q)
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["region"].empty_label = None
        self.initial.setdefault("year", programme.year)
        self.style()


class ApplicationForm(StyledMixin, forms.Form):
    """The applicant's draft: the project, its numbers (checked against other applications at submission), the
    provider and solution from the resource pool, and what the programme's amount rule reads."""

    project_name = forms.CharField(label=_("项目名称"), max_length=200)
    project_number = forms.CharField(label=_("项目编号"), max_length=60, required=False)
    contract_number = forms.CharField(label=_("合同编号"), max_length=60, required=False)
    invoice_numbers = forms.CharField(label=_("发票号码"), max_length=400, required=False,
                                      help_text=_("多张发票用逗号分隔"))  # fmt: skip
    provider = forms.ModelChoiceField(label=_("服务商（资源池）"), queryset=Provider.objects.none(), required=False)
    solution = forms.ModelChoiceField(label=_("解决方案"), queryset=Solution.objects.none(), required=False)
    cost = forms.DecimalField(label=_("项目投入（元）"), required=False, **MONEY)
    principal = forms.DecimalField(label=_("贷款本金（元）"), required=False, **MONEY)
    grade = forms.ChoiceField(label=_("等次"), required=False)
    requested = forms.DecimalField(label=_("申请金额（元）"), required=False,
                                   help_text=_("选填：不填则按规则可核定的金额申请"), **MONEY)  # fmt: skip
    not_related = forms.BooleanField(label=_("承诺企业与服务商之间不存在关联关系"), required=False)
    summary = forms.CharField(label=_("项目说明"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip

    def __init__(self, *args, spec: rules.Spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        providers = Provider.objects.listed().order_by("name")
        self.fields["provider"].queryset = providers
        self.fields["solution"].queryset = (
            Solution.objects.filter(status=Solution.Status.PUBLISHED, provider__in=providers)
            .select_related("provider").order_by("provider__name", "title")
        )  # fmt: skip
        self.fields["solution"].label_from_instance = lambda s: f"{s.provider.name} · {s.title}"
        if spec.cost_label or spec.type in ("voucher", "subsidy"):
            self.fields["cost"].label = _("%(label)s（元）") % {"label": spec.cost_label or _("项目投入")}
        if spec.type not in ("voucher", "subsidy"):
            del self.fields["cost"]
        if spec.type != "interest":
            del self.fields["principal"]
        if spec.type == "award":
            self.fields["grade"].choices = [("", "—")] + [(c, spec.grade_names.get(c, c)) for c in spec.fixed]
        else:
            del self.fields["grade"]
        if spec.type not in ("voucher", "subsidy") and not spec.provider_required:
            for name in ("provider", "solution", "not_related"):
                del self.fields[name]
        elif not spec.related_party_forbidden:
            del self.fields["not_related"]
        self.style()

    @classmethod
    def initial_for(cls, application) -> dict:
        names = ("project_name", "project_number", "contract_number", "invoice_numbers", "provider", "solution",
                 "cost", "principal", "grade", "requested", "not_related", "summary")  # fmt: skip
        return {n: getattr(application, n) for n in names}

    def clean(self):
        data = super().clean()
        provider, solution = data.get("provider"), data.get("solution")
        if solution is not None and provider is not None and solution.provider_id != provider.pk:
            self.add_error("solution", _("所选解决方案不属于所选服务商"))
        if solution is not None and provider is None:
            data["provider"] = solution.provider
        return data

    def values(self) -> dict:
        out = dict(self.cleaned_data)
        for name in ("project_number", "contract_number", "invoice_numbers", "summary", "grade"):
            if name in out:
                out[name] = out[name] or ""
        return out


class DocumentForm(forms.Form):
    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("文件"), widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"})
    )


DECISIONS = [("pass", _("通过")), ("return", _("退回修改")), ("reject", _("不予通过"))]


class DecisionForm(StyledMixin, forms.Form):
    decision = forms.ChoiceField(label=_("办理决定"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("退回或不予通过须写明理由；申请企业能看到每项办理决定及其理由"))  # fmt: skip
    amount = forms.DecimalField(label=_("核定金额（元）"), required=False,
                                help_text=_("选填：不填则按规则可核定的金额批准；只能调低"), **MONEY)  # fmt: skip

    def __init__(self, *args, last_step: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not last_step:
            del self.fields["amount"]
        self.style()


class ReasonForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.TextInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ClawbackForm(ReasonForm):
    amount = forms.DecimalField(label=_("追回金额（元）"), **MONEY)


class VoucherForm(StyledMixin, forms.Form):
    voucher_code = forms.CharField(label=_("券码"), max_length=20,
                                   widget=forms.TextInput(attrs={"placeholder": "XXXX-XXXX-XXXX",
                                                                 "autocomplete": "off"}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
