"""Forms for the archive pages. Choices are always limited to what the user governs."""

import datetime as dt
import time

from django import forms
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.forms import inlineformset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of
from core.forms import QuickSelect, StyledMixin
from regions.models import IndustryDivision, Region, code_prefix, prefix_range

from . import creditcode
from .models import Chain, ChainMembership, Cluster, Contact, Enterprise, Label, SizeClass, Visibility


def regions_for(user):
    """Regions a user may file enterprises under or filter by: their subtrees (all divisions for the admin)."""
    scope = scope_of(user)
    qs = Region.objects.filter(is_active=True)
    if scope.is_admin:
        return qs
    paths = scope.officer_paths + scope.commissioner_paths
    if not paths:
        return qs.none()
    q = None
    for path in paths:
        part = Region.objects.filter(**prefix_range("code", path))
        q = part if q is None else q | part
    return q.filter(is_active=True)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return obj.full_name


class EnterpriseForm(StyledMixin, forms.ModelForm):
    credit_code = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=40)
    former_names_text = forms.CharField(
        label=gettext_lazy("曾用名"), required=False, help_text=gettext_lazy("多个曾用名用分号隔开")
    )

    class Meta:
        model = Enterprise
        fields = ["credit_code", "name", "county", "address", "industry", "founded_on", "notes"]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        counties = regions_for(user).filter(is_leaf=True, level__gte=2)
        self.fields["county"] = RegionChoiceField(counties, label=_("所在区县"))
        self.fields["industry"].queryset = IndustryDivision.objects.all()
        if self.instance.pk:
            self.fields["former_names_text"].initial = "；".join(self.instance.former_names)
            # The credit code identifies the record; it is corrected by an officer, never by the enterprise itself.
            self.fields["credit_code"].disabled = not scope_of(user).is_authority
            if not self.fields["county"].queryset.filter(pk=self.instance.county_id).exists():
                # An enterprise user keeps their county; only officers move enterprises between counties.
                self.fields["county"].queryset = Region.objects.filter(pk=self.instance.county_id)
                self.fields["county"].disabled = True
        self.style()

    def clean_credit_code(self) -> str:
        code = creditcode.normalise(self.cleaned_data["credit_code"])
        if error := creditcode.validate(code):
            raise forms.ValidationError(error.message)
        clash = Enterprise.objects.filter(credit_code=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("该信用代码已建档；如在其他地区，请联系上级主管部门"))
        return code

    def clean_founded_on(self):
        value = self.cleaned_data.get("founded_on")
        if value and (value > dt.date.today() or value.year < 1900):
            raise forms.ValidationError(_("成立日期不在合理范围内"))
        return value

    def clean(self):
        data = super().clean()
        data["former_names"] = [
            n.strip() for n in data.get("former_names_text", "").replace(";", "；").split("；") if n.strip()
        ]
        return data

    def changed_values(self) -> dict:
        fields = {"credit_code", "name", "county", "address", "industry", "founded_on", "notes"}
        values = {
            ("county_id" if f == "county" else "industry_id" if f == "industry" else f): (
                getattr(self.cleaned_data[f], "pk", self.cleaned_data[f])
            )
            for f in fields
            if f in self.cleaned_data
        }
        values["former_names"] = self.cleaned_data["former_names"]
        return values


class FiguresForm(StyledMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=1949)
    employees = forms.IntegerField(
        label=gettext_lazy("从业人员（人）"), min_value=0, max_value=10_000_000, required=False
    )
    revenue = forms.DecimalField(
        label=gettext_lazy("营业收入（万元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    assets = forms.DecimalField(
        label=gettext_lazy("资产总额（万元）"), min_value=0, max_digits=14, decimal_places=2, required=False
    )

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > dt.date.today().year:
            raise forms.ValidationError(_("年度不能晚于今年"))
        return year

    def clean(self):
        data = super().clean()
        if not any(data.get(k) is not None for k in ("employees", "revenue", "assets")):
            raise forms.ValidationError(_("请至少填写一项经营数据"))
        return data


class LabelsForm(StyledMixin, forms.Form):
    """One checkbox and one year per label."""

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        held = {link.label_id: link.year for link in enterprise.label_links.all()}
        self.rows = []
        for label in Label.objects.all():
            self.fields[f"has_{label.code}"] = forms.BooleanField(
                label=label.name, required=False, initial=label.code in held
            )
            self.fields[f"year_{label.code}"] = forms.IntegerField(
                label=_("年度"),
                required=False,
                min_value=1949,
                max_value=dt.date.today().year,
                initial=held.get(label.code),
            )
            self.rows.append((label, self[f"has_{label.code}"], self[f"year_{label.code}"]))

    def selected(self) -> dict[str, int | None]:
        return {
            label.code: self.cleaned_data.get(f"year_{label.code}")
            for label, _, _ in self.rows
            if self.cleaned_data.get(f"has_{label.code}")
        }


class ContactForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "is_primary"]

    def clean_phone(self) -> str:
        from .import_rows import PHONE

        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("联系电话格式不正确"))
        return phone


