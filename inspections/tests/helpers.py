"""The inspections tests' campaign and people, on top of the named world (``cases/tests/world.py``):
a county-wide gas campaign led by 市场监管局 (``world.other_dept``), a handler of that unit and a
dispatcher over 龙浔镇 only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases.tests.world import World, make_user
from inspections import services
from inspections.models import Campaign, Inspection
from people.models import Role, User


@dataclass
class Inspections:
    world: World
    campaign: Campaign
    lead_handler: User  # 承办人 of the lead unit
    town_dispatcher: User  # over 龙浔镇


def build(world: World) -> Inspections:
    today = timezone.localdate()
    campaign = services.create_campaign(
        name="城镇燃气安全专项整治",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        region=world.county,
        lead_unit=world.other_dept,
        actor=world.dispatcher,
    )
    return Inspections(
        world=world,
        campaign=campaign,
        lead_handler=make_user("lead_handler", Role.DEPT_HANDLER, organisation=world.other_dept),
        town_dispatcher=make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town),
    )


def inspect(iw: Inspections, actor: User | None = None, **fields) -> Inspection:
    actor = actor or iw.world.grid_worker
    fields.setdefault("region", iw.world.grid)
    fields.setdefault("campaign", iw.campaign)
    fields.setdefault("inspected_on", timezone.localdate())
    fields.setdefault("inspectors", [actor.person])
    fields.setdefault("target_name", "浔中村老街餐饮店")
    return services.log_inspection(actor=actor, **fields)


def finding(text: str = "燃气软管老化开裂，未安装报警器。", **fields) -> services.FindingInput:
    return services.FindingInput(description=text, **fields)
