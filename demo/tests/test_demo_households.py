"""The demo's households (demo/households.py), made through the services on a built demo county."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from cases.reference import ensure_reference_data
from demo.county import CountyBuilder
from demo.households import load_households
from households.models import AssistancePlan, HouseholdEvent, HouseholdVisit, PlanReview


@pytest.mark.slow
def test_shangbus_monitored_households_get_plans_reviews_and_visits(db):
    ensure_reference_data()
    rng = random.Random(7)
    now = timezone.now().replace(second=0, microsecond=0)
    county = CountyBuilder(rng, joined=now - timedelta(days=400)).build()
    counts = load_households(county, rng, now)
    assert AssistancePlan.objects.active().count() == counts["plans"] == 47
    assert PlanReview.objects.count() == counts["reviews"] > 47
    overdue = AssistancePlan.objects.overdue(timezone.localdate()).count()
    assert 1 <= overdue < 47 // 2
    assert HouseholdVisit.objects.count() == counts["visits"] > 100
    assert Case.objects.filter(household__isnull=False).count() == counts["cases"] >= 1
    assert HouseholdEvent.objects.count() == sum(
        counts[k] for k in ("plans", "reviews", "visits", "members")
    )
