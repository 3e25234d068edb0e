"""push_briefings and complete_briefing: the right cadres, idempotent, who may push and finish,
and ticking a briefing done during a visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from enterprises.models import PolicyStatus
from outreach import services
from outreach.models import BriefingStatus, BriefingTask, OutreachEvent, OutreachEventKind
from outreach.tests.helpers import policy


def due():
    return timezone.localdate() + timedelta(days=30)


def tasks() -> set[tuple[str, str]]:
    return set(BriefingTask.objects.values_list("enterprise__name", "cadre__name"))


def test_a_push_reaches_each_linked_cadre_of_each_firm_once(ow):
    p = policy()
    result = services.push_briefings(p, actor=ow.world.admin, due_on=due())
    assert tasks() == {
        (ow.firm.name, "陈志明"),  # 挂钩干部
        (ow.firm.name, "郑丽华"),  # 党建指导员
        (ow.other_firm.name, "黄建国"),  # 驻厂专员; never the liaison
    }
    assert (result.firms, result.created, result.existing) == (2, 3, 0)
    again = services.push_briefings(p, actor=ow.world.admin, due_on=due())
    assert (again.created, again.existing) == (0, 3)
    assert BriefingTask.objects.count() == 3
    pushed = OutreachEvent.objects.filter(kind=OutreachEventKind.BRIEFING_PUSHED)
    assert [e.data["created"] for e in pushed.order_by("pk")] == [3, 0]


def test_a_pusher_reaches_only_the_firms_they_oversee(ow):
    services.push_briefings(policy(), actor=ow.town_dispatcher, due_on=due())
    assert tasks() == {(ow.other_firm.name, "黄建国")}
    services.push_briefings(policy(title="第二项"), actor=ow.chain_dispatcher, due_on=due())
    assert {t for t in tasks() if t[0] == ow.firm.name} == {
        (ow.firm.name, "陈志明"),
        (ow.firm.name, "郑丽华"),
    }


@pytest.mark.parametrize("status", [PolicyStatus.DRAFT, PolicyStatus.WITHDRAWN])
def test_only_a_published_policy_is_pushed(ow, status):
    with pytest.raises(ValidationError) as error:
        services.push_briefings(policy(status), actor=ow.world.admin, due_on=due())
    assert error.value.error_dict["policy"][0].code == "not_published"
    assert not BriefingTask.objects.exists()


def test_a_due_date_in_the_past_is_refused(ow):
    with pytest.raises(ValidationError) as error:
        services.push_briefings(
            policy(), actor=ow.world.admin, due_on=timezone.localdate() - timedelta(days=1)
        )
    assert "due_on" in error.value.message_dict


@pytest.mark.parametrize("who", ["cadre", "handler", "liaison", "grid_worker"])
def test_who_may_not_push(ow, who):
    actor = getattr(ow, who, None) or getattr(ow.world, who)
    with pytest.raises(PermissionDenied):
        services.push_briefings(policy(), actor=actor, due_on=due())


def pushed(ow):
    services.push_briefings(policy(), actor=ow.world.admin, due_on=due())
    return BriefingTask.objects.get(cadre=ow.cadre.person)


def test_the_cadre_completes_their_task_once(ow):
    task = pushed(ow)
    services.complete_briefing(task, actor=ow.cadre, note=" 已向总经理讲解申报流程 ")
    task.refresh_from_db()
    assert task.status == BriefingStatus.DONE and task.done_note == "已向总经理讲解申报流程"
    assert task.done_at is not None
    with pytest.raises(ValidationError) as error:
        services.complete_briefing(task, actor=ow.cadre)
    assert error.value.error_dict["status"][0].code == "already_done"
    done = OutreachEvent.objects.get(kind=OutreachEventKind.BRIEFING_DONE)
    assert done.data["task"] == task.pk and done.enterprise == ow.firm


def test_another_cadre_may_not_complete_it_but_a_dispatcher_may(ow):
    task = pushed(ow)
    for outsider in (ow.instructor, ow.commissioner, ow.town_dispatcher):
        with pytest.raises(PermissionDenied):
            services.complete_briefing(task, actor=outsider)
    services.complete_briefing(task, actor=ow.world.dispatcher)


def test_a_visit_ticks_its_briefings_done_in_the_same_transaction(ow):
    task = pushed(ow)
    visit = services.log_visit(
        ow.firm,
        visited_on=timezone.localdate(),
        visitors=[ow.cadre.person],
        findings="宣讲设备更新补助政策。",
        briefings=[task],
        actor=ow.cadre,
    )
    task.refresh_from_db()
    assert task.status == BriefingStatus.DONE and task.visit == visit


def test_a_refused_visit_leaves_its_briefings_pending(ow):
    task = pushed(ow)
    with pytest.raises(ValidationError):
        services.log_visit(
            ow.firm,
            visited_on=timezone.localdate(),
            visitors=[ow.cadre.person],
            findings="宣讲",
            demands=[
                services.Demand(case_type=ow.world.types["enterprise_demand"], description=" ")
            ],
            briefings=[task],
            actor=ow.cadre,
        )
    task.refresh_from_db()
    assert task.status == BriefingStatus.PENDING
