"""Server time of the main pages and the rates API with a large case table (issue 14).

The table is made by ``bench/generate.py``'s functions (an engine-run sample of 3,000 cases,
then clones up to ``--total``, default 1,000,000) in this script's own database:
``lianxin_bench_scale`` on PostgreSQL, ``/tmp/lianxin_bench_scale.sqlite3`` on SQLite. Making
1,000,000 rows takes 5–10 minutes, so make it once and reuse it with ``--keep``:

    nice -n 5 .venv/bin/python bench/scale_pages.py --db postgres --generate-only
    .venv/bin/python bench/scale_pages.py --db postgres --keep
    .venv/bin/python bench/scale_pages.py --db sqlite --keep --requests 10 --only dashboard

Each page is requested by the user who works on it, through Django's test Client with DEBUG
off: one warm-up request, then ``--requests`` timed ones (median, min, max, queries per
request). The target is a median under 300 ms. The county leader (region = the county, as in
the demo) reads the dashboard, the case lists and the rates API; the dispatcher its inbox; the
handler of the unit with the most cases its queue.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    QueryCounter,
    add_database_arguments,
    database_url,
    database_version,
    load_average,
    print_table,
    setup_django,
    summary,
)

TARGET_MS = 300.0
NAME = "lianxin_bench_scale"
LEADER = "scale_leader"
TOP_LEADER = "scale_top_leader"


@dataclass
class Page:
    name: str
    url: str
    username: str


def make_table(total: int, sample: int) -> None:
    """Generate the table (engine sample, then clones), add the leaders and ANALYZE."""
    from bench import generate

    report = generate.generate(total, sample)
    print(
        f"generated: {report['total']:,} cases ({report['clones_added']:,} clones in "
        f"{report['clone_seconds']:.0f} s)",
        flush=True,
    )
    ensure_leaders()
    analyze()


def ensure_leaders() -> None:
    """The county leader (region = the county, like the demo's) and a leader over everything."""
    from cases.tests.world import make_user
    from people.models import Role, User
    from regions.models import Region, RegionLevel

    county = Region.objects.filter(level=RegionLevel.COUNTY).order_by("pk").first()
    if not User.objects.filter(username=LEADER).exists():
        make_user(LEADER, Role.LEADER, region=county)
    if not User.objects.filter(username=TOP_LEADER).exists():
        make_user(TOP_LEADER, Role.LEADER)


def analyze() -> None:
    """Statistics for the planners; on PostgreSQL a VACUUM too, as autovacuum would do after a
    bulk load: without the visibility map no index-only scan (the home page's count of a
    reporter's cases read 440,000 rows from the table: 0.2 s instead of 0.03 s)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def rollup_costs(requests: int) -> None:
    """What the rollup costs: building it from scratch (the clones have no events, so a bulk
    load needs ``rebuild``), the refresh a page pays after one move (the month of that case
    recomputed), and ``rates`` by unit × month over a year live and from the rollup."""
    from django.utils import timezone

    from cases import services
    from cases.models import Case, Status
    from cases.scope import visible_cases
    from people.models import User
    from stats import metrics, rollup

    start = time.perf_counter()
    months = rollup.rebuild()
    built = time.perf_counter() - start
    case = (
        Case.objects.filter(status=Status.IN_PROGRESS, number__startswith="LX")
        .exclude(number__startswith="LXC")
        .order_by("pk")
        .first()
    )
    refreshes = []
    if case is not None:
        handler = User.objects.filter(roles__organisation_id=case.lead_unit_id or 0).first()
        for _ in range(3):
            case = services.add_progress_note(case, actor=handler, note="正在办理。")
            start = time.perf_counter()
            rollup.refresh()
            refreshes.append(time.perf_counter() - start)
    noop = []
    for _ in range(requests):
        start = time.perf_counter()
        rollup.refresh()
        noop.append(time.perf_counter() - start)
    leader = User.objects.get(username=LEADER)
    year = busiest_year()
    months_range = (year * 100 + 1, year * 100 + 12)
    cases = metrics.filter_cases(visible_cases(leader), months=months_range)
    now = timezone.now()
    live, rolled = [], []
    for _ in range(max(3, requests // 2)):
        start = time.perf_counter()
        expected = metrics.rates(cases, group_by=("lead_unit", "month"), now=now)
        live.append(time.perf_counter() - start)
        source = rollup.Source.for_user(leader, months=months_range)
        assert source is not None
        start = time.perf_counter()
        got = source.rates(("lead_unit", "month"), now=now)
        rolled.append(time.perf_counter() - start)
    assert [r.received for r in got] == [r.received for r in expected]
    assert [r.due for r in got] == [r.due for r in expected]
    assert [r.overdue_now for r in got] == [r.overdue_now for r in expected]
    print_table(
        ["what", "median s", "min s", "max s", "note"],
        [
            [
                "rollup build (all months)",
                round(built, 3),
                "",
                "",
                f"{len(months)} buckets (month × place)",
            ],
            [
                "refresh after one move",
                *([round(v, 3) for v in summary(refreshes)] if refreshes else ["", "", ""]),
                "the bucket (month × place) of the moved case recomputed",
            ],
            ["refresh, nothing new", *[round(v, 4) for v in summary(noop)], "one query"],
            [
                "rates unit × month, 12 months, live",
                *[round(v, 3) for v in summary(live)],
                f"{len(expected)} rows",
            ],
            [
                "rates unit × month, 12 months, rollup",
                *[round(v, 3) for v in summary(rolled)],
                "equal rows (checked)",
            ],
        ],
        title=f"Rollup costs ({database_version()}, load {load_average()})",
    )


def busiest_handler() -> tuple[str, int]:
    """A handler of the unit that leads the most cases: the longest department queue."""
    from django.db.models import Count

    from cases.models import Case
    from people.models import Role, RoleAssignment

    units = (
        Case.objects.exclude(lead_unit=None)
        .values("lead_unit")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("lead_unit", flat=True)
    )
    for unit in units[:10]:
        assignment = (
            RoleAssignment.objects.filter(organisation_id=unit, role=Role.DEPT_HANDLER)
            .select_related("user")
            .first()
        )
        if assignment:
            return assignment.user.username, unit
    raise SystemExit("no department handler")


def longest_case() -> int:
    """The engine-made case with the most events: the heaviest case page."""
    from django.db.models import Count

    from cases.models import CaseEvent

    return (
        CaseEvent.objects.values("case")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("case", flat=True)[0]
    )


def busiest_year() -> int:
    from django.db.models import Max

    from cases.models import Case

    latest = Case.objects.aggregate(m=Max("reported_month"))["m"]
    return int(latest // 100)


def pages() -> list[Page]:
    from django.urls import reverse

    year = busiest_year()
    handler, _unit = busiest_handler()
    case = longest_case()
    dashboard = reverse("dashboard:index")
    case_list = reverse("caseviews:case-list")
    year_months = ",".join(str(year * 100 + m) for m in range(1, 13))
    metrics_api = reverse("api:metrics")
    return [
        Page("dashboard, default period", dashboard, LEADER),
        Page("dashboard, 12 months", f"{dashboard}?start={year}01&end={year}12", LEADER),
        Page(
            "dashboard, 12 months (leader over all)",
            f"{dashboard}?start={year}01&end={year}12",
            TOP_LEADER,
        ),
        Page("case list (leader), first page", case_list, LEADER),
        Page(
            "case list, on_time_rate miss, 12 months",
            f"{case_list}?month={year_months}&metric=on_time_rate&part=miss",
            LEADER,
        ),
        Page("dispatch inbox", reverse("dispatch:inbox"), "dispatcher"),
        Page("department queue", reverse("department:queue"), handler),
        Page("case page", reverse("caseviews:case-detail", kwargs={"pk": case}), "dispatcher"),
        Page("home (dispatcher)", reverse("web:home"), "dispatcher"),
        Page("grid home", reverse("grid:home"), "grid_worker_1"),
        Page("registry (regions)", reverse("registry:region-tree"), LEADER),
        Page(
            "API rates unit × month, 12 months",
            f"{metrics_api}?group_by=unit&group_by=month&month_from={year}-01&month_to={year}-12",
            LEADER,
        ),
        Page(
            "API rates unit × month, all",
            f"{metrics_api}?group_by=unit&group_by=month",
            LEADER,
        ),
    ]


def measure(page: Page, requests: int) -> list[Any]:
    from django.test import Client

    from people.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=page.username))
    try:
        response = client.get(page.url)  # warm-up: templates, caches, the database's pages
    except Exception as error:
        return [page.name, page.url, page.username, f"error: {type(error).__name__}: {error}"]
    if response.status_code != 200:
        return [page.name, page.url, page.username, f"HTTP {response.status_code}"]
    counter = QueryCounter()
    times = []
    with counter.counting():
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(page.url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (page.name, response.status_code)
    median, fastest, slowest = summary(times)
    return [
        page.name,
        page.url,
        page.username,
        "ok" if median < TARGET_MS else "SLOW",
        round(median, 1),
        round(fastest, 1),
        round(slowest, 1),
        counter.count // requests,
        f"{len(response.content) / 1024:.0f} KiB",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser, name=NAME)
    parser.add_argument("--total", type=int, default=1_000_000, help="cases (default 1,000,000)")
    parser.add_argument("--sample", type=int, default=3_000, help="engine-made cases (3,000)")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page (10)")
    parser.add_argument(
        "--only",
        default="",
        help="time only pages whose name contains this (a comma list: any of these)",
    )
    parser.add_argument("--generate-only", action="store_true", help="make the table, time nothing")
    parser.add_argument(
        "--live",
        action="store_true",
        help="the dashboard without the rollup (stats.rollup), as before issue 14",
    )
    parser.add_argument(
        "--rollup-costs",
        action="store_true",
        help="also time the rollup's build, a refresh after one move, and rates() both ways",
    )
    args = parser.parse_args(argv)

    setup_django(database_url(args), fresh=not args.keep, options=args.db_option)
    from cases.models import Case

    if Case.objects.count() < args.total:
        make_table(args.total, args.sample)
    else:
        ensure_leaders()
    if args.generate_only:
        return
    if args.live:
        from stats.rollup import Source

        Source.for_user = classmethod(lambda cls, *a, **k: None)  # type: ignore[method-assign,assignment]
    elif args.rollup_costs:
        rollup_costs(args.requests)
    rows = []
    for page in pages():
        if args.only and not any(part in page.name for part in args.only.split(",")):
            continue
        row = measure(page, args.requests)
        rows.append(row + [""] * (9 - len(row)))
        print(" | ".join(str(c) for c in row), flush=True)
    print_table(
        ["page", "url", "user", "verdict", "median ms", "min ms", "max ms", "queries", "size"],
        rows,
        title=(
            f"Server time per page with {Case.objects.count():,} cases, {args.requests} requests "
            f"after a warm-up ({database_version()}, load {load_average()}, "
            f"target < {TARGET_MS:.0f} ms)"
        ),
    )


if __name__ == "__main__":
    main()
