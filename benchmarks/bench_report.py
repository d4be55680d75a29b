"""Diagnosis report figures (issue 5): one PDF ≤ 1.5 s (median), one HTML report ≤ 300 ms server time.

Synthetic demo province (seed_demo with --enterprises, the demo assessments, pools and programmes) in a throwaway
SQLite database. For --samples enterprises with a submitted CMMM assessment (the shipped model, 169 items):

- pdf: rendering the composed report to PDF (WeasyPrint, Noto CJK, SVG charts), in a warm process (the first
  render loads the CJK fonts, ~3–5 s, once per process; it is reported separately);
- issue: `issue_report` end to end (compose with roadmap, matching, peers; render; SHA-256; store; timeline);
- html: server time of GET /reports/<id>/ for an issued report, through Django's test client (full middleware,
  session, template rendering), and of the live preview page GET /reports/enterprise/<id>/preview/.

    .venv/bin/python benchmarks/bench_report.py [--samples 20] [--enterprises 3000]
"""

import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402


def pdf_pages(data: bytes) -> int:
    """Pages as poppler counts them (WeasyPrint writes compressed object streams, so the bytes cannot be grepped)."""
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def main() -> int:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=20)
    p.add_argument("--enterprises", type=int, default=3000)
    args = p.parse_args()
    benchlib.setup_django("report", args.workdir, args.keep)

    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    for command, extra in [
        ("seed_demo", ["--province", "36", "--enterprises", str(args.enterprises), "--seed", "1"]),
        ("seed_demo_assessments", ["--seed", "1"]),
        ("seed_demo_catalog", ["--seed", "1"]),
        ("seed_demo_programmes", []),
    ]:
        call_command(command, *extra, verbosity=0)
    benchlib.log("demo province seeded")

    from accounts.models import User
    from assessments.models import Assessment
    from enterprises.models import Enterprise
    from reports import render, services
    from reports.compose import compose

    officer = User.objects.get(username="province")
    ids = list(
        Assessment.objects.filter(status="submitted", model_code="cmmm")
        .order_by("enterprise_id")
        .values_list("enterprise_id", flat=True)
        .distinct()[: args.samples + 1]
    )
    enterprises = list(Enterprise.objects.filter(pk__in=ids).select_related("county", "industry"))
    first, rest = enterprises[0], enterprises[1:]

    t0 = time.perf_counter()
    content = compose(first, officer)
    content["issue"] = {
        "version": 1,
        "code": "0000-0000-0000-0000",
        "verify_url": "http://x/",
        "issuer": "-",
        "issued_by": "-",
        "issued_on": "2026-12-02",
    }
    render.pdf(content)
    cold = time.perf_counter() - t0
    benchlib.log(f"cold start (fonts, engine catalogue): {cold:.2f} s")

    pdf_s, issue_s, pages = [], [], []
    reports = []
    for e in rest:
        content = compose(e, officer)
        content["issue"] = {
            "version": 1,
            "code": "0000-0000-0000-0000",
            "verify_url": "http://x/",
            "issuer": "-",
            "issued_by": "-",
            "issued_on": "2026-12-02",
        }
        t = time.perf_counter()
        data = render.pdf(content)
        pdf_s.append(time.perf_counter() - t)
        pages.append(pdf_pages(data))
        t = time.perf_counter()
        reports.append(services.issue_report(actor=officer, enterprise=e))
        issue_s.append(time.perf_counter() - t)
    benchlib.log("PDFs done")

    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    html_s, preview_s = [], []
    for r in reports:
        t = time.perf_counter()
        response = client.get(f"/reports/{r.pk}/")
        html_s.append(time.perf_counter() - t)
        assert response.status_code == 200 and r.code.encode() in response.content
        t = time.perf_counter()
        response = client.get(f"/reports/enterprise/{r.enterprise_id}/preview/")
        preview_s.append(time.perf_counter() - t)
        assert response.status_code == 200
    steps = [
        sum(len(ph["steps"]) for ph in (m["roadmap"] or {}).get("phases", []))
        for r in reports
        for m in r.content["models"]
    ]
    rows = [
        benchlib.row("report", "PDF render (warm process)", pdf_s, "s", 1.5),
        benchlib.row("report", "issue_report end to end (compose + PDF + store)", issue_s, "s"),
        benchlib.row("report", "HTML of an issued report, server time", [x * 1000 for x in html_s], "ms", 300),
        benchlib.row("report", "HTML live preview (composed on request)", [x * 1000 for x in preview_s], "ms"),
    ]
    details = (
        f"{len(rest)} synthetic enterprises with a CMMM assessment; {args.enterprises} in the demo province. "
        f"Cold start (first render in a process: CJK fonts, matching catalogue) {cold:.2f} s, once per process. "
        f"Roadmap steps per model: median {benchlib.median(steps):g}, max {max(steps)}; PDF pages median "
        f"{benchlib.median(pages):g}; PDF size median {benchlib.median([r.pdf_size for r in reports]) / 1024:.0f} KB."
    )
    benchlib.finish({"title": "Diagnosis report (issue 5)", "rows": rows, "details": details}, args.json, "report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
