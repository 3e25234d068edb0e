"""``GET /api/v1/metrics/``: the rates of stats.metrics, grouped and filtered, in the API's names."""

from __future__ import annotations

import pytest
import time_machine

from api.tests.helpers import assert_error
from cases.tests.helpers import local, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def cases(world):
    """March: one passed visit (dept), one reported only; April: one dispute in another town."""
    with time_machine.travel(local(2025, 3, 3, 10), tick=False):
        world.verified()
        world.report()
    with time_machine.travel(local(2025, 4, 2, 10), tick=False):
        world.report("dispute", region=world.other_grid)


def metrics(client, query: str = "") -> dict:
    response = client.get(f"/api/v1/metrics/{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_totals_without_groups(world, client_for, cases):
    data = metrics(client_for(world.admin))
    assert data["group_by"] == [] and data["rows"] == [data["totals"]]
    totals = data["totals"]
    assert (totals["received"], totals["valid_visits"], totals["satisfaction_rate"]) == (3, 1, 1.0)


def test_grouped_by_unit_and_month_with_labels(world, client_for, cases):
    data = metrics(client_for(world.admin), "?group_by=unit,month")
    assert data["group_by"] == ["unit", "month"]
    rows = {(r["group"]["unit"], r["group"]["month"]): r for r in data["rows"]}
    assert set(rows) == {(world.dept.pk, 202503), (None, 202503), (None, 202504)}
    dept = rows[(world.dept.pk, 202503)]
    assert dept["labels"] == {"unit": "人社局", "month": "2025年3月"}
    assert (dept["received"], dept["resolution_rate"]) == (1, 1.0)
    assert rows[(None, 202504)]["labels"]["unit"] == "未交办"


def test_grouped_by_region_level_and_type(world, client_for, cases):
    data = metrics(client_for(world.admin), "?group_by=region&group_by=type&region_level=2")
    labels = sorted(
        (r["labels"]["region"], r["labels"]["type"], r["received"]) for r in data["rows"]
    )
    assert labels == [("浔中镇", "民情诉求", 2), ("龙浔镇", "矛盾纠纷", 1)]


def test_filters_narrow_the_cases(world, client_for, cases):
    client = client_for(world.admin)
    assert metrics(client, f"?region={world.other_town.code}")["totals"]["received"] == 1
    assert metrics(client, "?type=dispute")["totals"]["disputes"] == 1
    assert metrics(client, f"?unit={world.dept.pk}")["totals"]["received"] == 1
    assert metrics(client, f"?category={world.category().pk}")["totals"]["received"] == 1
    assert metrics(client, "?month_from=2025-04")["totals"]["received"] == 1
    assert metrics(client, "?month_to=2025-03")["totals"]["received"] == 2


def test_the_handler_counts_only_its_units_cases(world, client_for, cases):
    assert metrics(client_for(world.handler))["totals"]["received"] == 1


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("?group_by=unit,unit", "group_by", "invalid"),
        ("?group_by=weather", "group_by.0", "invalid_choice"),
        ("?month_from=2025-13", "month_from", "invalid"),
        ("?region=nowhere", "region", "does_not_exist"),
        ("?region_level=9", "region_level", "max_value"),
        ("?unit=0", "unit", "min_value"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(world, client_for, query, field, code):
    assert_error(client_for(world.admin).get(f"/api/v1/metrics/{query}"), 400, code, field=field)


def test_an_empty_scope_has_zero_counts_and_no_rates(world, client_for, cases):
    totals = metrics(client_for(world.outsider))["totals"]
    assert totals["received"] == 0 and totals["satisfaction_rate"] is None
