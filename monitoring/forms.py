"""Forms for plans and targets. Choices are limited to what the user governs and what the archive holds."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import scope_of
from assessments.models import ModelVersion
from core.forms import StyledMixin
from enterprises.models import Chain, Cluster, Label, SizeClass
from regions.models import IndustryDivision, Region, prefix_range

from . import metrics
from .models import Campaign, Plan, Target

YEARS = range(2020, 2041)
YEARS_KEPT = 5  # the years the dashboards' tallies hold (monitoring.cube.YEARS)


def plans_for(region: Region):
    """Plans a target for `region` may join: the plans of this region and of the regions above it."""
    ancestors = [region.path[:n] for n in range(2, len(region.path) + 1, 2)]
    return Plan.objects.filter(region__path__in=ancestors).order_by("-start_year", "name")


class PlanForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["name", "start_year", "end_year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("截止年度不能早于起始年度"))
        return data


class TargetForm(StyledMixin, forms.ModelForm):
    above_scale = forms.NullBooleanField(
        label=_("规模以上"), required=False,
        widget=forms.Select(choices=[("unknown", _("不限")), ("true", _("仅规模以上")), ("false", _("仅规模以下"))]),
    )  # fmt: skip
    model_code = forms.ChoiceField(label=_("评估模型"), required=False)
    size_class = forms.ChoiceField(label=_("企业规模"), required=False, choices=[("", _("不限")), *SizeClass.choices])

    class Meta:
        model = Target
        fields = [
            "plan", "name", "metric", "unit", "model_code", "level", "tier", "basis", "above_scale", "size_class",
            "industry", "label", "cluster", "chain", "year", "value",
        ]  # fmt: skip

    def __init__(self, *args, user, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.region = user, region
        self.fields["plan"].queryset = plans_for(region)
        codes = ModelVersion.objects.filter(is_current=True).order_by("code").values_list("code", "name")
        self.fields["model_code"].choices = [("", _("（不限）"))] + list(codes)
        self.fields["industry"].queryset = IndustryDivision.objects.filter(code__gte="13", code__lte="43")
        self.fields["label"].queryset = Label.objects.order_by("order", "code")
        self.fields["cluster"].queryset = Cluster.objects.filter(**prefix_range("region_id", region.path[:2]))
        self.fields["chain"].queryset = Chain.objects.filter(**prefix_range("region_id", region.path[:2]))
        self.fields["year"].widget = forms.Select(choices=[(y, y) for y in YEARS])
        self.fields["value"].help_text = _("数量填整数；占比填百分数，如 50 表示 50%")
        scope = scope_of(user)
        self.governs = scope.is_authority and scope.manages_code(region.code)
        self.style()


class SplitForm(forms.Form):
    """One value per region below, and how the parts are made."""

    method = forms.ChoiceField(label=_("分解方式"), choices=Target.SplitMethod.choices, widget=forms.RadioSelect)

    def __init__(self, *args, children: list[Region], suggested: dict[str, object], **kwargs):
        super().__init__(*args, **kwargs)
        self.children = children
        for child in children:
            self.fields[f"part_{child.code}"] = forms.DecimalField(
                label=child.name, required=False, min_value=0, max_digits=12, decimal_places=2,
                initial=suggested.get(child.code),
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm text-end", "step": "0.01"}),
            )  # fmt: skip

    def by_hand(self) -> dict:
        return {
            child.code: self.cleaned_data[f"part_{child.code}"]
            for child in self.children
            if self.cleaned_data.get(f"part_{child.code}") is not None
        }

    def part_fields(self):
        return [(child, self[f"part_{child.code}"]) for child in self.children]


class FigureViewForm(forms.Form):
    """The dashboard's choices: model, basis, population and year. Anything invalid falls back to the defaults."""

    model = forms.ChoiceField(label=_("评估模型"), required=False)
    basis = forms.ChoiceField(label=_("结果依据"), required=False, choices=list(metrics.BASIS_LABELS.items()))
    population = forms.ChoiceField(
        label=_("企业范围"), required=False, choices=[("above", _("规模以上企业")), ("all", _("全部企业"))]
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = ModelVersion.objects.filter(is_current=True).order_by("code").values_list("code", "name")
        self.fields["model"].choices = list(versions)
        codes = [code for code, _name in versions]
        # The shown default must be the one the figures use (the first by code would be ai-level, not CMMM).
        self.default_model = "cmmm" if "cmmm" in codes else (codes[0] if codes else "cmmm")
        self.fields["model"].initial = self.default_model
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this_year, this_year - YEARS_KEPT, -1)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def values(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "model_code": data.get("model") or self.default_model,
            "basis": data.get("basis") or "self",
            "above_scale_only": (data.get("population") or "above") == "above",
            "year": data.get("year") or timezone.localdate().year,
        }

    def view(self, region: Region, min_group: int):
        from .figures import View

        return View(region=region, min_group=min_group, **self.values())

    def describe(self) -> str:
        values = self.values()
        population = _("规模以上企业") if values["above_scale_only"] else _("全部企业")
        return f"{values['model_code']} · {metrics.BASIS_LABELS[values['basis']]} · {population} · {values['year']}"


