"""No query per row: every list endpoint costs the same number of queries for 10 rows and 50."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.tests.world import make_user
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import (
    EnterpriseLink,
    Household,
    HouseholdLink,
    HouseholdTag,
    Person,
    Role,
    RoleAssignment,
)
from regions.models import Region, RegionLevel


def _cases(world, start: int, count: int) -> None:
    """Cases in several states with co-units, so every relation a row shows is filled."""
    for index in range(start, start + count):
        case = services.triage_case(world.report("dispute"), actor=world.dispatcher)
        if index % 2:
            services.assign_case(
                case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
            )


def _registries(world, start: int, count: int) -> None:
    tags = [HouseholdTag.objects.get_or_create(name=name)[0] for name in ("低保", "监测对象")]
    for index in range(start, start + count):
        person = Person.objects.create(name=f"人员{index}", phone="13800000000", region=world.grid)
        enterprise = Organisation.objects.create(
            kind=OrgKind.ENTERPRISE,
            name=f"企业{index}",
            credit_code=make_credit_code("9", "1", "350526", f"MA{index:07d}"),
            region=world.town,
        )
        Region.objects.create(
            name=f"组{index}", code=f"G{index:05d}", level=RegionLevel.GROUP, parent=world.grid
        )
        home = Household.objects.create(head_name=f"户主{index}", region=world.grid)
        home.tags.set(tags)
        EnterpriseLink.objects.create(person=person, enterprise=enterprise, kind="linked_cadre")
        HouseholdLink.objects.create(person=person, household=home, kind="party_member")


LISTS = [
    "/api/v1/cases/?page_size=200",
    "/api/v1/cases/?page_size=200&ordering=deadline&unit={dept}&region={county}",
    "/api/v1/events/?page_size=200",
    "/api/v1/regions/?page_size=200",
    "/api/v1/organisations/?page_size=200",
    "/api/v1/enterprises/?page_size=200",
    "/api/v1/people/?page_size=200",
    "/api/v1/households/?page_size=200",
    "/api/v1/enterprise-links/?page_size=200",
    "/api/v1/household-links/?page_size=200",
    "/api/v1/metrics/?group_by=unit,month,type,category",
    "/api/v1/metrics/?group_by=region&region_level=2",
    "/api/v1/case-types/",
]


def _count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    rows = len(body["results"]) if isinstance(body, dict) and "results" in body else -1
    return len(queries), rows


@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_queries_for_10_rows_and_50(world, client_for, url):
    url = url.format(dept=world.dept.pk, county=world.county.code)
    # A dispatcher over the county with an administrator role: the widest scope that still
    # builds the scope filter, and the only role that reads every registry unmasked.
    user = make_user("lister", Role.DISPATCHER, region=world.county)
    RoleAssignment.objects.create(user=user, role=Role.ADMIN)
    client = client_for(user)

    _cases(world, 0, 10)
    _registries(world, 0, 10)
    client.get(url)  # the first request of a key records when it was used (one UPDATE)
    small, small_rows = _count(client, url)
    _cases(world, 10, 40)
    _registries(world, 10, 40)
    client.get(url)  # the rates' rollup catches up with the new cases' events once
    large, large_rows = _count(client, url)

    assert large == small, f"{url}: {small} queries for the small world, {large} for the large"
    assert large_rows == -1 or large_rows > small_rows
