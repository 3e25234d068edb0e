"""award_honour, revoke_honour and record_year_figures: events, validation, permission, uniqueness."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.tests.world import make_user
from enterprises import services
from enterprises.models import (
    EnterpriseEvent,
    EnterpriseEventKind,
    Honour,
    HonourAward,
    YearFigures,
)
from people.models import Role

pytestmark = pytest.mark.usefixtures("honours")


def giant() -> Honour:
    return Honour.objects.get(code="little_giant")


def events(enterprise) -> list[tuple[str, dict]]:
    return [(e.kind, e.data) for e in EnterpriseEvent.objects.filter(enterprise=enterprise)]


def test_the_registry_holds_the_usual_honours():
    names = set(Honour.objects.values_list("name", flat=True))
    assert {"规上工业企业", "专精特新“小巨人”", "高新技术企业", "省级龙头企业"} <= names


def test_awarding_an_honour_records_it_with_its_event(world):
    award = services.award_honour(
        world.enterprise, giant(), 2024, actor=world.dispatcher, note=" 第五批 "
    )
    assert (award.enterprise, award.year, award.note) == (world.enterprise, 2024, "第五批")
    event = EnterpriseEvent.objects.get(enterprise=world.enterprise)
    assert event.kind == EnterpriseEventKind.HONOUR_AWARDED and event.actor == world.dispatcher
    assert event.data == {
        "award": award.pk,
        "honour": "little_giant",
        "year": 2024,
        "note": "第五批",
    }


def test_the_same_honour_is_awarded_once_a_year(world):
    services.award_honour(world.enterprise, giant(), 2024, actor=world.dispatcher)
    with pytest.raises(ValidationError) as error:
        services.award_honour(world.enterprise, giant(), 2024, actor=world.dispatcher)
    assert error.value.error_dict["year"][0].code == "duplicate_award"
    assert "已登记" in error.value.message_dict["year"][0]
    services.award_honour(world.enterprise, giant(), 2025, actor=world.dispatcher)
    assert HonourAward.objects.filter(enterprise=world.enterprise).count() == 2
    assert len(events(world.enterprise)) == 2


@pytest.mark.parametrize("year", [1900, 2999])
def test_a_year_outside_the_range_is_refused(world, year):
    with pytest.raises(ValidationError) as error:
        services.award_honour(world.enterprise, giant(), year, actor=world.dispatcher)
    assert "年度须在" in error.value.message_dict["year"][0]
    assert not EnterpriseEvent.objects.exists()


def test_an_inactive_honour_or_a_non_enterprise_is_refused(world):
    honour = giant()
    honour.is_active = False
    honour.save()
    with pytest.raises(ValidationError) as error:
        services.award_honour(world.enterprise, honour, 2024, actor=world.admin)
    assert "honour" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_year_figures(world.dept, 2024, output_value=1, tax=1, actor=world.admin)
    assert "enterprise" in error.value.message_dict


def test_revoking_removes_the_award_and_keeps_what_it_was(world):
    award = services.award_honour(world.enterprise, giant(), 2024, actor=world.dispatcher)
    services.revoke_honour(award, actor=world.dispatcher)
    assert not HonourAward.objects.exists()
    kind, data = events(world.enterprise)[0]
    assert kind == EnterpriseEventKind.HONOUR_REVOKED
    assert data == {"award": award.pk, "honour": "little_giant", "year": 2024}
    with pytest.raises(ValidationError):
        services.revoke_honour(award, actor=world.dispatcher)


def test_recording_figures_creates_then_updates_the_year(world):
    first = services.record_year_figures(
        world.enterprise, 2024, output_value="1234.5", tax=Decimal("88"), actor=world.dispatcher
    )
    again = services.record_year_figures(
        world.enterprise, 2024, output_value=1300, tax=90, employees=120, actor=world.dispatcher
    )
    assert again.pk == first.pk and YearFigures.objects.count() == 1
    again.refresh_from_db()
    assert (again.output_value, again.tax, again.employees) == (Decimal("1300"), Decimal(90), 120)
    recorded = [data for kind, data in events(world.enterprise)]
    assert [d["created"] for d in recorded] == [False, True]
    assert recorded[1]["output_value"] == "1234.50"


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("output_value", {"output_value": -1, "tax": 1}),
        ("tax", {"output_value": 1, "tax": "abc"}),
        ("tax", {"output_value": 1, "tax": "NaN"}),
        ("employees", {"output_value": 1, "tax": 1, "employees": -3}),
    ],
)
def test_bad_figures_are_refused_by_field(world, field, values):
    with pytest.raises(ValidationError) as error:
        services.record_year_figures(world.enterprise, 2024, actor=world.dispatcher, **values)
    assert list(error.value.message_dict) == [field]
    assert not YearFigures.objects.exists()


def test_writers_are_the_region_dispatchers_leaders_admins_and_the_chain_staff(world):
    chain_staff = make_user("chain", Role.DISPATCHER, organisation=world.chain_committee)
    town_leader = make_user("town_leader", Role.LEADER, region=world.town)
    for year, actor in enumerate(
        [world.dispatcher, world.leader, world.admin, chain_staff, town_leader], start=2020
    ):
        services.record_year_figures(world.enterprise, year, output_value=1, tax=1, actor=actor)
    assert YearFigures.objects.count() == 5


def test_others_may_not_write(world):
    other_dispatcher = make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town)
    for actor in [
        other_dispatcher,
        world.grid_worker,
        world.handler,
        world.liaison,
        world.outsider,
    ]:
        with pytest.raises(PermissionDenied):
            services.award_honour(world.enterprise, giant(), 2024, actor=actor)
    assert not EnterpriseEvent.objects.exists()
