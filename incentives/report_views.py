"""The officers' funding report: committed, disbursed and remaining by programme, county, provider and year
(incentives.reports.summary, over the ledger rows of the officer's regions), each budget's balance, the outcomes of
re-assessed programmes, and the same as an XLSX workbook (core.exports: formulas neutralised)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import ledger
from .models import Budget, FundingApplication, Programme
from .views import _require_officer


def report_rows(user, year: int | None = None) -> dict:
    """incentives.reports.summary (committed, disbursed and remaining by programme, region, provider and year over
    the ledger rows of the officer's regions) as rows with a name, and each budget the officer sees with its
    balance."""
    from . import reports

    data = reports.summary(user, year=year)
    budgets = Budget.objects.visible_to(user).select_related("programme", "region")
    if year is not None:
        budgets = budgets.filter(year=year)
    # A programme drawn on a budget the officer does not see (the province's, for a city officer): the summary counts
    # its budget as 0 and "remaining" goes negative; show no budget instead.
    own = set(budgets.values_list("programme__name", flat=True))
    for row in data["programmes"]:
        if row["name"] not in own:
            row["budget"] = row["remaining"] = None
    return {
        "programme": data["programmes"], "county": data["regions"], "provider": data["providers"],
        "year": [{"name": str(r["year"]), **r} for r in data["years"]],
        "budgets": [{"budget": b, "balance": ledger.balance(b)}
                    for b in budgets.order_by("programme_id", "year", "region_id")],
    }  # fmt: skip


def _outcomes(user) -> list[dict]:
    from . import reports

    rows = []
    for programme in Programme.objects.visible_to(user).taking_applications().select_related("region"):
        if programme.rules.reassessment_model:
            rows.append({"programme": programme, **reports.outcomes(user, programme)})
    return rows


@login_required
def report(request):
    _require_officer(request.user)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    data = report_rows(request.user, year)
    sections = [("programme", _("按项目")), ("county", _("按区县")), ("provider", _("按服务商")), ("year", _("按年度"))]
    if request.GET.get("format") == "xlsx":
        from core.exports import SheetOut, write_workbook

        headers = [_("名称"), _("已承诺（元）"), _("已拨付（元）")]
        sheets = [SheetOut(str(title), headers, [[r["name"], r["committed"], r["disbursed"]] for r in data[key]])
                  for key, title in sections[1:]]  # fmt: skip
        programme_headers = [_("名称"), _("预算（元）"), _("已承诺（元）"), _("已拨付（元）"), _("剩余（元）")]
        sheets.insert(0, SheetOut(str(sections[0][1]), programme_headers,
                                  [[r["name"], r["budget"], r["committed"], r["disbursed"], r["remaining"]]
                                   for r in data["programme"]]))  # fmt: skip
        budget_headers = [_("项目"), _("地区"), _("年度"), _("预算（元）"), _("已承诺（元）"), _("已拨付（元）"),
                          _("已下达下级（元）"), _("剩余（元）")]  # fmt: skip
        budget_rows = [[r["budget"].programme.name, r["budget"].region.full_name, r["budget"].year,
                        r["balance"].budget, r["balance"].committed, r["balance"].disbursed,
                        r["balance"].allocated_down, r["balance"].remaining] for r in data["budgets"]]  # fmt: skip
        sheets.append(SheetOut(_("预算"), budget_headers, budget_rows))
        grants = FundingApplication.objects.visible_to(request.user).filter(amount__isnull=False).select_related(
            "programme", "enterprise__county", "provider").order_by("programme_id", "pk")  # fmt: skip
        sheets.append(SheetOut(_("资助明细"), [_("申请号"), _("项目"), _("企业"), _("区县"), _("项目名称"), _("服务商"),
                                               _("状态"), _("核定金额（元）")],
                               ([a.pk, a.programme.name, a.enterprise.name, a.enterprise.county.full_name,
                                 a.project_name, a.provider.name if a.provider else "", a.get_status_display(),
                                 a.amount] for a in grants.iterator())))  # fmt: skip
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="funding-report.xlsx"'
        write_workbook(response, sheets)
        return response
    years = sorted(set(Budget.objects.visible_to(request.user).values_list("year", flat=True)))
    context = {"sections": [(key, title, data[key]) for key, title in sections], "budgets": data["budgets"],
               "outcomes": _outcomes(request.user), "year": year, "years": years}  # fmt: skip
    return render(request, "incentives/report.html", context)
