"""Builders for the IP tests: the copyright office and its officer beside the engine's named
world, an infringement case, and records made through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.models import Case
from cases.tests.world import World, make_user
from ip import services
from ip.models import EnforcementAction, GiLicence, IpRegistration, RegistrationKind
from orgs.models import Organisation, OrgKind
from people.models import Role, User


def copyright_office(world: World) -> Organisation:
    office, _ = Organisation.objects.get_or_create(
        kind=OrgKind.DEPARTMENT,
        name="德化县版权局",
        defaults={"short_name": "版权局", "region": world.county},
    )
    return office


def make_officer(world: World, username: str = "banquan") -> User:
    """A handler (承办人) of the copyright office: keeps the IP registries."""
    return make_user(
        username, Role.DEPT_HANDLER, organisation=copyright_office(world), person_name="陈版权"
    )


def ip_case(world: World, **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "title": "仿冒外观设计",
        "description": "某厂仿冒我司已登记外观设计的茶具，在电商平台低价销售。",
        "enterprise": world.enterprise,
    }
    fields.update(overrides)
    return world.report("ip_infringement", **fields)


def make_registration(world: World, actor: User, **overrides: Any) -> IpRegistration:
    fields: dict[str, Any] = {
        "actor": actor,
        "enterprise": world.enterprise,
        "kind": RegistrationKind.DESIGN,
        "title": "白瓷茶具（如意）",
        "number": "ZL202630001234.5",
        "registered_on": date(2026, 3, 2),
    }
    fields.update(overrides)
    return services.create_registration(**fields)


def make_licence(world: World, actor: User, **overrides: Any) -> GiLicence:
    fields: dict[str, Any] = {
        "actor": actor,
        "licensee": world.enterprise,
        "mark_name": "德化白瓷",
        "number": "DHBC-2026-001",
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2028, 12, 31),
    }
    fields.update(overrides)
    return services.create_licence(**fields)


def make_action(world: World, actor: User, **overrides: Any) -> EnforcementAction:
    fields: dict[str, Any] = {
        "actor": actor,
        "acted_on": date(2026, 11, 5),
        "place": "浔中镇陶瓷街",
        "region": world.town,
        "units": [copyright_office(world), world.other_dept],
        "result": "查处仿冒外观设计茶具销售点 2 处。",
        "seized": "仿冒茶具 320 套",
        "cases": [],
    }
    fields.update(overrides)
    return services.create_action(**fields)
