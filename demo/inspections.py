"""Two special campaigns in the demo county, in the seeds' words: 城镇燃气安全专项整治 led by
应急管理局 and 自建房安全排查 led by 住建局, with the grid workers' inspections of the last weeks in
the demo towns, each logged through ``inspections.services.log_inspection`` at its own moment on
the controlled clock; about a third find hazards, each of which opens a hazard case.

``load_inspections`` is not wired into ``demo.load.load`` yet; call it after the case replay,
inside the load's transaction, with the load's ``now``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from cases.models import Via
from demo.county import County
from inspections import services
from inspections.models import Campaign, Severity
from regions.models import Region

DAYS = 45  # how far back the campaigns' inspections go
PER_GRID = 3  # inspections each grid worker logs per campaign (at most)
HAZARD_SHARE = 0.35
NO_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

CAMPAIGNS = (
    (
        "城镇燃气安全专项整治",
        "yjj",
        "对辖区餐饮店、瓶装液化气用户、燃气管道开展全覆盖排查，发现隐患立即登记、限期整改。",
        ("{v}老街餐饮店", "{v}小吃店", "{v}瓶装液化气用户", "{v}农家乐"),
        (
            ("燃气软管老化开裂，超过使用年限。", Severity.MAJOR),
            ("未安装可燃气体报警器。", Severity.ORDINARY),
            ("液化气瓶存放在地下室，通风不良。", Severity.SERIOUS),
            ("燃气管道穿越卧室，存在泄漏风险。", Severity.MAJOR),
        ),
    ),
    (
        "自建房安全排查",
        "zjj",
        "对经营性自建房逐栋排查结构安全、消防通道和违规改扩建，建立隐患台账，整改销号。",
        ("{v}经营性自建房", "{v}出租房", "{v}沿街商铺自建房"),
        (
            ("承重墙出现贯穿裂缝。", Severity.SERIOUS),
            ("违规加层，未经结构安全鉴定。", Severity.MAJOR),
            ("楼道堆放杂物，堵塞消防通道。", Severity.ORDINARY),
            ("电动自行车在楼道内充电。", Severity.ORDINARY),
        ),
    ),
)


@dataclass
class Loaded:
    campaigns: int = 0
    inspections: int = 0
    findings: int = 0


def _moment(rng: random.Random, day: date) -> datetime:
    local = datetime.combine(day, time(rng.randint(9, 16), rng.choice((0, 15, 30, 45))))
    return timezone.make_aware(local)


def load_inspections(county: County, rng: random.Random, now: datetime) -> Loaded:
    """Open the campaigns and log the grid workers' inspections; once only."""
    loaded = Loaded()
    if Campaign.objects.filter(name=CAMPAIGNS[0][0]).exists():
        return loaded
    today = timezone.localtime(now).date()
    start = today - timedelta(days=DAYS)
    dispatcher = county.users["dispatcher"]
    grids = Region.objects.in_bulk(list(county.grid_workers))
    plan: list[tuple[datetime, int, int, int]] = []  # moment, campaign row, grid id, worker idx
    for row, _spec in enumerate(CAMPAIGNS):
        for grid_id, workers in sorted(county.grid_workers.items()):
            if not workers or grid_id not in grids:
                continue
            for _i in range(rng.randint(0, PER_GRID)):
                day = start + timedelta(days=rng.randint(0, DAYS - 1))
                plan.append((_moment(rng, day), row, grid_id, rng.randrange(len(workers))))
    plan.sort()
    with (
        override_settings(TASKS=NO_TASKS),
        time_machine.travel(_moment(rng, start - timedelta(days=1)), tick=False) as traveller,
    ):
        campaigns = []
        for name, unit, description, _targets, _hazards in CAMPAIGNS:
            campaigns.append(
                services.create_campaign(
                    name=name,
                    starts_on=start - timedelta(days=1),
                    ends_on=today + timedelta(days=60),
                    region=county.region,
                    lead_unit=county.units.get(unit),
                    description=description,
                    actor=dispatcher,
                )
            )
            loaded.campaigns += 1
        for moment, row, grid_id, index in plan:
            traveller.move_to(moment.astimezone(UTC))
            _name, _unit, _d, targets, hazards = CAMPAIGNS[row]
            grid = grids[grid_id]
            worker = county.grid_workers[grid_id][index]
            day = timezone.localtime(moment).date()
            findings = []
            if rng.random() < HAZARD_SHARE:
                for text, severity in rng.sample(hazards, rng.choice((1, 1, 2))):
                    findings.append(
                        services.FindingInput(
                            description=text,
                            severity=severity,
                            rectify_by=day + timedelta(days=rng.choice((7, 15, 30))),
                        )
                    )
            services.log_inspection(
                campaign=campaigns[row],
                region=grid,
                target_name=rng.choice(targets).format(v=grid.name),
                inspected_on=day,
                inspectors=[worker.person] if worker.person else [],
                note="现场检查并宣传安全常识。" if not findings else "已当场告知整改要求。",
                findings=findings,
                actor=worker,
                via=Via.WEB,
            )
            loaded.inspections += 1
            loaded.findings += len(findings)
        traveller.move_to(now.astimezone(UTC))
    return loaded
