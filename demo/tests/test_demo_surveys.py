"""The demo's survey (demo/surveys.py): Shangbu's monitored households surveyed, partly visited
and re-checked, through the services on a built demo county."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from cases.reference import ensure_reference_data
from demo.county import CountyBuilder
from demo.surveys import load_surveys
from households import surveys
from households.models import (
    HouseholdEvent,
    HouseholdEventKind,
    Survey,
    SurveyTask,
    SurveyTaskStatus,
)


@pytest.mark.slow
def test_shangbus_monitored_households_are_surveyed_visited_and_rechecked(db):
    ensure_reference_data()
    rng = random.Random(7)
    now = timezone.now().replace(second=0, microsecond=0)
    county = CountyBuilder(rng, joined=now - timedelta(days=400)).build()
    counts = load_surveys(county, rng, now)
    survey = Survey.objects.get()
    assert survey.created_by == county.users["shangbu_dispatcher"]
    assert survey.status == "open" and survey.due_on > timezone.localdate()
    tasks = SurveyTask.objects.filter(survey=survey)
    assert tasks.count() == counts["tasks"] == 47
    assert {t.household.address[:3] for t in tasks.select_related("household")} == {"上埠镇"}
    assert all(t.household.tags.filter(name="监测对象").exists() for t in tasks[:5])
    pending = tasks.filter(status=SurveyTaskStatus.PENDING).count()
    visited = tasks.filter(status=SurveyTaskStatus.VISITED).count()
    rechecked = tasks.filter(status=SurveyTaskStatus.RECHECKED).count()
    assert pending and visited and rechecked, (pending, visited, rechecked)
    assert rechecked == counts["rechecked"] < counts["visits"] < 47
    assert tasks.exclude(recheck_note="").filter(recheck_ok=False).exists()  # sent back
    assert Case.objects.filter(survey_tasks__survey=survey).count() == counts["cases"] >= 1
    kinds = HouseholdEvent.objects.values_list("kind", flat=True)
    assert kinds.filter(kind=HouseholdEventKind.SURVEY_VISITED).count() == counts["visits"]
    assert kinds.filter(kind=HouseholdEventKind.SURVEY_RECHECKED).count() == counts["rechecks"]
    # Every moment lies in the demo's past, and the progress adds up by grid.
    assert not tasks.filter(visited_at__gt=now).exists()
    assert not tasks.filter(rechecked_at__gt=now).exists()
    assert not tasks.filter(visited_at__lt=survey.created_at).exists()
    rows = surveys.progress_by_grid(survey, county.users["shangbu_dispatcher"])
    assert sum(r.total for r in rows) == 47
    assert sum(r.rechecked for r in rows) == rechecked
