"""What the demo's year of cases will be: a ``Planner`` draws each case's type, place,
channel, words, scenario and the moment it is reported, and the meetings that raise them.

Nothing here touches a case: ``demo.replay`` plays the plans through the engine's services.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import cycle
from typing import Any

from django.utils import timezone

from cases import deadlines
from cases.models import (
    Case,
    Channel,
    Meeting,
    Priority,
    RiskLevel,
)
from demo import fake, words
from demo.county import County
from demo.words import Topic
from orgs.models import Organisation
from people.models import Person, User
from regions.models import Region

C = Channel

TYPE_WEIGHTS = {
    "enterprise_demand": 28,
    "resident_issue": 40,
    "dispute": 14,
    "hazard": 12,
    "ip_infringement": 6,
}
AREA_WEIGHTS = {
    "resident_issue": {"huju": 62, "shangbu": 19, "dehua": 19},
    "dispute": {"shangbu": 45, "huju": 20, "dehua": 35},
    "hazard": {"dehua": 55, "shangbu": 30, "huju": 15},
}
CHANNEL_WEIGHTS = {
    ("chain", "enterprise_demand"): {
        C.MEETING: 24,
        C.VISIT: 30,
        C.WEB: 14,
        C.HOTLINE: 10,
        C.API: 7,
        C.TRANSFER: 5,
        C.GRID: 10,
    },
    ("chain", "ip_infringement"): {
        C.WEB: 30,
        C.HOTLINE: 15,
        C.MEETING: 15,
        C.VISIT: 15,
        C.TRANSFER: 10,
        C.API: 15,
    },
    ("huju", "resident_issue"): {
        C.EVENING_MEETING: 40,
        C.GRID: 40,
        C.VISIT: 6,
        C.HOTLINE: 5,
        C.WALK_IN: 4,
        C.WEB: 3,
        C.TRANSFER: 1,
        C.API: 1,
    },
    ("huju", "*"): {C.GRID: 67, C.EVENING_MEETING: 15, C.VISIT: 5, C.HOTLINE: 10, C.WALK_IN: 3},
    ("shangbu", "resident_issue"): {
        C.GRID: 55,
        C.VISIT: 20,
        C.HOTLINE: 12,
        C.WEB: 6,
        C.API: 5,
        C.TRANSFER: 2,
    },
    ("shangbu", "dispute"): {C.GRID: 70, C.VISIT: 15, C.HOTLINE: 10, C.TRANSFER: 5},
    ("shangbu", "hazard"): {C.GRID: 65, C.VISIT: 25, C.HOTLINE: 10},
    ("dehua", "resident_issue"): {
        C.HOTLINE: 40,
        C.WEB: 18,
        C.API: 15,
        C.GRID: 20,
        C.TRANSFER: 5,
        C.VISIT: 2,
    },
    ("dehua", "dispute"): {C.GRID: 45, C.HOTLINE: 30, C.TRANSFER: 10, C.VISIT: 10, C.WEB: 5},
    ("dehua", "hazard"): {C.GRID: 55, C.VISIT: 25, C.HOTLINE: 15, C.WEB: 5},
}
ENTERPRISE_CATEGORY_WEIGHTS = {
    "融资需求": 12,
    "土地供应": 6,
    "人力人才": 16,
    "向上申请": 6,
    "公共服务": 7,
    "公用设施": 8,
    "行政审批": 6,
    "配套建设": 5,
    "安全生产": 5,
    "环境保护": 5,
    "政策落实": 14,
    "企业权益": 6,
    "其他服务": 4,
}
# Share resolved on the spot (当场办结). Huju: "近500个 … 当场回应解决380余个" (seed 002).
ON_SPOT_SHARE = {
    ("huju", "resident_issue"): 0.8,
    ("shangbu", "resident_issue"): 0.35,
    ("dehua", "resident_issue"): 0.25,
    ("huju", "dispute"): 0.25,
    ("shangbu", "dispute"): 0.12,
    ("dehua", "dispute"): 0.08,
    ("huju", "hazard"): 0.3,
    ("shangbu", "hazard"): 0.25,
    ("dehua", "hazard"): 0.2,
}
# What happens to a dispatched case.
SCENARIOS = {
    "normal": 58,
    "late": 9,
    "extension": 6,
    "ext_refused": 3,
    "send_back": 6,
    "rework": 7,
    "unreached": 5,
    "closed_unsatisfied": 3,
    "reject": 3,
    "merge": 3,
    "stuck": 1.5,
}


def pick(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class Spec:
    """One case to play: everything decided before the first move."""

    type_code: str
    area: str  # "chain" (the chain committee's enterprises), "huju", "shangbu" or "dehua"
    channel: str
    scenario: str
    reported_at: datetime
    category: str
    topic: Topic
    region: Region
    village: tuple[str, str]  # (town key, village key)
    enterprise: Organisation | None = None
    meeting: Meeting | None = None
    web_user: User | None = None
    requester: Person | None = None
    requester_name: str = ""
    requester_phone: str = ""
    address: str = ""
    priority: str = Priority.NORMAL
    risk: str = ""
    stop: str = ""  # a stage after which the case is left open ("reported", "triaged", …)
    brisk: bool = False  # short delays, so a forced open case reaches its stage before now
    master: Spec | None = None
    numbers: dict[str, Any] = field(default_factory=dict)
    case: Case | None = None


@dataclass
class MeetingPlan:
    meetings: list[Meeting]
    chain: list[Meeting]  # 党委会议, 联席会议, 现场办公
    visits: list[Meeting]  # 走访 of an enterprise
    evenings: list[Meeting]  # 屋场夜谈会
    households: list[Meeting]  # Shangbu "1+10+N" household visits


class Planner:
    """Draws ``n`` case specs (and the meetings that raise them) over the year before ``now``."""

    def __init__(self, county: County, rng: random.Random, now: datetime, n: int) -> None:
        self.county, self.rng, self.now, self.n = county, rng, now, n
        self.start = now - timedelta(days=365)
        self.scale = n / 2000
        # Looked up by a region_id (nullable in the schema, never None for these places).
        self.village_keys: dict[int | None, tuple[str, str]] = {
            v.pk: key for key, v in county.villages.items()
        }
        self.spot_village: dict[int | None, tuple[str, str]] = {
            s.pk: key for key, spots in county.spots.items() for s in spots
        }
        self.specs: list[Spec] = []

    # --- meetings ----------------------------------------------------------------------------

    def _local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())

    def _past_workday(self, days_ago: float) -> datetime:
        day = timezone.localtime(self.now - timedelta(days=days_ago)).date()
        while not deadlines.is_workday(day):
            day -= timedelta(days=1)
        return self._local(day, 9)

    def _count(self, full: int, minimum: int = 1) -> int:
        return max(minimum, round(full * self.scale))

    def plan_meetings(self, created_by: dict[str, User]) -> MeetingPlan:
        county, rng = self.county, self.rng
        chain, zhuanban = (
            county.units["chain"],
            "县委社会工作部、陶瓷办、陶瓷同业公会、工作专班成员",
        )
        meetings: list[Meeting] = []
        plan = MeetingPlan(meetings, [], [], [], [])
        months = [self.now - timedelta(days=30 * i + 12) for i in range(12)]
        for i, moment in enumerate(months[: self._count(12)]):
            day = timezone.localtime(moment).date()
            while day.weekday() != 2 or not deadlines.is_workday(day):
                day -= timedelta(days=1)
            plan.chain.append(
                Meeting(
                    kind=Meeting.Kind.COMMITTEE,
                    title=f"陶瓷产业链党委{day.month}月党委会议",
                    held_at=self._local(day, 15),
                    place="县委社会工作部会议室",
                    region=county.region,
                    host=chain,
                    attendees=f"产业链党委委员、{zhuanban}",
                    created_by=created_by["chain_dispatcher"],
                    notes="研究链上企业反映的用工、融资、政策落实等问题，形成履职清单推送职能部门办理。"
                    if i % 2 == 0
                    else "通报上月履职清单办理情况，对未按期办结事项进行督办。",
                )
            )
        for i in range(self._count(4)):
            day = timezone.localtime(self.now - timedelta(days=91 * i + 20)).date()
            while not deadlines.is_workday(day):
                day -= timedelta(days=1)
            quarter = (day.month - 1) // 3 + 1
            plan.chain.append(
                Meeting(
                    kind=Meeting.Kind.JOINT,
                    title=f"陶瓷产业链党委{day.year}年第{quarter}季度非公党组织联席会议",
                    held_at=self._local(day, 9, 30),
                    place="德化县陶瓷产业链党群服务中心",
                    region=county.region,
                    host=chain,
                    attendees=f"链上重点企业负责人、{zhuanban}、人社、税务、金融等职能部门",
                    created_by=created_by["chain_dispatcher"],
                    notes="政企面对面沟通，企业负责人直奔主题、抛出关切，现场能答复的当场答复，其余列入履职清单。",
                )
            )
        for i in range(self._count(6)):
            park = (
                "城东工业园区",
                "陶瓷科技园",
                "三班泗滨工业区",
                "盖德工业园",
                "葛坑工业集中区",
                "上埠电瓷产业园",
            )[i % 6]
            moment = self._past_workday(rng.uniform(10, 360))
            plan.chain.append(
                Meeting(
                    kind=Meeting.Kind.ON_SITE,
                    title=f"{park}现场办公会",
                    held_at=moment + timedelta(hours=1),
                    place=park,
                    region=county.region,
                    host=chain,
                    attendees=zhuanban,
                    created_by=created_by["chain_dispatcher"],
                    notes="现场查看园区配套设施，听取入园企业诉求。",
                )
            )
        named = county.enterprises[:3]  # "近日…先后走访陶知然、佳诚、盛艺窑" (seed 001)
        for i in range(self._count(36, minimum=3)):
            firm = named[i] if i < 3 else rng.choice(county.enterprises)
            moment = self._past_workday(rng.uniform(3, 15) if i < 3 else rng.uniform(1, 360))
            plan.visits.append(
                Meeting(
                    kind=Meeting.Kind.VISIT,
                    title=f"产业链党委走访{firm.name}",
                    held_at=moment + timedelta(hours=rng.choice((1, 1.5, 5, 6))),
                    place=firm.name,
                    region=firm.region,
                    host=chain,
                    enterprise=firm,
                    attendees="县委社会工作部、产业链党委、挂钩干部",
                    created_by=created_by["chain_dispatcher"],
                    notes="与企业负责人面对面交流，梳理生产经营、技术突破、市场拓展、人才引进等方面的实际困难。",
                )
            )
        huju_villages = [(key, v) for key, v in county.villages.items() if key[0] == "huju"]
        for i in range(self._count(67, minimum=2)):
            key, village = huju_villages[i % len(huju_villages)]
            days_ago = rng.uniform(1, 3) if i == 0 else rng.uniform(3, 362)
            day = timezone.localtime(self.now - timedelta(days=days_ago)).date()
            group = rng.choice([s for s in county.spots[key]]).parent
            plan.evenings.append(
                Meeting(
                    kind=Meeting.Kind.EVENING,
                    title=f"{village.name}屋场夜谈会",
                    held_at=self._local(day, 19, 30),
                    place=f"{group.name}屋场" if group else village.name,
                    region=village,
                    host=county.village_committees[key],
                    created_by=created_by.get(f"huju_{key[1]}"),
                    attendees="镇包村干部、村两委、村民代表、党员、群众",
                    notes="围绕群众急难愁盼问题拉家常、听意见，能当场解决的当场解决，其余汇总研究交办。",
                )
            )
        shangbu_grids = [
            s for key, spots in county.spots.items() if key[0] == "shangbu" for s in spots
        ]
        for _ in range(self._count(10)):
            grid = rng.choice(shangbu_grids)
            plan.households.append(
                Meeting(
                    kind=Meeting.Kind.VISIT,
                    title=f"{grid.name}“1+10+N”党员联户走访",
                    held_at=self._past_workday(rng.uniform(2, 360)) + timedelta(hours=6),
                    place=grid.name,
                    region=grid,
                    host=county.town_govs["shangbu"],
                    created_by=created_by["shangbu_dispatcher"],
                    attendees="网格长、联户党员、网格员",
                    notes="入户走访联系户，收集诉求，排查矛盾纠纷和安全隐患。",
                )
            )
        for of_kind in (plan.chain, plan.visits, plan.evenings, plan.households):
            of_kind[:] = [m for m in of_kind if m.held_at < self.now - timedelta(hours=2)]
            meetings.extend(of_kind)
        Meeting.objects.bulk_create(meetings)
        self.meetings = plan
        self._next_meeting = {
            "chain": cycle(rng.sample(plan.chain, len(plan.chain))),
            "visit": cycle(rng.sample(plan.visits, len(plan.visits))),
            "evening": cycle(rng.sample(plan.evenings, len(plan.evenings))),
            "household": cycle(rng.sample(plan.households, len(plan.households))),
        }
        return plan

    # --- specs -------------------------------------------------------------------------------

    def plan(self) -> list[Spec]:
        """The forced cases that guarantee every type, channel and state, then random ones."""
        for item in self._forced()[: self.n]:
            self.specs.append(item)
        while len(self.specs) < self.n:
            type_code = pick(self.rng, TYPE_WEIGHTS)
            area = (
                "chain"
                if type_code in ("enterprise_demand", "ip_infringement")
                else pick(self.rng, AREA_WEIGHTS[type_code])
            )
            self.specs.append(self.make(type_code, area))
        return sorted(self.specs, key=lambda s: s.reported_at)

    def _forced(self) -> list[Spec]:
        make, ago = self.make, self._ago
        master = make("resident_issue", "shangbu", C.TRANSFER, "normal", reported_at=ago(20))
        return [
            make(
                "resident_issue",
                "dehua",
                C.HOTLINE,
                "normal",
                reported_at=self.now - timedelta(minutes=25),
                stop="reported",
            ),
            make("enterprise_demand", "chain", C.WEB, "normal", reported_at=ago(1), stop="triaged"),
            make("hazard", "shangbu", C.GRID, "normal", reported_at=ago(1), stop="assigned"),
            make("dispute", "shangbu", C.GRID, "normal", reported_at=ago(2), stop="accepted"),
            make("enterprise_demand", "chain", C.VISIT, "stuck", reported_at=ago(25)),
            make(
                "resident_issue",
                "huju",
                C.EVENING_MEETING,
                "on_spot",
                stop="answered",
                meeting=self.meetings.evenings[0] if self.meetings.evenings else None,
            ),
            make("ip_infringement", "chain", C.WEB, "normal", reported_at=ago(8), stop="visited"),
            make("resident_issue", "dehua", C.API, "reject", reported_at=ago(3)),
            master,
            make("resident_issue", "shangbu", C.GRID, "merge", master=master),
            make("enterprise_demand", "chain", C.MEETING, "normal", reported_at=ago(30)),
            make("dispute", "dehua", C.TRANSFER, "normal", reported_at=ago(30)),
            make("hazard", "dehua", C.VISIT, "extension", reported_at=ago(40)),
            make("enterprise_demand", "chain", C.HOTLINE, "send_back", reported_at=ago(35)),
            make("resident_issue", "huju", C.GRID, "rework", reported_at=ago(45)),
            make("enterprise_demand", "chain", C.API, "ext_refused", reported_at=ago(50)),
            make("ip_infringement", "chain", C.HOTLINE, "normal", reported_at=ago(60)),
            make("hazard", "huju", C.GRID, "late", reported_at=ago(70)),
            make("resident_issue", "huju", C.WALK_IN, "normal", reported_at=ago(12)),
        ]

    def _ago(self, working_days: int) -> datetime:
        local = timezone.localtime(deadlines.subtract_working_days(self.now, working_days))
        return local.replace(hour=9, minute=self.rng.randrange(30, 59), second=0, microsecond=0)

    def _moment(self, channel: str) -> datetime:
        """A report time: more recent months a little busier; field work on working days."""
        rng = self.rng
        while True:
            u = rng.random()
            x = (-0.7 + (0.49 + 1.2 * u) ** 0.5) / 0.6  # density 0.7 + 0.6x over the year
            day = timezone.localtime(self.start + timedelta(days=365 * x)).date()
            if channel in (C.VISIT, C.TRANSFER, C.MEETING) or (
                channel == C.GRID and rng.random() < 0.8
            ):
                while not deadlines.is_workday(day):
                    day += timedelta(days=1)
            hours_of: dict[str, tuple[float, float]] = {
                C.GRID: (8.5, 18),
                C.VISIT: (8.5, 17.5),
                C.TRANSFER: (9, 17),
                C.HOTLINE: (8, 21.5),
                C.WALK_IN: (8.5, 17.5),
                C.MEETING: (9, 17),
            }
            low, high = hours_of.get(channel, (7, 23.5))
            hours = rng.uniform(low, high)
            moment = self._local(day, 0) + timedelta(hours=hours)
            if moment < self.now - timedelta(minutes=10):
                return moment.replace(second=0, microsecond=0)

    def _scenario(self, type_code: str, area: str, channel: str) -> str:
        rng = self.rng
        share = ON_SPOT_SHARE.get((area, type_code), 0.0)
        if type_code == "enterprise_demand":
            share = 0.22 if channel in (C.MEETING, C.VISIT) else 0.05
        if channel in (C.API, C.TRANSFER):
            share = 0.0
        if rng.random() < share:
            return "on_spot"
        return pick(rng, SCENARIOS)

    def make(
        self,
        type_code: str,
        area: str,
        channel: str | None = None,
        scenario: str | None = None,
        *,
        reported_at: datetime | None = None,
        stop: str = "",
        meeting: Meeting | None = None,
        master: Spec | None = None,
    ) -> Spec:
        """One spec, consistent in place, channel, words and people."""
        rng, county = self.rng, self.county
        channel = channel or pick(
            rng, CHANNEL_WEIGHTS.get((area, type_code)) or CHANNEL_WEIGHTS[(area, "*")]
        )
        scenario = scenario or self._scenario(type_code, area, channel)
        if scenario == "merge" and master is None:
            master = self._master_for(type_code, area)
            if master is None:
                scenario = "normal"
        if master is not None:
            return self._duplicate(
                master, channel if channel not in (C.MEETING, C.EVENING_MEETING) else C.HOTLINE
            )
        topics = words.TOPICS[type_code]
        if type_code == "enterprise_demand":
            category = pick(rng, ENTERPRISE_CATEGORY_WEIGHTS)
        else:
            category = rng.choice(list(topics))
        pool = topics[category]
        if scenario == "on_spot":
            spot_topics = [(c, t) for c, ts in topics.items() for t in ts if t.on_spot]
            if type_code == "enterprise_demand" or not any(t.on_spot for t in pool):
                category, topic = rng.choice(spot_topics)
            else:
                topic = rng.choice([t for t in pool if t.on_spot])
        else:
            topic = rng.choice(pool)
        spec = Spec(
            type_code=type_code,
            area=area,
            channel=channel,
            scenario=scenario,
            reported_at=reported_at or self.now,
            category=category,
            topic=topic,
            region=county.region,
            village=("", ""),  # placed below
            stop=stop,
            brisk=bool(stop),
        )
        self._place(spec, meeting)
        if reported_at is None and spec.meeting is None:
            spec.reported_at = self._moment(channel)
        if scenario == "stuck" and self.now - spec.reported_at > timedelta(days=120):
            spec.scenario = "late"
        self._people(spec)
        self._grade(spec)
        spec.numbers = {
            "amount": rng.choice((30, 50, 80, 100, 150, 200, 300, 500)),
            "n": rng.randrange(3, 40),
            "n2": rng.randrange(2, 20),
            "mu": rng.choice((10, 15, 20, 30, 50)),
            "area": rng.choice((1500, 2000, 3000, 5000)),
            "kva": rng.choice((630, 800, 1250, 2000)),
            "m": rng.choice((80, 120, 200, 350, 600)),
            "t": rng.choice((5, 8, 12, 20, 30)),
            "equip": rng.choice(words.EQUIPMENT),
        }
        return spec

    def _master_for(self, type_code: str, area: str) -> Spec | None:
        candidates = [
            s
            for s in self.specs[-200:]
            if s.type_code == type_code
            and s.area == area
            and s.scenario not in ("reject", "merge")
            and not s.stop
            and s.meeting is None
            and s.reported_at < self.now - timedelta(hours=6)
        ]
        return self.rng.choice(candidates) if candidates else None

    def _duplicate(self, master: Spec, channel: str) -> Spec:
        """The same problem reported again by someone else, hours or days later."""
        rng = self.rng
        later = master.reported_at + timedelta(hours=rng.uniform(1, 72))
        later = min(
            later, max(master.reported_at + timedelta(minutes=30), self.now - timedelta(minutes=30))
        )
        spec = Spec(
            type_code=master.type_code,
            area=master.area,
            channel=channel,
            scenario="merge",
            reported_at=later.replace(second=0, microsecond=0),
            category=master.category,
            topic=master.topic,
            region=master.region,
            village=master.village,
            enterprise=master.enterprise,
            master=master,
            numbers=master.numbers,
            priority=master.priority,
            risk=master.risk,
            address=master.address,
        )
        if channel == C.WEB:
            spec.channel = C.HOTLINE
        self._people(spec)
        return spec

    def _place(self, spec: Spec, meeting: Meeting | None) -> None:
        """Where the case happens, and the meeting that raised it."""
        rng, county, channel = self.rng, self.county, spec.channel
        if spec.area == "chain":
            if channel in (C.MEETING, C.VISIT) and meeting is None:
                if channel == C.MEETING and self.meetings.chain:
                    meeting = next(self._next_meeting["chain"])
                elif channel == C.VISIT and self.meetings.visits and rng.random() < 0.6:
                    meeting = next(self._next_meeting["visit"])
            firms = county.enterprises
            if channel == C.WEB:
                firms = [e for e in firms if e.pk in county.liaisons]
            spec.enterprise = (
                meeting.enterprise if meeting and meeting.enterprise else rng.choice(firms)
            )
            spec.village = self.village_keys[spec.enterprise.region_id]
            spec.region = county.spots[spec.village][0]
            spec.address = f"{county.towns[spec.village[0]].name}{spec.enterprise.park}"
        else:
            if channel == C.EVENING_MEETING and meeting is None and self.meetings.evenings:
                meeting = next(self._next_meeting["evening"])
            if (
                channel == C.VISIT
                and spec.area == "shangbu"
                and meeting is None
                and self.meetings.households
                and rng.random() < 0.6
            ):
                meeting = next(self._next_meeting["household"])
            if meeting is not None and meeting.region is not None and meeting.region.level >= 3:
                village_key = (
                    self.village_keys.get(meeting.region_id) or self.spot_village[meeting.region_id]
                )
            else:
                village_key = rng.choice(
                    [k for k in county.spots if self._area_of(k[0]) == spec.area]
                )
            spec.village = village_key
            if (
                meeting is not None
                and meeting.region is not None
                and meeting.region_id in self.spot_village
            ):
                spec.region = meeting.region
            else:
                spec.region = rng.choice(county.spots[village_key])
            if "{ent}" in spec.topic.detail:
                firms = self._firms_in(spec.area)
                spec.enterprise = rng.choice(firms)
                if spec.type_code == "hazard":
                    spec.village = self.village_keys[spec.enterprise.region_id]
                    spec.region = county.spots[spec.village][0]
            town = county.towns[spec.village[0]].name
            spec.address = f"{town}{spec.region.name}"
        spec.meeting = meeting
        if meeting is not None:
            spec.reported_at = (meeting.held_at + timedelta(minutes=rng.uniform(5, 100))).replace(
                second=0, microsecond=0
            )

    @staticmethod
    def _area_of(town_key: str) -> str:
        return town_key if town_key in ("huju", "shangbu") else "dehua"

    def _firms_in(self, area: str) -> list[Organisation]:
        county = self.county
        if area == "huju":
            return county.rural_enterprises
        shangbu = [e for e in county.enterprises if self.village_keys[e.region_id][0] == "shangbu"]
        return shangbu if area == "shangbu" else [e for e in county.enterprises if e not in shangbu]

    def _people(self, spec: Spec) -> None:
        """Who asks: an enterprise contact, a villager representative, a household, a caller."""
        rng, county = self.rng, self.county
        if spec.channel == C.WEB:
            if spec.area == "chain":
                spec.web_user = county.liaisons.get(spec.enterprise.pk) if spec.enterprise else None
            else:
                town = "xunzhong" if spec.area == "dehua" else spec.area
                spec.web_user = county.residents.get(town)
                if spec.web_user is not None and spec.type_code != "hazard" and spec.master is None:
                    person = spec.web_user.person
                    # Every demo resident is a person living in a place.
                    assert person is not None and person.region is not None
                    spec.region = person.region
                    spec.village = self.spot_village.get(person.region_id, spec.village)
        if spec.web_user is not None:
            spec.requester = spec.web_user.person
        elif spec.area == "chain" and spec.enterprise is not None:
            spec.requester = county.contacts[spec.enterprise.pk]
        elif (
            spec.area == "huju"
            and spec.channel == C.GRID
            and spec.region.pk in county.representatives
        ):
            spec.requester = county.representatives[spec.region.pk]
        elif spec.type_code == "hazard" and spec.channel in (C.GRID, C.VISIT):
            return  # found on patrol or inspection: no requester
        else:
            households = county.households.get(spec.region.pk)
            if households:
                household = rng.choice(households)
                spec.requester_name, spec.requester_phone = household.head_name, household.phone
                spec.address = household.address
            else:
                spec.requester_name, spec.requester_phone = fake.person_name(rng), fake.mobile(rng)

    def _grade(self, spec: Spec) -> None:
        """Priority and, for disputes, risk: the dispatcher's 研判."""
        rng = self.rng
        if spec.brisk:
            spec.priority, spec.risk = (
                Priority.NORMAL,
                (RiskLevel.LOW if spec.type_code == "dispute" else ""),
            )
            return
        if spec.type_code == "dispute":
            spec.risk = pick(rng, {RiskLevel.LOW: 70, RiskLevel.MEDIUM: 25, RiskLevel.HIGH: 5})
            by_risk: dict[str, dict[str, float]] = {
                RiskLevel.LOW: {Priority.NORMAL: 90, Priority.IMPORTANT: 10},
                RiskLevel.MEDIUM: {Priority.IMPORTANT: 60, Priority.NORMAL: 40},
                RiskLevel.HIGH: {Priority.URGENT: 50, Priority.IMPORTANT: 50},
            }
            spec.priority = pick(rng, by_risk[spec.risk])
            return
        spec.priority = pick(
            rng,
            {
                "enterprise_demand": {
                    Priority.NORMAL: 68,
                    Priority.IMPORTANT: 20,
                    Priority.COMPLEX: 10,
                    Priority.URGENT: 2,
                },
                "resident_issue": {
                    Priority.NORMAL: 80,
                    Priority.IMPORTANT: 10,
                    Priority.URGENT: 5,
                    Priority.COMPLEX: 5,
                },
                "hazard": {
                    Priority.NORMAL: 55,
                    Priority.IMPORTANT: 25,
                    Priority.URGENT: 15,
                    Priority.COMPLEX: 5,
                },
                "ip_infringement": {
                    Priority.COMPLEX: 40,
                    Priority.NORMAL: 45,
                    Priority.IMPORTANT: 15,
                },
            }[spec.type_code],
        )
