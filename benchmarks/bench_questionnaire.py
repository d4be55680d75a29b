"""Questionnaire figures (issue 3): server time of a questionnaire page with 200 items, and of submitting an
assessment (scoring + result snapshot + domain scores + timeline event).

Synthetic: a 200-item graded model in one group (the worst case: every item on one page; the shipped CMMM's largest
group, 制造, has 99), plus the shipped CMMM itself. Requests go through Django's test client in process, so the
time is the server's (middleware, queries, template) without a network. SQLite in a throwaway directory.

    .venv/bin/python benchmarks/bench_questionnaire.py [--requests 50]
"""

import time

import benchlib

NAME = "bench_questionnaire"


def big_spec():
    import maturity

    lines = [
        "code: bench-200",
        "name: 合成问卷（200 条目）",
        'version: "1"',
        "status: provisional",
        "note: 合成基准模型，非官方",
        "levels:",
    ]
    lines += [f"  - {{number: {n}, name: L{n}}}" for n in range(1, 6)]
    lines += ["nodes:", "  - code: G", "    name: 全部条目", "    children:"]
    for d in range(20):
        lines += [f"      - code: D{d}", f"        name: 子域{d}", "        items:"]
        lines += [
            f"          - {{code: D{d}-{i}, name: 要求{d}-{i}, kind: graded, level: {i % 5 + 1}, "
            f"help: 合成条目的说明文字，用于测量页面渲染。, not_applicable_allowed: {str(i == 9).lower()}}}"
            for i in range(10)
        ]
    lines += ["rule:", "  type: cmmm_cumulative"]
    return maturity.load_yaml("\n".join(lines) + "\n")


def timed(fn, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    args = benchlib.parser(__doc__.split("\n\n")[0])
    args.add_argument("--requests", type=int, default=50)
    args = args.parse_args()
    benchlib.setup_django(NAME, args.workdir, args.keep)

    from django.test import Client
    from django.urls import reverse

    from accounts.models import Membership, Role, User
    from assessments import services
    from assessments.models import ModelVersion
    from enterprises.creditcode import make
    from enterprises.models import Enterprise
    from enterprises.services import enterprise_create

    enterprise = enterprise_create(
        actor=None,
        enterprise=Enterprise(
            credit_code=make("91360102MA0000001"),
            name="基准合成企业有限公司",
            county_id="360102",
            industry_id="34",
            is_synthetic=True,
        ),
    )
    user = User.objects.create_user("bench-enterprise", password="Bench-pass-2026!")
    Membership.objects.create(user=user, role=Role.ENTERPRISE, enterprise=enterprise)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    big = services.publish_version(big_spec(), change_note="bench")
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    rows, details = [], []

    for version, group, label in ((big, "G", "200 items on one page"), (cmmm, "M", "CMMM 制造 group (99 items)")):
        a = services.start(actor=user, enterprise=enterprise, version=version, kind="self")
        codes = [r.item.code for r in version.parsed().iter_items()]
        services.save_answers(actor=user, assessment=a, updates={c: "most" for c in codes[::2]})
        url = reverse("assessments:fill", args=[a.pk]) + f"?group={group}"
        assert client.get(url).status_code == 200
        samples = timed(lambda url=url: client.get(url), args.requests)
        target = 150.0 if version is big else None
        rows.append(benchlib.row("questionnaire", f"GET page, {label}", samples, "ms", target))
        autosave_body = {"group": group, **{f"m:{c}": "1" for c in codes[:10]}}
        autosave_body.update({f"a:{c}": "full" for c in codes[:10]})
        save_url = reverse("assessments:autosave", args=[a.pk])
        samples = timed(lambda b=autosave_body, u=save_url: client.post(u, b), args.requests)
        rows.append(benchlib.row("questionnaire", f"autosave (10 answers), {label}", samples, "ms"))

    def submit_one(version=big):
        a = services.start(actor=user, enterprise=enterprise, version=version, kind="self")
        codes = [r.item.code for r in version.parsed().iter_items()]
        services.save_answers(actor=user, assessment=a, updates=dict.fromkeys(codes, "most"))
        start = time.perf_counter()
        response = client.post(reverse("assessments:review", args=[a.pk]))
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 302, response.status_code
        return elapsed

    for version, label, target in ((big, "200 items", 300.0), (cmmm, "CMMM (169 items)", None)):
        samples = [submit_one(version) for _ in range(min(args.requests, 30))]
        rows.append(benchlib.row("questionnaire", f"submit: score + snapshot, {label}", samples, "ms", target))
    details.append("Server time through Django's test client (no network), SQLite, synthetic enterprise and model.")
    benchlib.finish(
        {"title": "Questionnaire and submit (issue 3)", "rows": rows, "details": "\n".join(details)}, args.json, NAME
    )


if __name__ == "__main__":
    main()
