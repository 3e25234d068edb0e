"""What other pages read of the projects, and the one scope rule in its two forms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import EnterpriseLink, EnterpriseLinkKind, Role
from projects import services
from projects.models import Project
from projects.scope import may_read, may_write, visible_projects
from projects.selectors import overdue_milestones, projects_for
from projects.tests.factories import make_commissioner, make_project

NOW = local(2026, 11, 24, 10)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_overdue_milestones_are_the_pending_ones_past_their_deadline(world):
    project = make_project(world)
    services.complete_milestone(project.milestones.get(title="项目备案"), actor=world.dispatcher)
    services.block_milestone(
        project.milestones.get(title="土地摘牌"), "规划调整", actor=world.dispatcher
    )
    assert list(overdue_milestones(world.dispatcher)) == []
    late = make_project(world, name="第二个项目")
    rows = list(overdue_milestones(world.dispatcher))
    assert [(m.project_id, m.title) for m in rows] == [(late.pk, "项目备案"), (late.pk, "土地摘牌")]
    # Before the first deadline (Thursday 5 November, 17:00) nothing is overdue.
    assert list(overdue_milestones(world.dispatcher, local(2026, 11, 5, 16))) == []


def test_overdue_milestones_follow_the_viewers_scope(world):
    make_project(world)
    stranger = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    assert list(overdue_milestones(stranger)) == []
    assert len(overdue_milestones(world.leader)) == 2


def test_projects_for_an_enterprise_carry_their_progress(world):
    project = make_project(world)
    services.complete_milestone(project.milestones.get(title="项目备案"), actor=world.dispatcher)
    [row] = projects_for(world.enterprise)
    assert (row.pk, row.milestones_total, row.milestones_done, row.milestones_overdue) == (
        project.pk,
        8,
        1,
        1,
    )
    assert list(projects_for(world.dept)) == []


def test_the_filter_and_the_rule_agree_for_every_user(world):
    commissioner = make_commissioner(world)
    cadre = make_user("guagou", Role.LINKED_CADRE, organisation=world.other_dept)
    EnterpriseLink.objects.create(
        person=cadre.person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    committee = make_user("lianzhu", Role.DISPATCHER, organisation=world.chain_committee)
    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    projects = [
        make_project(world, commissioner),
        make_project(world, name="网格内项目", region=world.grid),
        make_project(world, name="龙浔项目", region=world.other_town),
    ]
    users = [
        world.admin,
        world.dispatcher,
        world.handler,
        world.other_handler,
        world.grid_worker,
        world.other_grid_worker,
        world.leader,
        world.outsider,
        world.operator,
        world.resident,
        world.liaison,
        commissioner,
        cadre,
        committee,
        town_dispatcher,
    ]
    for user in users:
        visible = set(visible_projects(user).values_list("pk", flat=True))
        for project in projects:
            project = Project.objects.select_related("enterprise__region", "region").get(
                pk=project.pk
            )
            assert (project.pk in visible) is may_read(user, project), (user, project)
            if may_write(user, project):
                assert project.pk in visible


@pytest.mark.parametrize(
    ("who", "reads", "writes"),
    [
        ("admin", True, True),
        ("dispatcher", True, True),
        ("leader", True, True),
        ("handler", True, True),  # the owner unit
        ("operator", True, False),  # a region role over the place
        ("liaison", True, False),  # the firm's own file
        ("grid_worker", False, False),  # its grid is not the project's place
        ("other_handler", False, False),
        ("outsider", False, False),
    ],
)
def test_who_reads_and_who_writes(world, who, reads, writes):
    project = Project.objects.select_related("enterprise__region", "region").get(
        pk=make_project(world).pk
    )
    user = getattr(world, who)
    assert (may_read(user, project), may_write(user, project)) == (reads, writes)
