"""The IP services: a case's infringement facts, registrations, GI-mark licences and their
status, enforcement actions; each change with its event, refusals keyed by field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as engine
from cases.tests.helpers import local
from ip import services
from ip.models import (
    GiLicence,
    InfringementFacts,
    IpEvent,
    IpEventKind,
    LicenceStatus,
    RegistrationKind,
    RightType,
)
from ip.tests.factories import (
    copyright_office,
    ip_case,
    make_action,
    make_licence,
    make_officer,
    make_registration,
)

NOW = local(2026, 11, 10, 10)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(world):
    return make_officer(world)


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# --- Facts ------------------------------------------------------------------------------------


def facts(world, case, actor, **overrides):
    fields = {
        "actor": actor,
        "right_type": RightType.DESIGN_PATENT,
        "holder_enterprise": world.enterprise,
        "infringer_name": "某陶瓷经营部",
        "registration_number": "ZL202630001234.5",
    }
    fields.update(overrides)
    return services.record_infringement_facts(case, **fields)


def test_the_dispatcher_records_the_facts_with_an_event(world, clock):
    case = ip_case(world)
    recorded = facts(world, case, world.dispatcher)
    assert recorded.holder == world.enterprise.name
    event = IpEvent.objects.get(case=case)
    assert (event.kind, event.actor, event.data["first"]) == (
        IpEventKind.FACTS_RECORDED,
        world.dispatcher,
        True,
    )


def test_recording_again_corrects_the_facts_and_logs_again(world, clock):
    case = ip_case(world)
    facts(world, case, world.dispatcher)
    facts(world, case, world.dispatcher, holder_enterprise=None, holder_name="设计师李某")
    assert InfringementFacts.objects.get(case=case).holder == "设计师李某"
    assert IpEvent.objects.filter(case=case).count() == 2


def test_the_lead_units_staff_record_the_facts(world, clock):
    case = ip_case(world)
    case = engine.triage_case(
        case, actor=world.dispatcher, category=world.category("ip_infringement")
    )
    case = engine.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    facts(world, case, world.handler)
    with pytest.raises(PermissionDenied):
        facts(world, case, world.other_handler)


def test_it_refuses_outsiders_and_liaisons(world, clock):
    case = ip_case(world)
    for user in (world.outsider, world.liaison, world.grid_worker):
        with pytest.raises(PermissionDenied):
            facts(world, case, user)
    assert not InfringementFacts.objects.exists()


def test_it_refuses_a_case_of_another_type(world, clock):
    case = world.report()
    with pytest.raises(ValidationError) as error:
        facts(world, case, world.dispatcher)
    assert error.value.code == "not_ip_case"


def test_it_needs_a_holder_an_infringer_and_a_right_type(world, clock):
    case = ip_case(world)
    with pytest.raises(ValidationError) as error:
        facts(world, case, world.dispatcher, holder_enterprise=None)
    assert codes(error.value) == {"holder_name": ["required"]}
    with pytest.raises(ValidationError) as error:
        facts(world, case, world.dispatcher, infringer_name=" ")
    assert codes(error.value) == {"infringer_name": ["required"]}
    with pytest.raises(ValidationError) as error:
        facts(world, case, world.dispatcher, right_type="nope")
    assert codes(error.value) == {"right_type": ["invalid_choice"]}
    with pytest.raises(ValidationError) as error:
        facts(world, case, world.dispatcher, holder_enterprise=world.dept)
    assert codes(error.value) == {"holder_enterprise": ["not_enterprise"]}


def test_an_infringing_enterprise_names_the_infringer(world, clock):
    case = ip_case(world)
    recorded = facts(
        world, case, world.dispatcher, infringer_name="", infringer_enterprise=world.enterprise
    )
    assert recorded.infringer_name == world.enterprise.name


# --- Registrations ----------------------------------------------------------------------------


def test_the_officer_registers_with_an_event(world, officer, clock):
    registration = make_registration(world, officer)
    event = IpEvent.objects.get(registration=registration)
    assert (event.kind, event.actor, event.data["number"]) == (
        IpEventKind.REGISTRATION_CREATED,
        officer,
        "ZL202630001234.5",
    )


def test_a_number_is_unique_within_its_kind(world, officer, clock):
    make_registration(world, officer)
    with pytest.raises(ValidationError) as error:
        make_registration(world, officer, title="另一件")
    assert codes(error.value) == {"number": ["duplicate"]}
    make_registration(world, officer, kind=RegistrationKind.COPYRIGHT)


def test_only_the_offices_register(world, clock):
    for user in (world.liaison, world.dispatcher, world.outsider, world.grid_worker):
        with pytest.raises(PermissionDenied):
            make_registration(world, user)


def test_a_registration_is_not_dated_in_the_future(world, officer, clock):
    with pytest.raises(ValidationError) as error:
        make_registration(world, officer, registered_on=date(2026, 12, 1))
    assert codes(error.value) == {"registered_on": ["future"]}


def test_an_update_keeps_the_values_before(world, officer, clock):
    registration = make_registration(world, officer)
    services.update_registration(
        registration,
        actor=officer,
        enterprise=world.enterprise,
        kind=RegistrationKind.DESIGN,
        title="白瓷茶具（如意二代）",
        number="ZL202630001234.5",
        registered_on=date(2026, 3, 2),
    )
    event = IpEvent.objects.get(kind=IpEventKind.REGISTRATION_UPDATED)
    assert event.data["before"]["title"] == "白瓷茶具（如意）"
    assert event.data["after"]["title"] == "白瓷茶具（如意二代）"


# --- Licences ---------------------------------------------------------------------------------


def test_a_licence_starts_active_with_an_event(world, officer, clock):
    licence = make_licence(world, officer)
    assert licence.state == LicenceStatus.ACTIVE
    assert IpEvent.objects.filter(licence=licence, kind=IpEventKind.LICENCE_CREATED).exists()


def test_a_licence_ends_after_it_starts(world, officer, clock):
    with pytest.raises(ValidationError) as error:
        make_licence(world, officer, valid_until=date(2025, 1, 1))
    assert codes(error.value) == {"valid_until": ["before_start"]}


def test_a_licence_number_is_unique(world, officer, clock):
    make_licence(world, officer)
    with pytest.raises(ValidationError) as error:
        make_licence(world, officer)
    assert codes(error.value) == {"number": ["duplicate"]}


def test_an_active_licence_past_its_end_reads_expired(world, officer, clock):
    licence = make_licence(
        world, officer, valid_from=date(2023, 1, 1), valid_until=date(2025, 12, 31)
    )
    assert licence.state == LicenceStatus.EXPIRED
    with pytest.raises(ValidationError) as error:
        services.change_licence_status(
            licence, actor=officer, status=LicenceStatus.EXPIRED, reason="x"
        )
    assert codes(error.value) == {"status": ["unchanged"]}


def test_suspending_needs_a_reason_and_logs_it(world, officer, clock):
    licence = make_licence(world, officer)
    with pytest.raises(ValidationError) as error:
        services.change_licence_status(licence, actor=officer, status=LicenceStatus.SUSPENDED)
    assert codes(error.value) == {"reason": ["required"]}
    services.change_licence_status(
        licence, actor=officer, status=LicenceStatus.SUSPENDED, reason="抽检不合格"
    )
    licence.refresh_from_db()
    assert (licence.status, licence.status_reason) == (LicenceStatus.SUSPENDED, "抽检不合格")
    event = IpEvent.objects.get(kind=IpEventKind.LICENCE_STATUS_CHANGED)
    assert (event.data, event.reason) == ({"from": "active", "to": "suspended"}, "抽检不合格")
    services.change_licence_status(licence, actor=officer, status=LicenceStatus.ACTIVE)
    assert GiLicence.objects.get(pk=licence.pk).status == LicenceStatus.ACTIVE


def test_a_revoked_licence_is_final(world, officer, clock):
    licence = make_licence(world, officer)
    services.change_licence_status(
        licence, actor=officer, status=LicenceStatus.REVOKED, reason="冒用标识"
    )
    with pytest.raises(ValidationError) as error:
        services.change_licence_status(licence, actor=officer, status=LicenceStatus.ACTIVE)
    assert codes(error.value) == {"status": ["final"]}


def test_an_expired_licence_is_not_restored_without_a_new_period(world, officer, clock):
    licence = make_licence(
        world, officer, valid_from=date(2023, 1, 1), valid_until=date(2025, 12, 31)
    )
    services.change_licence_status(
        licence, actor=officer, status=LicenceStatus.SUSPENDED, reason="整改"
    )
    with pytest.raises(ValidationError) as error:
        services.change_licence_status(licence, actor=officer, status=LicenceStatus.ACTIVE)
    assert codes(error.value) == {"status": ["period_over"]}


def test_a_liaison_cannot_change_a_licence(world, officer, clock):
    licence = make_licence(world, officer)
    with pytest.raises(PermissionDenied):
        services.change_licence_status(
            licence, actor=world.liaison, status=LicenceStatus.REVOKED, reason="x"
        )


# --- Enforcement actions ----------------------------------------------------------------------


def test_an_action_links_its_units_and_cases(world, officer, clock):
    case = ip_case(world)
    action = make_action(world, officer, cases=[case])
    assert set(action.units.all()) == {copyright_office(world), world.other_dept}
    assert list(action.cases.all()) == [case]
    event = IpEvent.objects.get(action=action)
    assert event.data["cases"] == [case.pk]


def test_an_action_links_only_infringement_cases(world, officer, clock):
    with pytest.raises(ValidationError) as error:
        make_action(world, officer, cases=[world.report()])
    assert codes(error.value) == {"cases": ["not_ip_case"]}


def test_an_action_needs_units_that_are_not_firms(world, officer, clock):
    with pytest.raises(ValidationError) as error:
        make_action(world, officer, units=[])
    assert codes(error.value) == {"units": ["required"]}
    with pytest.raises(ValidationError) as error:
        make_action(world, officer, units=[world.enterprise])
    assert codes(error.value) == {"units": ["not_unit"]}


def test_an_update_replaces_the_linked_cases(world, officer, clock):
    case = ip_case(world)
    action = make_action(world, officer)
    services.update_action(
        action,
        actor=officer,
        acted_on=action.acted_on,
        place=action.place,
        region=world.town,
        units=[copyright_office(world)],
        result="复查",
        cases=[case],
    )
    assert list(action.cases.all()) == [case]
    assert list(action.units.all()) == [copyright_office(world)]
