"""A city's day over HTTP on PostgreSQL (issue 14): many cases through the whole loop while the
background work of production runs beside them.

What runs, all on this machine:

- **the database**: a fresh PostgreSQL database ``lianxin_bench_city`` holding a city made by
  the real services — the test world (``cases.tests.world.World``) grown to ``--towns`` towns
  of ``--grids`` grids each (a grid worker each), ``--units`` departments (``--handlers``
  handlers and a head each) and ``--dispatchers`` county dispatchers, every actor with an API
  key;
- **the server**: gunicorn ``config.wsgi:application`` with ``--workers`` sync workers, started
  by ``bench.api_http.start_server`` (DEBUG off, rate limit lifted, log level ERROR) with
  ``LIANXIN_SERVER_TIMING=1``, so every response says how long Django took, how long its
  queries took and how many it sent (``config/servertiming.py``);
- **the background**, as ``scripts/prod.sh`` starts it: ``sweep_overdue --schedule``,
  ``notify_visits_due --schedule`` and ``detect_hotspots --schedule`` once, then
  ``--task-workers`` × ``manage.py db_worker --interval 2 --no-reload --queue-name '*'``. They
  run the notifications each move calls for (produce, then deliver: SMS through the console
  backend, in-site messages by being written; in the quiet hours, 22:00-07:00 Beijing time,
  non-urgent text messages wait, ``--quiet-hours ''`` lifts them) and the periodic rounds,
  which re-enqueue themselves every ``--sweep-interval`` seconds (production: 600; default
  here 60, so a short run sees several sweeps);
- **the load**: ``--clients`` client *processes*, each taking its share of the ``--cases``
  cases one after the other through the loop, a ``requests.Session`` per actor: create (grid
  worker) → triage → assign → accept → answer → return visit → close, 7 requests per case
  (``--note`` adds the handler's progress note: 8). Each move sends the version it read; a 409
  ``stale`` (the sweep reminded the case in between) is answered by reading the case again and
  retrying, and counted.

Reported: wall time, cases/s, moves/s (every request of the loop changes the database), per
request kind the client-side p50/p99 latency, the median server time (``app``), queries per
request (median and max) and the database's share (sum of ``db`` ÷ sum of ``app``); CPU seconds
by component (gunicorn, PostgreSQL, task workers, clients) from /proc; the tasks the workers ran
and the notifications written. At the end the database must hold every case closed with exactly
one event of each move (sweep reminders aside); otherwise the script exits non-zero.

After the last case the script waits (``--drain`` seconds at most) for the task workers to
finish the tasks already due — the notifications of the last moves — and reports how long that
took and what was left. The CPU seconds give a bound for the issue's target: CPU per case ×
50,000 ÷ cores is the least time 50,000 cases can take here, however the work is spread.

How to run (PostgreSQL on 127.0.0.1:5432; set-up about 20 s; at ~3 cases/s on the shared
2-core machine of December 2026, 200 cases take about 1 minute, 2,000 about 13)::

    .venv/bin/python bench/city_day.py --cases 200              # a smoke run
    nice -n 5 .venv/bin/python bench/city_day.py --cases 2500   # ~15 minutes here
    nice -n 5 .venv/bin/python bench/city_day.py                # the issue's 50,000 cases
    .venv/bin/python bench/city_day.py --workers 3 --clients 6 --task-workers 1

Logs of the task workers: /tmp/lianxin_city_day_worker*.log.
"""

from __future__ import annotations

import argparse
import array
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    database_version,
    load_average,
    print_table,
    setup_django,
)

URL = "postgres://postgres@127.0.0.1:5432/lianxin_bench_city"
DATABASE = "lianxin_bench_city"
# The request kinds of the loop, in order; then a move refused as stale (409) and the re-read
# that follows it.
KINDS = ["create", "triage", "assign", "accept", "note", "answer", "return-visit", "close"]
EXTRA = {"stale": "move refused: stale (409)", "read": "re-read after 409"}
# The events every case must end with, one each (``progress_noted`` too with --note).
LOOP_EVENTS = ["reported", "triaged", "assigned", "accepted", "answered", "visited", "closed"]
# Events the sweep may add on its own (actor-less) while a case is open.
SYSTEM_EVENTS = {"reminded", "overdue", "supervised"}
PRIORITIES = [("normal", 80), ("important", 15), ("urgent", 5)]
TOWN_NAMES = ["浔中镇", "龙浔镇", "三班镇", "盖德镇", "雷峰镇", "水口镇", "赤水镇", "上涌镇",
              "葛坑镇", "杨梅乡", "汤头乡", "桂阳乡", "国宝乡", "美湖镇", "南埕镇", "龙门滩镇"]  # fmt: skip
