"""The linked cadres' visits to the Dehua chain firms over the last months (挂钩干部 monthly, 驻厂
专员 monthly, 党建指导员 quarterly, as the default rhythms ask, with a few missed so coverage has
gaps), each logged through ``outreach.services.log_visit`` at its own moment on the controlled
clock. Only visits of the last weeks raise demands, so no untriaged case lies months back.

``load_visits`` is not wired into ``demo.load.load`` yet; call it after the case replay, inside
the load's transaction, with the load's ``now``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from cases.models import CaseType, Category, Via
from demo.county import County
from demo.words import ENTERPRISE_TOPICS
from outreach import services
from outreach.coverage import rhythms, window
from outreach.models import VISITING_KINDS
from people.models import EnterpriseLink, Person, User

MONTHS = 5  # how far back the visits go
DEMAND_DAYS = 21  # visits this recent raise demands
DEMAND_SHARE = 0.35  # of those, the share that raise one or two
MISSED = {"month": 0.2, "quarter": 0.25}  # the share of windows a cadre lets pass
# Without a task worker: log_visit enqueues nothing itself, report_case may.
NO_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

MET = ("总经理", "董事长", "副总经理", "行政主管", "生产厂长", "财务负责人", "人事经理")
SURNAMES = "陈林郑黄苏颜许连徐王"
FINDINGS = (
    "企业生产经营正常，订单排产至{month}，出口订单同比有所增长。",
    "企业反映天然气价格和用工成本上涨，利润空间收窄，正在推进窑炉节能改造。",
    "了解企业技改项目进展，自动化生产线已进入调试阶段，预计下月投产。",
    "企业新招工人{n}名，熟练工仍然紧缺，希望加强陶瓷技能培训对接。",
    "宣传惠企政策和安全生产要求，查看车间消防通道和窑炉运行记录，未发现明显隐患。",
    "企业参加广交会后新增意向订单，希望在品牌推广和跨境电商方面得到指导。",
)


def _moment(rng: random.Random, day: date) -> datetime:
    local = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
    return timezone.make_aware(local)


def _findings(rng: random.Random, day: date) -> str:
    month = f"{(day.month + rng.randint(1, 3) - 1) % 12 + 1}月"
    return rng.choice(FINDINGS).format(month=month, n=rng.randint(5, 30))


def _demands(rng: random.Random, firm_name: str, categories: dict[str, Category], kind: CaseType):
    names = [name for name in ENTERPRISE_TOPICS if name in categories]
    made = []
    for _i in range(rng.choice((1, 1, 2))):
        name = rng.choice(names)
        topic = rng.choice(ENTERPRISE_TOPICS[name])
        values = defaultdict(
            lambda: str(rng.randint(2, 20)),
            ent=firm_name,
            park="园区",
            amount=str(rng.choice((200, 300, 500, 800, 1200))),
        )
        made.append(
            services.Demand(
                case_type=kind,
                category=categories[name],
                description=topic.detail.format_map(values) + "（走访时提出）",
            )
        )
    return made


def _plan(
    county: County, rng: random.Random, now: datetime
) -> list[tuple[datetime, int, list[int]]]:
    """(moment, firm id, visitor person ids) of every visit, in time order."""
    periods = rhythms()
    firms = {f.pk for f in county.enterprises}
    links = EnterpriseLink.objects.filter(enterprise_id__in=firms, kind__in=VISITING_KINDS)
    today = timezone.localtime(now).date()
    first = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    visits: list[tuple[datetime, int, list[int]]] = []
    for link in links.order_by("pk"):
        period = periods[link.kind]
        start, _end = window(period, first)
        while start <= today:
            _s, end = window(period, start)
            last = min(end - timedelta(days=1), today - timedelta(days=1))
            if last >= start and rng.random() >= MISSED.get(period, 0.2):
                day = start + timedelta(days=rng.randint(0, (last - start).days))
                visits.append((_moment(rng, day), link.enterprise_id, [link.person_id]))
            start = end
    visits.sort()
    return visits


def load_visits(county: County, rng: random.Random, now: datetime) -> int:
    """Log the cadres' visits of the last months; returns how many were logged."""
    plan = _plan(county, rng, now)
    firms = {f.pk: f for f in county.enterprises}
    people = Person.objects.in_bulk({p for _m, _f, ps in plan for p in ps})
    users = {u.person_id: u for u in User.objects.filter(person_id__in=people)}
    # A cadre without an account has the chain committee's office enter their visit.
    office = county.users["chain_dispatcher"]
    kind = CaseType.objects.get(code="enterprise_demand")
    categories = {c.name: c for c in Category.objects.filter(case_type=kind, is_active=True)}
    recent = now - timedelta(days=DEMAND_DAYS)
    with (
        override_settings(TASKS=NO_TASKS),
        time_machine.travel(plan[0][0] if plan else now, tick=False) as traveller,
    ):
        for moment, firm_id, visitor_ids in plan:
            traveller.move_to(moment.astimezone(UTC))
            firm = firms[firm_id]
            visitors = [people[p] for p in visitor_ids]
            actor = users.get(visitor_ids[0], office)
            demands = []
            if moment >= recent and rng.random() < DEMAND_SHARE:
                demands = _demands(rng, firm.name, categories, kind)
            services.log_visit(
                firm,
                visited_on=timezone.localtime(moment).date(),
                visitors=visitors,
                met=f"{rng.choice(MET)} {rng.choice(SURNAMES)}某",
                findings=_findings(rng, moment.date()),
                demands=demands,
                actor=actor,
                via=Via.WEB,
            )
        traveller.move_to(now.astimezone(UTC))
    return len(plan)
