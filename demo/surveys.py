"""A survey campaign (摸排) of Shangbu's monitored households (监测对象): the town's dispatcher
sends a 防返贫 checklist to the grid workers two weeks ago; most households have been visited
by their grid worker (a few findings, some made cases in the same step), about half of those
re-checked (复核) by their grid chief, one or two sent back to be visited again. Everything goes
through ``households.surveys`` at its own moment on a controlled clock (as
``demo/households.py``).

Call ``load_surveys`` after ``load_households``, inside the load's transaction, with the load's
``now``.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from cases.models import CaseType, Via
from demo.county import County
from households import surveys
from households.models import SurveyTask, SurveyTaskStatus
from people.models import HouseholdTag, User

TITLE = "防返贫监测对象集中摸排"
ITEMS = (
    "家庭收入是否稳定",
    "是否有因病、因残、因灾新增支出",
    "住房是否安全",
    "饮水是否安全",
    "义务教育阶段子女是否在校",
    "医保是否参保缴费",
)
DAYS_AGO = 14  # the survey was sent out
DUE_DAYS = 30
VISIT_SHARE = 0.7
FINDING_SHARE = 0.25  # of visits
CASE_SHARE = 0.5  # of findings
RECHECK_SHARE = 0.55  # of visits
SENT_BACK = 2  # rechecks that failed
NO_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

NOTES = {
    "家庭收入是否稳定": "务工收入较上年下降",
    "是否有因病、因残、因灾新增支出": "户主今年住院两次",
    "住房是否安全": "东侧墙体有裂缝",
    "饮水是否安全": "自来水管冬季易冻裂",
    "义务教育阶段子女是否在校": "",
    "医保是否参保缴费": "尚未缴纳今年医保",
}
# The item answered 否 (a problem) and what the visit found.
FINDINGS = (
    ("住房是否安全", "房屋东侧墙体开裂，雨季有倒塌风险，需鉴定并纳入危房改造。"),
    ("是否有因病、因残、因灾新增支出", "户主今年两次住院，自付医疗费用较高，需评估临时救助。"),
    ("家庭收入是否稳定", "家中主要劳动力失业，收入明显下降，希望推荐就近务工岗位。"),
    ("医保是否参保缴费", "今年医保尚未缴费，户主表示资金困难。"),
)
SENT_BACK_NOTES = ("走访记录与实际不符，请重新入户核实。", "漏填收入情况，请补充后重新登记。")


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(1, int((end - start).total_seconds() // 60))
    return start + timedelta(minutes=rng.randrange(span))


def _visitor(county: County, task: SurveyTask) -> User:
    workers = county.grid_workers.get(task.grid_id) or []
    return workers[0] if workers else county.grid_chiefs[task.grid_id]


def load_surveys(county: County, rng: random.Random, now: datetime) -> dict[str, int]:
    """The survey, its visits and rechecks; returns the counts."""
    counts = {"surveys": 0, "tasks": 0, "visits": 0, "findings": 0, "cases": 0, "rechecks": 0}
    tag = HouseholdTag.objects.filter(name="监测对象").first()
    dispatcher = county.users.get("shangbu_dispatcher")
    if tag is None or dispatcher is None:
        return counts
    sent = now - timedelta(days=DAYS_AGO)
    kind = CaseType.objects.get(code="resident_issue")
    with (
        override_settings(TASKS=NO_TASKS),
        time_machine.travel(sent.astimezone(UTC), tick=False) as traveller,
    ):
        survey = surveys.create_survey(
            title=TITLE,
            items=ITEMS,
            region=county.towns["shangbu"],
            due_on=timezone.localtime(sent).date() + timedelta(days=DUE_DAYS),
            tag=tag,
            actor=dispatcher,
            via=Via.WEB,
        )
        counts["surveys"] = 1
        tasks = list(survey.tasks.select_related("household__region").order_by("pk"))
        counts["tasks"] = len(tasks)
        visited = [t for t in tasks if rng.random() < VISIT_SHARE]
        timeline = [
            (_moment(rng, sent + timedelta(hours=20), now - timedelta(days=2)), t.pk, t)
            for t in visited
        ]
        timeline.sort(key=lambda e: (e[0], e[1]))
        rechecks: list[tuple[datetime, int, SurveyTask]] = []
        for moment, _pk, task in timeline:
            traveller.move_to(moment.astimezone(UTC))
            answers = {item: {"answer": "yes", "note": ""} for item in ITEMS}
            finding, raise_case = "", False
            if rng.random() < FINDING_SHARE:
                item, finding = rng.choice(FINDINGS)
                answers[item] = {"answer": "no", "note": NOTES[item]}
                raise_case = rng.random() < CASE_SHARE
            done = surveys.record_survey_visit(
                task,
                answers=answers,
                finding=finding,
                raise_case=raise_case,
                case_type=kind if raise_case else None,
                actor=_visitor(county, task),
                via=Via.WEB,
            )
            counts["visits"] += 1
            counts["findings"] += bool(finding)
            counts["cases"] += done.case_id is not None
            if rng.random() < RECHECK_SHARE:
                later = _moment(rng, moment + timedelta(hours=20), now - timedelta(hours=2))
                rechecks.append((max(later, moment + timedelta(hours=1)), task.pk, task))
        rechecks.sort(key=lambda e: (e[0], e[1]))
        back = set(rng.sample(range(len(rechecks)), min(SENT_BACK, len(rechecks) // 4)))
        for n, (moment, _pk, task) in enumerate(rechecks):
            traveller.move_to(moment.astimezone(UTC))
            chief = county.grid_chiefs[task.grid_id]
            checker = dispatcher if chief == _visitor(county, task) else chief
            surveys.recheck_survey_task(
                task,
                ok=n not in back,
                note=SENT_BACK_NOTES[n % len(SENT_BACK_NOTES)] if n in back else "",
                actor=checker,
                via=Via.WEB,
            )
            counts["rechecks"] += 1
        traveller.move_to(now.astimezone(UTC))
    counts["rechecked"] = survey.tasks.filter(status=SurveyTaskStatus.RECHECKED).count()
    return counts
