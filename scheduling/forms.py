"""Forms of the scheduling pages: upload the template; describe an event to re-plan after."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_TIME_LIMIT


class UploadForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    start_date = forms.DateField(label=_("计划起始日"), widget=forms.DateInput(attrs={"type": "date"}))
    time_limit = forms.IntegerField(label=_("求解时限（秒）"), min_value=1, max_value=MAX_TIME_LIMIT, initial=30)
    file = forms.FileField(label=_("排产模板（.xlsx）"))


class ReplanForm(forms.Form):
    EVENTS = [("breakdown", _("设备故障")), ("material_delay", _("物料延迟")), ("remove", _("取消订单"))]
    type = forms.ChoiceField(label=_("事件"), choices=EVENTS)
    now = forms.DateTimeField(label=_("重排时刻（此前已开工的工序冻结）"),
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))  # fmt: skip
    machine = forms.CharField(label=_("设备编号"), required=False, max_length=100)
    start = forms.DateTimeField(label=_("停机开始"), required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))  # fmt: skip
    end = forms.DateTimeField(label=_("停机结束 / 物料到达"), required=False,
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))  # fmt: skip
    job = forms.CharField(label=_("订单号"), required=False, max_length=100)

    def event(self, origin: dt.datetime) -> tuple[dict, int]:
        """The engine event and the re-plan minute, counted from the plan's first day 00:00."""
        d = self.cleaned_data

        def minutes(value):
            return int((value.replace(tzinfo=None) - origin).total_seconds() // 60)

        now = minutes(d["now"])
        if d["type"] == "breakdown":
            if not d.get("machine") or not d.get("start") or not d.get("end"):
                raise forms.ValidationError(_("设备故障需填写设备编号、停机开始和停机结束"))
            return {"type": "breakdown", "machine": d["machine"], "start": minutes(d["start"]),
                    "end": minutes(d["end"])}, now  # fmt: skip
        if not d.get("job"):
            raise forms.ValidationError(_("请填写订单号"))
        if d["type"] == "material_delay":
            if not d.get("end"):
                raise forms.ValidationError(_("物料延迟需填写物料到达时间"))
            return {"type": "material_delay", "job": d["job"], "available_at": minutes(d["end"])}, now
        return {"type": "order_change", "remove": d["job"]}, now

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "type" else "form-control"
