"""Make a large, realistic case table for the metrics benchmark — with the engine first.

Two phases, and why:

1. **Engine sample.** A county of 10 towns, 30 grids and 40 handling units (30 county
   departments and 10 town governments), with a dispatcher, one handler per unit and one grid
   worker per town. A few thousand cases go through the real moves of ``cases/services.py``
   over the 12 months of 2025, the clock set by ``time_machine`` for every move: on-the-spot
   answers, answers on time and late, extensions, send-backs, overdue and supervised cases,
   return visits that fail to reach or leave the requester (basic-)satisfied or unsatisfied,
   rework, merged duplicates, refusals, and disputes with their mediation outcomes. Every
   column the rates read is therefore written by the engine.
2. **Clones.** To reach 100,000 or 1,000,000 rows, the engine-made rows are copied with
   ``bulk_create`` in batches of 10,000: a fresh pk, number and no source key, every datetime
   shifted by whole months inside the same 12 months (``reported_month`` recomputed), and the
   lead unit and region rotated among the 40 units and 30 grids. Events, assignments and
   attachments are *not* cloned: the rates read only ``Case`` columns. A clone of a merged
   case still points at its engine-made master.

    .venv/bin/python bench/generate.py --db postgres --total 100000
    .venv/bin/python bench/generate.py --db sqlite --total 1000000 --sample 3000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import add_database_arguments, database_url, print_table, setup_django  # noqa: E402

YEAR = 2025
MONTHS = [YEAR * 100 + m for m in range(1, 13)]
LOCAL = ZoneInfo("Asia/Shanghai")
BATCH = 10_000
SEED = 20250101

DEPARTMENTS = [
    "人力资源和社会保障局", "市场监督管理局", "自然资源局", "住房和城乡建设局", "生态环境局", "交通运输局",
    "农业农村局", "水利局", "卫生健康局", "教育局", "民政局", "公安局", "司法局", "应急管理局", "商务局",
    "工业和信息化局", "发展和改革局", "财政局", "税务局", "城市管理局", "文化和旅游局", "医疗保障局",
    "行政审批服务局", "信访局", "退役军人事务局", "林业局", "科技局", "统计局", "金融工作办公室", "供电公司",
]  # fmt: skip
TOWNS = [
    "浔中镇",
    "龙浔镇",
    "三班镇",
    "盖德镇",
    "雷峰镇",
    "南埕镇",
    "水口镇",
    "赤水镇",
    "上涌镇",
    "葛坑镇",
]
TYPE_WEIGHTS = {
    "resident_issue": 45,
    "enterprise_demand": 25,
    "dispute": 15,
    "hazard": 10,
    "ip_infringement": 5,
}
PRIORITY_WEIGHTS = {"normal": 70, "important": 15, "complex": 10, "urgent": 5}
CHANNELS = {
    "resident_issue": ["grid", "hotline", "evening_meeting", "web"],
    "enterprise_demand": ["visit", "meeting", "hotline", "web"],
    "dispute": ["grid", "hotline", "visit"],
    "hazard": ["grid", "visit"],
    "ip_infringement": ["hotline", "web", "transfer"],
}
TITLES = {
    "resident_issue": ("路灯不亮", "主干道三盏路灯不亮，夜间出行不便。"),
    "enterprise_demand": ("用工缺口", "企业旺季缺少拉坯、彩绘工人约三十名，请求协助招聘。"),
    "dispute": ("宅基地边界纠纷", "两户因宅基地边界围墙发生争执，多次协商未果。"),
    "hazard": ("窑炉燃气管道老化", "作坊窑炉燃气管道接头锈蚀，存在泄漏风险。"),
    "ip_infringement": ("外观设计被仿冒", "企业登记的白瓷外观设计被外地商家仿冒销售。"),
}
MEDIATION_OUTCOMES = {"success": 85, "failed": 8, "referred": 5, "terminated": 2}


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class GenWorld:
    """The county the sample runs in: regions, units, enterprises and one user per duty."""

    county: Any
    grids: list[Any]
    town_of_grid: dict[int, Any]
    units: list[Any]
    town_government: dict[int, Any]
    enterprises: list[Any]
    chain: Any
    dispatcher: Any
    handlers: dict[int, Any]
    grid_workers: dict[int, Any]
    types: dict[str, Any]
    categories: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def build(cls) -> GenWorld:
        from cases.reference import ensure_reference_data
        from cases.tests.world import make_user
        from orgs.credit_code import make_credit_code
        from orgs.models import Organisation, OrgKind
        from people.models import Role
        from regions.models import Region, RegionLevel

        types = ensure_reference_data()
        county = Region.objects.create(name="德化县", code="350526", level=RegionLevel.COUNTY)
        chain = Organisation.objects.create(
            kind=OrgKind.CHAIN_COMMITTEE, name="德化县陶瓷产业链党委", region=county
        )
        grids, town_of_grid, town_government, grid_workers = [], {}, {}, {}
        units = [
            Organisation.objects.create(
                kind=OrgKind.DEPARTMENT, name=f"德化县{name}", short_name=name, region=county
            )
            for name in DEPARTMENTS
        ]
        enterprises = []
        for t, town_name in enumerate(TOWNS, start=1):
            town = Region.objects.create(
                name=town_name, code=f"350526{100 + t}", level=RegionLevel.TOWN, parent=county
            )
            government = Organisation.objects.create(
                kind=OrgKind.TOWN_GOVERNMENT,
                name=f"{town_name}人民政府",
                short_name=town_name,
                region=town,
            )
            units.append(government)
            town_government[town.pk] = government
            grid_workers[town.pk] = make_user(f"grid_worker_{t}", Role.GRID_WORKER, region=town)
            for v in range(1, 4):
                village = Region.objects.create(
                    name=f"{town_name}第{v}村",
                    code=f"{town.code}{v:03d}",
                    level=RegionLevel.VILLAGE,
                    parent=town,
                )
                grid = Region.objects.create(
                    name=f"{village.name}网格",
                    code=f"{village.code}G1",
                    level=RegionLevel.PIECE,
                    parent=village,
                    is_grid=True,
                )
                grids.append(grid)
                town_of_grid[grid.pk] = town
            for e in range(1, 3):
                enterprises.append(
                    Organisation.objects.create(
                        kind=OrgKind.ENTERPRISE,
                        name=f"{town_name}陶瓷企业{e}号",
                        region=town,
                        chain=chain,
                        credit_code=make_credit_code("9", "1", "350526", f"MA2Y{t:02d}{e:03d}"),
                    )
                )
        handlers = {
            unit.pk: make_user(f"handler_{unit.pk}", Role.DEPT_HANDLER, organisation=unit)
            for unit in units
        }
        world = cls(
            county=county,
            grids=grids,
            town_of_grid=town_of_grid,
            units=units,
            town_government=town_government,
            enterprises=enterprises,
            chain=chain,
            dispatcher=make_user("dispatcher", Role.DISPATCHER, region=county),
            handlers=handlers,
            grid_workers=grid_workers,
            types=types,
        )
        world.categories = {code: list(t.categories.order_by("code")) for code, t in types.items()}
        return world


class Clock:
    """The engine's clock: every move happens at the moment the scenario says."""

    def __init__(self, traveller: Any) -> None:
        self.traveller = traveller
        self.now: datetime = datetime(YEAR, 1, 1, 9, tzinfo=LOCAL)

    def start(self, moment: datetime) -> datetime:
        """A new case's first move: cases are independent, so its clock may be earlier."""
        self.now = moment
        self.traveller.move_to(moment)
        return moment

    def at(self, moment: datetime) -> datetime:
        # Moves only go forward: an event never predates the one before it.
        self.now = max(moment, self.now + timedelta(seconds=1))
        self.traveller.move_to(self.now)
        return self.now

    def after_working_hours(self, hours: float) -> datetime:
        from cases import deadlines

        return self.at(deadlines.add_working_hours(self.now, hours))


