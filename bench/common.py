"""What every benchmark script shares: picking and (re)creating its own database, setting
Django up on it, counting queries and printing tables.

A benchmark never touches the project's ``var/`` database: SQLite runs on a file under
``/tmp`` and PostgreSQL on a database of its own, both dropped and migrated afresh unless
the caller asks to keep them.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URLS = {
    "sqlite": "sqlite:////tmp/{name}.sqlite3",
    "postgres": "postgres://postgres@127.0.0.1:5432/{name}",
}


def add_database_arguments(parser: argparse.ArgumentParser, *, name: str = "lianxin_bench") -> None:
    """The options every script takes to choose its database.

    ``name`` is the script's own database (a file under /tmp for SQLite), so one script's
    fresh start never wipes the large table another one built.
    """
    parser.set_defaults(database_name=name)
    parser.add_argument(
        "--db",
        choices=sorted(DEFAULT_URLS),
        default="sqlite",
        help="which database engine to run on (default: sqlite)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"override the database URL (default: {name} on the chosen engine)",
    )
    parser.add_argument(
        "--db-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="add a connection OPTIONS entry, e.g. server_side_binding=True (repeatable)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the existing bench database instead of recreating it",
    )


def database_url(args: argparse.Namespace) -> str:
    return args.database_url or DEFAULT_URLS[args.db].format(name=args.database_name)


def setup_django(
    url: str, *, fresh: bool = True, debug: bool = False, options: Sequence[str] = ()
) -> None:
    """Point the settings at ``url``, optionally recreate that database, then migrate it.

    DEBUG is off by default: with it on Django keeps every query's SQL in memory, which a
    production process does not pay for. ``options`` ("KEY=VALUE", the value a Python
    literal) are added to the connection's OPTIONS, to measure a settings change before
    proposing it.
    """
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_DEBUG"] = "1" if debug else "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    # Building users hashes passwords; the real hasher would dominate the world's set-up.
    os.environ.setdefault("LIANXIN_FAST_PASSWORDS", "1")
    os.environ.setdefault("LIANXIN_LOG_LEVEL", "ERROR")
    recreate_database(url, only_if_missing=not fresh)

    import django
    from django.core.management import call_command

    django.setup()
    if options:
        from django.conf import settings

        extra = settings.DATABASES["default"].setdefault("OPTIONS", {})
        for option in options:
            key, _, value = option.partition("=")
            extra[key] = ast.literal_eval(value)
    call_command("migrate", verbosity=0, interactive=False)


def recreate_database(url: str, *, only_if_missing: bool = False) -> None:
    """Drop and create the bench database (a file for SQLite, a database for PostgreSQL).

    With ``only_if_missing`` an existing database is kept (``--keep``); SQLite needs nothing
    then, since connecting creates the file.
    """
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        if only_if_missing:
            return
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin_url = urlunsplit(
        (parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", "")
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and only_if_missing:
            return
        if not name.startswith(("lianxin_bench", "bench_")):
            raise SystemExit(f"refusing to drop {name!r}: bench databases are named lianxin_bench*")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


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

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    @contextmanager
    def counting(self) -> Iterator[QueryCounter]:
        from django.db import connection

        with connection.execute_wrapper(self):
            yield self


def load_average() -> str:
    """The 1-minute load average: on a shared 2-core machine, other work skews timings."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


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
