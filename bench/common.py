"""What every benchmark script shares: picking and (re)creating its own database, setting
Django up on it, counting queries and printing tables.

A benchmark never touches the project's ``var/`` database: SQLite runs on a file under
``/tmp`` and PostgreSQL on a database of its own, both dropped and migrated afresh unless
the caller asks to keep them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URLS = {
    "sqlite": "sqlite:////tmp/lianxin_bench.sqlite3",
    "postgres": "postgres://postgres@127.0.0.1:5432/lianxin_bench",
}


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every script takes to choose its database."""
    parser.add_argument("--db", choices=sorted(DEFAULT_URLS), default="sqlite",
                        help="which database engine to run on (default: sqlite)")
    parser.add_argument("--database-url", default=None,
                        help="override the database URL (default: a bench-only database per engine)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the existing bench database instead of recreating it")


def database_url(args: argparse.Namespace) -> str:
    return args.database_url or DEFAULT_URLS[args.db]


def setup_django(url: str, *, fresh: bool = True, debug: bool = False) -> None:
    """Point the settings at ``url``, optionally recreate that database, then migrate it.

    DEBUG is off by default: with it on Django keeps every query's SQL in memory, which a
    production process does not pay for.
    """
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "1" if debug else "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    # Building users hashes passwords; the real hasher would dominate the world's set-up.
    os.environ.setdefault("LIANXIN_FAST_PASSWORDS", "1")
    os.environ.setdefault("LIANXIN_LOG_LEVEL", "ERROR")
    if fresh:
        recreate_database(url)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def recreate_database(url: str) -> None:
    """Drop and create the bench database (a file for SQLite, a database for PostgreSQL)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    if not name.startswith(("lianxin_bench", "bench_")):
        raise SystemExit(f"refusing to drop {name!r}: bench databases are named lianxin_bench*")
    admin_url = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


class QueryCounter:
    """Counts the queries a block sends, cheaply enough to stay on during timed runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    @contextmanager
    def counting(self) -> Iterator[QueryCounter]:
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as elapsed:`` leaves the block's wall time in ``elapsed[0]``."""
    holder: list[float] = []
    start = time.perf_counter()
    try:
        yield holder
    finally:
        holder.append(time.perf_counter() - start)


def summary(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, min, max)."""
    return statistics.median(values), min(values), max(values)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "") -> None:
    """A GitHub-flavoured Markdown table, so results paste straight into docs/benchmarks.md."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    if title:
        print(f"\n{title}\n")
    for index, row in enumerate(cells):
        print("| " + " | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    sys.stdout.flush()


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