@dataclass
class SampleStats:
    """What the engine sample did, by scenario and by move."""

    scenarios: dict[str, int] = field(default_factory=dict)
    moves: int = 0
    seconds: float = 0.0

    def count(self, name: str) -> None:
        self.scenarios[name] = self.scenarios.get(name, 0) + 1


class Sample:
    """Runs varied, realistic lifecycles through the services."""

    def __init__(self, world: GenWorld, rng: random.Random, clock: Clock) -> None:
        self.world = world
        self.rng = rng
        self.clock = clock
        self.masters: list[Any] = []
        self.stats = SampleStats()

    def _do(self, move: Any, *args: Any, **kwargs: Any) -> Any:
        self.stats.moves += 1
        return move(*args, **kwargs)

    def start_moment(self, month: int) -> datetime:
        from cases import deadlines

        day = self.rng.randint(1, 28)
        moment = datetime(
            month // 100,
            month % 100,
            day,
            self.rng.randint(9, 16),
            self.rng.randint(0, 59),
            tzinfo=LOCAL,
        )
        if not deadlines.is_workday(moment.date()):
            next_day = deadlines.next_workday(moment.date())
            moment = moment.replace(year=next_day.year, month=next_day.month, day=next_day.day)
        return moment

    def run_case(self, index: int) -> None:
        from cases import services

        w, rng = self.world, self.rng
        month = MONTHS[index % len(MONTHS)]
        type_code = pick(rng, TYPE_WEIGHTS)
        grid = rng.choice(w.grids)
        town = w.town_of_grid[grid.pk]
        collector = w.grid_workers[town.pk]
        title, description = TITLES[type_code]
        self.clock.start(self.start_moment(month))
        channel = rng.choice(CHANNELS[type_code])
        case = self._do(
            services.report_case,
            # A grid worker registers what they collect in the field; the hotline's and the
            # web's cases are registered by the dispatcher (services.CHANNELS_BY_ROLE).
            actor=collector if channel in services.FIELD_CHANNELS else w.dispatcher,
            case_type=w.types[type_code],
            region=grid,
            title=title,
            description=description,
            channel=channel,
            requester_name="张三",
            requester_phone=f"139{rng.randint(10**7, 10**8 - 1)}",
            enterprise=rng.choice(w.enterprises) if type_code == "enterprise_demand" else None,
            committee=w.chain if type_code in ("enterprise_demand", "ip_infringement") else None,
        )
        roll = rng.random()
        if roll < 0.04:
            self.clock.after_working_hours(1)
            self._do(
                services.reject_case,
                case,
                actor=w.dispatcher,
                reason="不属于受理范围，已告知诉求人向法院起诉。",
            )
            self.stats.count("rejected")
        elif roll < 0.08 and self.masters:
            self.clock.after_working_hours(0.5)
            master = rng.choice(self.masters[-50:])
            self._do(
                services.merge_case, case, actor=w.dispatcher, master=master, note="重复反映。"
            )
            self.stats.count("merged")
        elif roll < 0.23 and type_code in ("resident_issue", "hazard", "dispute"):
            self.clock.after_working_hours(0.2)
            case = self._do(
                services.resolve_on_spot, case, actor=collector, answer="网格员现场协调处理完毕。"
            )
            self.stats.count("on_spot")
            self.visit_and_close(case, collector, reopen_allowed=False)
        else:
            self.masters.append(case)
            self.handle(case, type_code, collector, town)

    def handle(self, case: Any, type_code: str, collector: Any, town: Any) -> None:
        """Triage, assign and handle: the main road with its side moves."""
        from cases import services

        w, rng = self.world, self.rng
        self.clock.after_working_hours(rng.uniform(0.2, 2))
        category = rng.choice(w.categories[type_code])
        risk = rng.choice(["low", "medium", "high"]) if type_code == "dispute" else ""
        case = self._do(
            services.triage_case,
            case,
            actor=w.dispatcher,
            category=category,
            priority=pick(rng, PRIORITY_WEIGHTS),
            risk_level=risk,
        )
        unit = (
            w.town_government[town.pk]
            if rng.random() < 0.35
            else rng.choice(w.units[: len(DEPARTMENTS)])
        )
        if rng.random() < 0.04:
            wrong = rng.choice([u for u in w.units if u.pk != unit.pk])
            self.clock.after_working_hours(0.5)
            case = self._do(services.assign_case, case, actor=w.dispatcher, lead_unit=wrong)
            self.clock.after_working_hours(rng.uniform(1, 6))
            case = self._do(
                services.send_back,
                case,
                actor=w.handlers[wrong.pk],
                reason_code="not_remit",
                reason="该事项属其他部门职责，依据三定方案退回。",
            )
            self.clock.after_working_hours(1)
            case = self._do(services.triage_case, case, actor=w.dispatcher)
            self.stats.count("sent_back")
        self.clock.after_working_hours(rng.uniform(0.2, 1))
        case = self._do(services.assign_case, case, actor=w.dispatcher, lead_unit=unit)
        handler = w.handlers[unit.pk]
        self.clock.after_working_hours(rng.uniform(0.1, 2))
        case = self._do(services.accept_case, case, actor=handler)
        if rng.random() < 0.5:
            self.clock.after_working_hours(rng.uniform(0.5, 4))
            case = self._do(
                services.add_progress_note, case, actor=handler, note="已联系诉求人，正在现场核实。"
            )
        if rng.random() < 0.03 and case.deadline > self.clock.now:
            from cases import deadlines

            self.clock.at(self.clock.now + (case.deadline - self.clock.now) / 3)
            case = self._do(
                services.request_extension,
                case,
                actor=handler,
                until=deadlines.add_working_days(case.deadline, 5),
                reason="需协调多个部门，申请延期。",
            )
            self.clock.after_working_hours(1)
            case = self._do(services.approve_extension, case, actor=w.dispatcher, note="同意延期。")
            self.stats.count("extended")

        fate = rng.random()
        if fate < 0.06:
            case = self.overdue(case)
            if rng.random() < 0.6:
                self.clock.after_working_hours(8)
                self._do(
                    services.supervise_case, case, actor=w.dispatcher, note="超期未办结，予以督办。"
                )
            self.stats.count("overdue_open")
            return
        if fate < 0.18:
            case = self.overdue(case)
            self.clock.after_working_hours(rng.uniform(4, 40))
            self.stats.count("answered_late")
        else:
            span = max(case.deadline - self.clock.now, timedelta(minutes=10))
            self.clock.at(self.clock.now + span * rng.uniform(0.2, 0.95))
            self.stats.count("answered_in_time")
        if type_code in ("dispute", "ip_infringement"):
            case = self._do(
                services.record_mediation,
                case,
                actor=handler,
                note="组织双方调解。",
                outcome=pick(rng, MEDIATION_OUTCOMES),
            )
        case = self._do(services.answer_case, case, actor=handler, answer="已办结并答复诉求人。")
        if rng.random() < 0.03:
            self.stats.count("awaiting_visit")
            return
        self.visit_and_close(case, collector, reopen_allowed=True, handler=handler)

    def overdue(self, case: Any) -> Any:
        from cases import services

        self.clock.at(case.deadline + timedelta(minutes=5))
        return self._do(services.mark_overdue, case)

    def visit_and_close(
        self, case: Any, visitor: Any, *, reopen_allowed: bool, handler: Any = None
    ) -> None:
        from cases import services

        w, rng = self.world, self.rng
        self.clock.after_working_hours(rng.uniform(2, 10))
        if rng.random() < 0.04:
            case = self._do(
                services.return_visit, case, actor=visitor, reached=False, note="电话无人接听。"
            )
            self.clock.after_working_hours(rng.uniform(2, 8))
            self.stats.count("visit_unreached_once")
        satisfaction = pick(rng, {"satisfied": 72, "basic": 18, "unsatisfied": 10})
        resolved = satisfaction != "unsatisfied" or rng.random() < 0.3
        case = self._do(
            services.return_visit,
            case,
            actor=visitor,
            reached=True,
            contacted=rng.random() < 0.97,
            resolved=resolved,
            satisfaction=satisfaction,
        )
        if not case.visit_passed and reopen_allowed and rng.random() < 0.8:
            self.clock.after_working_hours(1)
            case = self._do(
                services.reopen_case, case, actor=w.dispatcher, reason="诉求人不满意，重新办理。"
            )
            self.stats.count("reopened")
            self.clock.at(self.clock.now + (case.deadline - self.clock.now) * rng.uniform(0.2, 0.9))
            case = self._do(services.answer_case, case, actor=handler, answer="重新办理完毕。")
            self.clock.after_working_hours(rng.uniform(2, 10))
            case = self._do(
                services.return_visit,
                case,
                actor=visitor,
                reached=True,
                contacted=True,
                resolved=True,
                satisfaction=pick(rng, {"satisfied": 70, "basic": 30}),
            )
        self.clock.after_working_hours(rng.uniform(1, 8))
        note = "" if case.visit_passed else "诉求人要求超出政策范围，已解释说明。"
        self._do(services.close_case, case, actor=w.dispatcher, note=note)


