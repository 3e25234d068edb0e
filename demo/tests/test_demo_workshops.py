"""The demo's workshops and jobs (demo/workshops.py), made through the services on a built demo
county."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.reference import ensure_reference_data
from demo.county import CountyBuilder
from demo.places import WORKSHOPS
from demo.workshops import POSTINGS, SEED_WORKSHOPS, load_workshops
from people.models import User
from workshops import selectors
from workshops.models import (
    JobPosting,
    Placement,
    WorkshopEvent,
    WorkshopProfile,
    WorkshopYear,
)


@pytest.mark.slow
def test_the_demo_workshops_are_filed_with_figures_jobs_and_placements(db):
    ensure_reference_data()
    rng = random.Random(7)
    now = timezone.now().replace(second=0, microsecond=0)
    county = CountyBuilder(rng, joined=now - timedelta(days=400)).build()
    assert load_workshops(county, rng, now) == len(WORKSHOPS) + len(SEED_WORKSHOPS)
    sweet = WorkshopProfile.objects.get(organisation__name="甜蜜站共富工坊")
    quarters = (now.month - 1) // 3
    assert WorkshopYear.objects.filter(workshop=sweet).count() == quarters
    if quarters:
        assert (
            WorkshopYear.objects.filter(workshop=sweet).order_by("quarter").last().households == 45
        )
    assert JobPosting.objects.count() == len(POSTINGS)
    assert Placement.objects.exists()
    for p in Placement.objects.select_related("posting", "member"):
        assert p.household.tags.filter(pk__in=p.posting.tags.all()).exists()
        # Person-level: a member of the household, of working age when placed.
        assert p.member is not None and p.member.household_id == p.household_id
        assert p.person_name == p.member.name
        assert 16 <= p.placed_on.year - p.member.birth_year <= 60
    assert WorkshopEvent.objects.count() >= WorkshopProfile.objects.count()
    admin = User.objects.create_superuser("ws-admin", password="x-12345-y")
    if quarters:
        rows, grand = selectors.quarterly_report(admin, now.year, quarters)
        assert grand.count == WorkshopProfile.objects.count()
    assert load_workshops(county, rng, now) == 0  # once only
