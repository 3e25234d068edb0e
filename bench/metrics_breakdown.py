"""How long the metrics take to compute every rate by unit × month over a large case table.

The timed call is the one a dashboard makes, ``stats.metrics.rates(Case.objects.all(),
group_by=("lead_unit", "month"))``: one GROUP BY with conditional aggregates, plus building
the result rows in Python. The table is made by ``bench/generate.py`` (an engine-run sample
cloned up to each size). The target is under 1 second at 100,000 and 1,000,000 cases on
SQLite and on PostgreSQL.

    .venv/bin/python bench/metrics_breakdown.py --db postgres
    .venv/bin/python bench/metrics_breakdown.py --db sqlite --sizes 100000 1000000 --proposals

``--proposals`` also measures the candidate fixes one by one, in this order, each against
the same table: session settings (PostgreSQL: no parallel workers, JIT off, more work_mem;
SQLite: a 256 MiB page cache, memory-mapped I/O), then ``ANALYZE`` (kept), then a covering
index created with raw SQL in the bench database only (dropped again afterwards).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    add_database_arguments,
    database_url,
    database_version,
    load_average,
    print_table,
    setup_django,
    summary,
)

GROUP_BY = ("lead_unit", "month")
TARGET_SECONDS = 1.0
COVER_INDEX = "bench_case_rates_cover"
# Every column the rates read, with the grouping columns first.
RATE_COLUMNS = [
    "lead_unit_id", "reported_month", "status", "case_type_id", "resolved_on_spot", "is_overdue",
    "extension_count", "send_back_count", "reopen_count", "rework_count", "visit_valid",
    "visit_contacted", "visit_resolved", "visit_satisfaction", "deadline", "answered_on_time",
    "first_answered_at", "mediation_outcome", "handling_hours",
]  # fmt: skip


@dataclass
class Variant:
    """A candidate fix: SQL run before measuring, and SQL that undoes it afterwards.

    A variant with ``rewrite`` changes the query's text instead (a query shape the metrics
    module could send); only the bare SQL can be timed for it.
    """

    name: str
    setup: list[str]
    teardown: list[str]
    rewrite: Callable[[str], str] | None = None


def _literal_types(sql: str) -> str:
    """The dispute test with the mediation case types' ids written out, not a subquery.

    ``_aggregates`` tests ``case_type_id IN (SELECT id FROM cases_casetype WHERE
    has_mediation)`` in three aggregates; the ids can be read once before the query.
    """
    from cases.models import CaseType

    ids = ", ".join(
        str(pk) for pk in CaseType.objects.filter(has_mediation=True).values_list("pk", flat=True)
    )
    return sql.replace(
        'SELECT U0."id" AS "pk" FROM "cases_casetype" U0 WHERE U0."has_mediation"', ids or "NULL"
    )


def _not_indexed(sql: str) -> str:
    """Make SQLite scan the table in rowid order instead of walking (lead_unit, month)."""
    return sql.replace('FROM "cases_case" WHERE', 'FROM "cases_case" NOT INDEXED WHERE')


def variants(vendor: str) -> list[Variant]:
    """The proposals to measure on this database, in order (ANALYZE is kept once run)."""
    shape = Variant("query shape: mediation type ids as literals", [], [], rewrite=_literal_types)
    count_star = Variant(
        "query shape: type ids as literals + COUNT(*) FILTER",
        [],
        [],
        rewrite=lambda sql: _literal_types(sql).replace('COUNT("cases_case"."id")', "COUNT(*)"),
    )
    if vendor == "postgresql":
        cover = (
            f"CREATE INDEX {COVER_INDEX} ON cases_case (lead_unit_id, reported_month) "
            f"INCLUDE (id, {', '.join(RATE_COLUMNS[2:])})"
        )
        return [
            Variant(
                "SET max_parallel_workers_per_gather = 0",
                ["SET max_parallel_workers_per_gather = 0"],
                ["RESET max_parallel_workers_per_gather"],
            ),
            Variant("SET jit = off", ["SET jit = off"], ["RESET jit"]),
            Variant("SET work_mem = '64MB'", ["SET work_mem = '64MB'"], ["RESET work_mem"]),
            shape,
            count_star,
            Variant("ANALYZE cases_case", ["ANALYZE cases_case"], []),
            Variant("VACUUM ANALYZE cases_case", ["VACUUM ANALYZE cases_case"], []),
            Variant(
                "covering index + VACUUM (index-only scan)",
                [cover, "VACUUM ANALYZE cases_case"],
                [f"DROP INDEX {COVER_INDEX}"],
            ),
            Variant(
                "covering index + VACUUM + jit off",
                [cover, "VACUUM ANALYZE cases_case", "SET jit = off"],
                [f"DROP INDEX {COVER_INDEX}", "RESET jit"],
            ),
        ]
    cover = f"CREATE INDEX {COVER_INDEX} ON cases_case ({', '.join(RATE_COLUMNS)})"
    return [
        Variant(
            "PRAGMA cache_size = -262144 (256 MiB)",
            ["PRAGMA cache_size = -262144"],
            ["PRAGMA cache_size = -2000"],
        ),
        Variant(
            "PRAGMA mmap_size = 1 GiB", ["PRAGMA mmap_size = 1073741824"], ["PRAGMA mmap_size = 0"]
        ),
        Variant(
            "query shape: FROM cases_case NOT INDEXED (table scan + temp B-tree)",
            [],
            [],
            rewrite=_not_indexed,
        ),
        shape,
        Variant(
            "query shape: NOT INDEXED + type ids as literals",
            [],
            [],
            rewrite=lambda sql: _literal_types(_not_indexed(sql)),
        ),
        count_star,
        Variant("ANALYZE", ["ANALYZE"], []),
        Variant("covering index", [cover, "ANALYZE"], [f"DROP INDEX {COVER_INDEX}"]),
        Variant(
            "covering index + 256 MiB cache",
            [cover, "ANALYZE", "PRAGMA cache_size = -262144"],
            [f"DROP INDEX {COVER_INDEX}", "PRAGMA cache_size = -2000"],
        ),
        Variant(
            "covering index + type ids as literals + COUNT(*) FILTER",
            [cover, "ANALYZE"],
            [f"DROP INDEX {COVER_INDEX}"],
            rewrite=count_star.rewrite,
        ),
    ]


def rates_call() -> Callable[[], Any]:
    from cases.models import Case
    from stats import metrics

    return lambda: metrics.rates(Case.objects.all(), group_by=GROUP_BY)


def capture_query(call: Callable[[], Any]) -> tuple[str, Any]:
    """The SQL and parameters of the aggregate query the call sends (its largest one)."""
    from django.db import connection

    seen: list[tuple[str, Any]] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        call()
    return max(seen, key=lambda item: len(item[0]))


def time_call(call: Callable[[], Any], runs: int) -> tuple[list[float], int]:
    """One warm-up, then ``runs`` timed calls; returns the times and the rows returned."""
    rows = len(call())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times, rows


def sql_only(sql: str, params: Any, runs: int) -> float:
    """Median time of the bare query, rows fetched, without Django building objects."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # warm-up
        cursor.fetchall()
        for _ in range(runs):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append(time.perf_counter() - start)
    return summary(times)[0]


