from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledMixin


class TokenForm(StyledMixin, forms.Form):
    name = forms.CharField(label=_("用途"), max_length=64, help_text=_("例如：市级数据对接"))
    days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[(30, _("30 天")), (90, _("90 天")), (365, _("一年")), ("", _("长期（可随时撤销）"))],
        initial=90,
    )
