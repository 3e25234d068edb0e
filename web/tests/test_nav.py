"""The menu of the enterprise-service pages: each role sees the entries it may open, and each
entry it sees opens (no menu link to a 403 or a 404)."""

from __future__ import annotations

import pytest

from cases.tests.world import make_user
from people.models import Role
from web.nav import nav_for

pytestmark = pytest.mark.django_db

SERVICE = {
    "我联系的企业",
    "走访覆盖",
    "惠企政策",
    "项目服务",
    "共富工坊",
    "户情台账",
    "知识产权",
    "隐患排查",
}


def _labels(user) -> set[str]:
    return {str(item.label) for item in nav_for(user)} & SERVICE


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.LINKED_CADRE, {"我联系的企业", "惠企政策", "项目服务"}),
        (
            Role.DISPATCHER,
            {"走访覆盖", "惠企政策", "项目服务", "共富工坊", "户情台账", "知识产权", "隐患排查"},
        ),
        (
            Role.LEADER,
            {"走访覆盖", "惠企政策", "项目服务", "共富工坊", "户情台账", "知识产权", "隐患排查"},
        ),
        (Role.GRID_WORKER, {"惠企政策", "共富工坊", "户情台账", "隐患排查"}),
        (Role.DEPT_HANDLER, {"惠企政策", "知识产权"}),
        (Role.RESIDENT, set()),
        (Role.ENTERPRISE_LIAISON, set()),
    ],
)
def test_each_role_sees_the_service_entries_it_may_open(world, client, role, expected):
    region = world.county if role in (Role.DISPATCHER, Role.LEADER, Role.RESIDENT) else None
    region = world.grid if role == Role.GRID_WORKER else region
    organisation = world.dept if role == Role.DEPT_HANDLER else None
    if role == Role.ENTERPRISE_LIAISON:
        organisation = world.enterprise
    user = make_user(f"nav-{role}", role, region=region, organisation=organisation)
    assert _labels(user) == expected
    client.force_login(user)
    for item in nav_for(user):
        if str(item.label) in SERVICE:
            assert client.get(item.url).status_code == 200, item.label


def test_the_organisation_department_finds_the_workshops(world, client):
    """组织部 keeps the workshops' quarterly totals: its staff see 共富工坊, other units not."""
    from orgs.models import Organisation, OrgKind

    department = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name="中共德化县委组织部", keeps_workshops=True
    )
    user = make_user("zzb", Role.DEPT_HANDLER, organisation=department)
    assert "共富工坊" in _labels(user)
    client.force_login(user)
    assert client.get("/workshops/").status_code == 200
    # The flag, not the name: a unit that merely has 组织部 in its name is an ordinary unit.
    namesake = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="某协会组织部")
    other = make_user("namesake", Role.DEPT_HANDLER, organisation=namesake)
    assert "共富工坊" not in _labels(other)