def explain(sql: str, params: Any) -> str:
    """EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, SETTINGS) {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        # Rows are (id, parent, notused, detail); indent children under their parent.
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _unused, detail in cursor.fetchall():
            depth[node] = depth.get(parent, -1) + 1
            lines.append(f"{'  ' * depth[node]}{detail}")
        return "\n".join(lines)


def run_sql(statements: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def table_facts() -> str:
    """Size on disk and planner statistics, so a reader knows what the query scanned."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_size_pretty(pg_relation_size('cases_case')), "
                "pg_size_pretty(pg_indexes_size('cases_case')), n_live_tup, last_analyze, last_autoanalyze, "
                f"pg_size_pretty(pg_relation_size(to_regclass('{COVER_INDEX}'))) "
                "FROM pg_stat_user_tables WHERE relname = 'cases_case'"
            )
            heap, indexes, live, analyzed, auto, cover = cursor.fetchone()
            return (
                f"heap {heap}, indexes {indexes}, n_live_tup {live:,}, "
                f"last ANALYZE {analyzed or 'never'}, last autoanalyze {auto or 'never'}"
                + (f", covering index {cover}" if cover else "")
            )
        table_text = ""
        if _has_dbstat(cursor):
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN (%s, %s) GROUP BY name",
                ["cases_case", COVER_INDEX],
            )
            sizes = dict(cursor.fetchall())
            table_text = f"table {sizes['cases_case'] / 2**20:,.0f} MiB, "
            if COVER_INDEX in sizes:
                table_text += f"covering index {sizes[COVER_INDEX] / 2**20:,.0f} MiB, "
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        size = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        return (
            f"{table_text}file {pages * size / 2**20:,.0f} MiB, page {size} B, cache_size {cache}"
        )


