"""Importing an office's 50,000-row ledger with its history: rows per second and peak memory
(issue 10).

Target: a 50,000-row ledger with history imports in under 2 minutes on SQLite and on
PostgreSQL on the 2-core bench machine, with the importing process's peak memory under 500 MB.

What it does:

1. **Seeds** a template database per engine (migrate, the reference data and the demo county's
   registries — towns, villages, grids, units, people — without cases), in a child process.
2. **Generates** a realistic 12345 work-order export with openpyxl's write-only mode (once;
   kept under /tmp): two title lines ("德化县12345便民服务平台工单台账（2025年1-12月）"), a two-row
   header (parents 来电人信息 and 办理情况 over their columns, the others merged down), the
   headers a real export has (序号 … 备注), towns, villages and units named as in the seeded
   database so they resolve, vertical blocks of merged 镇/村 cells, dates in every spelling
   (date cells, Excel serials, "2025-03-13 09:30", "2025/3/13", "2025年3月13日", "3月13日"),
   deadlines as limits ("5个工作日") or dates, states mostly 已办结 with a satisfaction and
   some 办理中/延期/未销号, a few rows with impossible dates, and a 合计/填报人/注 footer.
3. **Imports** it with ``manage.py import_ledger FILE --json`` in a child process (with a saved
   mapping profile, written from the dry run's suggestions plus the words an office would
   confirm), on a fresh copy of the template database per run, alternating the engines, and
   measures the child's wall time and peak RSS (``wait4``'s ``ru_maxrss``).

    .venv/bin/python bench/ledger_import.py                          # both engines, 3 runs
    .venv/bin/python bench/ledger_import.py --db sqlite --runs 1 --rows 10000
    .venv/bin/python bench/ledger_import.py --dry-run --db sqlite    # the preview only
    .venv/bin/python bench/ledger_import.py --generate-only --rows 50000 --file /tmp/l.xlsx
    .venv/bin/python bench/ledger_import.py --db postgres --runs 1 --cprofile /tmp/ledger-prof

The child runs with DEBUG off (as production does). ``--cprofile DIR`` runs the child under
cProfile and prints its hot spots; ``--arg=--duplicates=update`` passes extra options through.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_URLS,
    ROOT,
    load_average,
    print_table,
    recreate_database,
)

SEED = 20250313
YEAR = 2025
TEMPLATE_NAME = "lianxin_bench_ledger_seed"
RUN_NAME = "lianxin_bench_ledger"
CASE_TYPE = "resident_issue"
TITLE = f"德化县12345便民服务平台工单台账（{YEAR}年1-12月）"

# The export's columns: (parent header or None, header). A parent spans its children on the
# first header row; a column without a parent is merged down over both header rows.
COLUMNS: list[tuple[str | None, str]] = [
    (None, "序号"),
    (None, "工单编号"),
    (None, "受理时间"),
    ("来电人信息", "来电人"),
    ("来电人信息", "联系电话"),
    (None, "所属镇(街道)"),
    (None, "村(社区)"),
    (None, "详细地址"),
    (None, "问题类别"),
    (None, "诉求内容"),
    ("办理情况", "承办单位"),
    ("办理情况", "协办单位"),
    ("办理情况", "办理时限"),
    ("办理情况", "交办时间"),
    ("办理情况", "办结时间"),
    ("办理情况", "答复内容"),
    ("办理情况", "办理状态"),
    (None, "回访满意度"),
    (None, "备注"),
]
WIDTH = len(COLUMNS)
HEADER_TOP, FIRST_DATA_ROW = 3, 5

# Problem categories with what residents call about under them.
TOPICS: dict[str, list[str]] = {
    "城乡建设": ["小区路灯不亮已经一周", "道路破损坑洼影响通行", "雨后路面积水严重", "楼道墙皮脱落"],
    "环境保护": ["陶瓷厂夜间噪音扰民", "窑炉烟气有刺鼻气味", "河道有垃圾漂浮", "工地扬尘严重"],
    "市场监管": ["超市出售过期食品", "商家拒绝退换货", "电动车店虚假宣传", "餐馆后厨卫生差"],
    "劳动社保": ["工厂拖欠工资两个月", "社保缴费基数有误", "离职后公司不出证明", "工伤认定进度慢"],
    "交通运输": ["公交车班次太少", "路口红绿灯故障", "客运班车不按站停靠", "乡道缺少警示标志"],
    "农业农村": ["农田灌溉水渠堵塞", "村道硬化工程停工", "茶园遭受病虫害求助", "农资价格异常"],
    "卫生健康": ["卫生院排队时间长", "疫苗接种预约不上", "诊所收费不透明", "村卫生室缺药"],
    "教育": ["学校周边交通拥堵", "校外培训机构退费难", "校车超载", "入学报名材料繁琐"],
    "公共安全": ["小区消防通道被占", "山体有滑坡隐患", "电动车楼道充电", "路边电线杆倾斜"],
    "其他": ["咨询户籍迁移办理流程", "建议增设便民服务点", "反映邻居违章搭建", "咨询补贴发放时间"],
}  # fmt: skip
# The 12345 words an office confirms once in its profile: the county's category they mean.
CATEGORY_PICKS = {
    "市场监管": "商贸服务与消费者权益保护",
    "劳动社保": "社会保障与就业",
    "农业农村": "城乡建设与管理",
    "卫生健康": "医疗卫生",
}
ANSWERS = [
    "经核实，已安排人员现场处理，问题已解决。",
    "已联系相关企业整改，并将持续跟踪。",
    "已向来电人解释相关政策，来电人表示理解。",
    "经协调，双方已达成一致意见。",
    "已列入年度计划，预计近期完成施工。",
]
NOTES = ["重复来电", "市级督办", "已回访", "加急", "转办件"]
SURNAMES = "王林陈黄张李吴刘郑苏许周徐蔡曾郭赖邱连颜"
GIVEN = "秀英建华志强丽萍明辉春梅国良海燕文杰淑珍永福金花"


@dataclass
class Names:
    """The seeded county's places and units, as an export would spell them."""

    towns: dict[str, list[str]]  # town → its villages
    units: list[str]
    categories: dict[str, int]  # the case type's categories: name → primary key


