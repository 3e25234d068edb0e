"""Shangbu's 47 monitored households (监测对象) under "一户一策" (seed: "全镇对47户监测对象实施
'一户一策'帮扶，筑牢防止返贫致贫底线"): each gets a plan with measures in the seed's words
(油茶种植, 庭院经济, 强村富民公司, 电瓷企业就业), monthly reviews over the last months with a few
let slip (逾期帮扶复核), members, and the party members' visits to their ten households (1+10+N)
with a few demands, all through ``households.services`` at their own moments on a controlled
clock (as ``demo/visits.py``).

``load_households`` is not wired into ``demo.load.load`` yet; call it after ``load_visits``,
inside the load's transaction, with the load's ``now``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from cases.models import CaseType, Via
from demo import fake
from demo.county import County
from households import services
from households.models import AssistancePlan
from people.models import Household, HouseholdLink, HouseholdLinkKind, User

MONTHS = 4  # how far back plans, reviews and visits go
OVERDUE_SHARE = 0.12  # plans whose last review was let slip
DEMAND_DAYS = 21  # visits this recent may raise a demand
DEMAND_SHARE = 0.25
VISIT_SHARE = 0.8  # of a party member's households, visited in a month
NO_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

MEASURES = (
    ("产业帮扶：发展油茶种植", "新种油茶2亩，三年后年增收3000元", "镇农业综合服务中心"),
    ("产业帮扶：发展庭院经济", "种植蔬菜、养殖家禽，年增收2000元", "村委会"),
    ("资产收益：入股强村富民公司", "年底分红不少于500元", "强村富民公司"),
    ("就业帮扶：推荐到电瓷企业务工", "1人稳定就业，月收入3000元以上", "镇劳动保障所"),
    ("就业帮扶：安排公益性岗位", "保洁员岗位1个", "村委会"),
    ("健康帮扶：落实慢病签约服务", "家庭医生每月随访1次", "镇卫生院"),
    ("教育帮扶：落实雨露计划资助", "子女完成学业", "镇中心学校"),
    ("兜底保障：纳入低保", "按月足额发放", "镇民政办"),
)
RISKS = ("因病", "因残", "因学", "缺劳力", "突发意外", "务工收入下降")
PROGRESS = (
    "油茶苗长势良好，已完成追肥。",
    "户主在电瓷企业务工稳定，本月工资已到账。",
    "家庭医生已上门随访，慢病用药正常。",
    "庭院蔬菜已上市，收入约{n}百元。",
    "强村富民公司分红已发放到户。",
    "家庭收支平稳，无返贫风险。",
)
FINDINGS = (
    "入户了解家庭生产生活情况，老人身体尚可，孩子按时上学。",
    "宣传防返贫监测政策和医保缴费要求，户主表示清楚。",
    "查看房屋安全和用电情况，未发现隐患。",
    "了解务工收入情况，户主在本镇电瓷企业上班。",
)
DEMANDS = (
    "屋后排水沟堵塞，雨天积水进屋，希望村里帮忙疏通。",
    "家中老人行动不便，希望申请临时救助。",
    "门前路灯不亮，夜间出行不便。",
    "希望了解油茶种植补贴申请办法。",
)
RELATIONS = ("配偶", "长子", "长女", "次子", "母亲", "父亲", "孙子")


def _moment(rng: random.Random, day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16), 0)))


def _worker(county: County, household: Household) -> User:
    """Who enters the household's records: its grid's worker, else its grid chief."""
    workers = county.grid_workers.get(household.region_id) or []
    return workers[0] if workers else county.grid_chiefs[household.region_id]


def load_households(county: County, rng: random.Random, now: datetime) -> dict[str, int]:
    """Plans, reviews, members and visits of Shangbu's households; returns the counts."""
    today = timezone.localtime(now).date()
    start = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    monitored = list(
        Household.objects.filter(tags__name="监测对象", address__startswith="上埠")
        .select_related("region")
        .order_by("pk")
    )
    assistance = dict(
        HouseholdLink.objects.filter(
            household__in=monitored, kind=HouseholdLinkKind.ASSISTANCE
        ).values_list("household_id", "person")
    )
    party = list(
        HouseholdLink.objects.filter(kind=HouseholdLinkKind.PARTY_MEMBER)
        .select_related("household__region", "person")
        .order_by("pk")
    )
    kind = CaseType.objects.get(code="resident_issue")
    events: list[tuple[datetime, int, str, Household]] = []
    for n, h in enumerate(monitored):
        begun = start + timedelta(days=rng.randint(0, 20))
        events.append((_moment(rng, begun), n, "plan", h))
    for n, link in enumerate(party):
        month = start
        while month <= today:
            end = (month + timedelta(days=32)).replace(day=1)
            last = min(end - timedelta(days=1), today - timedelta(days=1))
            if last >= month and rng.random() < VISIT_SHARE:
                day = month + timedelta(days=rng.randint(0, (last - month).days))
                events.append((_moment(rng, day), n, "visit", link.household))
            month = end
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    counts = {"plans": 0, "reviews": 0, "visits": 0, "members": 0, "cases": 0}
    people = {link.household_id: link.person for link in party}
    recent = now - timedelta(days=DEMAND_DAYS)
    with (
        override_settings(TASKS=NO_TASKS),
        time_machine.travel(events[0][0] if events else now, tick=False) as traveller,
    ):
        for moment, _n, what, h in events:
            traveller.move_to(moment.astimezone(UTC))
            actor = _worker(county, h)
            day = timezone.localtime(moment).date()
            if what == "plan":
                _plan(county, rng, h, assistance, actor, day, counts)
            else:
                demands = []
                if moment >= recent and rng.random() < DEMAND_SHARE:
                    demands = [services.Demand(kind, rng.choice(DEMANDS))]
                visit = services.log_household_visit(
                    h,
                    visited_on=day,
                    visitor=people[h.pk],
                    findings=rng.choice(FINDINGS),
                    demands=demands,
                    actor=actor,
                    via=Via.WEB,
                )
                counts["visits"] += 1
                counts["cases"] += len(demands) if visit else 0
        # Monthly reviews up to today, in date order across plans; a few let slip.
        reviews: list[tuple[datetime, int]] = []
        slipping = (
            {p.pk for p in rng.sample(_plans(), max(1, round(len(monitored) * OVERDUE_SHARE)))}
            if monitored
            else set()
        )
        for plan in _plans():
            due = plan.next_review_on
            while due < today:
                if plan.pk in slipping and due >= today - timedelta(days=40):
                    break  # its last review was let slip: overdue on the board
                reviews.append(
                    (
                        _moment(
                            rng,
                            min(
                                due + timedelta(days=rng.randint(-3, 2)), today - timedelta(days=1)
                            ),
                        ),
                        plan.pk,
                    )
                )
                due = services.add_months(due, plan.review_months)
        reviews.sort()
        plans = AssistancePlan.objects.in_bulk([pk for _m, pk in reviews])
        for moment, pk in reviews:
            traveller.move_to(moment.astimezone(UTC))
            plan = plans[pk]
            plan.refresh_from_db()
            measures = list(plan.measures.all())
            statuses = {m.pk: rng.choice(("in_progress", "in_progress", "done")) for m in measures}
            services.review_plan(
                plan,
                reviewed_on=max(timezone.localtime(moment).date(), plan.started_on),
                reviewer=plan.responsible,
                progress=rng.choice(PROGRESS).format(n=rng.randint(3, 9)),
                measure_statuses=statuses,
                actor=_worker(county, plan.household),
                via=Via.WEB,
            )
            counts["reviews"] += 1
        traveller.move_to(now.astimezone(UTC))
    return counts


def _plans() -> list[AssistancePlan]:
    return list(
        AssistancePlan.objects.active()
        .select_related("household__region", "responsible")
        .order_by("pk")
    )


def _plan(
    county: County,
    rng: random.Random,
    h: Household,
    assistance: dict[int, int],
    actor: User,
    day: date,
    counts: dict[str, int],
) -> None:
    from people.models import Person

    responsible = Person.objects.get(pk=assistance[h.pk]) if h.pk in assistance else actor.person
    assert responsible is not None
    rows = rng.sample(MEASURES, rng.randint(2, 3))
    services.create_plan(
        h,
        responsible=responsible,
        measures=[services.Measure(*row) for row in rows],
        summary=f"{rng.choice(RISKS)}存在返贫风险，纳入监测对象。",
        started_on=day,
        actor=actor,
        via=Via.WEB,
    )
    counts["plans"] += 1
    for i in range(max(0, min(h.members - 1, 4))):
        services.add_member(
            h,
            name=fake.person_name(rng),
            relation=RELATIONS[i],
            birth_year=rng.randint(1945, 2018),
            phone=fake.mobile(rng) if rng.random() < 0.5 else "",
            actor=actor,
            via=Via.WEB,
        )
        counts["members"] += 1
