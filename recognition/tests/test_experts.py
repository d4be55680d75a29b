"""Expert assignment as a service (synthetic data): its queries do not grow with the number of applications, every
exclusion is recorded with its reason on the application's history, and a pool spans the step's region."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recognition import chain, experts
from recognition.models import Application, ApplicationEvent, ReviewTask

pytestmark = pytest.mark.django_db


def waiting(programme, firms):
    """Applications put straight at the city's expert review (the chain before it is tested elsewhere)."""
    step = programme.rules.index_of("city_review")
    return [Application.objects.create(programme=programme, enterprise=f, status=chain.IN_REVIEW, step=step)
            for f in firms]  # fmt: skip


def test_assignment_queries_do_not_grow_with_the_number_of_applications(world, load_programme, make_enterprise,
                                                                         expert_pool):  # fmt: skip
    programme = load_programme(prerequisites={})
    for i in range(8):
        expert_pool(f"x{i}", region="360100", fields=["34"])
    few = waiting(programme, [make_enterprise("360102") for _ in range(2)])
    many = waiting(programme, [make_enterprise("360111") for _ in range(10)])
    with CaptureQueriesContext(connection) as small:
        experts.assign_experts(actor=world["city"], applications=few)
    with CaptureQueriesContext(connection) as large:
        experts.assign_experts(actor=world["city"], applications=many)
    assert len(large) == len(small)
    assert ReviewTask.objects.count() == 36 and ApplicationEvent.objects.filter(action="assign").count() == 12
    loads = [ReviewTask.objects.filter(expert__user__username=f"x{i}").count() for i in range(8)]
    assert max(loads) - min(loads) <= 1  # balanced: 36 tasks over 8 experts


def test_each_exclusion_is_recorded_with_the_experts_name_and_reason(world, load_programme, expert_pool):
    programme = load_programme(prerequisites={})
    [application] = waiting(programme, [world["home"]])
    own = expert_pool("own", organisation="东湖精密机械", organisation_code=world["home"].credit_code)
    own.user.display_name = "王工"
    own.user.save()
    for i in range(3):
        expert_pool(f"x{i}", region="360100")
    experts.assign_experts(actor=world["city"], applications=[application])
    event = ApplicationEvent.objects.get(application=application, action="assign")
    assert event.data["excluded"] == [{"expert": own.pk, "name": "王工",
                                       "reasons": ["专家所在单位即申请单位（东湖精密机械有限公司）"]}]  # fmt: skip
    assert event.step_code == "city_review" and event.actor_name == "city" and event.data["short"] == 0


def test_experts_of_another_city_are_not_in_the_pool_and_an_inactive_expert_gets_nothing(
    world, load_programme, expert_pool
):
    programme = load_programme(prerequisites={})
    [application] = waiting(programme, [world["home"]])
    expert_pool("jiujiang", region="360402")
    gone = expert_pool("gone", region="360100")
    gone.is_active = False
    gone.save()
    expert_pool("nanchang", region="360100")
    result = experts.assign_experts(actor=world["city"], applications=[application])
    assert [ReviewTask.objects.get().expert.user.username] == ["nanchang"] and result.short == {application.pk: 2}
