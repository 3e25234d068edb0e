"""The demo's projects (demo/projects.py), made through the services on a built demo county."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, Channel
from cases.reference import ensure_reference_data
from demo.county import CountyBuilder
from demo.projects import PLANS, load_projects
from projects.models import Milestone, MilestoneStatus, ProjectEvent, Stage


@pytest.mark.slow
def test_the_demo_projects_reach_their_stages_with_a_blocker_and_an_overdue_milestone(db):
    ensure_reference_data()
    rng = random.Random(7)
    now = timezone.now().replace(second=0, microsecond=0)
    county = CountyBuilder(rng, joined=now - timedelta(days=400)).build()
    projects = load_projects(county, rng, now)
    assert [p.stage for p in projects] == [plan.stage for plan in PLANS]
    assert {p.stage for p in projects} >= {Stage.PRODUCTION, Stage.SIGNED}
    blocked = Milestone.objects.get(status=MilestoneStatus.BLOCKED)
    assert blocked.case is not None and blocked.case.channel == Channel.VISIT
    assert Case.objects.get(pk=blocked.case_id).enterprise == blocked.project.enterprise
    assert Milestone.objects.filter(status=MilestoneStatus.PENDING, deadline__lt=now).exists()
    assert all(p.commissioner_id for p in projects)
    # The Shangbu project is the demo commissioner's own (login zhuchang).
    assert projects[-1].commissioner_id == county.users["zhuchang"].person_id
    assert ProjectEvent.objects.filter(kind="stage_advanced").count() == 3 + 2 + 1
    assert load_projects(county, rng, now) == []  # once only
