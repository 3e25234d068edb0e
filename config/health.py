"""Liveness and readiness for a load balancer or an orchestrator, without signing in.

``/healthz``: the process answers (no database). ``/readyz``: it can serve — the database
answers, no migration is pending, the cache (shared Redis in production) and the task backend
are reachable. Each check says only ok or failed: no versions, hosts or errors are shown.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("lianxin.health")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


_migrated = False


def _migrations() -> bool:
    """No migration pending; once true it stays true for the process (code and migrations do
    not change under a running process), so a probe every few seconds costs one query."""
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def _cache() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return ok


def _tasks() -> bool:
    from django_tasks import task_backends

    if type(task_backends["default"]).__name__ == "RQBackend":
        import django_rq

        return bool(django_rq.get_connection().ping())
    return True  # the database backend: checked with the database


CHECKS = {"database": _database, "migrations": _migrations, "cache": _cache, "tasks": _tasks}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "failed"
        except Exception:
            log.exception("readiness check %s failed", name)
            results[name] = "failed"
    ready = all(value == "ok" for value in results.values())
    body = {
        "status": "ok" if ready else "failed",
        "checks": results,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if ready else 503)
