"""The project pages: the list, a project with its stage track and milestones, the forms that
move it, and the overdue milestones on the supervision board."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from cases import services as engine
from cases.models import Case
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role
from projects import services
from projects.models import Milestone, MilestoneStatus, Project, ProjectEvent, Stage
from projects.tests.factories import make_commissioner, make_project

NOW = local(2026, 11, 24, 10)  # a Tuesday: the signing stage (from 2 November) is overdue
LIST = reverse("projects:project-list")
BOARD = reverse("dispatch:supervision")


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


def detail(project: Project) -> str:
    return reverse("projects:project-detail", args=[project.pk])


def first(project: Project, title: str = "项目备案") -> Milestone:
    return project.milestones.get(title=title)


# --- Who sees what ----------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client, project):
    for url in (LIST, detail(project), reverse("projects:project-new")):
        assert reverse("web:login") in client.get(url)["Location"]


def test_a_project_outside_the_scope_is_a_404(world, client, project):
    stranger = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    client.force_login(stranger)
    assert client.get(detail(project)).status_code == 404
    assert client.get(LIST).context["projects"] == []
    url = reverse("projects:milestone-complete", args=[first(project).pk])
    assert client.post(url).status_code == 404
    assert first(project).status == MilestoneStatus.PENDING


@pytest.mark.parametrize(
    ("who", "writes"),
    [
        ("dispatcher", True),
        ("leader", True),
        ("handler", True),  # the owner unit's staff
        ("commissioner", True),
        ("grid_worker", False),  # a region role under the place: reads
        ("liaison", False),  # the firm's own file
    ],
)
def test_readers_see_the_project_and_only_writers_get_the_forms(
    world, client, project, commissioner, who, writes
):
    user = commissioner if who == "commissioner" else getattr(world, who)
    if who == "grid_worker":
        project = make_project(world, region=world.grid, name="网格内项目")
    client.force_login(user)
    response = client.get(detail(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert ("标记完成" in body) is writes
    if not writes:
        url = reverse("projects:milestone-complete", args=[first(project).pk])
        assert client.post(url).status_code == 403


# --- The list ---------------------------------------------------------------------------------


def test_the_list_counts_per_stage_and_filters(world, client, project):
    moved = make_project(world, name="陶瓷3D打印产业园项目")
    services.advance_stage(moved, actor=world.dispatcher, reason="容缺推进")
    elsewhere = make_project(world, name="龙浔窑炉改造项目", region=world.other_town)
    services.complete_milestone(first(elsewhere), actor=world.dispatcher)
    services.complete_milestone(first(elsewhere, "土地摘牌"), actor=world.dispatcher)
    client.force_login(world.dispatcher)
    response = client.get(LIST)
    counts = {value: n for value, _label, n in response.context["stage_counts"]}
    assert counts == {"signed": 2, "land_permits": 1, "construction": 0, "production": 0}
    body = response.content.decode()
    assert "陶瓷3D打印产业园项目" in body and "逾期 " in body
    by_stage = client.get(LIST, {"stage": "land_permits"}).context["projects"]
    assert [p.pk for p in by_stage] == [moved.pk]
    by_town = client.get(LIST, {"town": world.other_town.pk}).context["projects"]
    assert [p.pk for p in by_town] == [elsewhere.pk]
    # The town project's signing milestones are done; the others' are overdue (moving on
    # with a reason leaves them to be done).
    late = client.get(LIST, {"overdue": "1"}).context["projects"]
    assert {p.pk for p in late} == {project.pk, moved.pk}


def test_the_list_costs_the_same_queries_for_3_and_30_projects(
    world, client, django_assert_num_queries
):
    for i in range(3):
        make_project(world, name=f"项目{i}")
    client.force_login(world.dispatcher)
    client.get(LIST)
    with django_assert_num_queries(9) as three:
        client.get(LIST)
    for i in range(27):
        make_project(world, name=f"后续项目{i}")
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(LIST).context["projects"]) == 30


# --- One project ------------------------------------------------------------------------------


def test_the_page_shows_the_stage_track_milestones_lights_and_log(world, client, project):
    services.complete_milestone(first(project), actor=world.dispatcher, done_on=date(2026, 11, 4))
    client.force_login(world.dispatcher)
    response = client.get(detail(project))
    body = response.content.decode()
    assert response.context["track"][0] == ("signed", "签约", "current")
    assert 'aria-current="step"' in body and "供地/办证" in body and "投产" in body
    rows = {m.title: m for _v, _l, ms in response.context["by_stage"] for m in ms}
    assert rows["项目备案"].light == "green"
    assert rows["土地摘牌"].light == "red"  # due Monday 16 November
    assert rows["环评批复"].light == "grey"  # its stage has not begun
    assert "登记项目" in body and "节点完成" in body


def test_the_page_costs_a_fixed_number_of_queries(
    world, client, project, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    client.get(detail(project))
    with django_assert_num_queries(10) as before:
        client.get(detail(project))
    services.block_milestone(first(project), "用地指标未下达", actor=world.dispatcher)
    for title in ("土地摘牌",):
        services.complete_milestone(first(project, title), actor=world.dispatcher)
    services.advance_stage(project, actor=world.dispatcher, reason="容缺推进")
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(detail(project))


def test_completing_a_milestone_through_the_page(world, client, project, commissioner):
    client.force_login(commissioner)
    url = reverse("projects:milestone-complete", args=[first(project).pk])
    response = client.post(url, {"done_on": "2026-11-20", "note": "已取得备案证明"})
    assert response.status_code == 302 and response["Location"] == detail(project)
    milestone = first(project)
    assert (milestone.status, milestone.done_on) == (MilestoneStatus.DONE, date(2026, 11, 20))
    event = ProjectEvent.objects.get(milestone=milestone)
    assert (event.actor, event.via, event.reason) == (commissioner, "web", "已取得备案证明")


def test_a_future_day_is_refused_beside_the_field_in_chinese(world, client, project):
    client.force_login(world.dispatcher)
    url = reverse("projects:milestone-complete", args=[first(project).pk])
    response = client.post(url, {"done_on": "2026-12-01"})
    assert response.status_code == 400
    assert "完成日期不能晚于今天。" in response.content.decode()
    assert first(project).status == MilestoneStatus.PENDING


def test_blocking_opens_a_case_linked_from_the_page_and_unblocking_after_its_close(
    world, client, project
):
    client.force_login(world.dispatcher)
    url = reverse("projects:milestone-block", args=[first(project, "土地摘牌").pk])
    assert "请填写受阻原因" in client.post(url, {"reason": " "}).content.decode()
    response = client.post(url, {"reason": "地块内有未迁坟墓，摘牌延后"})
    assert response.status_code == 302
    milestone = first(project, "土地摘牌")
    case = Case.objects.get(pk=milestone.case_id)
    body = client.get(detail(project)).content.decode()
    assert reverse("caseviews:case-detail", args=[case.pk]) in body and case.number in body
    assert '<span class="badge">受理</span>' in body  # the case's state, in its type's words
    assert "协调事项销号后可解除受阻" in body
    unblock = reverse("projects:milestone-unblock", args=[milestone.pk])
    refused = client.post(unblock, {"note": ""})
    assert refused.status_code == 400 and "尚未办结销号" in refused.content.decode()
    engine.reject_case(case, actor=world.dispatcher, reason="转县自然资源局专题会议协调")
    assert "解除受阻" in client.get(detail(project)).content.decode()
    assert client.post(unblock, {"note": "已迁坟"}).status_code == 302
    assert first(project, "土地摘牌").status == MilestoneStatus.PENDING


def test_advancing_needs_a_reason_while_milestones_are_open(world, client, project):
    client.force_login(world.handler)
    url = reverse("projects:project-advance", args=[project.pk])
    response = client.post(url, {"stage": "land_permits", "reason": ""})
    assert response.status_code == 400
    assert "本阶段还有 2 个节点未完成，须说明理由才能推进。" in response.content.decode()
    response = client.post(url, {"stage": "land_permits", "reason": "容缺受理"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage == Stage.LAND_PERMITS
    # The same form again (a double click) names a stage that is no longer the next one.
    again = client.post(url, {"stage": "land_permits", "reason": "容缺受理"})
    assert "只能推进到下一阶段" in again.content.decode()


def test_the_forms_need_the_csrf_token(world, project):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.dispatcher)
    url = reverse("projects:milestone-complete", args=[first(project).pk])
    assert strict.post(url, {}).status_code == 403
    assert first(project).status == MilestoneStatus.PENDING


# --- A new project ----------------------------------------------------------------------------


def test_registering_a_project(world, client, commissioner):
    client.force_login(world.dispatcher)
    assert client.get(reverse("projects:project-new")).status_code == 200
    data = {
        "name": "日用瓷智能制造生产基地项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "58000",
        "signed_on": "2026-11-20",
        "owner_unit": world.chain_committee.pk,
        "commissioner": commissioner.person.pk,
    }
    response = client.post(reverse("projects:project-new"), data)
    project = Project.objects.get(name="日用瓷智能制造生产基地项目")
    assert response["Location"] == detail(project)
    assert project.milestones.count() == len(services.STANDARD_MILESTONES)
    bad = client.post(reverse("projects:project-new"), {**data, "investment": "0"})
    assert bad.status_code == 400 and "计划投资须为大于 0 的数（万元）。" in bad.content.decode()


def test_registering_outside_the_scope_is_refused_in_the_form(world, client):
    stranger = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    client.force_login(stranger)
    data = {
        "name": "越权项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "100",
        "signed_on": "2026-11-20",
        "owner_unit": world.dept.pk,
    }
    response = client.post(reverse("projects:project-new"), data)
    assert response.status_code == 400 and "您无权" in response.content.decode()
    assert not Project.objects.exists()


# --- The supervision board --------------------------------------------------------------------


def test_overdue_milestones_are_on_the_supervision_board(world, client, project, commissioner):
    services.complete_milestone(first(project, "土地摘牌"), actor=world.dispatcher)
    client.force_login(world.dispatcher)
    response = client.get(BOARD)
    rows = response.context["milestones"]
    assert [m.title for m in rows] == ["项目备案"]  # due 5 November; the other is done
    body = response.content.decode()
    assert "逾期项目节点" in body and project.name in body and "郑专员" in body
    assert "已超期 " in body and str(world.enterprise) in body
    stranger = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    client.force_login(stranger)
    assert client.get(BOARD).context["milestones"] == []


def test_the_board_costs_the_same_queries_for_3_and_30_overdue_milestones(
    world, client, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    make_project(world)
    client.get(BOARD)
    with django_assert_num_queries(8) as few:
        assert len(client.get(BOARD).context["milestones"]) == 2
    for i in range(14):
        make_project(world, name=f"项目{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(BOARD).context["milestones"]) == 30


def test_a_blockers_case_is_linked_only_for_who_may_see_it(world, client, project):
    blocked = services.block_milestone(first(project), "用地指标未下达", actor=world.dispatcher)
    case_url = reverse("caseviews:case-detail", args=[blocked.case_id])
    client.force_login(world.dispatcher)
    assert case_url in client.get(detail(project)).content.decode()
    client.force_login(world.handler)  # the owner unit's: the case is not its unit's yet
    body = client.get(detail(project)).content.decode()
    assert case_url not in body and "已转协调事项" in body
