"""Forms of the recognition pages: loading a programme, the applicant's draft (its declared criteria generated from
the programme's rules), an evidence file, withdrawal and an officer's decision (only the step's decisions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.policy import scope_of
from core.forms import StyledMixin
from regions.models import Region

from . import chain, library
from .events import ACTION_TEXT

YES_NO = [("true", _("是")), ("false", _("否"))]


MAX_RULES_BYTES = 256 * 1024


class ProgrammeLoadForm(StyledMixin, forms.Form):
    """A programme's rules: a shipped example, or the province's own rules file (the same YAML format: download an
    example, edit it, upload it). The file is checked by `chain.parse` in the service."""

    example = forms.ChoiceField(label=_("项目规则（平台提供的示例）"), required=False)
    rules_file = forms.FileField(
        label=_("或上传本地的项目规则文件（YAML）"), required=False,
        help_text=_("格式与示例相同：可先下载示例，按本地通知修改审核链、期限、条件、材料、名额后上传"),
    )  # fmt: skip
    region = forms.ModelChoiceField(label=_("组织地区"), queryset=Region.objects.none())
    opens_on = forms.DateField(label=_("申报开始"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("申报截止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["example"].choices = [(code, data["name"]) for code, data in library.shipped().items()]
        scope = scope_of(user)
        regions = Region.objects.filter(level__in=[1, 2], is_active=True)
        if not scope.is_admin:
            regions = regions.filter(code__in=[p.ljust(6, "0") for p in scope.officer_paths if len(p) <= 4])
        self.fields["region"].queryset = regions.order_by("code")
        self.fields["region"].empty_label = None

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("截止日期不能早于开始日期"))
        upload = data.get("rules_file")
        if upload:
            data["rules"] = self._rules_of(upload)
        elif data.get("example"):
            data["rules"] = library.shipped()[data["example"]]
        else:
            self.add_error("example", _("请选择一个示例，或上传项目规则文件"))
        return data

    def _rules_of(self, upload) -> dict | None:
        import yaml

        if upload.size > MAX_RULES_BYTES:
            self.add_error("rules_file", _("规则文件不能超过 256 KB"))
            return None
        try:
            text = upload.read().decode("utf-8-sig")
            data = yaml.safe_load(text)
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


def _criterion_field(criterion: chain.Criterion) -> forms.Field:
    label = criterion.label
    if criterion.type == "bool":
        return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, required=False)
    help_text = _("要求 %(op)s %(value)s%(unit)s") % {"op": criterion.op, "value": criterion.value,
                                                       "unit": criterion.unit}  # fmt: skip
    if criterion.type == "int":
        return forms.IntegerField(label=label, required=False, help_text=help_text, min_value=0, max_value=10**9)
    return forms.FloatField(label=label, required=False, help_text=help_text, min_value=0, max_value=1e12)


class ApplicationForm(StyledMixin, forms.Form):
    """The summary, and one field per criterion the applicant declares (blank: not declared yet)."""

    summary = forms.CharField(label=_("申报说明"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 6}))  # fmt: skip

    def __init__(self, *args, rules: chain.Spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = rules.criteria
        for criterion in rules.criteria:
            self.fields[f"c_{criterion.key}"] = _criterion_field(criterion)
        self.style()

    @classmethod
    def initial_for(cls, application) -> dict:
        initial = {"summary": application.summary}
        for key, value in (application.declared or {}).items():
            initial[f"c_{key}"] = ("true" if value else "false") if isinstance(value, bool) else value
        return initial

    def declared(self) -> dict:
        out = {}
        for criterion in self.criteria:
            value = self.cleaned_data.get(f"c_{criterion.key}")
            if value in (None, ""):
                continue
            out[criterion.key] = (value == "true") if criterion.type == "bool" else value
        return out


class EvidenceForm(forms.Form):
    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("文件"), widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"})
    )


class WithdrawForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=2000, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("撤回原因（选填）")}))  # fmt: skip


class DecisionForm(StyledMixin, forms.Form):
    decision = forms.ChoiceField(label=_("办理决定"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), max_length=2000, min_length=2,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("必填：申请企业能看到每项办理决定及其理由"))  # fmt: skip

    def __init__(self, *args, step: chain.Step, **kwargs):
        super().__init__(*args, **kwargs)
        order = ["pass", "return", "cultivate", "reject"]
        self.fields["decision"].choices = [(d, ACTION_TEXT[d]) for d in order if d in step.decisions]
