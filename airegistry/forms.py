"""Forms of the registry pages: an entry (the fields its kind asks for), a scene model, a live deployment, a
third-party evaluation with its report, an officer's review, and the public directory's filters. The services check
again whatever a form lets through (codes, ranges, dates, the upload)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledMixin
from regions.models import IndustryDivision

from .models import AUTONOMY, Deployment, Entry, Link, Modality, SceneModel, System

PCT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal(0), "max_value": Decimal(100), "required": False}


def industry_choices() -> list[tuple[str, str]]:
    return [(d.code, str(d)) for d in IndustryDivision.objects.order_by("code")]


def autonomy_choices() -> list[tuple[str, str]]:
    return [(str(level), str(text)) for level, text in AUTONOMY.items()]


class EntryForm(StyledMixin, forms.ModelForm):
    """The developer's registration; the developer is chosen only among the user's own enterprises and providers."""

    developer = forms.ChoiceField(label=_("研发单位"))
    parameters_yi = forms.DecimalField(label=_("参数量（亿）"), required=False, min_value=Decimal(0), max_digits=12,
                                      decimal_places=2, help_text=_("例如 70 亿参数填 70；10 亿参数填 10"))  # fmt: skip
    industries = forms.MultipleChoiceField(label=_("适用行业"), required=False)
    links = forms.MultipleChoiceField(label=_("价值链环节"), choices=Link.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)  # fmt: skip
    deployment_forms = forms.MultipleChoiceField(label=_("部署形态"), choices=Deployment.choices, required=False,
                                                 widget=forms.CheckboxSelectMultiple)  # fmt: skip
    systems = forms.MultipleChoiceField(label=_("作用系统"), choices=System.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)  # fmt: skip
    autonomy_level = forms.TypedChoiceField(label=_("自主等级（暂行口径）"), coerce=int, required=False,
                                            empty_value=None)  # fmt: skip
    task_success = forms.DecimalField(label=_("任务成功率（%）"), **PCT)

    class Meta:
        model = Entry
        fields = ["name", "version", "summary", "base_model", "base_origin", "base_licence", "modality",
                  "data_description"]  # fmt: skip
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "data_description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, developers=(), kind: str = Entry.Kind.MODEL, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.developers = {self.developer_key(d): d for d in developers}
        if self.instance.pk:
            del self.fields["developer"]
            self.initial["parameters_yi"] = (Decimal(self.instance.parameters) / Decimal(10**8)
                                            if self.instance.parameters else None)  # fmt: skip
            for key in ("industries", "links", "deployment_forms", "systems", "autonomy_level", "task_success"):
                self.initial[key] = getattr(self.instance, key)
        else:
            self.fields["developer"].choices = [(k, d.name) for k, d in self.developers.items()]
        self.fields["industries"].choices = industry_choices()
        self.fields["industries"].widget.attrs["size"] = 8
        self.fields["autonomy_level"].choices = [("", "—"), *autonomy_choices()]
        self.fields["modality"].choices = Modality.choices
        if kind != Entry.Kind.AGENT:
            for key in ("autonomy_level", "systems", "task_success"):
                del self.fields[key]
        self.style()

    @staticmethod
    def developer_key(developer) -> str:
        return f"{'enterprise' if developer._meta.model_name == 'enterprise' else 'provider'}:{developer.pk}"

    def values(self) -> dict:
        """The cleaned values as the services take them (parameters as a count)."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("developer", "parameters_yi")}
        b = self.cleaned_data.get("parameters_yi")
        data["parameters"] = int(b * 10**8) if b else None
        return data

    def chosen_developer(self):
        return self.developers.get(self.cleaned_data.get("developer"))


class SceneForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = SceneModel
        fields = ["kind", "name", "link", "description"]


class DeploymentForm(StyledMixin, forms.Form):
    client_name = forms.CharField(label=_("应用企业名称"), max_length=200)
    client_code = forms.CharField(label=_("应用企业统一社会信用代码（如已建档）"), max_length=18, required=False)
    since = forms.DateField(label=_("上线日期"), widget=forms.DateInput(attrs={"type": "date"}))
    scene = forms.CharField(label=_("应用场景"), max_length=200, required=False)
    benefit = forms.CharField(label=_("量化效益"), max_length=300, required=False,
                              help_text=_("写明指标与前后数值，例如：缺陷检出率 92% → 98.5%"))  # fmt: skip


class EvaluationForm(StyledMixin, forms.Form):
    evaluator = forms.CharField(label=_("评测机构"), max_length=200)
    accreditation = forms.CharField(label=_("资质（如 CNAS 证书号）"), max_length=100, required=False)
    standard = forms.CharField(label=_("评测标准"), max_length=100, help_text=_("例如 GB/T 45288.2"))
    standard_version = forms.CharField(label=_("标准版本"), max_length=20, required=False,
                                       help_text=_("例如 2025"))  # fmt: skip
    evaluated_on = forms.DateField(label=_("评测日期"), widget=forms.DateInput(attrs={"type": "date"}))
    performance = forms.DecimalField(label=_("性能"), **PCT)
    industry_fit = forms.DecimalField(label=_("行业适配"), **PCT)
    safety = forms.DecimalField(label=_("安全"), **PCT)
    efficiency = forms.DecimalField(label=_("效率"), **PCT)
    reliability = forms.DecimalField(label=_("可靠性"), **PCT)
    report = forms.FileField(label=_("评测报告"), help_text=_("PDF、Word 或图片，20 MB 以内"))


class ReviewForm(StyledMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审核决定"), choices=[("accept", _("审核通过")), ("return", _("退回修改"))],
                                 widget=forms.RadioSelect)  # fmt: skip
    reason = forms.CharField(label=_("意见或退回原因"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class DirectoryFilter(StyledMixin, forms.Form):
    """The public directory's filters (every field optional)."""

    q = forms.CharField(label=_("关键词"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Entry.Kind.choices])
    industry = forms.ChoiceField(label=_("行业"), required=False)
    link = forms.ChoiceField(label=_("环节"), required=False, choices=[("", _("全部环节")), *Link.choices])
    modality = forms.ChoiceField(label=_("模态"), required=False, choices=[("", _("全部模态")), *Modality.choices])
    autonomy = forms.ChoiceField(label=_("自主等级"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = [("", _("全部行业")), *industry_choices()]
        self.fields["autonomy"].choices = [("", _("全部自主等级")), *[(str(n), f"L{n}") for n in AUTONOMY]]
        self.style()
