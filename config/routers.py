"""Reports read from a replica when one is configured (DATABASE_REPLICA_URL).

Only reads inside ``reading_reports()`` go there — the dashboard, the rates API and the
briefings' numbers, which tolerate a replica's second of lag; a case page, a move or anything
that writes never does, so a user always sees their own move at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings

REPLICA = "replica"
_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def reading_reports() -> Iterator[None]:
    token = _reports.set(True)
    try:
        yield
    finally:
        _reports.reset(token)


def reads_reports(view: Callable[..., Any]) -> Callable[..., Any]:
    """A report view (or a view method): all its reads inside ``reading_reports()``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reading_reports():
            return view(*args, **kwargs)

    return wrapper


class ReportsRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reports.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica is a copy of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
