"""What other pages read of the IP records: a case's facts, a firm's records, the overview."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.tests.helpers import local
from ip import selectors, services
from ip.models import LicenceStatus, RegistrationKind, RightType
from ip.tests.factories import ip_case, make_action, make_licence, make_officer, make_registration


@pytest.fixture
def clock():
    with time_machine.travel(local(2026, 11, 10, 10), tick=False) as traveller:
        yield traveller


def test_facts_for_a_case_without_facts_is_none(world, clock):
    assert selectors.facts_for(ip_case(world)) is None


def test_facts_for_joins_the_enterprises(world, clock):
    case = ip_case(world)
    services.record_infringement_facts(
        case,
        actor=world.dispatcher,
        right_type=RightType.GI_MARK,
        holder_enterprise=world.enterprise,
        infringer_name="外地某商行",
    )
    with CaptureQueriesContext(connection) as queries:
        facts = selectors.facts_for(case)
        assert facts is not None and facts.holder == world.enterprise.name
    assert len(queries) == 1


def test_records_for_an_enterprise(world, clock):
    officer = make_officer(world)
    registration = make_registration(world, officer)
    licence = make_licence(world, officer)
    records = selectors.records_for(world.enterprise)
    assert (records.registrations, records.licences) == ([registration], [licence])


def test_the_overview_counts(world, clock):
    officer = make_officer(world)
    make_registration(world, officer)
    make_registration(
        world, officer, kind=RegistrationKind.COPYRIGHT, registered_on=date(2025, 5, 1)
    )
    make_licence(world, officer)
    make_licence(world, officer, number="N2", valid_until=date(2026, 12, 1))  # expiring
    make_licence(
        world, officer, number="N3", valid_from=date(2023, 1, 1), valid_until=date(2025, 1, 1)
    )
    suspended = make_licence(world, officer, number="N4")
    services.change_licence_status(
        suspended, actor=officer, status=LicenceStatus.SUSPENDED, reason="整改"
    )
    make_action(world, officer)
    make_action(world, officer, acted_on=date(2025, 6, 1))
    ip_case(world)
    overview = selectors.overview(officer, date(2026, 11, 10))
    assert overview.registrations == [
        (2026, "design", "外观设计", 1),
        (2025, "copyright", "著作权作品登记", 1),
    ]
    assert dict((state, n) for state, _, n in overview.licences) == {
        "active": 2,
        "suspended": 1,
        "revoked": 0,
        "expired": 1,
    }
    assert overview.licences_expiring == 1
    assert overview.actions_this_year == 1
    # The cases follow the case scope: the office sees none it does not handle.
    assert (overview.cases_open, overview.cases_closed) == (0, 0)
    dispatcher = selectors.overview(world.dispatcher, date(2026, 11, 10))
    assert (dispatcher.cases_open, dispatcher.cases_closed) == (1, 0)
