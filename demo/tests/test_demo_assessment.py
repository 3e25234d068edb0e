"""The demo's assessment task (demo/assessment.py), made through the services on a built demo
county: indicators, breakdown, progress, one 通报 and one open 限期整改, and the pages."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    AssessmentEvent,
    AssessmentTask,
    Breakdown,
    IndicatorKind,
    Notice,
    Rectification,
    RectificationStatus,
)
from cases.reference import ensure_reference_data
from demo.assessment import UNITS, load_assessment
from demo.county import CountyBuilder


@pytest.mark.slow
def test_the_demo_task_is_broken_down_reported_and_followed_up(db, client):
    ensure_reference_data()
    rng = random.Random(7)
    now = timezone.now().replace(second=0, microsecond=0)
    county = CountyBuilder(rng, joined=now - timedelta(days=400)).build()
    made = load_assessment(county, rng, now)
    assert (made.tasks, made.indicators, made.reports) == (1, 5, 4)
    task = AssessmentTask.objects.get()
    assert task.year == timezone.localdate().year and task.title.endswith("为民办实事考核")
    engine = task.indicators.filter(kind=IndicatorKind.ENGINE)
    assert sorted(engine.values_list("metric", flat=True)) == ["on_time_rate", "satisfaction_rate"]
    assert Breakdown.objects.filter(indicator__in=engine).count() == 2 * len(UNITS)
    assert made.rows == 2 * len(UNITS) + 5
    assert Notice.objects.count() == 1
    assert Rectification.objects.get().status == RectificationStatus.OPEN
    assert AssessmentEvent.objects.filter(task=task, kind="progress_reported").count() == 4
    assert load_assessment(county, rng, now).tasks == 0  # once only
    # The dispatcher reads the table; the 住建局 handler answers on the unit's page.
    client.force_login(county.users["dispatcher"])
    page = client.get(reverse("assessment:task-detail", args=[task.pk]))
    assert page.status_code == 200 and "任务分解表" in page.content.decode()
    zjj = county.units["zjj"]
    client.force_login(county.handlers[zjj.pk])
    mine = client.get(reverse("assessment:unit-page", args=[task.pk, zjj.pk]))
    assert mine.status_code == 200 and "反馈整改情况" in mine.content.decode()
