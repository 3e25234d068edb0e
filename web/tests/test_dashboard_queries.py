"""The dashboard costs the same number of queries for 10 cases as for 100."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from orgs.models import Organisation, OrgKind

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2030, 6, 12, 10, 0, tzinfo=TZ)
TYPES = ("resident_issue", "enterprise_demand", "dispute")


def add_cases(world, start: int, stop: int) -> None:
    """Cases spread over months, towns, types, categories and units, some far along the loop;
    one in five dispatched by a town to a department (吹哨报到)."""
    town_gov, _new = Organisation.objects.get_or_create(
        kind=OrgKind.TOWN_GOVERNMENT, name="浔中镇人民政府", region=world.town
    )
    for i in range(start, stop):
        month = i % 12 + 1
        moment = datetime(2029 if month > 6 else 2030, month, 3, 10, 0, tzinfo=TZ)
        type_code = TYPES[i % 3]
        region = world.grid if i % 2 else world.other_grid
        extra = {"enterprise": world.enterprise} if type_code == "enterprise_demand" else {}
        if i % 5 == 0 and type_code != "enterprise_demand":
            extra["committee"] = town_gov
        with time_machine.travel(moment, tick=False):
            case = world.report(type_code, region=region, title=f"事项{i}", **extra)
            if i % 4 == 0:
                continue
            category = world.types[type_code].categories.order_by("code")[i % 2]
            case = services.triage_case(case, actor=world.dispatcher, category=category)
            unit, handler = (
                (world.dept, world.handler) if i % 3 else (world.other_dept, world.other_handler)
            )
            case = services.assign_case(case, actor=world.dispatcher, lead_unit=unit)
            if i % 4 == 1:
                continue
            case = services.accept_case(case, actor=handler)
            services.answer_case(case, actor=handler, answer="已办理。")


def dashboard_queries(client) -> int:
    client.get(reverse("dashboard:index"))  # brings the rollup up to the events
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_10_and_100_cases(world, client):
    add_cases(world, 0, 10)
    with time_machine.travel(NOW, tick=False):
        client.force_login(world.leader)
        few = dashboard_queries(client)
    add_cases(world, 10, 100)
    with time_machine.travel(NOW, tick=False):
        many = dashboard_queries(client)
        body = client.get(reverse("dashboard:index")).content.decode()
    assert 'data-metric="received">' in body and ">100</a></b>" in body
    assert few == many
    # User, roles, the unread badge, case types; the period's totals; one GROUP BY by month
    # over the period, the period before and a year before (同比, 环比 and the trend);
    # one GROUP BY per table (units, towns, grid stations, categories) and one name look-up
    # each; the 吹哨报到 table's GROUP BY and its departments' names; the rollup's check for
    # new events (stats.rollup), the 吹哨 towns' ids and the towns' paths; this month's
    # 每月一题 with their progress (one query).
    assert "所选期间没有乡镇交办县直部门的事项" not in body  # the whistle table has rows
    assert many == 21, many