def _has_dbstat(cursor: Any) -> bool:
    """The dbstat virtual table is compiled into most, not all, SQLite builds."""
    try:
        cursor.execute("SELECT 1 FROM dbstat LIMIT 1")
    except Exception:
        return False
    return True


def forget_sqlite_statistics() -> None:
    """Drop ANALYZE results a previous size left, so each baseline is 'as loaded'."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")
    connection.close()  # the planner reads statistics when a connection opens


def measure_size(size: int, args: argparse.Namespace) -> list[list[Any]]:
    """Fill the table to ``size``, time the baseline and (optionally) each proposal."""
    from django.db import connection

    from bench.generate import generate

    start = time.perf_counter()
    report = generate(size, args.sample, verbose=args.verbose)
    print(
        f"\n## {size:,} cases — generated in {time.perf_counter() - start:.1f} s "
        f"(engine sample {report.get('sample_seconds', 0):.1f} s, clones {report['clone_seconds']:.1f} s)"
    )
    forget_sqlite_statistics()
    run_sql([f"DROP INDEX IF EXISTS {COVER_INDEX}"])  # left by an interrupted run
    print(f"table: {table_facts()}")

    rows_out: list[list[Any]] = []
    call = rates_call()
    sql, params = capture_query(call)
    measured = [Variant("baseline (as loaded)", [], [])]
    if args.proposals:
        measured += variants(connection.vendor)
    for variant in measured:
        run_sql(variant.setup)
        try:
            rows_out.append(measure_variant(variant, size, call, sql, params, args, measured[0]))
        finally:
            run_sql(variant.teardown)
    return rows_out


def measure_variant(
    variant: Variant,
    size: int,
    call: Callable[[], Any],
    sql: str,
    params: Any,
    args: argparse.Namespace,
    baseline: Variant,
) -> list[Any]:
    """Time one variant: the whole call, or only the rewritten SQL for a query shape."""
    if any(COVER_INDEX in statement for statement in variant.setup):
        print(f"  table with {COVER_INDEX}: {table_facts()}", flush=True)
    if variant.rewrite:
        variant_sql = variant.rewrite(sql)
        query = sql_only(variant_sql, params, args.runs)
        print(
            f"  {variant.name}: SQL alone {query:.3f} s; load average {load_average()}", flush=True
        )
        if args.explain_all:
            print(f"\nEXPLAIN — {variant.name}:\n{explain(variant_sql, params)}\n", flush=True)
        verdict = "met" if query < TARGET_SECONDS else "MISSED"
        return [f"{size:,}", variant.name, "—", "—", "—", query, "—", verdict]
    times, groups = time_call(call, args.runs)
    median, low, high = summary(times)
    query = sql_only(sql, params, args.runs)
    print(
        f"  {variant.name}: median {median:.3f} s (min {low:.3f}, max {high:.3f}); "
        f"SQL alone {query:.3f} s; {groups} groups; load average {load_average()}",
        flush=True,
    )
    if variant is baseline or args.explain_all:
        print(f"\nEXPLAIN — {variant.name}:\n{explain(sql, params)}\n", flush=True)
    verdict = "met" if median < TARGET_SECONDS else "MISSED"
    return [f"{size:,}", variant.name, median, low, high, query, groups, verdict]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="table sizes to measure, ascending (default 100000 1000000)",
    )
    parser.add_argument(
        "--sample", type=int, default=3_000, help="engine-run cases to clone from (default 3,000)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="timed calls after one warm-up (default 5)"
    )
    parser.add_argument("--proposals", action="store_true", help="also measure each candidate fix")
    parser.add_argument(
        "--explain-all", action="store_true", help="print the plan under every variant"
    )
    parser.add_argument(
        "--show-sql", action="store_true", help="print the SQL of the aggregate query"
    )
    parser.add_argument("--verbose", action="store_true", help="print progress while cloning")
    args = parser.parse_args(argv)

    setup_django(database_url(args), fresh=not args.keep, options=args.db_option)
    print(f"{database_version()}; rates(Case.objects.all(), group_by={GROUP_BY})")
    if args.show_sql:
        sql, params = capture_query(rates_call())
        print(f"\nSQL:\n{sql}\nparams: {params}\n")
    rows: list[list[Any]] = []
    for size in sorted(args.sizes):
        rows += measure_size(size, args)
    print_table(
        ["cases", "variant", "median s", "min s", "max s", "SQL alone s", "groups", "target < 1 s"],
        rows,
        title=f"rates by unit × month — {database_version()}, median of {args.runs} after one warm-up",
    )


if __name__ == "__main__":
    main()
