"""Forms for statistics rounds and report templates. The rules a template's columns keep together live in
monitoring.filing_templates (the API and the pages share them); these forms only read the input."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assessments.models import ModelVersion
from assessments.tiers import TIERS
from core.forms import StyledMixin
from regions.models import Region

from . import metrics
from .filing_templates import CATALOGUE, MAX_COLUMNS, clean_columns, template_choices
from .models import ReportTemplate, StatisticsRound


class RoundForm(StyledMixin, forms.ModelForm):
    template = forms.ChoiceField(label=_("报表模板"))

    class Meta:
        model = StatisticsRound
        fields = ["name", "template", "period", "year", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = template_choices(region)
        self.fields["period"].help_text = _("如“2026 年度”“2026 年第四季度”")
        self.style()


class TemplateForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("模板名称"), max_length=200)
    rows = forms.ChoiceField(label=_("表格行"), choices=ReportTemplate.Rows.choices, widget=forms.RadioSelect)


class ColumnForm(StyledMixin, forms.Form):
    """One column: a metric of the catalogue and its parameters. A row left without a title is not a column."""

    title = forms.CharField(label=_("列标题"), max_length=60, required=False)
    metric = forms.ChoiceField(label=_("指标"), required=False)
    unit = forms.ChoiceField(label=_("计量方式"), choices=[("count", _("数量")), ("share", _("占比（%）"))])
    above_scale = forms.NullBooleanField(
        label=_("企业范围"), required=False,
        widget=forms.Select(choices=[("unknown", _("不限")), ("true", _("仅规模以上")), ("false", _("仅规模以下"))]),
    )  # fmt: skip
    model_code = forms.ChoiceField(label=_("评估模型"), required=False)
    level = forms.IntegerField(label=_("等级"), required=False, min_value=1, max_value=10)
    tier = forms.ChoiceField(label=_("梯度等级"), required=False, choices=[("", "—"), *TIERS.items()])
    basis = forms.ChoiceField(label=_("结果依据"), choices=list(metrics.BASIS_LABELS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "—"), *((k, str(v)) for k, v in CATALOGUE.items())]
        codes = ModelVersion.objects.filter(is_current=True).order_by("code").values_list("code", "name")
        self.fields["model_code"].choices = [("", _("（不限）")), *codes]
        self.style()

    def column(self) -> dict | None:
        data = self.cleaned_data
        if not data or not (data.get("title") or "").strip() or data.get("DELETE"):
            return None
        return {key: data.get(key) for key in self.base_fields}


class BaseColumnFormSet(forms.BaseFormSet):
    def __init__(self, *args, rows_kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows_kind = rows_kind

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].widget.attrs.update({"class": "form-control", "min": 1, "size": 3})

    def columns(self) -> list[dict]:
        """The columns in the order given ("序号", then as listed), rows without a title left out."""
        ordered = self.ordered_forms if self.can_order else self.forms
        return [c for form in ordered if (c := form.column()) is not None]

    def clean(self):
        if any(self.errors) or self.rows_kind is None:
            return
        try:
            self.cleaned_columns = clean_columns(self.columns(), self.rows_kind)
        except ValidationError as error:
            raise ValidationError(error.messages) from error


ColumnFormSet = forms.formset_factory(
    ColumnForm, formset=BaseColumnFormSet, extra=6, can_order=True, can_delete=True, max_num=MAX_COLUMNS
)


def column_initial(columns: list[dict]) -> list[dict]:
    return [{**c, "ORDER": n} for n, c in enumerate(columns, start=1)]
