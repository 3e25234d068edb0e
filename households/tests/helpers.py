"""The households tests' families and people on top of the named world (``cases/tests/world.py``):
a household in the world's grid with its party member (1+10+N, no staff role) and 帮扶责任人,
a household in 龙浔镇, and the 监测对象 tag."""

from __future__ import annotations

from dataclasses import dataclass

from cases.tests.world import World, make_user
from people.models import Household, HouseholdLink, HouseholdLinkKind, HouseholdTag, User


@dataclass
class Families:
    world: World
    home: Household  # 浔中村第一网格
    other_home: Household  # 龙浔镇
    party_member: User  # 党员联户 of home, no role
    helper: User  # 帮扶责任人 of home, no role
    monitored: HouseholdTag


def build(world: World) -> Families:
    home = Household.objects.create(
        head_name="李春生",
        head_id_number="350526196505120011",
        phone="13905950001",
        address="浔中村第一网格12号",
        region=world.grid,
        members=4,
    )
    other_home = Household.objects.create(
        head_name="黄水金", phone="13905950002", region=world.other_grid, members=2
    )
    party_member = make_user("party_member", person_name="陈党员", phone="13905950010")
    helper = make_user("helper", person_name="林帮扶", phone="13905950011")
    assert party_member.person is not None and helper.person is not None
    HouseholdLink.objects.create(
        person=party_member.person, household=home, kind=HouseholdLinkKind.PARTY_MEMBER
    )
    HouseholdLink.objects.create(
        person=helper.person, household=home, kind=HouseholdLinkKind.ASSISTANCE
    )
    return Families(
        world=world,
        home=home,
        other_home=other_home,
        party_member=party_member,
        helper=helper,
        monitored=HouseholdTag.objects.get_or_create(name="监测对象")[0],
    )
