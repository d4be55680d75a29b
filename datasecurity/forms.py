"""Forms of the data-security pages: a data asset's catalogue fields, the guided grading check, the regulator's
review, an incident, its updates and summary, and closure."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import StyledMixin

from . import grading
from .models import (
    DataAsset,
    Incident,
    IncidentLevel,
    KeyEnterprise,
    Level,
    ProtectionLevel,
    RiskAssessment,
    Scenario,  # fmt: skip
)

TEXT = {"rows": 3}


class AssetForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = DataAsset
        fields = ["name", "category", "level", "source", "records", "storage_gb", "carrier", "purpose",
                  "scope_of_use", "responsible", "sharing", "cross_border", "protection", "retired"]  # fmt: skip
        help_texts = {
            "name": _("只填写数据的名称和描述，数据内容本身不在平台上提交"),
            "level": _("可先保存，再用“定级自查”按判定条件得出建议级别"),
            "records": _("规模填写条数或存储量，至少一项；规模变化达 30% 须在 3 个月内变更备案"),
            "sharing": _("无对外共享请填“无”"),
            "cross_border": _("无跨境传输请填“无”"),
            "retired": _("数据已销毁或转移出本企业时勾选，备案目录须相应变更"),
        }


class GradeForm(StyledMixin, forms.Form):
    """The guided check: the criteria of each level (any one is enough), the GB/T 43697 impact of leakage or
    tampering on each object, then the level the enterprise confirms."""

    level = forms.ChoiceField(label=_("确认的数据级别"), choices=Level.choices, required=False)
    reason = forms.CharField(label=_("与建议级别不一致的理由"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spec = grading.shipped()
        self.spec = spec
        for c in spec.criteria:
            self.fields[f"c_{c.code}"] = forms.BooleanField(label=c.text, required=False)
        degrees = [("", _("无影响或不涉及"))] + list(spec.degrees.items())
        for code, name in spec.objects.items():
            self.fields[f"i_{code}"] = forms.ChoiceField(label=name, choices=degrees, required=False)
        self.style()

    def groups(self) -> list[tuple[str, list]]:
        return [(name, [self[f"c_{c.code}"] for c in self.spec.criteria if c.level == code])
                for code, name in self.spec.levels.items()]  # fmt: skip

    def impacts_fields(self) -> list:
        return [self[f"i_{code}"] for code in self.spec.objects]

    def ticked(self) -> set[str]:
        return {c.code for c in self.spec.criteria if self.cleaned_data.get(f"c_{c.code}")}

    def impacts(self) -> dict[str, str]:
        data = self.cleaned_data
        return {code: data[f"i_{code}"] for code in self.spec.objects if data.get(f"i_{code}")}


class ReviewForm(StyledMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审核结果"), widget=forms.RadioSelect,
                                 choices=[("accept", _("准予备案")), ("return", _("退回补正"))])  # fmt: skip
    reasons = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs=TEXT), max_length=2000,
        help_text=_("退回补正时必填：写明需要补正的事项，企业应在 15 个工作日内重新提交"),
    )  # fmt: skip


class IncidentForm(StyledMixin, forms.ModelForm):
    kind = forms.ChoiceField(label=_("事件类型"))
    discovered_at = forms.DateTimeField(
        label=_("发现时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )  # fmt: skip

    class Meta:
        model = Incident
        fields = ["title", "kind", "level", "cii", "discovered_at", "description"]
        widgets = {"description": forms.Textarea(attrs=TEXT)}
        help_texts = {"level": _("自评：较大及以上事件须立即上报，两个上报时限同时计时"),
                      "cii": _("关键信息基础设施运营者按 1 小时上报")}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds, provisional, _levels = grading.incident_spec()
        self.fields["kind"].choices = [(c, name + (" *" if provisional[c] else "")) for c, name in kinds.items()]
        self.fields["level"].choices = IncidentLevel.choices
        if not self.is_bound:
            self.initial.setdefault("discovered_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        self.style()


class TextForm(StyledMixin, forms.Form):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs=TEXT), max_length=8000)


class CloseForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("结案意见"), required=False, max_length=1000)


# --- drills -------------------------------------------------------------------------------------------------------


class DrillForm(StyledMixin, forms.Form):
    title = forms.CharField(label=_("演练名称"), max_length=200)
    scenario = forms.ChoiceField(label=_("演练场景"), choices=Scenario.choices)
    planned_on = forms.DateField(label=_("计划日期"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(label=_("参演单位和人员"), required=False, max_length=4000,
                                   widget=forms.Textarea(attrs=TEXT),
                                   help_text=_("每行一个：单位、姓名、角色"))  # fmt: skip


class InjectForm(StyledMixin, forms.Form):
    text = forms.CharField(label=_("情景注入"), max_length=500, required=False)
    expected = forms.CharField(label=_("预期处置"), max_length=500, required=False)
    deadline_minutes = forms.IntegerField(label=_("处置时限（分钟）"), min_value=1, max_value=10080, required=False)


InjectFormSet = forms.formset_factory(InjectForm, extra=4, max_num=30)


class DecisionForm(StyledMixin, forms.Form):
    decision = forms.CharField(label=_("处置决策"), max_length=2000)
    met = forms.BooleanField(label=_("达到预期"), required=False)


class FinishForm(StyledMixin, forms.Form):
    findings = forms.CharField(label=_("发现的问题"), max_length=8000, widget=forms.Textarea(attrs=TEXT))


class ActionForm(StyledMixin, forms.Form):
    text = forms.CharField(label=_("整改事项"), max_length=500)
    owner = forms.CharField(label=_("责任人"), max_length=120)
    due_on = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))


# --- the key networked-enterprise list ----------------------------------------------------------------------------


class ProposeForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = KeyEnterprise
        fields = ["networked_devices", "platforms", "self_assessment"]
        widgets = {"self_assessment": forms.Textarea(attrs=TEXT)}
        help_texts = {"self_assessment": _("联网情况、数据处理规模、现有防护措施和等级保护情况")}


class KeyListForm(StyledMixin, forms.Form):
    protection_level = forms.ChoiceField(label=_("防护等级"), choices=ProtectionLevel.choices)
    reason = forms.CharField(label=_("理由"), max_length=1000)


class ReasonForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000)


# --- risk assessments ---------------------------------------------------------------------------------------------


class RiskForm(StyledMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=RiskAssessment.Kind.choices)
    period_start = forms.DateField(label=_("评估期起"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("评估期止"), widget=forms.DateInput(attrs={"type": "date"}))
    assessor = forms.CharField(label=_("评估机构"), max_length=200, help_text=_("自行评估请填“企业自评估”"))
    completed_at = forms.DateTimeField(
        label=_("评估完成时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("评估报告应在完成后 10 个工作日内报送"),
    )  # fmt: skip
    system_name = forms.CharField(label=_("人工智能系统或模型"), max_length=200, required=False,
                                  help_text=_("仅人工智能安全风险报告填写"))  # fmt: skip
    risk_types = forms.MultipleChoiceField(label=_("风险类型"), required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text=_("仅人工智能安全风险报告填写；报告格式暂定"))  # fmt: skip
    findings = forms.CharField(label=_("发现的风险"), max_length=8000, widget=forms.Textarea(attrs=TEXT))
    rectification = forms.CharField(label=_("整改措施"), max_length=8000, required=False,
                                    widget=forms.Textarea(attrs=TEXT))  # fmt: skip

    def __init__(self, *args, risk_types: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_types"].choices = list((risk_types or {}).items())
        self.style()


class AssetImportForm(StyledMixin, forms.Form):
    file = forms.FileField(label=_("数据资产导入模板（.xlsx）"))
