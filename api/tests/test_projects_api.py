"""The projects API: list and filters, a project with its milestones, registering one, and the
moves, with their error bodies and scope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role
from projects import services
from projects.models import Milestone, MilestoneStatus, Project, ProjectEvent, Stage
from projects.tests.factories import make_commissioner, make_project

NOW = local(2026, 11, 24, 10)
LIST = reverse("api:project-list")


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def commissioner(world):
    return make_commissioner(world)


@pytest.fixture
def project(world, commissioner) -> Project:
    return make_project(world, commissioner)


def first(project: Project, title: str = "项目备案") -> Milestone:
    return project.milestones.get(title=title)


def move(client, milestone: Milestone, action: str, body: dict | None = None):
    url = reverse(f"api:milestone-{action}", args=[milestone.pk])
    return client.post(url, body or {}, format="json")


def test_the_list_shows_the_callers_projects_with_their_counts(world, client_for, project):
    response = client_for(world.dispatcher).get(LIST)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == project.pk and row["stage"] == "signed" and row["stage_label"] == "签约"
    assert row["enterprise"] == {"id": world.enterprise.pk, "name": world.enterprise.name}
    assert row["commissioner"]["name"] == "郑专员" and row["investment"] == "32000.00"
    assert (row["milestones_total"], row["milestones_overdue"]) == (8, 2)
    stranger = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    assert client_for(stranger).get(LIST).json()["results"] == []


def test_the_list_filters(world, client_for, project):
    other = make_project(world, name="龙浔窑炉改造项目", region=world.other_town)
    services.advance_stage(other, actor=world.dispatcher, reason="容缺推进")
    client = client_for(world.dispatcher)

    def ids(**params):
        return [row["id"] for row in client.get(LIST, params).json()["results"]]

    assert ids(stage="land_permits") == [other.pk]
    assert ids(region=world.other_town.code) == [other.pk]
    assert ids(region="000") == []
    services.complete_milestone(first(project), actor=world.dispatcher)
    services.complete_milestone(first(project, "土地摘牌"), actor=world.dispatcher)
    assert ids(overdue="true") == [other.pk] and ids(overdue="false") == [project.pk]
    bad = client.get(LIST, {"stage": "later"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "stage"


def test_the_detail_has_the_milestones_and_404_outside_the_scope(world, client_for, project):
    url = reverse("api:project-detail", args=[project.pk])
    body = client_for(world.dispatcher).get(url).json()
    assert body["writable"] is True and len(body["milestones"]) == 8
    m = body["milestones"][0]
    assert (m["title"], m["status"], m["overdue"], m["case"]) == ("项目备案", "pending", True, None)
    assert m["deadline"].startswith("2026-11-05T17:00:00")
    assert client_for(world.grid_worker).get(url).status_code == 404
    assert client_for(world.liaison).get(url).json()["writable"] is False


def test_the_list_costs_the_same_queries_for_2_and_20_projects(
    world, client_for, django_assert_num_queries
):
    client = client_for(world.dispatcher)
    for i in range(2):
        make_project(world, name=f"项目{i}")
    client.get(LIST)
    with django_assert_num_queries(3) as few:
        client.get(LIST)
    for i in range(18):
        make_project(world, name=f"后续项目{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(LIST).json()["results"]) == 20


def test_registering_a_project_with_its_own_milestones(world, client_for, commissioner):
    body = {
        "name": "高端日用瓷智能工厂项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "15000.5",
        "signed_on": "2026-11-20",
        "owner_unit": world.chain_committee.pk,
        "commissioner": commissioner.person.pk,
        "milestones": [
            {"stage": "signed", "title": "土地摘牌", "planned_days": 2},
            {"stage": "land_permits", "title": "施工许可证", "due_on": "2027-01-15"},
        ],
    }
    response = client_for(world.dispatcher).post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["investment"] == "15000.50" and data["stage"] == "signed"
    assert [m["title"] for m in data["milestones"]] == ["土地摘牌", "施工许可证"]
    # Friday 20 November + 2 working days: Tuesday 24 November, end of the day.
    assert data["milestones"][0]["deadline"].startswith("2026-11-24T17:00:00")
    event = ProjectEvent.objects.get(project_id=data["id"])
    assert (event.via, event.actor) == ("api", world.dispatcher)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": ""}, "name", "blank"),
        ({"investment": "-1"}, "investment", "invalid_amount"),
        ({"enterprise": 999999}, "enterprise", "does_not_exist"),
        ({"signed_on": "2026-12-01"}, "signed_on", "future"),
        ({"milestones": [{"stage": "signed", "title": "备案"}]}, "milestones", "no_plan"),
    ],
)
def test_a_bad_registration_says_which_field_in_both_languages(
    world, client_for, change, field, code
):
    body = {
        "name": "项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "100",
        "signed_on": "2026-11-20",
        "owner_unit": world.dept.pk,
        **change,
    }
    response = client_for(world.dispatcher).post(LIST, body, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"] and error["message_en"]
    assert not Project.objects.exists()


def test_registering_outside_the_scope_is_a_403(world, client_for):
    body = {
        "name": "项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "100",
        "signed_on": "2026-11-20",
        "owner_unit": world.dept.pk,
    }
    response = client_for(world.grid_worker).post(LIST, body, format="json")
    assert response.status_code == 403 and response.json()["errors"][0]["code"]


def test_advancing_needs_a_reason_then_moves_one_stage(world, client_for, project):
    client = client_for(world.dispatcher)
    url = reverse("api:project-advance", args=[project.pk])
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert (error["field"], error["code"]) == ("reason", "milestones_open")
    assert error["message"] == "本阶段还有 2 个节点未完成，须说明理由才能推进。"
    done = client.post(url, {"stage": "land_permits", "reason": "容缺受理"}, format="json")
    assert done.status_code == 200 and done.json()["stage"] == Stage.LAND_PERMITS
    again = client.post(url, {"stage": "land_permits", "reason": "容缺受理"}, format="json")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "not_next_stage"


def test_a_reader_may_not_move_it(world, client_for, project):
    url = reverse("api:project-advance", args=[project.pk])
    assert client_for(world.liaison).post(url, {"reason": "x"}, format="json").status_code == 403
    assert move(client_for(world.liaison), first(project), "complete").status_code == 403
    assert move(client_for(world.grid_worker), first(project), "complete").status_code == 404


def test_complete_block_and_unblock(world, client_for, project, commissioner):
    client = client_for(commissioner)
    done = move(client, first(project), "complete", {"done_on": "2026-11-23"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert move(client, first(project), "complete").status_code == 409
    land = first(project, "土地摘牌")
    assert move(client, land, "block", {}).json()["errors"][0]["field"] == "reason"
    blocked = move(client, land, "block", {"reason": "林地调规未批复"})
    assert blocked.status_code == 200
    data = blocked.json()
    case = Case.objects.get(pk=data["case"]["id"])
    assert data["status"] == "blocked" and data["case"]["number"] == case.number
    assert data["case_url"] == reverse("api:case-detail", kwargs={"pk": case.pk})
    assert case.title == f"{project.name}：土地摘牌受阻"
    still_open = move(client, land, "unblock")
    assert still_open.status_code == 409 and still_open.json()["errors"][0]["code"] == "case_open"
    from cases import services as engine

    engine.reject_case(case, actor=world.dispatcher, reason="已专题协调")
    unblocked = move(client, land, "unblock", {"note": "调规获批"})
    assert unblocked.status_code == 200 and unblocked.json()["status"] == MilestoneStatus.PENDING


def test_a_body_of_the_wrong_shape_is_a_400(world, client_for, project):
    client = client_for(world.dispatcher)
    url = reverse("api:milestone-complete", args=[first(project).pk])
    assert client.post(url, [1, 2], format="json").status_code == 400
    wrong = client.post(url, {"done_on": "yesterday"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "done_on"


def test_a_blockers_case_is_named_only_to_who_may_see_it(world, client_for, project, commissioner):
    land = first(project, "土地摘牌")
    services.block_milestone(land, "林地调规未批复", actor=commissioner)
    url = reverse("api:project-detail", args=[project.pk])

    def blocker(user):
        data = client_for(user).get(url).json()
        return next(m for m in data["milestones"] if m["title"] == "土地摘牌")

    # The owner unit's handler reads the project, but the case is not (yet) its unit's.
    hidden = blocker(world.handler)
    assert hidden["status"] == "blocked" and hidden["case"] is None and hidden["case_url"] is None
    shown = blocker(world.dispatcher)
    assert shown["case"]["number"] == Case.objects.get(pk=shown["case"]["id"]).number