# --- the ledger --------------------------------------------------------------------------------


def _moment_cell(rng: random.Random, moment: datetime, *, date_only: bool = False) -> Any:
    """A time as offices type or export it: mostly a date cell, often text, sometimes a serial;
    with ``date_only`` also as a day without its time (受理时间 typed by hand)."""
    roll = rng.random()
    if roll < 0.55:
        return moment
    if roll < 0.70:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if roll < 0.80:
        # An Excel serial left unformatted (a number in a general cell).
        return round((moment - datetime(1899, 12, 30)).total_seconds() / 86400, 5)  # noqa: DTZ001
    if roll < 0.90 or not date_only:
        return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}"
    if roll < 0.95:
        return f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{moment.month}月{moment.day}日"  # the year comes from the title's period


def _deadline_cell(rng: random.Random, reported: datetime) -> Any:
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(["5个工作日", "3个工作日", "15个工作日", "7天", "10日内"])
    if roll < 0.8:
        return (reported + timedelta(days=rng.choice([3, 5, 7, 15]))).date()
    return (reported + timedelta(days=rng.choice([5, 10]))).strftime("%Y-%m-%d")


def ledger_rows(names: Names, rows: int, seed: int = SEED) -> Any:
    """The data rows (lists of WIDTH cells) and, as ``(first_row, last_row)`` pairs, the blocks
    whose 镇 and 村 cells are merged down (yielded as ("merge", first, last))."""
    rng = random.Random(seed)
    towns = list(names.towns)
    start = datetime(YEAR, 1, 1, 8, 0)  # noqa: DTZ001 - Excel cells are naive
    seconds = 365 * 86400
    moments = sorted(start + timedelta(seconds=rng.randrange(seconds)) for _ in range(rows))
    row_number = FIRST_DATA_ROW
    n = 0
    while n < rows:
        town = rng.choice(towns)
        village = rng.choice(names.towns[town])
        # Now and then a few calls from one village follow each other and the sheet's author
        # merged their 镇 and 村 cells (filled down on import).
        block = rng.choice([2, 3, 4]) if rng.random() < 0.02 else 1
        block = min(block, rows - n)
        if block > 1:
            yield ("merge", row_number, row_number + block - 1)
        for i in range(block):
            n += 1
            yield _record(rng, n, moments[n - 1], town if i == 0 else None,
                          village if i == 0 else None, town, village, names)  # fmt: skip
            row_number += 1