UNIT_NAMES = [("德化县住房和城乡建设局", "住建局"), ("德化县交通运输局", "交通局"),
              ("德化县城市管理局", "城管局"), ("德化县水利局", "水利局"),
              ("德化县生态环境局", "环境局"), ("德化县教育局", "教育局"),
              ("德化县卫生健康局", "卫健局"), ("德化县民政局", "民政局"),
              ("德化县农业农村局", "农业农村局"), ("德化县自然资源局", "资源局")]  # fmt: skip
ISSUES = [("路灯不亮", "主路三盏路灯不亮，夜间出行不便。"),
          ("道路破损", "村道中段路面塌陷，车辆通行困难。"),
          ("噪音扰民", "夜间工地施工噪音大，影响休息。"),
          ("垃圾未清运", "垃圾点三天未清运，气味很大。"),
          ("自来水停水", "小区停水一天，没有通知。")]  # fmt: skip
TIMING = re.compile(r'app;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"')


# --- The city ---------------------------------------------------------------------------------


@dataclass
class City:
    """What the clients need, as plain data (it crosses into spawned processes)."""

    keys: dict[str, str]  # actor → raw API key
    grids: list[tuple[str, str]]  # (grid code, its grid worker)
    units: list[tuple[int, list[str]]]  # (department id, its handlers)
    dispatchers: list[str]
    categories: list[int]


def build_city(
    towns: int, grids: int, units: int, handlers: int, dispatchers: int
) -> tuple[City, int]:
    """The test world grown into a county: every row through the models and services the product
    uses (regions, organisations, users with roles, API keys). Answers the city and the number
    of actors."""
    from cases.tests.world import World, make_user
    from orgs.models import Organisation, OrgKind
    from people.apikeys import create_api_key
    from people.models import Role
    from regions.models import Region, RegionLevel

    world = World.build()
    users: dict[str, Any] = {}
    grid_list: list[tuple[str, str]] = []
    for t in range(towns):
        if t < 2:
            town = [world.town, world.other_town][t]
        else:
            name = TOWN_NAMES[t % len(TOWN_NAMES)] + ("" if t < len(TOWN_NAMES) else str(t))
            town = Region.objects.create(
                name=name, code=f"350526{100 + t}", level=RegionLevel.TOWN, parent=world.county
            )
        village = Region.objects.create(
            name=f"{town.name}中心村",
            code=f"{town.code}200",
            level=RegionLevel.VILLAGE,
            parent=town,
        )
        for g in range(grids):
            grid = Region.objects.create(
                name=f"{village.name}第{g + 1}网格",
                code=f"{village.code}G{g + 1}",
                level=RegionLevel.PIECE,
                parent=village,
                is_grid=True,
            )
            name = f"grid_worker_{t}_{g}"
            users[name] = make_user(name, Role.GRID_WORKER, region=grid, phone=_phone(len(users)))
            grid_list.append((grid.code, name))
    unit_list: list[tuple[int, list[str]]] = []
    for u in range(units):
        if u < 2:
            unit = [world.dept, world.other_dept][u]
        else:
            full, short = UNIT_NAMES[(u - 2) % len(UNIT_NAMES)]
            suffix = "" if u - 2 < len(UNIT_NAMES) else str(u)
            unit = Organisation.objects.create(
                kind=OrgKind.DEPARTMENT,
                name=full + suffix,
                short_name=short + suffix,
                region=world.county,
            )
        names = []
        for h in range(handlers):
            name = f"handler_{u}_{h}"
            users[name] = make_user(
                name, Role.DEPT_HANDLER, organisation=unit, phone=_phone(len(users))
            )
            names.append(name)
        head = f"head_{u}"
        users[head] = make_user(head, Role.DEPT_HEAD, organisation=unit, phone=_phone(len(users)))
        unit_list.append((unit.pk, names))
    dispatcher_names = []
    for d in range(dispatchers):
        name = f"dispatcher_{d}"
        users[name] = make_user(
            name, Role.DISPATCHER, region=world.county, phone=_phone(len(users))
        )
        dispatcher_names.append(name)
    keys = {
        name: create_api_key(f"city-{name}", user=user)[1]
        for name, user in users.items()
        if not name.startswith("head_")
    }
    categories = list(
        world.types["resident_issue"].categories.order_by("code").values_list("pk", flat=True)
    )
    city = City(keys, grid_list, unit_list, dispatcher_names, categories)
    return city, len(users)


