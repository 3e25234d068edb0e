"""Builders for the project tests: a commissioner beside the engine's named world, and projects
made through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.tests.world import World, make_user
from people.models import EnterpriseLink, EnterpriseLinkKind, Role, User
from projects import services
from projects.models import Project, Stage
from projects.services import MilestonePlan

# Two milestones a stage: the first due in 3 working days, the second in 10.
PLANS = [
    MilestonePlan(stage, title, days)
    for stage, titles in (
        (Stage.SIGNED, ("项目备案", "土地摘牌")),
        (Stage.LAND_PERMITS, ("环评批复", "施工许可证")),
        (Stage.CONSTRUCTION, ("主体封顶", "设备安装")),
        (Stage.PRODUCTION, ("试生产", "竣工验收")),
    )
    for title, days in zip(titles, (3, 10), strict=True)
]


def make_commissioner(world: World, username: str = "zhuchang") -> User:
    """A resident commissioner (驻厂专员) of the world's enterprise: a linked cadre of the market
    regulator (the other department, so not the owner unit's staff)."""
    user = make_user(
        username, Role.LINKED_CADRE, organisation=world.other_dept, person_name="郑专员"
    )
    assert user.person is not None
    EnterpriseLink.objects.create(
        person=user.person,
        enterprise=world.enterprise,
        kind=EnterpriseLinkKind.RESIDENT_COMMISSIONER,
    )
    return user


def make_project(world: World, commissioner: User | None = None, **overrides: Any) -> Project:
    """A project of the world's enterprise in the town, owned by the department (人社局 stands in
    for a 项目服务 unit), signed on ``signed_on`` (Monday 2 November 2026)."""
    fields: dict[str, Any] = {
        "actor": world.dispatcher,
        "name": "年产3000万件高端日用瓷智能化生产线项目",
        "enterprise": world.enterprise,
        "region": world.town,
        "investment": "32000",
        "signed_on": date(2026, 11, 2),
        "owner_unit": world.dept,
        "commissioner": commissioner.person if commissioner else None,
        "milestones": PLANS,
    }
    fields.update(overrides)
    return services.create_project(**fields)
