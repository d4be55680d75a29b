from django import forms

from core.forms import StyledMixin


class TokenForm(StyledMixin, forms.Form):
    name = forms.CharField(label="用途", max_length=64, help_text="例如：市级数据对接")
    days = forms.TypedChoiceField(
        label="有效期",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[(30, "30 天"), (90, "90 天"), (365, "一年"), ("", "长期（可随时撤销）")],
        initial=90,
    )
