"""The outreach tests' firms and people, on top of the named world (``cases/tests/world.py``):
the world's chain firm in 浔中镇 with its 挂钩干部 and 党建指导员, a firm in 龙浔镇 with a 驻厂专员,
a dispatcher over 龙浔镇 only and the chain committee's own dispatcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cases.tests.world import World, make_user
from enterprises.models import Policy, PolicyStatus
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import EnterpriseLink, EnterpriseLinkKind, Role, User


@dataclass
class Outreach:
    world: World
    firm: Organisation  # 浔中镇, in the chain
    other_firm: Organisation  # 龙浔镇, no chain
    cadre: User  # 挂钩干部 of firm
    instructor: User  # 党建指导员 of firm
    commissioner: User  # 驻厂专员 of other_firm
    town_dispatcher: User  # over 龙浔镇
    chain_dispatcher: User  # of the chain committee


def build(world: World) -> Outreach:
    firm = world.enterprise
    other_firm = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name="德化龙浔瓷艺有限公司",
        region=world.other_grid,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y00002"),
    )
    cadre = make_user("cadre", Role.LINKED_CADRE, organisation=world.dept, person_name="陈志明")
    instructor = make_user(
        "instructor", Role.LINKED_CADRE, organisation=world.dept, person_name="郑丽华"
    )
    commissioner = make_user(
        "commissioner", Role.LINKED_CADRE, organisation=world.other_dept, person_name="黄建国"
    )
    links = [
        (cadre, firm, EnterpriseLinkKind.LINKED_CADRE),
        (instructor, firm, EnterpriseLinkKind.PARTY_INSTRUCTOR),
        (commissioner, other_firm, EnterpriseLinkKind.RESIDENT_COMMISSIONER),
        (world.liaison, firm, EnterpriseLinkKind.LIAISON),
    ]
    for user, enterprise, kind in links:
        assert user.person is not None
        EnterpriseLink.objects.create(person=user.person, enterprise=enterprise, kind=kind)
    return Outreach(
        world=world,
        firm=firm,
        other_firm=other_firm,
        cadre=cadre,
        instructor=instructor,
        commissioner=commissioner,
        town_dispatcher=make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town),
        chain_dispatcher=make_user(
            "chain_dispatcher", Role.DISPATCHER, organisation=world.chain_committee
        ),
    )


def policy(status: str = PolicyStatus.PUBLISHED, **fields) -> Policy:
    """A policy without conditions: every firm qualifies."""
    return Policy.objects.create(
        title=fields.pop("title", "德化县陶瓷企业设备更新补助"),
        issuer="德化县工信局",
        valid_from=fields.pop("valid_from", date(2026, 1, 1)),
        status=status,
        **fields,
    )
