"""A hot spot the dispatcher should see (热点预警): in the last five days one village's grid
reports the same trouble six times — street lights out along one road — where it used to see
none; each case reported by the grid's worker and triaged by the dispatcher through the engine
at its own moment, then the detection runs as its hourly task would."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import time_machine

from cases import services as moves
from cases.models import CaseType, Category, Channel
from demo.county import County
from hotspots import services
from regions.models import Region

LIGHTS = [
    ("东大路路灯不亮", "东大路中段路灯连续多晚不亮，夜间行人和电动车通行不安全。"),
    ("东大路路灯又坏了", "东大路靠近小学路段两盏路灯不亮，接送孩子的家长反映看不清路。"),
    ("路灯闪烁", "东大路路灯忽明忽暗，疑似线路老化，群众担心漏电。"),
    ("路口路灯不亮", "东大路与新华街路口路灯不亮，晚上车辆转弯看不清行人。"),
    ("路灯杆倾斜", "东大路一根路灯杆被车辆剐蹭后倾斜，灯也不亮了。"),
    ("整段路灯熄灭", "东大路整段路灯昨晚全部熄灭，村民请求尽快维修。"),
]


def load_hotspots(county: County, rng: random.Random, now: datetime) -> int:
    """The six reports and the detection; returns the alerts raised."""
    grid_id = next((g for g, workers in county.grid_workers.items() if workers), None)
    if grid_id is None:
        return 0
    grid = Region.objects.get(pk=grid_id)
    worker = county.grid_workers[grid_id][0]
    dispatcher = county.users["dispatcher"]
    case_type = CaseType.objects.get(code="resident_issue")
    category = (
        Category.objects.filter(case_type=case_type, name__contains="城乡建设").first()
        or Category.objects.filter(case_type=case_type).order_by("code").first()
    )
    with time_machine.travel(now.astimezone(UTC), tick=False) as traveller:
        for index, (title, description) in enumerate(LIGHTS):
            moment = now - timedelta(days=5) + timedelta(hours=18 * index + rng.uniform(0, 4))
            traveller.move_to(moment.astimezone(UTC))
            case = moves.report_case(
                actor=worker,
                case_type=case_type,
                region=grid,
                title=title,
                description=description,
                channel=Channel.GRID,
                requester_name=f"{'张王李陈林黄'[index]}先生",
                requester_phone=f"1395950{rng.randint(1000, 9999)}",
            )
            traveller.move_to((moment + timedelta(minutes=40)).astimezone(UTC))
            moves.triage_case(case, actor=dispatcher, category=category)
        traveller.move_to(now.astimezone(UTC))
        return len(services.detect(now).raised)