def _record(
    rng: random.Random,
    n: int,
    reported: datetime,
    town_cell: str | None,
    village_cell: str | None,
    town: str,
    village: str,
    names: Names,
) -> list[Any]:
    category = rng.choice(list(TOPICS))
    problem = rng.choice(TOPICS[category])
    assigned = reported + timedelta(minutes=rng.randrange(20, 240))
    state = rng.choices(["已办结", "办理中", "延期", "未销号"], [86, 7, 4, 3])[0]
    finished = reported + timedelta(days=rng.randrange(1, 12), minutes=rng.randrange(600))
    answered = state in ("已办结", "未销号")
    if state == "已办结":
        satisfaction = rng.choices(
            ["满意", "基本满意", "不满意", "未回访", None], [70, 18, 6, 4, 2]
        )[0]
    else:
        satisfaction = None
    lead = rng.choice(names.units)
    co = rng.choice(names.units) if rng.random() < 0.12 else None
    reported_cell = _moment_cell(rng, reported, date_only=True)
    if rng.random() < 0.002:
        reported_cell = rng.choice([f"{YEAR}年2月30日", "13月5日", "2025-02-29"])  # bad rows
    anonymous = rng.random() < 0.05
    return [
        n,
        f"DH{reported:%y%m%d}{n:06d}",
        reported_cell,
        "匿名" if anonymous else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
        None if anonymous else f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
        town_cell,
        village_cell,
        f"{town}{village}{rng.randrange(1, 300)}号",
        category,
        f"来电人反映{town}{village}{problem}，请求相关部门尽快处理。",
        lead,
        co,
        _deadline_cell(rng, reported),
        _moment_cell(rng, assigned),
        _moment_cell(rng, finished) if answered else None,
        rng.choice(ANSWERS) if answered else None,
        state,
        satisfaction,
        rng.choice(NOTES) if rng.random() < 0.08 else None,
    ]


def write_ledger(path: Path, names: Names, rows: int, seed: int = SEED) -> tuple[float, int]:
    """Write the export with openpyxl's write-only mode; (seconds, bytes)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单台账")
    last = get_column_letter(WIDTH)
    sheet.append([TITLE])
    sheet.append(["填报单位：德化县12345便民服务中心"] + [None] * 9 + ["统计口径：受理时间"])
    parents = [parent for parent, _header in COLUMNS]
    sheet.append(
        [
            header if parent is None else parent if parents.index(parent) == i else None
            for i, (parent, header) in enumerate(COLUMNS)
        ]
    )
    sheet.append([header if parent else None for parent, header in COLUMNS])
    merged = [f"A1:{last}1", "A2:J2", f"K2:{last}2"]
    for index, (parent, _header) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if parent is None:
            merged.append(f"{letter}{HEADER_TOP}:{letter}{HEADER_TOP + 1}")
    spans: dict[str, list[int]] = {}
    for index, (parent, _header) in enumerate(COLUMNS, start=1):
        if parent:
            spans.setdefault(parent, []).append(index)
    for columns in spans.values():
        first, end = get_column_letter(columns[0]), get_column_letter(columns[-1])
        merged.append(f"{first}{HEADER_TOP}:{end}{HEADER_TOP}")
    count = 0
    for item in ledger_rows(names, rows, seed):
        if item[0] == "merge":
            _tag, top, bottom = item
            merged += [f"F{top}:F{bottom}", f"G{top}:G{bottom}"]
            continue
        sheet.append(item)
        count += 1
    note_row = FIRST_DATA_ROW + count + 3  # after a blank row, 合计 and 填报人
    sheet.append([None] * WIDTH)
    sheet.append(["合计", f"共{count}件"] + [None] * (WIDTH - 2))
    sheet.append(
        ["填报人：陈晓燕", None, None, None, "审核人：林建华", None, None, "填报时间：2026年1月5日"]
    )
    sheet.append(["注：1.办理时限按工作日计算；2.回访满意度由12345平台回访员填写。"])
    merged.append(f"A{note_row}:{last}{note_row}")
    for ref in merged:
        sheet.merged_cells.add(ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return time.perf_counter() - started, path.stat().st_size


# --- the database ------------------------------------------------------------------------------


def url_for(db: str, name: str) -> str:
    return DEFAULT_URLS[db].format(name=name)


def child_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        LIANXIN_FAST_PASSWORDS="1",
        LIANXIN_LOG_LEVEL="ERROR",
    )
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    return env


def seed_in_child() -> None:
    """(Child) migrate the database at DATABASE_URL, add the reference data and the demo
    county's registries; print the names of its places and units as one JSON line."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection, transaction

    from cases.models import Category
    from cases.reference import ensure_reference_data
    from demo.county import CountyBuilder
    from demo.replay import suggest_units
    from orgs.models import Organisation, OrgKind
    from regions.models import Region, RegionLevel

    types = ensure_reference_data()
    with transaction.atomic():
        county = CountyBuilder(
            random.Random(SEED), joined=datetime(2024, 12, 1, tzinfo=UTC)
        ).build()
        suggest_units(county, types)
    towns: dict[str, list[str]] = {}
    for village in Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent"):
        assert village.parent is not None
        towns.setdefault(village.parent.name, []).append(village.name)
    units = list(
        Organisation.objects.filter(
            kind__in=[OrgKind.DEPARTMENT, OrgKind.TOWN_GOVERNMENT]
        ).values_list("name", flat=True)
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    categories = dict(Category.objects.filter(case_type=types[CASE_TYPE]).values_list("name", "pk"))
    print(
        json.dumps(
            {"towns": towns, "units": sorted(units), "categories": categories}, ensure_ascii=False
        )
    )


def seed(db: str) -> Names:
    """Create the engine's template database afresh (in a child process); its names."""
    url = url_for(db, TEMPLATE_NAME)
    recreate_database(url)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--seed-child"],
        env=child_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"seeding {db} failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  seeded {db} in {time.perf_counter() - started:.1f} s")
    return Names(towns=data["towns"], units=data["units"], categories=data["categories"])


