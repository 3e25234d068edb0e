"""The demo county's assessment task (考核任务), made through ``assessment/services.py``: the
year's 为民办实事考核 of the county's social work department (县委社会工作部), broken down to five
county departments.

- two engine-fed indicators, the same for every unit: 按期办结率 (target 95%) and 满意率
  (target 90%), 30 points each, computed from each unit's own cases of the year;
- manual ones from the seeds: 无害化卫生厕所改造 (攸县: "对改厕工作中存在进度不快、效果不好、
  质量不达标等问题的村(社区)通报批评、限期整改"), 职业技能补贴培训 and 劳动和技能竞赛 (株洲:
  "投入1000万元用于各类职业补贴培训，筹集500万元用于开展劳动和技能竞赛活动"), 40 points each,
  so every unit's full score is 100;
- progress reported by most units, one 通报 (a unit that has not reported) and one 限期整改
  (改厕 behind its target), still open, so the unit's handler finds the answer form.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from assessment import services
from assessment.models import AssessmentTask, Breakdown, Direction, IndicatorKind
from demo.county import County

UNITS = ("rsj", "zjj", "scjg", "gxj", "tcb")
# Manual indicators: name, measure, {unit key: (target, reported value or None, note)}.
MANUAL = (
    (
        "无害化卫生厕所改造",
        "户",
        {"zjj": (300, 212, "已完成“三格式”化粪池改厕 212 户，部分村进度不快。")},
    ),
    (
        "职业技能补贴培训",
        "人次",
        {"rsj": (1000, 1086, "开展陶瓷技艺、电商直播等补贴性培训 1086 人次。")},
    ),
    (
        "劳动和技能竞赛",
        "场次",
        {
            "gxj": (6, 4, "已举办陶瓷智能制造技能竞赛 4 场。"),
            "tcb": (6, 6, "举办陶瓷雕塑、彩绘等技能竞赛 6 场，全部完成。"),
            "scjg": (4, None, ""),
        },
    ),
)


@dataclass
class AssessmentDemo:
    tasks: int
    indicators: int
    rows: int
    reports: int


def load_assessment(county: County, rng: random.Random, now: datetime) -> AssessmentDemo:
    """Create the year's task (idempotent: nothing if a task exists already)."""
    if AssessmentTask.objects.exists():
        return AssessmentDemo(0, 0, 0, 0)
    dispatcher = county.users["dispatcher"]
    units = {key: county.units[key] for key in UNITS}
    with time_machine.travel(now, tick=False):
        year = timezone.localdate().year
        task = services.create_task(
            actor=dispatcher,
            title=f"{year}年度为民办实事考核",
            year=year,
            start_month=year * 100 + 1,
            end_month=year * 100 + 12,
            issuer=county.units["shgzb"],
            region=county.region,
            note="按期办结率、满意率由系统按各单位主办事项自动取数；其余指标由责任单位按月报送进展。",
        )
        indicators = 0
        for name, metric, target in (
            ("按期办结率", "on_time_rate", 95),
            ("满意率", "satisfaction_rate", 90),
        ):
            indicator = services.add_indicator(
                task,
                actor=dispatcher,
                name=name,
                kind=IndicatorKind.ENGINE,
                metric=metric,
                measure="%",
                direction=Direction.HIGHER,
            )
            services.break_down(
                indicator, actor=dispatcher, units=list(units.values()), target=target, weight=30
            )
            indicators += 1
        reports = 0
        for name, measure, plan in MANUAL:
            indicator = services.add_indicator(task, actor=dispatcher, name=name, measure=measure)
            indicators += 1
            for key, (target, _value, _note) in plan.items():
                services.break_down(
                    indicator, actor=dispatcher, units=[units[key]], target=target, weight=40
                )
            for key, (_target, value, note) in plan.items():
                if value is None:
                    continue
                row = Breakdown.objects.get(indicator=indicator, unit=units[key])
                services.report_progress(
                    row, actor=county.handlers[units[key].pk], value=value, note=note
                )
                reports += 1
        silent = Breakdown.objects.get(
            indicator__task=task, unit=units["scjg"], indicator__kind="manual"
        )
        services.issue_notice(
            silent,
            actor=dispatcher,
            text="市场监管局劳动和技能竞赛至今未报送进展，予以通报，请于本月底前报送。",
        )
        behind = Breakdown.objects.get(
            indicator__task=task, unit=units["zjj"], indicator__name="无害化卫生厕所改造"
        )
        services.order_rectification(
            behind,
            actor=dispatcher,
            requirement="改厕进度不快，完成率未达序时进度。请逐村排查进度滞后原因，"
            "限期补齐改厕台账并报送整改情况。",
            deadline=timezone.localdate() + timedelta(days=10 + rng.randrange(5)),
        )
        services.refresh_engine_indicators(task)
    rows = Breakdown.objects.filter(indicator__task=task).count()
    return AssessmentDemo(1, indicators, rows, reports)