def _phone(index: int) -> str:
    return f"1380000{index:04d}"


# --- The clients (each in its own process) ----------------------------------------------------


@dataclass
class ClientResult:
    """One client's measurements: per request kind, four arrays of the same length."""

    latency: dict[str, array.array] = field(default_factory=dict)  # client side, ms
    app: dict[str, array.array] = field(default_factory=dict)  # Server-Timing app, ms
    db: dict[str, array.array] = field(default_factory=dict)  # Server-Timing db, ms
    queries: dict[str, array.array] = field(default_factory=dict)
    case_seconds: array.array = field(default_factory=lambda: array.array("d"))
    retries: int = 0
    cpu_seconds: float = 0.0
    error: str = ""

    def record(self, kind: str, latency: float, timing: str | None) -> None:
        if kind not in self.latency:
            self.latency[kind] = array.array("d")
            self.app[kind] = array.array("d")
            self.db[kind] = array.array("d")
            self.queries[kind] = array.array("i")
        self.latency[kind].append(latency)
        match = TIMING.search(timing or "")
        if match is None:
            raise RuntimeError(f"no Server-Timing on a {kind} response: {timing!r}")
        self.app[kind].append(float(match[1]))
        self.db[kind].append(float(match[2]))
        self.queries[kind].append(int(match[3]))


class Stale(Exception):
    pass


def plan(index: int, city: City) -> dict[str, Any]:
    """Who does what for case ``index``: spread over grids, units, handlers and dispatchers."""
    rng = random.Random(index)
    grid, reporter = city.grids[index % len(city.grids)]
    unit, handlers = city.units[rng.randrange(len(city.units))]
    title, description = ISSUES[rng.randrange(len(ISSUES))]
    priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
    return {
        "grid": grid,
        "reporter": reporter,
        "dispatcher": city.dispatchers[rng.randrange(len(city.dispatchers))],
        "unit": unit,
        "handler": handlers[rng.randrange(len(handlers))],
        "category": city.categories[rng.randrange(len(city.categories))],
        "priority": priority,
        "title": title,
        "description": description,
        "phone": f"139{index:08d}",
    }


def run_client(
    number: int,
    clients: int,
    cases: int,
    city: City,
    base: str,
    note: bool,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """Take cases ``number``, ``number + clients``, … through the loop; put a ClientResult."""
    import requests

    result = ClientResult()
    sessions = {}
    for name, key in city.keys.items():
        session = requests.Session()
        session.headers["Authorization"] = f"Token {key}"
        sessions[name] = session

    def call(kind: str, actor: str, path: str, body: dict[str, Any], expect: int) -> Any:
        start = time.perf_counter()
        response = sessions[actor].post(base + path, json=body, timeout=120)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code == 409 and '"stale"' in response.text:
            result.record("stale", elapsed, response.headers.get("Server-Timing"))
            raise Stale
        if response.status_code != expect:
            raise RuntimeError(f"{kind} {path}: {response.status_code} {response.text[:400]}")
        result.record(kind, elapsed, response.headers.get("Server-Timing"))
        return response.json()

    def read(actor: str, case_id: int) -> Any:
        start = time.perf_counter()
        response = sessions[actor].get(f"{base}/api/v1/cases/{case_id}/", timeout=120)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"read {case_id}: {response.status_code} {response.text[:400]}")
        result.record("read", elapsed, response.headers.get("Server-Timing"))
        return response.json()

    ready.set()
    go.wait()
    cpu = time.process_time()
    try:
        for index in range(number, cases, clients):
            p = plan(index, city)
            start = time.perf_counter()
            case = call(
                "create",
                p["reporter"],
                "/api/v1/cases/",
                {"case_type": "resident_issue", "region": p["grid"], "title": p["title"],
                 "description": p["description"], "requester_phone": p["phone"]},
                201,
            )  # fmt: skip
            steps: list[tuple[str, str, dict[str, Any]]] = [
                ("triage", p["dispatcher"], {"category": p["category"], "priority": p["priority"]}),
                ("assign", p["dispatcher"], {"lead_unit": p["unit"]}),
                ("accept", p["handler"], {}),
                *([("note", p["handler"], {"note": "已联系现场勘查。"})] if note else []),
                ("answer", p["handler"], {"answer": "已处理完毕，恢复正常。"}),
                ("return-visit", p["dispatcher"],
                 {"reached": True, "contacted": True, "resolved": True,
                  "satisfaction": "satisfied"}),
                ("close", p["dispatcher"], {}),
            ]  # fmt: skip
            for kind, actor, body in steps:
                action = "notes" if kind == "note" else kind
                for attempt in range(5):
                    try:
                        case = call(
                            kind,
                            actor,
                            f"/api/v1/cases/{case['id']}/{action}/",
                            {"version": case["version"], **body},
                            200,
                        )
                        break
                    except Stale:
                        result.retries += 1
                        if attempt == 4:
                            raise RuntimeError(f"case {case['id']}: {kind} stale 5 times") from None
                        case = read(actor, case["id"])
            if case["status"] != "closed":
                raise RuntimeError(f"case {case['id']} ended {case['status']}")
            result.case_seconds.append(time.perf_counter() - start)
    except Exception as error:  # the parent reports it and fails the run
        result.error = f"client {number}: {type(error).__name__}: {error}"
    result.cpu_seconds = time.process_time() - cpu
    # Plain data across the pipe: the class lives in __mp_main__ here, in __main__ there.
    results.put(dict(vars(result)))


