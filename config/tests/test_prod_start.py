"""The production start (scripts/prod.sh) on PostgreSQL and Redis: two gunicorn workers and two
RQ task workers come up from environment variables alone, are ready, serve pages, and a task
enqueued through the Redis backend runs on a worker. Skipped on SQLite (the PostgreSQL pass
of `make test` runs it) and where no Redis answers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection

from config.tests.environment import ROOT, STRONG_KEY, clean_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
REDIS_URL = "redis://127.0.0.1:6379/14"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception:
        pytest.skip("No Redis at 127.0.0.1:6379")
    return client


def _get(url: str) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def test_two_web_and_two_task_workers_on_postgresql_and_redis(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("The production start runs on PostgreSQL (the PostgreSQL pass runs it).")
    client = _redis()
    client.flushdb()
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    port = _free_port()
    env = clean_env(
        tmp_path,
        DJANGO_SECRET_KEY=STRONG_KEY,
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        LIANXIN_BIND=f"127.0.0.1:{port}",
        LIANXIN_REDIS_URL=REDIS_URL,
        LIANXIN_TASK_BACKEND="django_tasks_rq.RQBackend",
        LIANXIN_WEB_WORKERS="2",
        LIANXIN_TASK_WORKERS="2",
        LIANXIN_LOG_FORMAT="json",
    )
    server = subprocess.Popen(
        ["bash", "scripts/prod.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240  # six Django start-ups before gunicorn listens
        status, body = 0, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(f"{base}/readyz")
            except OSError:
                time.sleep(0.5)
                continue
            if status == 200:
                break
            time.sleep(0.5)
        if status != 200:
            os.killpg(server.pid, signal.SIGTERM)
            log = server.communicate(timeout=30)[0].decode(errors="replace")
            pytest.fail(f"not ready: {status} {body}\n{log}")
        assert isinstance(body, dict)
        assert body["checks"] == {
            "database": "ok",
            "migrations": "ok",
            "cache": "ok",
            "tasks": "ok",
        }
        # Pages and static files come from gunicorn itself.
        assert _get(f"{base}/login/")[0] == 200
        assert _get(f"{base}/static/web/app.css")[0] == 200
        # Two gunicorn workers under the master, two RQ workers registered in Redis.
        from rq import Worker

        workers = []
        for _ in range(60):
            workers = Worker.all(connection=client)
            if len(workers) == 2:
                break
            time.sleep(0.5)
        assert len(workers) == 2
        gunicorns = subprocess.run(
            ["pgrep", "-f", f"gunicorn config.wsgi:application --bind 127.0.0.1:{port}"],
            capture_output=True,
            text=True,
        ).stdout.split()
        assert len(gunicorns) == 3, gunicorns  # the master and its two workers
        # A task enqueued through the Redis backend runs on one of the workers.
        enqueue = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "import time\n"
                "from cases.tasks import sweep_overdue\n"
                "result = sweep_overdue.enqueue(False)\n"
                "for _ in range(120):\n"
                "    result.refresh()\n"
                "    if result.is_finished: break\n"
                "    time.sleep(0.25)\n"
                "print([e.traceback for e in result.errors])\n"
                "print(result.status)\n",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert enqueue.stdout.strip().endswith("SUCCESSFUL"), enqueue.stdout + enqueue.stderr
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            output = server.communicate(timeout=30)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output = server.communicate()[0].decode(errors="replace")
        client.flushdb()
        # The start migrated django_rq into this test database; the test process does not
        # install it, so its records would read as migrations from a newer version (ops backup).
        from django.db.migrations.recorder import MigrationRecorder

        MigrationRecorder(connection).migration_qs.filter(app="django_rq").delete()
    assert "rid=" in output  # gunicorn's access log names each request's id
