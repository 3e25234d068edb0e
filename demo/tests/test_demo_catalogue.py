"""The demo's dispatch catalogue (demo/catalogue.py): v1 from the suggested units, v2 with one
line changed, both made through the services before the year of cases, v2 in force."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import catalogue, services
from cases.models import CaseAssignment, CatalogueStatus, Category, DispatchCatalogue, Priority
from cases.reference import ensure_reference_data
from demo.catalogue import ADDED_CO_UNIT, CHANGED, load_catalogue
from demo.county import CountyBuilder
from demo.replay import suggest_units


@pytest.mark.slow
def test_the_demo_publishes_v1_then_v2_with_one_change(db):
    types = ensure_reference_data()
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - timedelta(days=365)
    county = CountyBuilder(random.Random(7), joined=start - timedelta(days=30)).build()
    suggest_units(county, types)
    v2 = load_catalogue(county, start)

    v1 = DispatchCatalogue.objects.get(version=1)
    assert (v1.status, v2.status, v2.version) == (
        CatalogueStatus.RETIRED,
        CatalogueStatus.PUBLISHED,
        2,
    )
    assert v1.published_at < v2.created_at < v2.published_at < start
    assert v1.published_by == county.users["dispatcher"]
    assert v2.published_by == county.users["admin"]
    # v1: every category with a suggested unit, led by it.
    suggested = Category.objects.filter(suggested_unit__isnull=False)
    assert v1.entries.count() == suggested.count() > 30
    for entry in v1.entries.select_related("category"):
        assert entry.lead_unit_id == entry.category.suggested_unit_id
    # v2: one line changed, to 紧急 with the housing bureau as co-unit.
    [change] = catalogue.diff(v1, v2)
    assert (change.category.case_type.code, change.category.name) == CHANGED
    assert change.kind == "changed" and "co_units" in change.fields
    assert change.after is not None and change.after.priority == Priority.URGENT
    assert county.units[ADDED_CO_UNIT] in change.after.co_units.all()

    # A hand-over from now on records v2.
    dispatcher = county.users["dispatcher"]
    category = change.category
    case = services.report_case(
        actor=dispatcher,
        case_type=category.case_type,
        region=county.region,
        title="窑炉燃气管道异味",
        description="窑炉车间燃气管道接口有异味，担心泄漏。",
        category=category,
    )
    case = services.triage_case(case, actor=dispatcher, priority=Priority.URGENT)
    case = services.assign_case(case, actor=dispatcher, lead_unit=change.after.lead_unit)
    assert set(
        CaseAssignment.objects.filter(case=case).values_list("catalogue__version", flat=True)
    ) == {2}
