"""Forms for the matching-event pages. They only shape input; `catalog.meetings` decides what is allowed."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import StyledMixin
from regions.models import IndustryDivision, Region, prefix_range

from . import meetings
from .models import MatchMeeting, MeetingOutcome, Scenario, Solution

DATE_MESSAGE = gettext_lazy("请填写有效的日期，例如 2026-05-20")
SEARCH_LIMIT = 50


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return ("　" * (obj.level - 1)) + obj.name


def _industry_choices() -> list[tuple[str, str]]:
    return [(d.code, f"{d.code} {d.name}") for d in IndustryDivision.objects.all()]


class MeetingForm(StyledMixin, forms.ModelForm):
    region = RegionChoiceField(Region.objects.none(), label=gettext_lazy("主办地区"))
    held_on = forms.DateField(
        label=gettext_lazy("举办日期"),
        error_messages={"invalid": DATE_MESSAGE, "required": gettext_lazy("请填写举办日期")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scenario_codes = forms.ModelMultipleChoiceField(
        Scenario.objects.all(),
        label=gettext_lazy("对接场景"),
        required=False,
        help_text=gettext_lazy("用于推荐受邀企业和服务商"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    industries = forms.MultipleChoiceField(
        label=gettext_lazy("对接行业"),
        required=False,
        help_text=gettext_lazy("不选表示不限行业"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = MatchMeeting
        fields = ["title", "region", "held_on", "place", "description", "industries"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {"title": gettext_lazy("对接会名称")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = meetings.regions_for_meetings(user)
        if regions.count() > 600:  # the admin: provinces and cities, plus the meeting's own region
            current = self.instance.region_id if self.instance.pk else None
            regions = regions.filter(Q(level__lte=2) | Q(pk=current))
        self.fields["region"].queryset = regions.only("code", "name", "level")
        self.fields["region"].empty_label = _("请选择")
        self.fields["industries"].choices = _industry_choices()
        self.fields["title"].required = False  # the service says "请填写对接会名称"
        self.order_fields(["title", "region", "held_on", "place", "scenario_codes", "industries", "description"])
        if self.instance.pk:
            self.fields["scenario_codes"].initial = list(self.instance.scenarios.values_list("code", flat=True))
        self.style()

    def _post_clean(self):
        """Only copy the data onto the instance: the service validates it and reports problems in Chinese."""
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class InviteSearchForm(StyledMixin, forms.Form):
    """The GET filters above the invitation picker."""

    q = forms.CharField(
        label=gettext_lazy("企业名称或信用代码"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("名称、信用代码或拼音首字母")}),
    )
    industry = forms.ModelChoiceField(IndustryDivision.objects.all(), label=gettext_lazy("行业"), required=False)
    county = forms.ModelChoiceField(Region.objects.none(), label=gettext_lazy("区县"), required=False)
    pq = forms.CharField(label=gettext_lazy("服务商名称"), required=False, max_length=100)

    def __init__(self, *args, user, meeting: MatchMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        counties = meetings.regions_for_meetings(user).filter(is_leaf=True)
        if counties.count() > 600:  # the admin: the counties of the meeting's province
            counties = counties.filter(**prefix_range("code", meeting.region_id[:2]))
        self.fields["county"].queryset = counties.only("code", "name")
        self.fields["industry"].empty_label = _("全部行业")
        self.fields["county"].empty_label = _("全部区县")
        self.style()

    def enterprises(self, user, meeting: MatchMeeting):
        qs = meetings.invitable_enterprises(user).exclude(
            pk__in=meeting.participants.filter(enterprise__isnull=False).values("enterprise_id")
        )
        data = self.cleaned_data if self.is_valid() else {}
        if not any(data.get(k) for k in ("q", "industry", "county")):
            return qs.none()  # nothing typed yet: no list of a whole province
        if data.get("q"):
            qs = qs.search(data["q"])
        if data.get("industry"):
            qs = qs.filter(industry=data["industry"])
        if data.get("county"):
            qs = qs.filter(county=data["county"])
        return qs.select_related("county", "industry").order_by("name", "pk")[:SEARCH_LIMIT]

    def providers(self, meeting: MatchMeeting):
        qs = meetings.invitable_providers().exclude(
            pk__in=meeting.participants.filter(provider__isnull=False).values("provider_id")
        )
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("pq"):
            qs = qs.filter(Q(name__icontains=data["pq"]) | Q(credit_code__startswith=data["pq"].upper()))
        return qs.select_related("region").order_by("-score", "name", "pk")[:SEARCH_LIMIT]


class _Ids(forms.ModelMultipleChoiceField):
    """A list of ids refused as a whole, with one Chinese message, when any is outside what may be chosen."""

    def __init__(self, queryset, message, **kwargs):
        super().__init__(queryset, required=False, **kwargs)
        self.error_messages = {**self.error_messages, "invalid_choice": message, "invalid_pk_value": message}


class InviteForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"] = _Ids(
            meetings.invitable_enterprises(user), gettext_lazy("所选企业不在您的管辖范围内")
        )
        self.fields["providers"] = _Ids(
            meetings.invitable_providers(), gettext_lazy("只能邀请已发布（在名录中）的服务商")
        )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("enterprises") and not data.get("providers"):
            raise forms.ValidationError(_("请选择要邀请的企业或服务商"))
        return data


class OutcomeForm(StyledMixin, forms.Form):
    """Ids, not choices: a pair that did not attend reaches the service and is refused with its own message."""

    enterprise = forms.IntegerField(label=gettext_lazy("企业"), widget=forms.Select)
    provider = forms.IntegerField(label=gettext_lazy("服务商"), widget=forms.Select)
    solution = forms.IntegerField(label=gettext_lazy("解决方案"), required=False, widget=forms.Select)
    result = forms.ChoiceField(label=gettext_lazy("对接结果"), choices=MeetingOutcome.Result.choices)
    # Text, so that "-5" or "abc" reach the service and are refused there with its message.
    amount = forms.CharField(
        label=gettext_lazy("金额（万元）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("达成意向或已签约时填写"), "inputmode": "decimal"}),
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=300)

    def __init__(self, *args, meeting: MatchMeeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].error_messages["required"] = _("请选择企业")
        self.fields["provider"].error_messages["required"] = _("请选择服务商")
        if meeting is not None:
            came = meeting.participants.filter(status="attended").select_related("enterprise", "provider")
            enterprises = [(p.enterprise_id, p.enterprise.name) for p in came if p.enterprise_id]
            providers = [(p.provider_id, p.provider.name) for p in came if p.provider_id]
            self.fields["enterprise"].widget.choices = [("", _("请选择已参会企业")), *enterprises]
            self.fields["provider"].widget.choices = [("", _("请选择已参会服务商")), *providers]
            solutions = Solution.objects.filter(provider_id__in=[pk for pk, _name in providers]).exclude(
                status=Solution.Status.WITHDRAWN
            )
            names = dict(providers)
            self.fields["solution"].widget.choices = [("", _("不指定"))] + [
                (s.pk, f"{s.title}（{names[s.provider_id]}）") for s in solutions.order_by("provider_id", "title")
            ]
        self.style()


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(MatchMeeting.Status.HELD, ""), (MatchMeeting.Status.CANCELLED, "")])
    reason = forms.CharField(required=False, max_length=300)
