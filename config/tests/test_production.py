"""Production mode's parts, each on its own: request ids on every log line (plain and JSON),
health and readiness, the reports' replica router, tasks told only after the move commits,
and the working calendar's changes reaching other processes through the shared cache."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import transaction
from django.test.utils import override_settings

from config.tests.environment import ROOT, STRONG_KEY, clean_env

JSON_SCRIPT = """
import django, logging
django.setup()
from config.requestid import current
token = current.set("abc123")
logging.getLogger("lianxin.sweep").info("sweep: 3 cases overdue")
"""


def test_json_logs_carry_the_request_id(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", JSON_SCRIPT],
        cwd=ROOT,
        env=clean_env(
            tmp_path,
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_SECRET_KEY=STRONG_KEY,
            LIANXIN_LOG_FORMAT="json",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "sweep: 3 cases overdue"
    assert (line["level"], line["logger"], line["request_id"]) == (
        "INFO",
        "lianxin.sweep",
        "abc123",
    )
    assert "time" in line


def test_a_request_id_is_echoed_or_made(client, db):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert given["X-Request-ID"] == "lb-7f3a.42"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="evil\nline injected")
    assert made["X-Request-ID"] != "evil\nline injected"
    assert len(made["X-Request-ID"]) == 32


def test_health_and_readiness(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
        "tasks": "ok",
    }
    assert client.post("/readyz").status_code == 405


def test_readiness_fails_when_a_check_fails(client, db, monkeypatch):
    from config import health

    def broken() -> bool:
        raise ConnectionError("redis down")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"
    assert "redis" not in response.content.decode()


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_reports_read_from_the_replica_and_nothing_else_does(settings):
    """With a replica configured, reads inside ``reading_reports()`` go there; other reads and
    every write stay on the primary."""
    from cases.models import Case
    from config.routers import reading_reports

    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    assert Case.objects.all().db == "default"
    with reading_reports():
        assert Case.objects.all().db == "replica"
        from django.db import router

        assert router.db_for_write(Case) == "default"
    assert Case.objects.all().db == "default"


def test_without_a_replica_reports_read_the_primary():
    from cases.models import Case
    from config.routers import reading_reports

    with reading_reports():
        assert Case.objects.all().db == "default"


def test_a_queue_outside_the_database_hears_of_a_move_only_after_it_commits(
    world, django_capture_on_commit_callbacks
):
    from django_tasks import task_backends

    from cases import services

    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        backend = task_backends["default"]
        assert type(backend).__name__ == "DummyBackend"
        try:
            with transaction.atomic():
                case = services.triage_case(world.report(), actor=world.dispatcher)
                services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
                assert backend.results == []  # nothing told inside the transaction
                raise RuntimeError("the move fails after the assignment")
        except RuntimeError:
            pass
        assert backend.results == []
        with django_capture_on_commit_callbacks(execute=True):
            case = services.triage_case(world.report(), actor=world.dispatcher)
            services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
        told = [r.task.name for r in backend.results]
        assert told.count("check_case_deadline") == 1, told


def test_a_calendar_change_reaches_other_processes_through_the_shared_cache(db, settings):
    from datetime import date

    from django.core.cache import cache

    from cases import deadlines
    from cases.models import WorkCalendarDay

    deadlines.invalidate_calendar_cache()
    saturday = date(2027, 1, 2)
    assert deadlines.is_workday(saturday) is False
    # Another process enters the day and publishes the change; this one still has the old days.
    WorkCalendarDay.objects.bulk_create([WorkCalendarDay(date=saturday, is_workday=True)])
    assert deadlines.is_workday(saturday) is False
    version = cache.get(deadlines._VERSION_KEY) or 0
    cache.set(deadlines._VERSION_KEY, version + 1, None)
    deadlines._version_checked_at = 0.0  # as if two seconds had passed
    assert deadlines.is_workday(saturday) is True


def test_the_dashboard_and_the_rates_api_read_as_reports(world, client, monkeypatch):
    """Both report doors compute their figures inside ``reading_reports()``."""
    from config import routers
    from stats import metrics, rollup

    seen: list[bool] = []

    def recorded(real):
        def recording(*args, **kwargs):
            seen.append(routers._reports.get())
            return real(*args, **kwargs)

        return recording

    # Live figures or the rollup's (a leader's view is a whole region subtree): either way
    # inside the report doors' context (the rollup itself reads and writes the primary).
    monkeypatch.setattr(metrics, "rates", recorded(metrics.rates))
    monkeypatch.setattr(rollup.Source, "rates", recorded(rollup.Source.rates))
    client.force_login(world.leader)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/api/v1/metrics/").status_code == 200
    assert seen and all(seen)