def run_sample(cases: int, *, seed: int = SEED) -> tuple[GenWorld, SampleStats]:
    """Build the county and run ``cases`` lifecycles through the engine."""
    import time_machine

    world = GenWorld.build()
    rng = random.Random(seed)
    start = time.perf_counter()
    with time_machine.travel(datetime(YEAR, 1, 1, 9, tzinfo=LOCAL), tick=False) as traveller:
        sample = Sample(world, rng, Clock(traveller))
        for index in range(cases):
            sample.run_case(index)
    sample.stats.seconds = time.perf_counter() - start
    return world, sample.stats


# --- Cloning ---------------------------------------------------------------------------------

DATETIME_FIELDS = (
    "reported_at", "triaged_at", "assigned_at", "accepted_at", "first_answered_at", "answered_at",
    "visited_at", "closed_at", "deadline", "response_deadline", "pending_extension_until", "reminded_at",
)  # fmt: skip
CLONE_PREFIX = "LXC"  # engine numbers are LX + date, so a clone is never taken for one
NOT_CLONED = {"id", "number", "source_key", "updated_at", "reported_month"}


def engine_made(manager: Any) -> Any:
    """The cases the engine made (the clones' templates), as opposed to the clones."""
    return manager.exclude(number__startswith=CLONE_PREFIX)


