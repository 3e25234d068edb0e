"""Households over the API: the file masked by the requester rule, scope as 404, a visit with
demands made once per token, plan reviews, tag changes, errors in both languages, fixed
queries on the list."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import time_machine

from api.tests.helpers import assert_error
from cases.models import Case
from households import services
from households.models import HouseholdVisit, PlanReview
from households.tests.helpers import build
from people.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def hh(world):
    return build(world)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        yield


def plan(hh):
    return services.create_plan(
        hh.home,
        responsible=hh.helper.person,
        measures=[services.Measure("发展油茶种植", "年增收3000元")],
        started_on=date(2026, 1, 5),
        actor=hh.world.grid_worker,
    )


def file_url(household) -> str:
    return f"/api/v1/household-files/{household.pk}/"


class TestRead:
    def test_the_file_is_masked_for_a_leader_and_plain_for_the_grid_worker(self, hh, client_for):
        plan(hh)
        body = client_for(hh.world.leader).get(file_url(hh.home)).json()
        assert body["contact"] is False and body["head_name"] == "李**"
        assert body["phone"] == "139****0001" and body["plan"]["measures"][0]["measure"]
        body = client_for(hh.world.grid_worker).get(file_url(hh.home)).json()
        assert body["contact"] is True and body["head_name"] == "李春生"

    def test_outside_the_scope_is_a_404(self, hh, client_for):
        assert_error(
            client_for(hh.world.other_grid_worker).get(file_url(hh.home)), 404, "not_found"
        )
        assert_error(client_for(hh.party_member).get(file_url(hh.other_home)), 404, "not_found")

    def test_the_list_is_scoped_masked_and_of_fixed_queries(
        self, hh, client_for, django_assert_num_queries
    ):
        client = client_for(hh.world.grid_worker)
        rows = client.get("/api/v1/household-files/").json()["results"]
        assert [r["id"] for r in rows] == [hh.home.pk] and rows[0]["head_name"] == "李**"
        with django_assert_num_queries(4) as few:
            client.get("/api/v1/household-files/")
        for i in range(5):
            Household.objects.create(head_name=f"张{i}", region=hh.world.grid).tags.add(
                hh.monitored
            )
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(client.get("/api/v1/household-files/").json()["results"]) == 6

    def test_the_list_is_refused_to_those_who_read_no_households(self, hh, client_for):
        assert_error(client_for(hh.world.handler).get("/api/v1/household-files/"), 403, "forbidden")


class TestWrite:
    def test_a_visit_with_demands_is_made_once(self, hh, client_for):
        client = client_for(hh.party_member)
        data = {
            "visited_on": "2026-03-10",
            "findings": "家中老人慢性病",
            "token": str(uuid.uuid4()),
            "demands": [
                {
                    "case_type": "resident_issue",
                    "description": "申请临时救助",
                    "token": str(uuid.uuid4()),
                }
            ],
        }
        url = f"/api/v1/households/{hh.home.pk}/visits/"
        first = client.post(url, data, format="json")
        assert first.status_code == 201, first.content
        assert client.post(url, data, format="json").status_code == 200
        assert HouseholdVisit.objects.count() == 1
        assert Case.objects.filter(household=hh.home).count() == 1
        assert first.json()["cases"] == [Case.objects.get(household=hh.home).pk]

    def test_a_bad_demand_answers_its_row(self, hh, client_for):
        data = {
            "visited_on": "2026-03-11",
            "findings": "x",
        }
        response = client_for(hh.party_member).post(
            f"/api/v1/households/{hh.home.pk}/visits/", data, format="json"
        )
        assert_error(response, 400, "future", "visited_on")

    def test_a_review_moves_the_measure_and_the_next_date(self, hh, client_for):
        p = plan(hh)
        measure = p.measures.get()
        response = client_for(hh.helper).post(
            f"/api/v1/households/{hh.home.pk}/plan/reviews/",
            {
                "reviewed_on": "2026-03-10",
                "progress": "已种下",
                "measures": {str(measure.pk): "in_progress"},
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["next_review_on"] == "2026-04-10"
        assert PlanReview.objects.count() == 1

    def test_a_review_without_a_plan_is_a_400(self, hh, client_for):
        response = client_for(hh.helper).post(
            f"/api/v1/households/{hh.home.pk}/plan/reviews/",
            {"reviewed_on": "2026-03-10", "progress": "x"},
            format="json",
        )
        assert_error(response, 400, "no_plan", "plan")

    def test_tags_change_with_history_and_a_leader_is_refused(self, hh, client_for):
        url = f"/api/v1/households/{hh.home.pk}/tags/"
        data = {"tag": hh.monitored.pk, "action": "add", "reason": "突发困难"}
        assert client_for(hh.world.grid_worker).post(url, data, format="json").status_code == 200
        assert_error(
            client_for(hh.world.grid_worker).post(url, data, format="json"),
            400,
            "already_tagged",
            "tag",
        )
        assert_error(
            client_for(hh.world.leader).post(url, {**data, "action": "remove"}, format="json"),
            403,
            "forbidden",
        )
