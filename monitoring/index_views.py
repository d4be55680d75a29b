"""Development index pages: an officer's runs (start one, follow it, publish it) and the public page of a published
run with its downloads (iData, iMeta, the configuration and the methodology note) so others can rebuild it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of

from . import devindex, indexruns, selectors
from .models import IndexRun
from .querysets import in_scope
from .views import _authority, _governed_region


def _runs_visible_to(user):
    """An officer follows the runs of their province too: their region is ranked in it."""
    return in_scope(IndexRun.objects.all(), user, above=True)


@login_required
def run_list(request, code: str):
    region = _governed_region(request, code)
    runs = _runs_visible_to(request.user).select_related("region")
    context = {
        "region": region,
        "runs": runs,
        "definitions": devindex.definitions(),
        "crumbs": selectors.breadcrumbs(request.user, region),
        "can_run": region.level == 1,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    }
    return render(request, "monitoring/index_runs.html", context)


@login_required
@require_POST
def run_start(request, code: str):
    region = _governed_region(request, code)
    year = request.POST.get("year", "")
    try:
        run = indexruns.run_start(actor=request.user, code=request.POST.get("definition", ""), region=region,
                                  year=int(year) if year.isdigit() else 0)  # fmt: skip
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("monitoring:index_runs", code=region.code)
    messages.success(request, _("已开始计算，完成后可发布"))
    return redirect("monitoring:index_run", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    _authority(request)
    run = get_object_or_404(_runs_visible_to(request.user).select_related("region"), pk=pk)
    context = {
        "run": run,
        "rows": indexruns.with_change(run) if run.status == IndexRun.Status.DONE else [],
        "can_publish": scope_of(request.user).manages_code(run.region_id)
        and run.status == IndexRun.Status.DONE
        and not run.published_at,
        "names": _names(run),
    }
    return render(request, "monitoring/index_run.html", context)


@login_required
@require_POST
def run_publish(request, pk: int):
    _authority(request)
    run = get_object_or_404(_runs_visible_to(request.user), pk=pk)
    try:
        indexruns.run_publish(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已发布，公开页面可供任何人查看"))
    return redirect("monitoring:index_run", pk=run.pk)


def _names(run: IndexRun) -> dict[str, str]:
    spec = run.definition
    return {**{i["code"]: i["name"] for i in spec["indicators"]}, **{a["code"]: a["name"] for a in spec["aggregates"]}}


def _published(pk: int) -> IndexRun:
    return get_object_or_404(IndexRun.objects.select_related("region"), pk=pk, published_at__isnull=False)


def public_page(request, pk: int):
    """A published run, open to everyone: ranks, scores, components, change on the previous year, rank intervals."""
    run = _published(pk)
    context = {"run": run, "rows": indexruns.with_change(run), "names": _names(run), "public": True,
               "previous": indexruns.previous_published(run)}  # fmt: skip
    return render(request, "monitoring/index_public.html", context)


def public_download(request, pk: int, name: str):
    run = _published(pk)
    if name == "iData.csv":
        body, kind = indexruns.csv_text(run.idata), "text/csv; charset=utf-8"
    elif name == "iMeta.csv":
        body, kind = indexruns.csv_text(run.imeta), "text/csv; charset=utf-8"
    elif name == "config.yaml":
        body, kind = indexruns.config_yaml(run), "text/yaml; charset=utf-8"
    elif name == "results.csv":
        rows = [{"uCode": u["code"], "uName": u["name"], "score": u["score"], "rank": u["rank"],
                 "rank_low": u["rank_low"], "rank_high": u["rank_high"], **u["components"]}
                for u in run.outputs.get("units", [])]  # fmt: skip
        body, kind = indexruns.csv_text(rows), "text/csv; charset=utf-8"
    elif name == "methodology.md":
        body, kind = _methodology(run), "text/markdown; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse("\ufeff" + body if kind.startswith("text/csv") else body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="index-{run.code}-{run.year}-v{run.version}-{name}"'
    return response


def _methodology(run: IndexRun) -> str:
    spec = run.definition
    noise = spec.get("uncertainty", {}).get("weight_noise", 0.25)
    lines = [
        _("# %(name)s — %(region)s %(year)s 年（第 %(version)s 版）")
        % {"name": spec["name"], "region": run.region.full_name, "year": run.year, "version": run.version},
        "",
    ]
    if spec.get("provisional"):
        lines += [_("**示例定义（provisional）**：指标、权重和目标值为演示所设，不是任何地区正式采用的方法。"), ""]
    lines += [_("## 指标"), "", _("| 代码 | 指标 | 来源 | 所属维度 | 权重 | 目标值区间 |"), "|---|---|---|---|---|---|"]
    for i in spec["indicators"]:
        lines.append(f"| {i['code']} | {i['name']} | {devindex.SOURCES[i['source']]} | {i['parent']} | "
                     f"{i.get('weight', 1)} | {i.get('goalposts', '')} |")  # fmt: skip
    lines += ["", _("## 维度与指数"), "", _("| 代码 | 名称 | 上级 | 权重 |"), "|---|---|---|---|"]
    for a in spec["aggregates"]:
        lines.append(f"| {a['code']} | {a['name']} | {a.get('parent') or '—'} | {a.get('weight', 1)} |")
    lines += [
        "", _("## 方法"), "",
        _("数据取自平台记录的汇总：规模以上企业；成熟度按每家企业在所选年度年底前最新一次提交的 CMMM 结果"
          "（含企业自评估）。"),
        *devindex.method_notes(spec),
        _("计算使用 Tidu 的综合指数引擎（与 COINr 的 iData/iMeta 格式兼容），配置见 config.yaml。"),
        _("排名区间：对权重加入 ±%(noise)s 的随机扰动，共 %(runs)s 次计算，取排名的 5%%–95%% 分位数。")
        % {"noise": noise, "runs": run.outputs.get("runs", 0)},
        "", _("## 复算"), "", _("下载 iData.csv、iMeta.csv 和 config.yaml 后运行："),
        "`tidu index build --data iData.csv --meta iMeta.csv --config config.yaml --out results`",
    ]  # fmt: skip
    return "\n".join(str(line) for line in lines) + "\n"