def _month_start(month: int) -> datetime:
    return datetime(month // 100, month % 100, 1, tzinfo=LOCAL)


@contextmanager
def _timer(holder: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    holder[name] = holder.get(name, 0.0) + time.perf_counter() - start


def clone_up_to(
    total: int, *, seed: int = SEED, batch: int = BATCH, verbose: bool = True
) -> dict[str, float]:
    """Add clones of the engine-made cases until the table holds ``total`` rows.

    Returns the seconds spent building objects and inserting them.
    """
    from django.db import transaction

    from cases.models import Case
    from orgs.models import Organisation, OrgKind
    from regions.models import Region

    timings: dict[str, float] = {}
    existing = Case.objects.count()
    if existing >= total:
        return timings
    names = [f.attname for f in Case._meta.concrete_fields if f.attname not in NOT_CLONED]
    templates = list(engine_made(Case.objects).order_by("pk").values(*names))
    if not templates:
        raise SystemExit("no engine-made cases to clone: run the sample first")
    units = list(
        Organisation.objects.filter(kind__in=[OrgKind.DEPARTMENT, OrgKind.TOWN_GOVERNMENT])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    grids = list(Region.objects.filter(is_grid=True).order_by("pk").values_list("pk", flat=True))
    unit_index = {pk: i for i, pk in enumerate(units)}
    grid_index = {pk: i for i, pk in enumerate(grids)}
    month_index = {m: i for i, m in enumerate(MONTHS)}
    shifts = [
        [_month_start(MONTHS[j]) - _month_start(MONTHS[i]) for j in range(12)] for i in range(12)
    ]
    rng = random.Random(seed + existing)
    sequence = existing
    while sequence < total:
        size = min(batch, total - sequence)
        with _timer(timings, "build"):
            objects = []
            for _ in range(size):
                template = templates[sequence % len(templates)]
                fields = dict(template)
                source = month_index[_month_of(template["reported_at"])]
                target = rng.randrange(12)
                delta = shifts[source][target]
                for name in DATETIME_FIELDS:
                    if fields[name] is not None:
                        fields[name] = fields[name] + delta
                offset = rng.randrange(len(units))
                if fields["lead_unit_id"] is not None:
                    fields["lead_unit_id"] = units[
                        (unit_index[fields["lead_unit_id"]] + offset) % len(units)
                    ]
                fields["region_id"] = grids[(grid_index[fields["region_id"]] + offset) % len(grids)]
                fields["reported_month"] = MONTHS[target]
                fields["number"] = f"{CLONE_PREFIX}{sequence:011d}"
                objects.append(Case(**fields))
                sequence += 1
        with _timer(timings, "insert"), transaction.atomic():
            Case.objects.bulk_create(objects, batch_size=batch)
        if verbose:
            print(
                f"  {sequence:>9,} cases  (build {timings['build']:.1f} s, insert {timings['insert']:.1f} s)",
                flush=True,
            )
    return timings


def _month_of(moment: datetime) -> int:
    local = moment.astimezone(LOCAL)
    return local.year * 100 + local.month


def generate(total: int, sample: int, *, verbose: bool = True) -> dict[str, Any]:
    """Run the sample if the database has none yet, then clone up to ``total``; report timings."""
    from cases.models import Case

    report: dict[str, Any] = {}
    if not engine_made(Case.objects).exists():
        start = time.perf_counter()
        _, stats = run_sample(sample)
        report["sample_cases"] = sample
        report["sample_moves"] = stats.moves
        report["sample_seconds"] = time.perf_counter() - start
        report["scenarios"] = stats.scenarios
        if verbose:
            print(
                f"engine sample: {sample:,} cases, {stats.moves:,} moves in {report['sample_seconds']:.1f} s "
                f"({stats.moves / stats.seconds:,.0f} moves/s under time_machine)",
                flush=True,
            )
    before = Case.objects.count()
    start = time.perf_counter()
    report["clone_timings"] = clone_up_to(total, verbose=verbose)
    report["clone_seconds"] = time.perf_counter() - start
    report["total"] = Case.objects.count()
    report["clones_added"] = report["total"] - before
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser)
    parser.add_argument(
        "--total", type=int, default=100_000, help="cases in the table at the end (default 100,000)"
    )
    parser.add_argument(
        "--sample", type=int, default=3_000, help="cases run through the engine (default 3,000)"
    )
    args = parser.parse_args(argv)

    setup_django(database_url(args), fresh=not args.keep, options=args.db_option)
    from bench.common import database_version

    report = generate(args.total, args.sample)
    added, seconds = report["clones_added"], report["clone_seconds"]
    print_table(
        [
            "database",
            "engine cases (this run)",
            "engine moves",
            "engine s",
            "clones added",
            "clone s",
            "clone rows/s",
            "total rows",
        ],
        [
            [
                database_version(),
                report.get("sample_cases", 0),
                report.get("sample_moves", 0),
                report.get("sample_seconds", 0.0),
                added,
                seconds,
                added / seconds if added else 0.0,
                report["total"],
            ]
        ],
        title="Generation",
    )
    if report.get("scenarios"):
        print_table(
            ["scenario", "cases"],
            sorted(report["scenarios"].items()),
            title="Engine sample scenarios",
        )


if __name__ == "__main__":
    main()
