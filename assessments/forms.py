from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledMixin

from .models import Assessment, ModelVersion
from .services import default_context

PRODUCTION_TYPES = [("discrete", _("离散型制造")), ("process", _("流程型制造"))]


class StartForm(StyledMixin, forms.Form):
    version = forms.ModelChoiceField(label=_("评估模型"), queryset=ModelVersion.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("评估类型"))
    production_type = forms.ChoiceField(
        label=_("生产类型"),
        choices=PRODUCTION_TYPES,
        help_text=_("决定离散型/流程型专属条目是否出现；默认值按行业推断，请确认"),
    )

    def __init__(self, *args, kinds, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        versions = ModelVersion.objects.current().order_by("code")
        self.fields["version"].queryset = versions
        # CMMM first, as the reports list it ("ai-level" sorts before "cmmm" and must not become the default).
        self.fields["version"].initial = versions.filter(code="cmmm").first()
        self.fields["version"].label_from_instance = lambda v: (
            f"{v.name}（{v.version}）" + ("" if v.status == "official" else " · " + str(_("暂定")))
        )
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["production_type"].initial = default_context(enterprise)["production_type"]


class AssessmentFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(label=_("企业"), required=False, max_length=100)
    model = forms.ChoiceField(label=_("模型"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Assessment.Kind.choices])
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Assessment.Status.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = ModelVersion.objects.current().order_by("code").values_list("code", "name")
        self.fields["model"].choices = [("", _("全部模型")), *codes]

    def apply(self, qs):
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.filter(enterprise__name__icontains=data["q"].strip())
        if data.get("model"):
            qs = qs.filter(model_code=data["model"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs


class ModelUploadForm(StyledMixin, forms.Form):
    file = forms.FileField(label=_("模型文件（YAML 或 XLSX）"))
    change_note = forms.CharField(label=_("修订说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    rescore = forms.BooleanField(label=_("保存后按新版本重算已提交的评估（旧结果保留）"), required=False)