# --- Background processes and CPU accounting --------------------------------------------------


def background_env(sweep_interval: int, quiet_hours: str | None) -> dict[str, str]:
    """What scripts/prod.sh gives its processes, on the bench database."""
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "LIANXIN_LOG_LEVEL": "ERROR",
        "LIANXIN_SWEEP_INTERVAL_SECONDS": str(sweep_interval),
    }
    if quiet_hours is not None:
        env["NOTIFY_QUIET_HOURS"] = quiet_hours
    return env


def schedule_rounds(env: dict[str, str]) -> None:
    """The periodic rounds, once now and enqueued for the workers (as scripts/prod.sh)."""
    for command in ("sweep_overdue", "notify_visits_due", "detect_hotspots"):
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", command, "--schedule"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def start_task_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen]:
    workers = []
    for number in range(count):
        log = open(f"/tmp/lianxin_city_day_worker{number}.log", "w")  # noqa: SIM115
        workers.append(
            subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/python"),
                    "manage.py",
                    "db_worker",
                    "--interval",
                    "2",
                    "--no-reload",
                    "--queue-name",
                    "*",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
    return workers


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_pid() -> dict[int, tuple[int, str, float]]:
    """pid → (parent pid, command line, CPU seconds so far) for every process readable."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), cmdline, (int(fields[11]) + int(fields[12])) / TICKS)
    return table


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


class Monitor(threading.Thread):
    """Samples every second, while the load runs, the 1-minute load average and the CPU seconds
    of gunicorn's processes, the task workers and this database's PostgreSQL backends. Sampling
    (not two snapshots) because a backend lives only as long as its connection (CONN_MAX_AGE 60
    s): one that exits between samples loses at most its last second."""

    def __init__(self, server: int, workers: list[int]) -> None:
        super().__init__(daemon=True)
        self.server, self.workers = server, set(workers)
        self.base = {pid: seconds for pid, (_, _, seconds) in cpu_by_pid().items()}
        self.last: dict[int, tuple[str, float]] = {}
        self.loads: list[float] = []
        self.done = threading.Event()

    def sample(self) -> None:
        for pid, (ppid, cmdline, seconds) in cpu_by_pid().items():
            if pid == self.server or ppid == self.server:
                self.last[pid] = ("gunicorn", seconds)
            elif pid in self.workers:
                self.last[pid] = ("task workers", seconds)
            elif cmdline.startswith("postgres:") and DATABASE in cmdline:
                self.last[pid] = ("postgres", seconds)
        try:
            self.loads.append(float(load_average()))
        except ValueError:
            pass

    def run(self) -> None:
        while not self.done.wait(1):
            self.sample()

    def stop(self) -> dict[str, float]:
        """Stop sampling; answer the CPU seconds of each component since the start."""
        self.done.set()
        self.join(timeout=10)
        self.sample()
        used = {"gunicorn": 0.0, "postgres": 0.0, "task workers": 0.0}
        for pid, (kind, seconds) in self.last.items():
            used[kind] += seconds - self.base.get(pid, 0.0)
        return used


# --- Reading the outcome from the database ----------------------------------------------------


def tasks_run(since: datetime, until: datetime) -> tuple[dict[str, list[int]], int, int]:
    """Tasks finished since ``since`` by task name: [during the load (before ``until``), in
    all]; tasks due now still waiting; tasks deferred to later (each case's deadline check,
    the next periodic rounds)."""
    from django.db.models import Count, Q
    from django_tasks_db.models import DBTaskResult

    finished: dict[str, list[int]] = {}
    rows = (
        DBTaskResult.objects.filter(finished_at__gte=since)
        .values("task_path", "status")
        .annotate(n=Count("id"), during=Count("id", filter=Q(finished_at__lt=until)))
    )
    for row in rows:
        name = row["task_path"].rsplit(".", 1)[-1]
        label = name if row["status"] == "SUCCESSFUL" else f"{name} ({row['status'].lower()})"
        counts = finished.setdefault(label, [0, 0])
        counts[0] += row["during"]
        counts[1] += row["n"]
    due = DBTaskResult.objects.ready().count()
    return finished, due, DBTaskResult.objects.filter(status="READY").count() - due


def due_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    # (A task to run at once has run_after = 9999-01-01: ``ready()`` knows.)
    return DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()


def notifications() -> dict[str, int]:
    from django.db.models import Count

    from notify.models import Notification

    rows = Notification.objects.values("channel", "status").annotate(n=Count("id"))
    return {f"{row['channel']} {row['status']}": row["n"] for row in rows}


def check_cases(cases: int, note: bool) -> list[str]:
    """Every case closed, with exactly one event of each move of the loop; anything else the
    events hold may only be the sweep's own. Answers the problems found."""
    from django.db.models import Count

    from cases.models import Case, CaseEvent

    problems = []
    total = Case.objects.count()
    closed = Case.objects.filter(status="closed").count()
    if total != cases or closed != cases:
        problems.append(f"{total} cases, {closed} closed; expected {cases} closed")
    expected = LOOP_EVENTS + (["progress_noted"] if note else [])
    counts = dict(
        CaseEvent.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    for kind in expected:
        if counts.get(kind, 0) != cases:
            problems.append(f"{counts.get(kind, 0)} {kind} events; expected {cases}")
    pairs = CaseEvent.objects.filter(kind__in=expected).values("case_id", "kind").distinct().count()
    if pairs != cases * len(expected):
        problems.append(f"{pairs} (case, move) pairs; expected {cases * len(expected)}")
    for kind, n in counts.items():
        if kind not in expected and kind not in SYSTEM_EVENTS:
            problems.append(f"{n} unexpected {kind} events")
    by_people = CaseEvent.objects.filter(kind__in=SYSTEM_EVENTS, actor__isnull=False).count()
    if by_people:
        problems.append(f"{by_people} sweep events with an actor")
    not_api = CaseEvent.objects.filter(kind__in=expected).exclude(via="api").count()
    if not_api:
        problems.append(f"{not_api} loop events not made through the API")
    return problems


# --- Main -------------------------------------------------------------------------------------


def percentile(values: Any, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def merge(results: list[ClientResult]) -> ClientResult:
    merged = ClientResult()
    for result in results:
        for kind in result.latency:
            if kind not in merged.latency:
                merged.latency[kind] = array.array("d")
                merged.app[kind] = array.array("d")
                merged.db[kind] = array.array("d")
                merged.queries[kind] = array.array("i")
            merged.latency[kind].extend(result.latency[kind])
            merged.app[kind].extend(result.app[kind])
            merged.db[kind].extend(result.db[kind])
            merged.queries[kind].extend(result.queries[kind])
        merged.case_seconds.extend(result.case_seconds)
        merged.retries += result.retries
        merged.cpu_seconds += result.cpu_seconds
    return merged


def collect(queue: Any, clients: list[Any]) -> list[ClientResult]:
    """Every client's result; a client that died without one counts as a failed result."""
    import queue as queues

    results: list[ClientResult] = []
    while len(results) < len(clients):
        try:
            results.append(ClientResult(**queue.get(timeout=5)))
        except queues.Empty:
            if not any(client.is_alive() for client in clients):
                dead = [c.exitcode for c in clients]
                results.append(ClientResult(error=f"clients exited without a result: {dead}"))
                break
    return results


def memory_gib() -> str:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=50_000, help="cases (default 50,000)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--clients", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--task-workers", type=int, default=2, help="db_worker processes (2)")
    parser.add_argument("--sweep-interval", type=int, default=60, help="seconds (default 60)")
    parser.add_argument(
        "--quiet-hours",
        default=None,
        help="NOTIFY_QUIET_HOURS for the task workers (default: the product's 22:00-07:00 "
        "local, when text messages wait; '' for none, so a night run sends them too)",
    )
    parser.add_argument("--drain", type=int, default=300, help="seconds to wait for due tasks")
    parser.add_argument("--note", action="store_true", help="add the progress note (8 requests)")
    parser.add_argument("--towns", type=int, default=6)
    parser.add_argument("--grids", type=int, default=4, help="grids per town (default 4)")
    parser.add_argument("--units", type=int, default=8, help="departments (default 8)")
    parser.add_argument("--handlers", type=int, default=3, help="handlers per department (3)")
    parser.add_argument("--dispatchers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8941)
    args = parser.parse_args(argv)

    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    start = time.perf_counter()
    setup_django(URL, fresh=True)
    city, actors = build_city(args.towns, args.grids, args.units, args.handlers, args.dispatchers)
    setup_seconds = time.perf_counter() - start
    version = database_version()
    from django.db import connections
    from django.utils import timezone

    connections.close_all()
    print(
        f"{started_at}: city built in {setup_seconds:.1f} s ({len(city.grids)} grids, "
        f"{len(city.units)} units, {actors} actors); starting the server and the workers",
        file=sys.stderr,
    )

    from bench.api_http import start_server

    env = background_env(args.sweep_interval, args.quiet_hours)
    os.environ["LIANXIN_SERVER_TIMING"] = "1"
    os.environ["LIANXIN_SWEEP_INTERVAL_SECONDS"] = str(args.sweep_interval)
    schedule_rounds(env)
    task_workers = start_task_workers(args.task_workers, env)
    server = start_server(URL, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    context = multiprocessing.get_context("spawn")
    results_queue = context.Queue()
    go = context.Event()
    readies = [context.Event() for _ in range(args.clients)]
    clients = [
        context.Process(
            target=run_client,
            args=(
                n,
                args.clients,
                args.cases,
                city,
                base,
                args.note,
                readies[n],
                go,
                results_queue,
            ),
        )  # fmt: skip
        for n in range(args.clients)
    ]
    monitor: Monitor | None = None
    failed: list[str] = []
    try:
        import requests

        warm = requests.Session()
        warm.headers["Authorization"] = f"Token {city.keys[city.dispatchers[0]]}"
        for _ in range(4 * args.workers):
            warm.get(f"{base}/api/v1/cases/", timeout=60).raise_for_status()
        for client in clients:
            client.start()
        for ready in readies:
            ready.wait(120)
        monitor = Monitor(server.pid, [w.pid for w in task_workers])
        busy_before = machine_busy()
        since = timezone.now()
        monitor.start()
        t0 = time.perf_counter()
        go.set()
        results = collect(results_queue, clients)
        wall = time.perf_counter() - t0
        until = timezone.now()
        used = monitor.stop()
        busy_after = machine_busy()
        load_end = load_average()
        for client in clients:
            client.join(timeout=60)
        failed = [r.error for r in results if r.error]
        backlog = due_tasks()
        drain_start = time.perf_counter()
        if not failed:
            while due_tasks() and time.perf_counter() - drain_start < args.drain:
                time.sleep(1)
        drain = time.perf_counter() - drain_start
        connections.close_all()
    finally:
        for client in clients:
            if client.is_alive():
                client.terminate()
        stop([server, *task_workers])

    if failed:
        raise SystemExit("the load failed:\n" + "\n".join(failed))
    merged = merge(results)
    finished, due_left, deferred = tasks_run(since, until)
    sent = notifications()
    problems = check_cases(args.cases, args.note)

    per_case = 7 + (1 if args.note else 0)
    moves = sum(len(merged.latency[k]) for k in merged.latency if k not in EXTRA)
    refused = len(merged.latency.get("stale", []))
    assert moves == args.cases * per_case, (moves, args.cases * per_case)
    used["clients"] = merged.cpu_seconds
    busy = busy_after[0] - busy_before[0]
    capacity = busy_after[1] - busy_before[1]
    mine = sum(used.values())
    app_total = sum(sum(merged.app[k]) for k in merged.app)
    db_total = sum(sum(merged.db[k]) for k in merged.db)
    assert monitor is not None
    loads = monitor.loads or [float(load_end)]
    cores = os.cpu_count() or 1
    # If the bench had every core to itself and used them fully: a bound, not a measurement.
    cpu_per_case = mine / args.cases
    projected = 50_000 * cpu_per_case / cores

    title = (
        f"A city's day over HTTP — {args.cases:,} cases, {version}, gunicorn {args.workers} sync "
        f"workers, {args.clients} client processes, {args.task_workers} task workers, "
        f"{os.cpu_count()} cores / {memory_gib()} (shared), run {started_at}"
    )
    print_table(
        ["measure", "value"],
        [
            ["wall time (load)", f"{wall:.1f} s"],
            ["cases/s", f"{args.cases / wall:.1f}"],
            ["moves/s (state-changing requests)", f"{moves / wall:.0f}"],
            ["requests per case", f"{per_case}" + (f" (+ {refused} refused as stale, each re-read and retried)" if refused else "")],
            ["case through the loop, p50 / p99", f"{percentile(merged.case_seconds, 50) * 1000:.0f} / "
             f"{percentile(merged.case_seconds, 99) * 1000:.0f} ms"],
            ["DB share of server time (Σ db ÷ Σ app)", f"{db_total / app_total:.0%}"],
            ["server time ÷ wall time (all workers)", f"{app_total / 1000 / wall:.2f}"],
            ["machine CPU busy during the load", f"{busy / capacity:.0%} of {cores} cores"],
            ["CPU s: gunicorn / PostgreSQL / task workers / clients",
             " / ".join(f"{used[k]:.0f}" for k in ("gunicorn", "postgres", "task workers", "clients"))],
            ["CPU s used by other work on the machine", f"{max(busy - mine, 0):.0f} of {busy:.0f} busy"],
            ["CPU per case, all of the above", f"{cpu_per_case * 1000:.0f} ms"],
            [f"projection: 50,000 cases on {cores} cores to ourselves",
             f"≥ {projected / 60:.0f} min ({cores / cpu_per_case:.1f} cases/s at 100 % CPU)"],
            ["load average (1 min) median / peak", f"{statistics.median(loads):.1f} / {max(loads):.1f}"],
            ["city", f"{len(city.grids)} grids in {args.towns} towns, {len(city.units)} units, "
             f"{actors} actors; built in {setup_seconds:.1f} s"],
            ["tasks due, waiting when the load ended", f"{backlog}"],
            ["time to drain them / left after", f"{drain:.0f} s / {due_left}"],
            ["tasks deferred (deadline checks, next rounds)", f"{deferred}"],
        ],
        title=title,
    )  # fmt: skip
    rows = []
    for kind in [*KINDS, *EXTRA]:
        if kind not in merged.latency:
            continue
        lat = merged.latency[kind]
        rows.append(
            [
                EXTRA.get(kind, kind),
                f"{len(lat):,}",
                f"{percentile(lat, 50):.1f}",
                f"{percentile(lat, 99):.1f}",
                f"{statistics.median(merged.app[kind]):.1f}",
                f"{statistics.median(merged.db[kind]):.1f}",
                f"{statistics.median(merged.queries[kind]):.0f} / {max(merged.queries[kind])}",
                f"{sum(merged.db[kind]) / sum(merged.app[kind]):.0%}",
            ]
        )
    print_table(
        ["request", "count", "p50 ms", "p99 ms", "server ms (median)", "DB ms (median)",
         "queries (median / max)", "DB share"],
        rows,
        title="Per request kind (latency at the client; server and DB time from Server-Timing)",
    )  # fmt: skip
    print_table(
        ["background", "during the load", "with the drain"],
        [[f"task {name}", during, total] for name, (during, total) in sorted(finished.items())]
        + [[f"notification {name}", "", n] for name, n in sorted(sent.items())],
        title="Background work: tasks the workers finished, notifications in the outbox at the end",
    )
    if problems:
        raise SystemExit("check failed:\n" + "\n".join(problems))
    print(f"\nChecked: {args.cases:,} cases closed, each with one event of every move.")


if __name__ == "__main__":
    main()
