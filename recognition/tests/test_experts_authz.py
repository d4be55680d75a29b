"""Every experts' page and action by persona (synthetic data): who gets the page, who gets a 404 (outside their
scope) or a 403 (may see, may not act), and that a refused request changes nothing."""

import pytest
from django.urls import reverse

from accounts.models import User
from recognition import experts, prerequisites, services
from recognition.models import ApplicationEvent, Expert, ReviewTask

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "province", "city", "county", "other_city", "enterprise", "provider", "commissioner", "expert",
            "nobody", "anonymous", "assigned", "colleague"]  # fmt: skip


@pytest.fixture
def case(world, load_programme, attach, expert_pool, client):
    programme = load_programme(prerequisites={})
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    attach(application)
    services.application_submit(actor=world["enterprise"], application=application,
                                 check=prerequisites.check(programme.rules, world["home"], {}))  # fmt: skip
    services.application_decide(actor=world["county"], application=application, decision="pass", reason="属实")
    application.refresh_from_db()
    local = expert_pool("local", region="360102")
    for name in ("e1", "e2", "e3"):
        expert_pool(name, region="360100")
    experts.assign_experts(actor=world["city"], applications=[application])
    tasks = list(ReviewTask.objects.filter(application=application).order_by("pk"))
    people = {**world, "assigned": tasks[0].expert.user, "colleague": tasks[1].expert.user, "anonymous": None}
    return {
        "application": application,
        "programme": programme,
        "local": local,
        "task": tasks[0],
        "evidence": application.evidence.first(),
        "people": people,
    }


def state():
    return (
        User.objects.count(),
        sorted(Expert.objects.values_list("pk", "is_active", "organisation", "region_id")),
        sorted(ReviewTask.objects.values_list("pk", "status", "score", "is_chair", "comment")),
        ApplicationEvent.objects.count(),
    )


def as_persona(client, case, who):
    user = case["people"][who]
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def urls(case):
    a, t = case["application"], case["task"]
    return {
        "pool": reverse("recognition:expert_pool"),
        "new": reverse("recognition:expert_new"),
        "edit": reverse("recognition:expert_edit", args=[case["local"].pk]),
        "assign": reverse("recognition:expert_assign", args=[case["programme"].pk]),
        "scores": reverse("recognition:expert_scores", args=[a.pk]),
        "tasks": reverse("recognition:expert_tasks"),
        "task": reverse("recognition:expert_task", args=[t.pk]),
        "evidence": reverse("recognition:expert_evidence", args=[t.pk, case["evidence"].pk]),
    }


OFFICERS_OF_NANCHANG = {"admin", "province", "city", "county"}
EXPERTS = {"expert", "assigned", "colleague"}
GET_ALLOWED = {
    "pool": OFFICERS_OF_NANCHANG | {"other_city"},
    "new": OFFICERS_OF_NANCHANG | {"other_city"},
    "edit": OFFICERS_OF_NANCHANG,
    "assign": {"city"},  # the city runs the expert step; the admin, county and province see it, may not act
    "scores": OFFICERS_OF_NANCHANG,
    "tasks": EXPERTS,
    "task": {"assigned"},
    "evidence": {"assigned"},
}
FORBIDDEN = {("assign", "admin"), ("assign", "province"), ("assign", "county")}


@pytest.mark.parametrize("who", PERSONAS)
def test_every_page_by_persona(client, case, who):
    client = as_persona(client, case, who)
    for name, url in urls(case).items():
        status = client.get(url).status_code
        if who == "anonymous":
            expected = 302
        elif who in GET_ALLOWED[name]:
            expected = 200
        elif (name, who) in FORBIDDEN:
            expected = 403
        else:
            expected = 404
        assert status == expected, (name, who, status)


def expected_post(action: str, who: str) -> int:
    if who == "anonymous":
        return 302
    if action == "new" and who == "other_city":
        return 200  # the form again: 南昌 is not a region it may choose
    if action in {"assign", "withdraw"} and who in {"province", "county"}:
        return 403  # they see the application, the city acts at its expert step
    return 404


@pytest.mark.parametrize("who", [p for p in PERSONAS if p not in {"admin", "city"}])  # the city: allowed, tested
def test_refused_actions_change_nothing(client, case, who):
    before = state()
    client = as_persona(client, case, who)
    t, local = case["task"], case["local"]
    new = {"username": "intruder", "display_name": "某人", "organisation": "某单位", "region": "360100"}
    posts = {
        "new": (reverse("recognition:expert_new"), new),
        "edit": (reverse("recognition:expert_edit", args=[local.pk]), {**new, "organisation": "改过的单位"}),
        "active": (reverse("recognition:expert_active", args=[local.pk]), {"active": "0"}),
        "assign": (reverse("recognition:expert_assign", args=[case["programme"].pk]), {"all": "1"}),
        "withdraw": (reverse("recognition:expert_task_withdraw", args=[t.pk]), {"reason": "不想要这位专家"}),
        "review": (reverse("recognition:expert_task", args=[t.pk]),
                   {"score": "90", "comment": "同意通过", "visit_report": "已看现场"}),
    }  # fmt: skip
    for action, (url, data) in posts.items():
        if who in {"province", "county"} and action in {"new", "edit", "active"}:
            continue  # Nanchang's officers keep Nanchang's pool (tested in test_experts_pages)
        if who == "assigned" and action == "review":
            continue  # their own review (tested in test_experts_pages)
        response = client.post(url, data)
        assert response.status_code == expected_post(action, who), (action, who, response.status_code)
        if who == "anonymous":
            assert "login" in response["Location"]
    assert state() == before, who
