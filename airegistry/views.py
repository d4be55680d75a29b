"""Registry pages for signed-in users: the developer's entries and registration, an entry's page (its records, the
programme gates computed from them, the trail) with the developer's edits and the officer's review and publication.
The public directory is in public_views.

Thin: scoping in airegistry.querysets (another developer's draft or another region's entry is a 404), writes in
airegistry.services, which raise PermissionDenied (a 403) for a user who may see but not act and ValidationError
(shown on the form or as a message) for a move the state machine or the checks refuse."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core.uploads import stored_file_response
from enterprises.models import Enterprise

from . import services
from .events import describe
from .facts import gate_results
from .forms import DeploymentForm, EntryForm, EvaluationForm, ReviewForm, SceneForm
from .models import Entry, Evaluation, LiveDeployment, SceneModel

S = Entry.Status
PARTS = {"scene": SceneModel, "deployment": LiveDeployment, "evaluation": Evaluation}


def _joined(error: ValidationError) -> str:
    return "；".join(error.messages)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def entry_for_user(user, pk: int) -> Entry:
    queryset = Entry.objects.visible_to(user).select_related("developer_enterprise__county", "developer_provider",
                                                             "region")  # fmt: skip
    return get_object_or_404(queryset, pk=pk)


@login_required
def index(request):
    """The developer's own entries; for officers, what waits for review or publication and everything submitted in
    their regions."""
    scope = scope_of(request.user)
    mine = list(Entry.objects.own(request.user).select_related("developer_enterprise", "developer_provider"))
    reviewable = []
    if scope.is_authority:
        reviewable = list(Entry.objects.reviewable_by(request.user)
                          .select_related("developer_enterprise", "developer_provider", "region")[:500])  # fmt: skip
    context = {
        "mine": mine, "can_register": bool(services.developers_of(request.user)), "is_officer": scope.is_authority,
        "waiting": [e for e in reviewable if e.status in (S.SUBMITTED, S.ACCEPTED)],
        "reviewed": [e for e in reviewable if e.status not in (S.SUBMITTED, S.ACCEPTED)],
    }  # fmt: skip
    return render(request, "airegistry/index.html", context)


@login_required
def entry_create(request, kind: str):
    if kind not in Entry.Kind.values:
        raise Http404
    developers = services.developers_of(request.user)
    if not developers:
        raise PermissionDenied(_("只有企业或服务商用户可以登记本单位的工业模型或智能体"))
    form = EntryForm(request.POST or None, developers=developers, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.entry_create(actor=request.user, kind=kind, developer=form.chosen_developer(),
                                          **form.values())  # fmt: skip
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存草稿，请补充场景模型、部署应用和第三方评测后提交审核"))
            return redirect("airegistry:entry", pk=entry.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "airegistry/entry_form.html", {"form": form, "kind": kind, "entry": None}, status=status)


@login_required
def entry_edit(request, pk: int):
    entry = entry_for_user(request.user, pk)
    if not services.is_developer(request.user, entry):
        raise PermissionDenied(_("只有研发单位本单位的用户可以修改登记信息"))
    form = EntryForm(request.POST or None, instance=entry, kind=entry.kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_update(actor=request.user, entry=Entry.objects.get(pk=entry.pk), **form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("airegistry:entry", pk=entry.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "kind": entry.kind, "entry": entry}
    return render(request, "airegistry/entry_form.html", context, status=status)


def parts_context(entry: Entry) -> dict:
    """The entry's scene models (with the counts the gates read), deployments, evaluations and gate results."""
    scenes = list(entry.scenes.all())
    return {"scenes": scenes, "deployments": list(entry.deployments.all()),
            "evaluations": list(entry.evaluations.all()), "gates": gate_results(entry),
            "general_count": sum(1 for s in scenes if s.kind == SceneModel.Kind.GENERAL),
            "specific_count": sum(1 for s in scenes if s.kind == SceneModel.Kind.SPECIFIC)}  # fmt: skip


