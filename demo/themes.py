"""每月一题 and 重复诉求 in the demo county, through the services under the demo's clock.

- A caller phones the 12345 hotline three times in six weeks about a building site working
  through the night; the first call was handled by 住建局 and closed, then the site went back
  to it. The periodic check raises the repeat alert to 住建局's head and the dispatchers
  (with any other repeat the year's cases hold).
- Last month's theme, chosen from the month before's figures, ran its course: activated, its
  milestones done by the lead unit, finished (the work briefing of last month lists it).
- This month's theme, chosen from last month's hottest village and category, is under way with
  its first milestone done (the dashboard shows it).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.utils import timezone

from cases import services as moves
from cases.models import Case, CaseType, Category, Channel, Satisfaction
from cases.scope import visible_cases
from demo.county import County
from hotspots import repeats
from orgs.models import Organisation
from people.models import User
from themes import services, suggest
from themes.models import MonthlyTheme

# Not an operator prefix the demo's numbers use (demo.fake): no replayed case shares it.
REPEAT_PHONE = "17359501234"
NIGHT_WORK = [
    ("工地夜间施工噪音扰民", "小区旁边的建筑工地晚上十一点以后还在打桩，吵得老人小孩睡不着。"),
    ("工地又在夜间施工", "上次反映后停了几天，这几晚工地又在半夜浇混凝土，噪音很大。"),
    ("夜间施工问题仍未解决", "第三次反映了，工地凌晨还在施工，希望相关部门彻底解决。"),
]

ANSWER = (
    "经现场核查，该工地未办理夜间施工许可擅自夜间施工，已责令其立即停止夜间作业，"
    "并要求施工单位调整工序、落实降噪措施，住建局将不定期夜查。"
)


def _month(moment: datetime) -> int:
    day = timezone.localdate(moment)
    return day.year * 100 + day.month


def _first_day(month: int) -> date:
    return date(month // 100, month % 100, 1)


def load_repeat_caller(county: County, rng: random.Random, now: datetime) -> list[Case]:
    """The three calls, the first handled by 住建局, then the periodic check at ``now``."""
    spot = county.spots[("xunzhong", "xunzhong")][0]
    operator = county.users["operator"]
    case_type = CaseType.objects.get(code="resident_issue")
    category = Category.objects.get(case_type=case_type, name="城乡建设与管理")
    cases = []
    with time_machine.travel(now.astimezone(UTC), tick=False) as traveller:
        for index, (title, description) in enumerate(NIGHT_WORK):
            moment = now - timedelta(days=(40, 19, 2)[index], hours=rng.uniform(0, 3))
            traveller.move_to(moment.astimezone(UTC))
            case = moves.report_case(
                actor=operator,
                case_type=case_type,
                region=spot,
                title=title,
                description=description,
                channel=Channel.HOTLINE,
                requester_name="郑丽华",
                requester_phone=REPEAT_PHONE,
            )
            if index == 0:  # handled and closed; the site went back to night work later
                case = _handled(case, county, category, moment, traveller)
            cases.append(case)
        traveller.move_to(now.astimezone(UTC))
        repeats.detect(now)
    return cases


def _handled(
    case: Case,
    county: County,
    category: Category,
    moment: datetime,
    traveller: time_machine.Traveller,
) -> Case:
    """The first call's loop: 住建局 told the site to stop, the caller was basically satisfied."""
    dispatcher, unit = county.users["dispatcher"], county.units["zjj"]
    handler = county.handlers[unit.pk]

    def at(hours: int) -> None:
        traveller.move_to((moment + timedelta(hours=hours)).astimezone(UTC))

    at(1)
    case = moves.triage_case(case, actor=dispatcher, category=category)
    at(2)
    case = moves.assign_case(case, actor=dispatcher, lead_unit=unit)
    at(20)
    case = moves.accept_case(case, actor=handler)
    at(50)
    case = moves.answer_case(case, actor=handler, answer=ANSWER)
    at(80)
    case = moves.return_visit(
        case,
        actor=dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASIC,
    )
    at(82)
    return moves.close_case(case, actor=dispatcher)