ContactFormSet = inlineformset_factory(Enterprise, Contact, form=ContactForm, extra=1, can_delete=True, max_num=20)


def visibility_field() -> forms.ChoiceField:
    """内部 / 与企业共享, internal preselected. Optional: a client that does not send it gets the writer's default
    (internal for the governing side), and an enterprise's own choice is overridden to shared by the service."""
    return forms.ChoiceField(
        label=gettext_lazy("可见范围"),
        choices=Visibility.choices,
        required=False,
        initial=Visibility.INTERNAL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class NoteForm(StyledMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("工作记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    visibility = visibility_field()


class RemoveForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("移出原因"), max_length=200)


class ImportUploadForm(StyledMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("企业名单文件（.xlsx 或 .csv）"))


class ImportAnswerForm(StyledMixin, forms.Form):
    """What the importer answers once for the whole file: the figures' year, which column is the county, and whether
    the new cluster and chain names are to be created."""

    year = forms.IntegerField(label=gettext_lazy("经营数据所属年度"), required=False, min_value=1949)
    county_column = forms.TypedChoiceField(
        label=gettext_lazy("哪一列是所在区县"), required=False, coerce=int, empty_value=None
    )
    # Unticked is an answer too (the importer withdraws a confirmation), so it is stored as False, never dropped.
    confirm_groupings = forms.BooleanField(label=gettext_lazy("新建以上产业集群/产业链"), required=False)

    def __init__(self, *args, job, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].validators.append(MaxValueValidator(dt.date.today().year))
        candidates = job.questions.get("county_column") or []
        self.fields["county_column"].choices = [("", "—")] + [
            (index, _("第 %(n)s 列“%(header)s”") % {"n": index + 1, "header": header}) for index, header in candidates
        ]
        self.asks_groupings = bool(job.questions.get("new_groupings"))

    def clean_confirm_groupings(self) -> bool | None:
        """An answer only where the page asked it: a form without the question leaves the stored answer alone."""
        return self.cleaned_data["confirm_groupings"] if self.asks_groupings else None


# Reference data for the list's filter choices (divisions, industries, labels) is read once per process rather than
# on every page: it changes only when reference tables are loaded or edited. A change saved in this process clears
# the lists at once; other processes pick it up within CHOICES_TTL_S. Inside a transaction the cache is not used, so a
# rolled-back change (or a test's) never leaves a choice behind.
CHOICES_TTL_S = 60.0
_choices: dict = {}


def reference_choices(key, build) -> list[tuple[str, str]]:
    if transaction.get_connection().in_atomic_block:
        return build()
    now = time.monotonic()
    hit = _choices.get(key)
    if hit is None or hit[0] <= now:
        hit = _choices[key] = (now + CHOICES_TTL_S, build())
    return hit[1]


def forget_reference_choices(**kwargs) -> None:
    _choices.clear()


for _model in (Region, IndustryDivision, Label):
    post_save.connect(forget_reference_choices, sender=_model, dispatch_uid=f"filter-choices-save-{_model.__name__}")
    post_delete.connect(forget_reference_choices, sender=_model, dispatch_uid=f"filter-choices-del-{_model.__name__}")


def _region_choices(user) -> list[tuple[str, str]]:
    regions = regions_for(user).filter(level__gte=2 if scope_of(user).is_admin else 1)
    if regions.count() > 500:
        regions = regions.filter(level__lte=2)
    return [(r.code, ("　" * (r.level - 1)) + r.name) for r in regions.only("code", "name", "level")]


def _all_choices(model) -> list[tuple[str, str]]:
    return [(obj.pk, str(obj)) for obj in model.objects.all()]


# The default, region then name, is what an index delivers in order (ent_active_county_name): a province's first
# page then reads 50 rows instead of sorting 300,000.
DEFAULT_SORT = "county"
SORTS = {
    "county": ("county_id", "name", "id"),
    "name": ("name", "id"),
    "-revenue": ("-revenue", "id"),
    "-employees": ("-employees", "id"),
    "-updated": ("-updated_at", "id"),
}


class EnterpriseFilterForm(StyledMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("名称、信用代码或拼音首字母")}),
    )
    region = forms.ChoiceField(label=gettext_lazy("区域"), required=False, widget=QuickSelect)
    industry = forms.ModelChoiceField(
        IndustryDivision.objects.all(), label=gettext_lazy("行业"), required=False, widget=QuickSelect
    )
    size = forms.ChoiceField(
        label=gettext_lazy("规模"),
        required=False,
        widget=QuickSelect,
        choices=[("", gettext_lazy("全部规模")), *SizeClass.choices],
    )
    above_scale = forms.ChoiceField(
        label=gettext_lazy("规上"),
        required=False,
        widget=QuickSelect,
        choices=[("", gettext_lazy("全部")), ("1", gettext_lazy("规模以上")), ("0", gettext_lazy("规模以下"))],
    )
    label = forms.ModelChoiceField(
        Label.objects.all(), label=gettext_lazy("标签"), required=False, to_field_name="code", widget=QuickSelect
    )
    cluster = forms.ModelChoiceField(
        Cluster.objects.none(), label=gettext_lazy("产业集群"), required=False, widget=QuickSelect
    )
    chain = forms.ModelChoiceField(
        Chain.objects.none(), label=gettext_lazy("产业链"), required=False, widget=QuickSelect
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        widget=QuickSelect,
        choices=[
            ("county", gettext_lazy("区县")),
            ("name", gettext_lazy("名称")),
            ("-revenue", gettext_lazy("营业收入从高到低")),
            ("-employees", gettext_lazy("从业人员从多到少")),
            ("-updated", gettext_lazy("最近更新")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        regions = reference_choices(
            ("regions", scope.is_admin, scope.officer_paths + scope.commissioner_paths), lambda: _region_choices(user)
        )
        self.fields["region"].choices = [("", _("全部区域")), *regions]
        # Rendered from the cached lists; a chosen value is still checked against the table (one lookup by key).
        for name, model in (("industry", IndustryDivision), ("label", Label)):
            self.fields[name].choices = [("", _("全部")), *reference_choices(name, lambda m=model: _all_choices(m))]
        self.fields["cluster"].queryset = Cluster.objects.visible_to(user)
        self.fields["chain"].queryset = Chain.objects.visible_to(user)
        for name in ("cluster", "chain"):
            self.fields[name].empty_label = _("全部")
        paths = scope.officer_paths + scope.commissioner_paths
        self._county_scope = bool(paths) and not scope.is_admin and all(len(path) >= 6 for path in paths)

    def region_only(self) -> bool:
        """No filter but the region (and the order): the matches are then a region scope's whole population."""
        return not any(v for k, v in self.cleaned_data.items() if k not in {"region", "sort"})

    def apply(self, qs):
        data = self.cleaned_data
        if data.get("q"):
            qs = qs.search(data["q"])
        if data.get("region"):
            qs = qs.in_region(code_prefix(data["region"]))
        if data.get("industry"):
            qs = qs.filter(industry=data["industry"])
        if data.get("size"):
            qs = qs.filter(size_class=data["size"])
        if data.get("above_scale") in {"0", "1"}:
            qs = qs.filter(is_above_scale=data["above_scale"] == "1")
        if data.get("label"):
            links = data["label"].links
            if self._county_scope or len(code_prefix(data.get("region") or "")) >= 6:
                # Within one county, each candidate is looked up in the (label, enterprise) index; SQLite would
                # otherwise first list every holder of the label in the province (~24,000 for 专精特新 at 300,000).
                qs = qs.filter(Exists(links.filter(enterprise=OuterRef("pk"))))
            else:
                qs = qs.filter(pk__in=links.values("enterprise_id"))
        if data.get("cluster"):
            qs = qs.filter(pk__in=data["cluster"].memberships.values("enterprise_id"))
        if data.get("chain"):
            qs = qs.filter(pk__in=data["chain"].memberships.values("enterprise_id"))
        return qs.order_by(*SORTS[data.get("sort") or DEFAULT_SORT])


class GroupingForm(StyledMixin, forms.ModelForm):
    class Meta:
        model = Cluster
        fields = ["name", "region", "industries", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "industries": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoiceField(regions_for(user).filter(level__lte=3), label=_("所属区域"))
        self.style()


class ChainForm(GroupingForm):
    class Meta(GroupingForm.Meta):
        model = Chain


class MemberForm(StyledMixin, forms.Form):
    credit_code = forms.CharField(label=gettext_lazy("企业信用代码"), max_length=40)
    position = forms.ChoiceField(
        label=gettext_lazy("链上位置"), choices=ChainMembership.Position.choices, required=False
    )

    def clean_credit_code(self) -> str:
        return creditcode.normalise(self.cleaned_data["credit_code"])
