"""The region admin: a region is placed under its parent once, when it is added.

Moving a region would leave its materialized ``path`` (and its whole subtree's) under the old
parent, so every scope check would still see it there; the admin shows the parent read-only.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from regions.models import Region, RegionLevel


@pytest.fixture
def tree(db):
    county = Region.objects.create(name="德化县", code="350526", level=RegionLevel.COUNTY)
    town = Region.objects.create(
        name="浔中镇", code="350526100", level=RegionLevel.TOWN, parent=county
    )
    other_town = Region.objects.create(
        name="龙浔镇", code="350526101", level=RegionLevel.TOWN, parent=county
    )
    village = Region.objects.create(
        name="浔中村", code="350526100001", level=RegionLevel.VILLAGE, parent=town
    )
    return {"county": county, "town": town, "other_town": other_town, "village": village}


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", password="pass-12345")
    client.force_login(user)
    return client


def form(region: Region, **changes) -> dict:
    data = {
        "name": region.name,
        "code": region.code,
        "level": region.level,
        "parent": region.parent_id or "",
        "is_grid": "",
        "population": "",
        "households_count": "",
    }
    data.update(changes)
    return data


def test_the_parent_cannot_be_changed_on_the_change_page(tree, admin_client):
    village = tree["village"]
    url = reverse("admin:regions_region_change", args=[village.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="parent"' not in page.content.decode()
    response = admin_client.post(url, form(village, name="浔中社区", parent=tree["other_town"].pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    village.refresh_from_db()
    assert (village.name, village.parent_id) == ("浔中社区", tree["town"].pk)
    assert village.path.startswith(tree["town"].path)


def test_the_parent_is_chosen_when_a_region_is_added(tree, admin_client):
    url = reverse("admin:regions_region_add")
    assert 'name="parent"' in admin_client.get(url).content.decode()
    new = Region(name="龙浔村", code="350526101001", level=RegionLevel.VILLAGE)
    response = admin_client.post(url, form(new, parent=tree["other_town"].pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Region.objects.get(code="350526101001")
    assert added.parent == tree["other_town"] and added.path.startswith(tree["other_town"].path)