def _lead_unit(county: County, candidate: suggest.Candidate, month: int) -> Organisation:
    """The unit that led most of the candidate's cases, else 住建局."""
    cases = Case.objects.filter(
        reported_month=month, category=candidate.category, lead_unit__isnull=False
    )
    if candidate.place is not None:
        cases = cases.in_region(candidate.place)
    counts = Counter(cases.values_list("lead_unit_id", flat=True))
    if counts:
        return Organisation.objects.get(pk=counts.most_common(1)[0][0])
    return county.units["zjj"]


def _pick(found: suggest.Candidates) -> suggest.Candidate | None:
    for choices in (found.villages, found.towns, found.by_count):
        if choices:
            return choices[0]
    return None


def _theme(
    county: County, month: int, data_month: int, found: suggest.Candidates
) -> MonthlyTheme | None:
    candidate = _pick(found)
    if candidate is None:
        return None
    lead_unit = _lead_unit(county, candidate, data_month)
    co_unit = county.units["zjj"] if lead_unit != county.units["zjj"] else county.units["scjg"]
    where = candidate.place.name if candidate.place else ""
    start = _first_day(month)
    return services.create_theme(
        actor=county.users["dispatcher"],
        month=month,
        title=f"{where}{candidate.category.name}问题集中治理",
        description=(
            f"{found.month // 100}年{found.month % 100}月{where}“{candidate.category.name}”"
            f"类诉求{candidate.count}件，列为本月一题，由牵头单位会同协办单位从根本上解决。"
        ),
        category=candidate.category,
        place=candidate.place,
        lead_unit=lead_unit,
        co_units=[co_unit],
        milestones=[
            services.MilestonePlan("逐件回访、梳理共性问题和成因", start + timedelta(days=9)),
            services.MilestonePlan("制定整治方案并组织实施", start + timedelta(days=19)),
            services.MilestonePlan("建立长效机制，复盘成效", start + timedelta(days=27)),
        ],
        source={"data_month": found.month, "count": candidate.count, "params": candidate.params},
        activate=True,
        include_from=data_month,
    )


def _marker(county: County, theme: MonthlyTheme) -> User:
    unit = theme.lead_unit_id
    return county.heads.get(unit) or county.handlers.get(unit) or county.users["dispatcher"]


def load_themes(county: County, now: datetime) -> list[MonthlyTheme]:
    """Last month's theme, done, and this month's, under way."""
    this_month = _month(now)
    last_month = suggest.add_months(this_month, -1)
    dispatcher = county.users["dispatcher"]
    made = []
    with time_machine.travel(now.astimezone(UTC), tick=False) as traveller:
        start = timezone.make_aware(datetime.combine(_first_day(last_month), time()))
        traveller.move_to((start + timedelta(days=1, hours=9)).astimezone(UTC))
        before = suggest.add_months(last_month, -1)
        found = suggest.candidates(before, cases=visible_cases(dispatcher))
        last = _theme(county, last_month, before, found)
        if last is not None:
            for index, milestone in enumerate(last.milestones.all()):
                traveller.move_to((start + timedelta(days=8 + 9 * index, hours=16)).astimezone(UTC))
                services.complete_milestone(
                    milestone, actor=_marker(county, last), note="已按期完成，情况已报县委办。"
                )
            services.finish_theme(last, actor=dispatcher, note="同类诉求明显减少，转入常态化管理。")
            made.append(last)
        start = timezone.make_aware(datetime.combine(_first_day(this_month), time()))
        moment = min(start + timedelta(days=1, hours=9), now - timedelta(hours=2))
        traveller.move_to(moment.astimezone(UTC))
        found = suggest.candidates(last_month, cases=visible_cases(dispatcher))
        current = _theme(county, this_month, last_month, found)
        if current is not None:
            traveller.move_to((now - timedelta(hours=1)).astimezone(UTC))
            services.complete_milestone(
                current.milestones.order_by("ordering")[0],
                actor=_marker(county, current),
                note="已逐件回访，梳理出三类共性问题。",
            )
            made.append(current)
        traveller.move_to(now.astimezone(UTC))
    return made
