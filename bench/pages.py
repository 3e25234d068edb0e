"""Server time of each main page with the demo county, through Django's test Client.

Each page is requested by the user who works on it (the busiest department's handler for its
queue, the case with the longest timeline for the case page), once to warm up, then
``--requests`` times; the table shows the median, the fastest and the slowest request, the
queries per request and the size of the page. The target is a median under 300 ms.

The demo is built in its own var directory (``--var-dir``, default
``/tmp/lianxin_bench_pages``) with ``demo.load.load``; ``--keep`` reuses it. DEBUG is off, as in
production; the database is SQLite unless ``--db postgres``.

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --keep --requests 50
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    QueryCounter,
    database_version,
    load_average,
    print_table,
    setup_django,
    summary,
)

TARGET_MS = 300.0


@dataclass
class Page:
    name: str
    url_name: str
    username: str
    kwargs: dict[str, Any] | None = None


def busiest_handler() -> str:
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
            return assignment.user.username
    raise SystemExit("no department handler in the demo")


def longest_case() -> int:
    """The case with the most events: the heaviest case page."""
    from django.db.models import Count

    from cases.models import Case

    return Case.objects.annotate(n=Count("events")).order_by("-n").values_list("pk", flat=True)[0]


def pages() -> list[Page]:
    return [
        Page("home (dispatcher)", "web:home", "dispatcher"),
        Page("dispatch inbox", "dispatch:inbox", "dispatcher"),
        Page("department queue", "department:queue", busiest_handler()),
        Page("grid home", "grid:home", "xunzhong_xunzhong_wg"),
        Page("case list (leader)", "caseviews:case-list", "leader"),
        Page("case page", "caseviews:case-detail", "dispatcher", {"pk": longest_case()}),
        Page("dashboard (leader)", "dashboard:index", "leader"),
        Page("registry (regions)", "registry:region-tree", "leader"),
    ]


def measure(page: Page, requests: int) -> list[Any]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from people.models import User

    try:
        url = reverse(page.url_name, kwargs=page.kwargs)
    except NoReverseMatch:
        return [page.name, "-", page.username, "no such page", "", "", "", "", ""]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=page.username))
    try:
        response = client.get(url)  # warm-up: templates, caches, the database's pages
    except Exception as error:  # a page another engineer is still building
        return [page.name, url, page.username, f"error: {type(error).__name__}", *[""] * 5]
    if response.status_code != 200:
        return [page.name, url, page.username, f"HTTP {response.status_code}", "", "", "", "", ""]
    if "该页面正在建设中" in response.content.decode():
        return [page.name, url, page.username, "not built yet", "", "", "", "", ""]
    counter = QueryCounter()
    times = []
    with counter.counting():
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (page.name, response.status_code)
    median, fastest, slowest = summary(times)
    verdict = "ok" if median < TARGET_MS else "SLOW"
    return [
        page.name,
        url,
        page.username,
        verdict,
        round(median, 1),
        round(fastest, 1),
        round(slowest, 1),
        counter.count // requests,
        f"{len(response.content) / 1024:.0f} KiB",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", default="/tmp/lianxin_bench_pages")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--cases", type=int, default=2000, help="demo cases (default 2000)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="reuse the demo already built")
    args = parser.parse_args()

    var_dir = Path(args.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LIANXIN_VAR_DIR"] = str(var_dir)
    url = (
        f"sqlite:///{var_dir / 'lianxin.sqlite3'}"
        if args.db == "sqlite"
        else "postgres://postgres@127.0.0.1:5432/lianxin_bench_pages"
    )
    setup_django(url, fresh=not args.keep)

    from demo.load import demo_exists, load

    if not demo_exists():
        started = time.perf_counter()
        result = load(cases=args.cases)
        print(f"demo built: {result.cases} cases in {time.perf_counter() - started:.0f} s")
    rows = [measure(page, args.requests) for page in pages()]
    print_table(
        ["page", "url", "user", "verdict", "median ms", "min ms", "max ms", "queries", "size"],
        rows,
        title=(
            f"Server time per page, {args.requests} requests after a warm-up "
            f"({database_version()}, load {load_average()}, target < {TARGET_MS:.0f} ms)"
        ),
    )


if __name__ == "__main__":
    main()
