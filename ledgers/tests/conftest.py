"""Fixtures of the ledger tests."""

from __future__ import annotations

import pytest

from orgs.models import Organisation, OrgKind
from regions.models import Region, RegionLevel


@pytest.fixture
def office(world):
    """The places and units the test ledgers name, beside the world's 浔中镇/浔中村/龙浔镇."""
    town, other_town = world.town, world.other_town
    made = {
        "宝美村": Region.objects.create(
            name="宝美村", code="350526100002", level=RegionLevel.VILLAGE, parent=town
        ),
        "东园村": Region.objects.create(
            name="东园村", code="350526100003", level=RegionLevel.VILLAGE, parent=town
        ),
        "英山村": Region.objects.create(
            name="英山村", code="350526101002", level=RegionLevel.VILLAGE, parent=other_town
        ),
    }
    sanban = Region.objects.create(
        name="三班镇", code="350526102", level=RegionLevel.TOWN, parent=world.county
    )
    made["三班村"] = Region.objects.create(
        name="三班村", code="350526102001", level=RegionLevel.VILLAGE, parent=sanban
    )
    for name in ("浔中镇", "龙浔镇", "三班镇"):
        Organisation.objects.create(
            kind=OrgKind.TOWN_GOVERNMENT, name=f"{name}人民政府", region=world.county
        )
    Organisation.objects.create(
        kind=OrgKind.DEPARTMENT,
        name="德化县住房和城乡建设局",
        short_name="住建局",
        region=world.county,
    )
    Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="德化县教育局", short_name="教育局", region=world.county
    )
    return made