def _entry_page(request, entry: Entry, *, status: int = 200, **forms):
    developer = services.is_developer(request.user, entry)
    officer = services.governs(request.user, entry)
    editable = developer and entry.editable
    context = {
        "entry": entry, "is_developer": developer, "is_officer": officer, "editable": editable,
        **parts_context(entry),
        "events": [(e, describe(e)) for e in entry.events.select_related("actor")],
        "missing": services.missing_for_submit(entry) if editable else [],
        "scene_form": forms.get("scene_form") or (SceneForm() if editable else None),
        "deployment_form": forms.get("deployment_form") or (DeploymentForm() if editable else None),
        "evaluation_form": forms.get("evaluation_form") or (EvaluationForm() if editable else None),
        "review_form": forms.get("review_form") or (ReviewForm() if officer and entry.status == S.SUBMITTED else None),
        "statuses": S,
    }  # fmt: skip
    return render(request, "airegistry/entry.html", context, status=status)


@login_required
def entry_detail(request, pk: int):
    return _entry_page(request, entry_for_user(request.user, pk))


@login_required
@require_POST
def scene_add(request, pk: int):
    entry = entry_for_user(request.user, pk)
    form = SceneForm(request.POST)
    if form.is_valid():
        try:
            services.scene_add(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已添加场景模型"))
            return redirect("airegistry:entry", pk=entry.pk)
    return _entry_page(request, entry, status=422, scene_form=form)


def _client(code: str) -> Enterprise | None:
    if not code:
        return None
    return Enterprise.objects.filter(credit_code=code.strip().upper(), removed_at__isnull=True).first()


@login_required
@require_POST
def deployment_add(request, pk: int):
    entry = entry_for_user(request.user, pk)
    form = DeploymentForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        client = _client(data.pop("client_code"))
        try:
            services.deployment_add(actor=request.user, entry=entry, client=client, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已添加部署应用"))
            return redirect("airegistry:entry", pk=entry.pk)
    return _entry_page(request, entry, status=422, deployment_form=form)


@login_required
@require_POST
def evaluation_add(request, pk: int):
    entry = entry_for_user(request.user, pk)
    form = EvaluationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evaluation_add(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已记录第三方评测"))
            return redirect("airegistry:entry", pk=entry.pk)
    return _entry_page(request, entry, status=422, evaluation_form=form)


@login_required
@require_POST
def part_remove(request, pk: int, part: str, part_pk: int):
    entry = entry_for_user(request.user, pk)
    if part not in PARTS:
        raise Http404
    row = get_object_or_404(PARTS[part], pk=part_pk, entry=entry)
    try:
        services.part_remove(actor=request.user, part=row)
    except ValidationError as error:
        messages.error(request, _joined(error))
    else:
        messages.success(request, _("已删除"))
    return redirect("airegistry:entry", pk=entry.pk)


@login_required
def evaluation_report(request, pk: int, evaluation_pk: int):
    entry = entry_for_user(request.user, pk)
    evaluation = get_object_or_404(Evaluation, pk=evaluation_pk, entry=entry)
    if not evaluation.report:
        raise Http404
    return stored_file_response(evaluation.report, filename=evaluation.report_name,
                                content_type=services.report_content_type(evaluation))  # fmt: skip


@login_required
@require_POST
def entry_submit(request, pk: int):
    return _act(request, pk, services.entry_submit, _("已提交审核，所在地区主管部门审核后发布"))


def _act(request, pk: int, action, done: str, **values):
    """Run a one-button step on the entry; a refusal is shown as a message on the entry's page."""
    entry = entry_for_user(request.user, pk)
    try:
        action(actor=request.user, entry=entry, **values)
    except ValidationError as error:
        messages.error(request, _joined(error))
    else:
        messages.success(request, done)
    return redirect("airegistry:entry", pk=entry.pk)


@login_required
@require_POST
def entry_review(request, pk: int):
    entry = entry_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.entry_review(actor=request.user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            accepted = form.cleaned_data["decision"] == "accept"
            messages.success(request, _("已审核通过，可发布到公开名录") if accepted else _("已退回修改"))
            return redirect("airegistry:entry", pk=entry.pk)
    return _entry_page(request, entry, status=422, review_form=form)


@login_required
@require_POST
def entry_publish(request, pk: int):
    return _act(request, pk, services.entry_publish, _("已发布到公开名录"))


@login_required
@require_POST
def entry_unpublish(request, pk: int):
    return _act(request, pk, services.entry_unpublish, _("已撤下，退回研发单位修改"),
                reason=request.POST.get("reason", ""))