def fresh_copy(db: str) -> str:
    """A fresh copy of the template database for one run; its URL."""
    if db == "sqlite":
        template = Path(url_for(db, TEMPLATE_NAME).removeprefix("sqlite:///"))
        target = Path(url_for(db, RUN_NAME).removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return url_for(db, RUN_NAME)
    import psycopg

    admin = url_for(db, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{RUN_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{RUN_NAME}" TEMPLATE "{TEMPLATE_NAME}"')
    return url_for(db, RUN_NAME)


# --- one run -----------------------------------------------------------------------------------


@dataclass
class Run:
    db: str
    seconds: float
    peak_mb: float
    rows: int
    imported: int
    bad: int
    report: dict[str, Any]
    returncode: int
    tail: str


def run_command(
    db: str, url: str, args: list[str], *, cprofile: Path | None = None, log: Path | None = None
) -> Run:
    """Run manage.py with ``args`` in a child: its wall time, peak RSS and last JSON line."""
    command = [sys.executable]
    if cprofile is not None:
        command += ["-m", "cProfile", "-o", str(cprofile)]
    command += [str(ROOT / "manage.py"), *args]
    out_path = log or Path(f"/tmp/{RUN_NAME}_{db}.out")
    with out_path.open("w+b") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=child_env(url), cwd=ROOT, stdout=out, stderr=out)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    report: dict[str, Any] = {}
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                report = json.loads(line)
            except ValueError:
                continue
            break
    rows, imported, bad = counts(report)
    return Run(
        db=db,
        seconds=seconds,
        peak_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        rows=rows,
        imported=imported,
        bad=bad,
        report=report,
        returncode=child.returncode,
        tail=text[-2000:],
    )


def counts(report: dict[str, Any]) -> tuple[int, int, int]:
    """(rows, imported, bad) from the command's JSON, whichever shape it has."""
    c = report.get("counts", report)
    rows = int(c.get("rows", 0) or 0)
    imported = int(c.get("created", 0) or 0) + int(c.get("updated", 0) or 0)
    if not imported and "good" in c:
        imported = int(c["good"] or 0)
    bad = c.get("bad", c.get("bad_rows", 0))
    bad = len(bad) if isinstance(bad, list) else int(bad or 0)
    return rows, imported, bad


def write_profile(path: Path, preview: dict[str, Any], names: Names) -> Path:
    """The mapping an office confirms once: the suggested columns, and its own words."""
    profile = {
        "version": 1,
        "name": "德化县12345工单导出",
        "columns": {c["name"]: c["field"] or "details" for c in preview["columns"]},
        "values": {
            "status": {"已办结": "closed", "办理中": "in_progress", "延期": "in_progress"},
            "satisfaction": {"未回访": ""},
            "category": {w: str(names.categories[c]) for w, c in CATEGORY_PICKS.items()},
        },
    }
    path.write_text(json.dumps(profile, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def print_hot_spots(path: Path, limit: int = 30) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    print(f"\ncProfile of the child ({path}), by own time:")
    stats.sort_stats("tottime").print_stats(limit)
    print("by cumulative time:")
    stats.sort_stats("cumulative").print_stats(limit)


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--db",
        nargs="+",
        choices=sorted(DEFAULT_URLS),
        default=["sqlite", "postgres"],
        help="engines to run on, alternating (default: sqlite postgres)",
    )
    parser.add_argument("--rows", type=int, default=50_000, help="data rows (default 50,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine (default 3)")
    parser.add_argument("--file", type=Path, help="the ledger (default /tmp/…_<rows>.xlsx)")
    parser.add_argument("--regenerate", action="store_true", help="write the ledger again")
    parser.add_argument("--generate-only", action="store_true", help="write the ledger, stop")
    parser.add_argument(
        "--dry-run", action="store_true", help="time import_ledger --dry-run (writes nothing)"
    )
    parser.add_argument("--case-type", default=CASE_TYPE, help=f"default {CASE_TYPE}")
    parser.add_argument(
        "--no-profile",
        action="store_true",
        help="import with the vocabulary's suggested mapping instead of a saved profile",
    )
    parser.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="OPTION",
        help="extra option for import_ledger, e.g. --arg=--duplicates=update (repeatable)",
    )
    parser.add_argument(
        "--url-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="add a connection option to the child's DATABASE_URL (read by dj-database-url), "
        "e.g. --url-option server_side_binding=true (repeatable)",
    )
    parser.add_argument("--cprofile", type=Path, metavar="DIR", help="profile each child run")
    args = parser.parse_args(argv)
    if args.seed_child:
        seed_in_child()
        return

    path = args.file or Path(f"/tmp/{RUN_NAME}_{args.rows}.xlsx")
    dbs = args.db[:1] if args.generate_only else args.db
    print(f"Seeding the template databases ({', '.join(dbs)}) …")
    names = {db: seed(db) for db in dbs}
    if args.regenerate or args.generate_only or not path.exists():
        print(f"Writing {args.rows:,} rows to {path} …")
        seconds, size = write_ledger(path, names[dbs[0]], args.rows)
        print(f"  {seconds:.1f} s, {size / 1e6:.1f} MB")
    if args.generate_only:
        return

    print("Dry run with the suggested mapping …")
    dry = run_command(dbs[0], fresh_copy(dbs[0]), ["import_ledger", str(path), "--dry-run",
                      "--json", "--case-type", args.case_type])  # fmt: skip
    if dry.returncode or not dry.report.get("columns"):
        raise SystemExit(f"the dry run failed:\n{dry.tail}")
    print(f"  {dry.rows:,} rows in {dry.seconds:.1f} s ({dry.rows / dry.seconds:,.0f} rows/s), "
          f"bad {dry.bad:,}, peak {dry.peak_mb:.0f} MB")  # fmt: skip
    for field_name, words in dry.report.get("unknown_values", {}).items():
        print(f"  words to confirm ({field_name}): {'、'.join(words[:10])}")
    commands: dict[str, list[str]] = {}
    for db in dbs:
        command = ["import_ledger", str(path), "--json", "--case-type", args.case_type]
        command += ["--dry-run"] if args.dry_run else ["--skip-bad-rows"]
        if not args.no_profile:
            profile = Path(f"/tmp/{RUN_NAME}_profile_{db}.json")
            write_profile(profile, dry.report, names[db])
            command += ["--profile", str(profile)]
        commands[db] = command + args.arg
    if args.cprofile:
        args.cprofile.mkdir(parents=True, exist_ok=True)

    results: dict[str, list[Run]] = {db: [] for db in args.db}
    print(f"Timing: manage.py {' '.join(commands[dbs[0]])}")
    for index in range(args.runs):
        for db in args.db:
            url = fresh_copy(db)
            if args.url_option:
                url += "?" + "&".join(args.url_option)
            prof = args.cprofile / f"import_{db}_{index + 1}.prof" if args.cprofile else None
            run = run_command(db, url, commands[db], cprofile=prof)
            results[db].append(run)
            rate = run.rows / run.seconds if run.seconds else 0
            print(f"  run {index + 1} {db}: {run.seconds:.1f} s, {run.rows:,} rows "
                  f"({rate:,.0f} rows/s), imported {run.imported:,}, bad {run.bad:,}, "
                  f"peak {run.peak_mb:.0f} MB, exit {run.returncode}")  # fmt: skip
            if run.returncode:
                print("  the command failed; its last output:\n" + run.tail)
                raise SystemExit(1)
            if prof is not None:
                print_hot_spots(prof)

    rows = []
    for db, runs in results.items():
        seconds = statistics.median(r.seconds for r in runs)
        last = runs[-1]
        rows.append(
            [
                db,
                last.rows,
                last.imported,
                last.bad,
                seconds,
                f"{min(r.seconds for r in runs):.1f}–{max(r.seconds for r in runs):.1f}",
                last.rows / seconds,
                max(r.peak_mb for r in runs),
            ]
        )
    mode = "dry run" if args.dry_run else "import"
    print_table(
        ["db", "rows", "imported", "bad", "seconds (median)", "range", "rows/s", "peak MB"],
        rows,
        title=f"import_ledger {mode}: {args.rows:,}-row ledger, {args.runs} run(s) per engine "
        f"(load {load_average()})",
    )


if __name__ == "__main__":
    main()
