"""Pages of the policy and diagnosis assistant: ask a question, read a cited passage in its document, and (province
officers) keep the corpus and its index."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import answers, services
from .models import Document, IndexRun, Passage

CONTEXT = 6  # passages shown before and after the cited one


class AskForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("问题"), max_length=300, required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": gettext_lazy(
            "例如：服务券每年最多能抵扣多少？"), "autocomplete": "off"}),
    )  # fmt: skip


class UploadForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control"}))  # fmt: skip
    kind = forms.ChoiceField(label=gettext_lazy("类型"), widget=forms.Select(attrs={"class": "form-select"}),
                             choices=[c for c in Document.Kind.choices if c[0] in ("policy", "rules")])  # fmt: skip
    file = forms.FileField(
        label=gettext_lazy("文件（.txt / .md / .docx / .pdf）"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".txt,.md,.docx,.pdf"}),
    )


@login_required
def ask(request):
    form = AskForm(request.GET or None)
    answer = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        answer = answers.ask(request.user, form.cleaned_data["q"])
    return render(request, "assistant/ask.html", {
        "form": form, "answer": answer, "may_manage": services.may_manage(request.user),
        "indexed": Passage.objects.filter(vector__isnull=False).exists(),
    })  # fmt: skip


def get_passage_for_user(user, pk) -> Passage:
    passage = (
        Passage.objects.select_related("document")
        .filter(pk=pk, document__in=Document.objects.visible_to(user).values("pk"))
        .first()
    )
    if passage is None:
        raise Http404(_("段落不存在或不在您的查看范围内"))
    return passage


@login_required
def passage(request, pk: int):
    """The cited passage highlighted in its document, with the passages around it (on the same page for a PDF)."""
    cited = get_passage_for_user(request.user, pk)
    low, high = max(0, cited.ordinal - CONTEXT), cited.ordinal + CONTEXT
    around = Passage.objects.filter(document_id=cited.document_id, ordinal__gte=low, ordinal__lte=high)
    if cited.page is not None:
        around = around.filter(page=cited.page)
    return render(request, "assistant/passage.html", {
        "cited": cited, "document": cited.document, "around": list(around.order_by("ordinal")),
        "total": cited.document.passages.count(), "question": request.GET.get("q", "")[:300],
    })  # fmt: skip


def _require_manager(user) -> None:
    if not services.may_manage(user):
        raise PermissionDenied(_("只有省级主管部门可以维护助手的资料库"))


@login_required
def corpus(request):
    _require_manager(request.user)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.document_add(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages[0])
            else:
                messages.success(
                    request,
                    _("已载入“%(title)s”，共 %(n)s 个段落；更新索引后即可检索。")
                    % {"title": document.title, "n": document.passages.count()},
                )
                return redirect("assistant:corpus")
    documents = (
        Document.objects.filter(report__isnull=True)
        .annotate(n=Count("passages"), indexed=Count("passages", filter=Q(passages__vector__isnull=False)))
        .order_by("kind", "title")
    )
    reports = Document.objects.filter(report__isnull=False).count()
    run = IndexRun.objects.first()
    return render(request, "assistant/corpus.html", {
        "form": form, "documents": documents, "reports": reports, "run": run,
        "running": run is not None and run.status in (IndexRun.Status.QUEUED, IndexRun.Status.RUNNING),
    })  # fmt: skip


@login_required
@require_POST
def index_start(request):
    _require_manager(request.user)
    services.index_start(actor=request.user)
    messages.success(request, _("索引任务已开始，进度见下方。"))
    return redirect("assistant:corpus")


@login_required
@require_POST
def example_load(request):
    _require_manager(request.user)
    n = services.example_load()
    messages.success(request, _("已载入示例资料 %(n)s 个段落（示例，非正式文件）；更新索引后即可检索。") % {"n": n})
    return redirect("assistant:corpus")


@login_required
@require_POST
def library_load(request):
    _require_manager(request.user)
    n = services.library_sync()
    messages.success(request, _("已同步评估模型库（新增或更新 %(n)s 个段落）；更新索引后即可检索。") % {"n": n})
    return redirect("assistant:corpus")


@login_required
@require_POST
def document_remove(request, pk: int):
    _require_manager(request.user)
    document = Document.objects.filter(pk=pk, report__isnull=True).first()
    if document is None:
        raise Http404(_("文档不存在"))
    services.document_remove(actor=request.user, document=document)
    messages.success(request, _("已删除“%(title)s”。") % {"title": document.title})
    return redirect("assistant:corpus")
