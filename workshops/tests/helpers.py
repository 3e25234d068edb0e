"""The workshops tests' workshops, households and people, on top of the named world
(``cases/tests/world.py``): a workshop in 浔中镇 led by a party member with an account, one in
龙浔镇, tagged households in both towns, the county organisation department's handler and a
dispatcher over 浔中镇 only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cases.tests.world import World, make_user
from orgs.models import Organisation, OrgKind
from people.models import Household, HouseholdTag, Role, User
from workshops import services
from workshops.models import JobPosting, WorkshopProfile, WorkshopType


@dataclass
class Shops:
    world: World
    shop: WorkshopProfile  # 浔中镇
    other_shop: WorkshopProfile  # 龙浔镇
    lead: User  # leads ``shop``
    org_dept: User  # 县委组织部 handler: everything
    town_dispatcher: User  # over 浔中镇
    tags: dict[str, HouseholdTag]
    poor: Household  # 浔中镇, 脱贫户
    disabled: Household  # 浔中镇, 残疾
    plain: Household  # 浔中镇, no tag
    far: Household  # 龙浔镇, 残疾
    posting: JobPosting  # of ``shop`` for 残疾 and 低保 in 浔中镇
    # Members (``households.HouseholdMember``) of ``disabled`` unless said otherwise; ages in 2026.
    worker: Any  # 郑小红's son, born 1990
    by_id: Any  # no birth year, an ID number of 1985
    unknown_age: Any  # neither
    elder: Any  # born 1950: past working age
    child: Any  # born 2015: under working age
    poor_member: Any  # of ``poor``: not a group the posting is for


def build(world: World) -> Shops:
    tags = {n: HouseholdTag.objects.get_or_create(name=n)[0] for n in ("脱贫户", "低保", "残疾")}
    dept = Organisation.objects.create(
        kind=OrgKind.DEPARTMENT,
        name="中共德化县委组织部",
        short_name="县委组织部",
        keeps_workshops=True,
    )
    org_dept = make_user("zzb", Role.DEPT_HANDLER, organisation=dept)
    lead = make_user("lead", person_name="林清凉", phone="13905950001")
    assert lead.person is not None
    orgs = [
        Organisation.objects.create(
            kind=OrgKind.WORKSHOP, name="甜蜜站共富工坊", region=world.village
        ),
        Organisation.objects.create(
            kind=OrgKind.WORKSHOP, name="青创园共富工坊", region=world.other_grid
        ),
    ]
    shop = services.register_workshop(
        orgs[0], type=WorkshopType.INDUSTRY, leader=lead.person, jobs=12, actor=None
    )
    other = services.register_workshop(
        orgs[1], type=WorkshopType.PROCESSING, partner=world.enterprise, actor=None
    )

    def household(name: str, region, *tagged: str) -> Household:
        h = Household.objects.create(
            head_name=name, phone="13912345678", region=region, head_id_number=""
        )
        h.tags.set([tags[t] for t in tagged])
        return h

    poor = household("陈大山", world.grid, "脱贫户")
    disabled = household("郑小红", world.grid, "残疾", "低保")
    plain = household("黄一平", world.village)
    far = household("苏远方", world.other_grid, "残疾")
    member = services.member_model().objects.create

    def person(h: Household, name: str, relation: str, **fields: Any) -> Any:
        return member(household=h, name=name, relation=relation, phone="13800001111", **fields)

    people = {
        "worker": person(disabled, "郑大勇", "子女", birth_year=1990),
        "by_id": person(disabled, "郑二妹", "子女", id_number="350526198503040021"),
        "unknown_age": person(disabled, "郑三", "兄弟"),
        "elder": person(disabled, "郑老伯", "父亲", birth_year=1950),
        "child": person(disabled, "郑小宝", "孙子女", birth_year=2015),
        "poor_member": person(poor, "陈二山", "子女", birth_year=1992),
    }
    posting = services.post_job(
        orgs[0],
        title="蜂蜜分装工",
        positions=2,
        region=world.town,
        tags=[tags["残疾"], tags["低保"]],
        posted_on=date(2026, 3, 1),
        wage="计件，月均2500元",
        actor=None,
    )
    services.record_figures(
        shop,
        year=2026,
        quarter=1,
        jobs=10,
        households=45,
        income=Decimal("12.5"),
        output=Decimal("30"),
        actor=None,
    )
    services.record_figures(
        other,
        year=2026,
        quarter=1,
        jobs=20,
        households=50,
        income=Decimal("40"),
        output=Decimal("200"),
        actor=None,
    )
    return Shops(
        world=world,
        shop=shop,
        other_shop=other,
        lead=lead,
        org_dept=org_dept,
        town_dispatcher=make_user("ws_town_dispatcher", Role.DISPATCHER, region=world.town),
        tags=tags,
        poor=poor,
        disabled=disabled,
        plain=plain,
        far=far,
        posting=posting,
        **people,
    )
