"""Forms of the experts' pages: an expert of the pool, withdrawing a task, and the review (the scoring sheet's items,
or a plain score when the programme has no sheet)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of
from core.forms import StyledMixin
from enterprises import creditcode
from regions.models import IndustryDivision, Region, prefix_range

from . import sheets
from .models import Expert


def field_choices() -> list:
    """Fields of expertise: the manufacturing divisions and the typical scenarios, by code."""
    from catalog.models import Scenario

    industries = [(d.code, f"C{d.code} {d.name}") for d in IndustryDivision.objects.order_by("code")]
    scenarios = [(s.code, f"{s.code} {s.name}") for s in Scenario.objects.order_by("order", "code")]
    return [(_("行业"), industries), (_("典型场景"), scenarios)]


def regions_for(user):
    """Regions an officer may register experts in: those they govern."""
    scope = scope_of(user)
    regions = Region.objects.filter(is_active=True).order_by("code")
    if scope.is_admin:
        return regions
    where = None
    from django.db.models import Q

    for path in scope.officer_paths:
        where = (where or Q()) | Q(**prefix_range("code", path))
    return regions.filter(where) if where is not None else regions.none()


class ExpertForm(StyledMixin, forms.Form):
    username = forms.CharField(label=gettext_lazy("登录用户名"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)
    email = forms.EmailField(label=gettext_lazy("电子邮箱"), required=False)
    organisation = forms.CharField(label=gettext_lazy("工作单位"), max_length=200)
    organisation_code = forms.CharField(
        label=gettext_lazy("单位统一社会信用代码"), max_length=30, required=False,
        help_text=gettext_lazy("用于回避：专家不评审本单位的申请，也不评审本单位曾服务过的企业"),
    )  # fmt: skip
    region = forms.ModelChoiceField(
        Region.objects.none(), label=gettext_lazy("所在地区"), required=False,
        help_text=gettext_lazy("项目要求同区县回避时，不评审所在区县企业的申请"),
    )  # fmt: skip
    fields = forms.MultipleChoiceField(label=gettext_lazy("专业领域"), required=False,
                                       widget=forms.SelectMultiple(attrs={"size": 12}))  # fmt: skip

    def __init__(self, *args, user, instance: Expert | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {
                "username": instance.user.username, "display_name": instance.user.display_name,
                "email": instance.user.email, "organisation": instance.organisation,
                "organisation_code": instance.organisation_code, "region": instance.region_id,
                "fields": instance.fields,
            })  # fmt: skip
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["region"].queryset = regions_for(user)
        if not scope_of(user).is_admin:
            self.fields["region"].required = True
        self.fields["fields"].choices = field_choices()
        if instance is not None:
            self.fields["username"].disabled = True
        self.style()

    def clean_organisation_code(self) -> str:
        code = creditcode.normalise(self.cleaned_data.get("organisation_code") or "")
        if code and (error := creditcode.validate(code)):
            raise forms.ValidationError(error.message)
        return code


class WithdrawTaskForm(StyledMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤回理由"), max_length=500, min_length=2,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("如：发现回避情形、专家无法到场")}),
    )  # fmt: skip


class ReviewForm(StyledMixin, forms.Form):
    """The expert's review. With a scoring sheet, one field per item (`q_<code>`); otherwise a plain score."""

    score = forms.FloatField(label=gettext_lazy("评分（0—100）"), min_value=0, max_value=100)
    comment = forms.CharField(label=gettext_lazy("评审意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    visit_report = forms.CharField(label=gettext_lazy("现场核查记录"), max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 5}))  # fmt: skip

    def __init__(self, *args, sheet=None, visit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = sheets.questions(sheet) if sheet is not None else []
        if self.questions:
            del self.fields["score"]
        if not visit:
            del self.fields["visit_report"]
        for q in self.questions:
            choices = [(code, f"{label}（{points:g} 分）") for code, label, points in q.options]
            field_class = forms.MultipleChoiceField if q.many else forms.ChoiceField
            widget = forms.CheckboxSelectMultiple if q.many else forms.RadioSelect
            self.fields[f"q_{q.code}"] = field_class(label=q.name, choices=choices, widget=widget,
                                                     required=q.required, help_text=q.help)  # fmt: skip
        self.style()

    def sheet_rows(self):
        """(question, bound field) pairs, for the template to group by domain."""
        return [(q, self[f"q_{q.code}"]) for q in self.questions]

    def answers(self) -> dict | None:
        if not self.questions:
            return None
        return {q.code: self.cleaned_data.get(f"q_{q.code}") for q in self.questions}

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if len(comment) < 2:
            raise forms.ValidationError(_("请填写评审意见"))
        return comment
