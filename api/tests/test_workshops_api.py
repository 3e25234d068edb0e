"""Workshops and jobs over the API: scope is a 404, masking, figures and placements through the
services with precise errors in both languages, fixed queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from api.tests.helpers import assert_error
from orgs.models import Organisation, OrgKind
from workshops import services
from workshops.models import HelpedHousehold, Placement, WorkshopType, WorkshopYear
from workshops.tests.helpers import build


@pytest.fixture
def ws(world):
    return build(world)


def test_list_by_scope(ws, world, client_for):
    rows = client_for(ws.org_dept).get("/api/v1/workshops/").json()["results"]
    assert {r["name"] for r in rows} == {"甜蜜站共富工坊", "青创园共富工坊"}
    rows = client_for(ws.town_dispatcher).get("/api/v1/workshops/").json()["results"]
    assert [r["name"] for r in rows] == ["甜蜜站共富工坊"]
    rows = client_for(ws.org_dept).get("/api/v1/workshops/?type=processing").json()["results"]
    assert [r["name"] for r in rows] == ["青创园共富工坊"]
    assert_error(
        client_for(ws.org_dept).get("/api/v1/workshops/?type=x"), 400, "invalid_choice", "type"
    )
    assert_error(client_for(world.handler).get("/api/v1/workshops/"), 403, "forbidden")


def test_other_town_is_404(ws, client_for):
    client = client_for(ws.town_dispatcher)
    assert client.get(f"/api/v1/workshops/{ws.shop.pk}/").status_code == 200
    assert_error(client.get(f"/api/v1/workshops/{ws.other_shop.pk}/"), 404, "not_found")
    assert_error(client.get("/api/v1/workshops/99999999999/"), 404, "not_found")


def test_detail_masks_households(ws, client_for):
    HelpedHousehold.objects.create(workshop=ws.shop, household=ws.disabled, since=date(2025, 1, 1))
    helped = client_for(ws.org_dept).get(f"/api/v1/workshops/{ws.shop.pk}/").json()["helped"]
    assert helped[0]["household"]["head_name"] == "郑**"
    assert helped[0]["household"]["masked"] is True
    helped = client_for(ws.town_dispatcher).get(f"/api/v1/workshops/{ws.shop.pk}/").json()["helped"]
    assert helped[0]["household"]["head_name"] == "郑小红"


def test_record_figures(ws, world, client_for):
    url = f"/api/v1/workshops/{ws.shop.pk}/figures/"
    data = {"year": 2026, "quarter": 2, "jobs": 3, "households": 4, "income": "5.5", "output": "6"}
    answer = client_for(ws.lead).post(url, data, format="json")
    assert answer.status_code == 201, answer.content
    assert WorkshopYear.objects.get(workshop=ws.shop, quarter=2).income == 5.5
    assert_error(
        client_for(ws.lead).post(url, {**data, "quarter": 9}, format="json"),
        400,
        "max_value",
        "quarter",
    )
    assert_error(client_for(world.leader).post(url, data, format="json"), 403, "forbidden")
    assert len(client_for(ws.lead).get(url).json()) == 2


def test_postings_and_placements(ws, client_for):
    client = client_for(ws.town_dispatcher)
    rows = client.get("/api/v1/job-postings/").json()["results"]
    assert [(r["title"], r["placed"]) for r in rows] == [("蜂蜜分装工", 0)]
    url = f"/api/v1/job-postings/{ws.posting.pk}/placements/"
    data = {"member": ws.worker.pk, "placed_on": "2026-03-05"}
    answer = client.post(url, data, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["member"] == ws.worker.pk
    assert answer.json()["person_name"] == "郑大勇"
    placed = Placement.objects.get()
    assert placed.recorded_by == ws.town_dispatcher and placed.household == ws.disabled
    assert_error(client.post(url, data, format="json"), 400, "exists", "member")
    for other in (ws.poor_member, ws.elder, ws.child):
        assert_error(
            client.post(url, {**data, "member": other.pk}, format="json"),
            400,
            "not_matched",
            "member",
        )
    detail = client_for(ws.org_dept).get(f"/api/v1/job-postings/{ws.posting.pk}/").json()
    assert [(h["id"], h["head_name"]) for h in detail["matched"]] == [(ws.disabled.pk, "郑**")]
    # Person-level: the members not yet placed, masked as their household is.
    assert [(m["id"], m["name"], m["age"]) for m in detail["members"]] == [
        (ws.by_id.pk, "郑**", timezone.localdate().year - 1985),
        (ws.unknown_age.pk, "郑*", None),
    ]
    assert detail["members"][0]["phone"] == "138****1111" and detail["members"][0]["masked"]
    mine = client.get(f"/api/v1/job-postings/{ws.posting.pk}/").json()
    assert mine["members"][0]["name"] == "郑二妹" and not mine["members"][0]["masked"]
    masked = client_for(ws.org_dept).get(url).json()
    assert masked[0]["person_name"] == "郑**"
    assert_error(client_for(ws.world.other_grid_worker).get(url), 404, "not_found")


@pytest.mark.parametrize("member", ["abc", 0, -1, 10**15, None])
def test_bad_member_ids_are_a_400(ws, client_for, member):
    url = f"/api/v1/job-postings/{ws.posting.pk}/placements/"
    answer = client_for(ws.town_dispatcher).post(
        url, {"member": member, "placed_on": "2026-03-05"}, format="json"
    )
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "member"
    assert not Placement.objects.exists()


def test_queries_are_pinned(ws, world, client_for, django_assert_num_queries):
    client = client_for(ws.org_dept)
    client.get("/api/v1/workshops/")
    for n in range(4):
        org = Organisation.objects.create(kind=OrgKind.WORKSHOP, name=f"工坊{n}", region=world.grid)
        services.register_workshop(org, type=WorkshopType.BRAND, actor=None)
    for h in (ws.poor, ws.disabled):
        services.add_household(ws.shop, h, since=date(2025, 1, 1), actor=None)
    pins = [
        ("/api/v1/workshops/", 3),
        ("/api/v1/job-postings/", 4),
        (f"/api/v1/workshops/{ws.shop.pk}/", 5),
        (f"/api/v1/job-postings/{ws.posting.pk}/", 6),
    ]
    for url, count in pins:
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
