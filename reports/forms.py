from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledMixin
from enterprises.forms import visibility_field

from .models import Finding

TIER_CHOICES = [
    ("", _("下一等级（默认）")),
    ("basic", _("智能工厂基础级")),
    ("advanced", _("智能工厂先进级")),
    ("excellent", _("智能工厂卓越级")),
    ("leading", _("智能工厂领航级")),
]
MAX_PDF_BYTES = 20 * 1024 * 1024


class TargetForm(StyledMixin, forms.Form):
    """The report's target: the next level by default, or a chosen level, or a smart-factory tier."""

    target_level = forms.IntegerField(label=_("目标等级"), required=False, min_value=1, max_value=9)
    target_tier = forms.ChoiceField(label=_("或以梯度为目标"), required=False, choices=TIER_CHOICES)

    def clean(self):
        data = super().clean()
        if data.get("target_level") and data.get("target_tier"):
            raise forms.ValidationError(_("目标等级与梯度目标只能选一个。"))
        return data

    def targets(self) -> dict:
        data = self.cleaned_data
        return {"target_level": data.get("target_level") or None, "target_tier": data.get("target_tier") or None}


class CampaignForm(StyledMixin, forms.Form):
    """A campaign's enterprises as a batch's source: those invited to a matching event the officer manages."""

    meeting = forms.ModelChoiceField(
        label=_("活动（对接会）受邀企业"), required=False, queryset=None, empty_label=_("不限活动")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from catalog.meetings import meetings_managed_by

        self.fields["meeting"].queryset = meetings_managed_by(user).order_by("-held_on", "-id")
        self.fields["meeting"].error_messages["invalid_choice"] = _("该活动不存在或不在您的管辖范围内。")


class FindingForm(StyledMixin, forms.ModelForm):
    visibility = visibility_field()

    class Meta:
        model = Finding
        fields = ["kind", "text", "visibility"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("请填写内容。"))
        return text


class VerifyForm(forms.Form):
    pdf = forms.FileField(label=_("PDF 文件（诊断报告或认定证书）"))

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，不是平台出具的报告。"))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("这不是 PDF 文件。"))
        return upload
