"""A case may record the grid station (网格驿站) where it was taken in; the station must serve
the place (one of the two regions holds the other)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.tests.helpers import fresh, module_world_fixture
from regions.models import GridStation

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


def _report(world, station):
    return services.report_case(
        actor=world.grid_worker,
        case_type=world.category().case_type,
        region=world.grid,
        title="路灯不亮",
        description="驿站接报：主路路灯不亮。",
        station=station,
    )


def test_a_case_records_the_station_that_took_it_in(world, clock):
    station = GridStation.objects.create(name="浔中村网格驿站", region=world.grid)
    case = _report(world, station)
    assert fresh(case).station == station and list(station.cases.all()) == [case]


def test_a_station_of_the_town_serves_its_grids(world, clock):
    station = GridStation.objects.create(name="镇综治中心驿站", region=world.town)
    assert fresh(_report(world, station)).station == station


def test_a_station_elsewhere_is_refused(world, clock):
    station = GridStation.objects.create(name="别村驿站", region=world.other_grid)
    with pytest.raises(ValidationError) as refused:
        _report(world, station)
    assert refused.value.error_dict["station"][0].code == "station_elsewhere"
