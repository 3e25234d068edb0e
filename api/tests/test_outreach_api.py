"""Visits, coverage and briefings over the API: a visit with two demands makes two cases, a
refused row saves nothing, a token makes nothing twice, scope is a 404, errors in both
languages, pushes idempotent, fixed queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from api.tests.helpers import assert_error
from cases.models import Case, Channel
from outreach import services
from outreach.models import BriefingStatus, BriefingTask, EnterpriseVisit
from outreach.tests.helpers import build, policy


@pytest.fixture
def ow(world):
    return build(world)


def visits_url(firm) -> str:
    return f"/api/v1/enterprises/{firm.pk}/visits/"


def body(ow, *descriptions: str, **fields) -> dict:
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "met": "总经理 王某",
        "findings": "订单饱满，用工紧张。",
        "demands": [
            {
                "case_type": "enterprise_demand",
                "category": ow.world.category("enterprise_demand").pk,
                "description": text,
                "token": str(uuid.uuid4()),
            }
            for text in descriptions
        ],
    }
    data.update(fields)
    return data


def test_a_visit_with_two_demands_makes_two_cases(ow, client_for):
    client = client_for(ow.cadre)
    answer = client.post(visits_url(ow.firm), body(ow, "用工紧张。", "用气成本高。"), format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["enterprise"] == ow.firm.pk
    assert data["visitors"] == [{"id": ow.cadre.person_id, "name": "陈志明"}]
    assert [c["title"] for c in data["cases"]] == ["用工紧张", "用气成本高"]
    assert set(Case.objects.values_list("channel", flat=True)) == {Channel.VISIT}
    listed = client.get(visits_url(ow.firm)).json()
    assert [v["id"] for v in listed["results"]] == [data["id"]]


def test_the_same_token_returns_the_visit_made(ow, client_for):
    client = client_for(ow.cadre)
    sent = body(ow, "用工紧张。", token=str(uuid.uuid4()))
    first = client.post(visits_url(ow.firm), sent, format="json")
    again = client.post(visits_url(ow.firm), sent, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert EnterpriseVisit.objects.count() == 1 and Case.objects.count() == 1


def test_a_refused_row_saves_nothing(ow, client_for):
    sent = body(ow, "用工紧张。", "第二条。")
    sent["demands"][1]["category"] = ow.world.category("resident_issue").pk
    answer = client_for(ow.cadre).post(visits_url(ow.firm), sent, format="json")
    assert_error(answer, 400, "invalid", field="demands.1.category")
    assert not EnterpriseVisit.objects.exists() and not Case.objects.exists()


def test_a_future_date_is_a_400_in_both_languages(ow, client_for):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    answer = client_for(ow.cadre).post(
        visits_url(ow.firm), body(ow, visited_on=tomorrow), format="json"
    )
    error = assert_error(answer, 400, "future", field="visited_on")["errors"][0]
    assert "不能晚于今天" in error["message"]


def test_a_bad_body_is_a_400(ow, client_for):
    answer = client_for(ow.cadre).post(visits_url(ow.firm), {"visited_on": "x"}, format="json")
    body_ = assert_error(answer, 400, "invalid", field="visited_on")
    assert "findings" in [e["field"] for e in body_["errors"]]


@pytest.mark.parametrize("who", ["commissioner", "town_dispatcher", "grid_worker"])
def test_a_firm_outside_the_scope_is_a_404(ow, client_for, who):
    client = client_for(getattr(ow, who, None) or getattr(ow.world, who))
    assert_error(client.get(visits_url(ow.firm)), 404, "not_found")
    assert_error(client.post(visits_url(ow.firm), body(ow), format="json"), 404, "not_found")
    assert not EnterpriseVisit.objects.exists()


def test_coverage(ow, client_for):
    services.log_visit(
        ow.firm,
        visited_on=timezone.localdate(),
        visitors=[ow.cadre.person],
        findings="正常",
        actor=ow.cadre,
    )
    data = client_for(ow.world.dispatcher).get("/api/v1/outreach/coverage/").json()
    assert data["period"] == "rhythm" and data["firms"] == 2 and data["visited"] == 1
    cadres = {row["name"]: (row["total"], row["visited"]) for row in data["cadres"]}
    assert cadres["陈志明"] == (1, 1) and cadres["郑丽华"] == (1, 0)
    assert {row["name"] for row in data["towns"]} == {"浔中镇", "龙浔镇"}
    quarter = client_for(ow.world.dispatcher).get("/api/v1/outreach/coverage/?period=quarter")
    assert quarter.json()["period"] == "quarter"
    assert_error(
        client_for(ow.world.dispatcher).get("/api/v1/outreach/coverage/?period=week"),
        400,
        "invalid_choice",
        field="period",
    )
    assert_error(client_for(ow.cadre).get("/api/v1/outreach/coverage/"), 403, "forbidden")


def test_push_list_and_complete_briefings(ow, client_for):
    p = policy()
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    url = f"/api/v1/policies/{p.pk}/push-briefings/"
    first = client_for(ow.world.dispatcher).post(url, {"due_on": due}, format="json").json()
    assert first == {"firms": 2, "created": 3, "existing": 0, "without_cadre": 0}
    again = client_for(ow.world.dispatcher).post(url, {"due_on": due}, format="json").json()
    assert (again["created"], again["existing"]) == (0, 3)
    assert_error(client_for(ow.cadre).post(url, {"due_on": due}, format="json"), 403, "forbidden")
    assert_error(
        client_for(ow.world.dispatcher).post("/api/v1/policies/999999/push-briefings/", {}),
        404,
        "not_found",
    )
    mine = client_for(ow.cadre).get("/api/v1/outreach/briefings/").json()["results"]
    assert [(t["policy"], t["enterprise"], t["status"]) for t in mine] == [
        (p.pk, ow.firm.pk, "pending")
    ]
    done_url = f"/api/v1/outreach/briefings/{mine[0]['id']}/done/"
    assert_error(client_for(ow.instructor).post(done_url, {}, format="json"), 404, "not_found")
    done = client_for(ow.cadre).post(done_url, {"note": "已讲解"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert BriefingTask.objects.get(pk=mine[0]["id"]).status == BriefingStatus.DONE
    assert_error(
        client_for(ow.cadre).post(done_url, {}, format="json"), 400, "already_done", "status"
    )


def test_a_draft_policy_is_not_pushed(ow, client_for):
    p = policy(status="draft")
    answer = client_for(ow.world.admin).post(
        f"/api/v1/policies/{p.pk}/push-briefings/",
        {"due_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert_error(answer, 400, "not_published", field="policy")


@pytest.mark.parametrize("extra", [1, 6])
def test_the_visit_list_queries_do_not_grow(ow, client_for, extra, django_assert_num_queries):
    for i in range(extra):
        services.log_visit(
            ow.firm,
            visited_on=timezone.localdate() - timedelta(days=i),
            visitors=[ow.cadre.person, ow.instructor.person],
            findings="正常",
            demands=[
                services.Demand(
                    case_type=ow.world.types["enterprise_demand"], description=f"诉求{i}"
                )
            ],
            actor=ow.cadre,
        )
    client = client_for(ow.cadre)
    client.get(visits_url(ow.firm))  # the key's first use writes last_used_at
    with django_assert_num_queries(QUERIES):
        answer = client.get(visits_url(ow.firm))
    assert len(answer.json()["results"]) == extra


QUERIES = 6
