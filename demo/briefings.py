"""Policy briefings (政策宣讲) in the demo: the chain committee pushes two of its policies to the
linked cadres of the firms that qualify, and about half the tasks are done since, with a note of
how it went — through the outreach services, on the load's clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from demo.county import County
from outreach import services
from outreach.models import BriefingTask

PUSHED = ("equipment", "employment")  # categories in county.policies, filled by load_policies
NOTES = (
    "到企业车间面对面讲解申报条件和材料清单，企业负责人表示本月内提交申报。",
    "结合企业设备更新计划逐条解读政策，手把手指导在申报系统中填报。",
    "向企业财务和人事负责人宣讲，发放政策明白纸，企业已建立申报台账。",
)


def load_briefings(county: County, rng: random.Random, now: datetime) -> int:
    """Push the briefings two weeks ago and complete about half of them since; the tasks made."""
    actor = county.users["chain_dispatcher"]
    pushed_at = now - timedelta(days=14)
    made = 0
    with time_machine.travel(pushed_at.astimezone(UTC), tick=False) as traveller:
        for key in PUSHED:
            policy = county.policies.get(key)
            if policy is None:
                continue
            due = timezone.localdate() + timedelta(days=30)
            made += services.push_briefings(policy, actor=actor, due_on=due).created
        tasks = list(BriefingTask.objects.order_by("pk"))
        for task in tasks:
            if rng.random() < 0.5:
                moment = pushed_at + timedelta(days=rng.uniform(1, 13))
                traveller.move_to(moment.astimezone(UTC))
                services.complete_briefing(task, actor=actor, note=rng.choice(NOTES))
        traveller.move_to(now.astimezone(UTC))
    return made
