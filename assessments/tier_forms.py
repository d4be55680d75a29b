"""Forms of the tier page: declaring one fact (its value field follows the fact's type in the tier model) and
rejecting a declaration with a reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledMixin
from maturity.tier_model import Fact

from .tier_services import MAX_FILES

MAX_COUNT = 10_000  # scene counts: far above any real factory, low enough to refuse a typo of extra digits


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def _value_field(fact: Fact) -> forms.Field:
    if fact.type == "bool":
        return forms.TypedChoiceField(
            label=fact.label,
            choices=[("true", fact.show(True)), ("false", fact.show(False))],
            coerce=lambda v: v == "true",
            widget=forms.RadioSelect,
        )
    if fact.type == "int":
        return forms.IntegerField(label=fact.label, min_value=0, max_value=MAX_COUNT, help_text=fact.unit)
    if fact.type == "number":
        return forms.FloatField(label=fact.label, min_value=0, help_text=fact.unit)
    return forms.TypedChoiceField(label=fact.label, choices=[(v, fact.show(v)) for v in fact.values])


class DeclareForm(StyledMixin, forms.Form):
    note = forms.CharField(
        label=_("说明（可选）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = MultipleFileField(
        label=_("佐证材料"),
        help_text=_("PDF、图片或 Office 文件，最多 %(n)d 份") % {"n": MAX_FILES},
    )

    def __init__(self, *args, fact: Fact, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"value": _value_field(fact), **self.fields}
        if fact.evidence:
            self.fields["evidence"].help_text = _("应附：%(what)s。") % {"what": fact.evidence} + str(
                self.fields["evidence"].help_text
            )
        self.style()

    def clean_evidence(self):
        files = self.cleaned_data["evidence"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("每次申报最多上传 %(n)d 份佐证材料") % {"n": MAX_FILES})
        return files


class RejectForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=500, widget=forms.TextInput())