class CampaignForm(StyledMixin, forms.ModelForm):
    """The campaign and how its enterprises are found: a share drawn per city with a seed, or chosen — by pasting
    credit codes, or by taking the enterprise list's current filters (`list_query`, the list page's query string)."""

    SAMPLE, CHOSEN = "sample", "chosen"
    selection = forms.ChoiceField(
        label=_("参加企业"),
        choices=[(SAMPLE, _("按比例抽样")), (CHOSEN, _("指定企业"))],
        initial=SAMPLE,
        widget=forms.RadioSelect,
    )
    chosen_codes = forms.CharField(
        label=_("指定企业的统一社会信用代码"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个（也可用逗号、空格分隔）；或从企业名单按筛选条件带入"),
    )
    list_query = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Campaign
        fields = ["name", "kind", "model_version", "starts_on", "ends_on", "selection", "sample_share", "seed",
                  "above_scale_only", "chosen_codes", "list_query"]  # fmt: skip
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["model_version"].queryset = ModelVersion.objects.filter(is_current=True).order_by("code")
        self.fields["sample_share"].help_text = _(
            "按市抽取规模以上（或全部）企业的比例，各市至少 1 家；同一随机种子抽到同一批企业"
        )
        self.style()

    def clean(self):
        data = super().clean()
        if data.get("selection") == self.SAMPLE:
            if data.get("sample_share") is None:
                self.add_error("sample_share", _("按比例抽样时请填写抽样比例"))
            data["chosen"] = None
        elif data.get("selection") == self.CHOSEN:
            data["sample_share"] = None
            data["chosen"] = self._chosen(data)
        return data

    def _chosen(self, data) -> list[int] | None:
        """The enterprises chosen, as ids of enterprises the user sees; every unreadable or unknown code is named."""
        from enterprises import creditcode
        from enterprises.models import Enterprise

        visible = Enterprise.objects.visible_to(self.user).filter(removed_at__isnull=True)
        if query := (data.get("list_query") or "").strip():
            return list(filtered_enterprises(self.user, query).values_list("pk", flat=True))
        codes = [creditcode.normalise(c) for c in re.split(r"[\s,，;；、]+", data.get("chosen_codes") or "") if c]
        if not codes:
            self.add_error("chosen_codes", _("请填写指定企业的统一社会信用代码，或从企业名单按筛选条件带入"))
            return None
        if len(codes) > MAX_CHOSEN:
            self.add_error("chosen_codes", _("一次最多指定 %(n)s 家企业") % {"n": MAX_CHOSEN})
            return None
        wrong = [code for code in codes if creditcode.validate(code)]
        found = dict(visible.filter(credit_code__in=codes).values_list("credit_code", "pk"))
        unknown = [code for code in codes if code not in found and code not in wrong]
        for label, bad in ((_("代码有误"), wrong), (_("不在您可见的档案中"), unknown)):
            if bad:
                shown = "、".join(bad[:10]) + ("…" if len(bad) > 10 else "")
                self.add_error("chosen_codes", _("%(n)s 个代码%(why)s：%(codes)s") % {
                    "n": len(bad), "why": label, "codes": shown})  # fmt: skip
        return None if wrong or unknown else sorted(set(found.values()))


MAX_CHOSEN = 20000


def filtered_enterprises(user, query: str):
    """The enterprises the enterprise list shows `user` for the filters in `query` (its query string)."""
    from django.http import QueryDict

    from enterprises.forms import EnterpriseFilterForm
    from enterprises.models import Enterprise
    from regions.models import code_prefix

    form = EnterpriseFilterForm(QueryDict(query), user=user)
    if not form.is_valid():
        return Enterprise.objects.none()
    region = code_prefix(form.cleaned_data.get("region") or "")
    return form.apply(Enterprise.objects.visible_to(user, within=region)).filter(removed_at__isnull=True)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("退回原因")}),
    )
