"""Who writes a dispute's records and who reads its parties' contacts."""

from __future__ import annotations

from cases import services as engine
from disputes.scope import may_write, sees_contacts
from disputes.tests.factories import dispute_case


def test_writers(world):
    case = dispute_case(world)
    assert may_write(world.dispatcher, case)
    assert may_write(world.admin, case)
    assert may_write(world.grid_worker, case)  # reported it, in their grid
    assert not may_write(world.other_grid_worker, case)
    assert not may_write(world.leader, case)
    assert not may_write(world.handler, case)  # not yet its lead unit
    case = engine.triage_case(case, actor=world.dispatcher, category=world.category("dispute"))
    case = engine.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    assert may_write(world.handler, case)
    assert not may_write(world.other_handler, case)


def test_a_case_type_without_mediation_has_no_writer(world):
    assert not may_write(world.dispatcher, world.report())


def test_contacts_follow_the_requester_rule(world):
    case = dispute_case(world)
    assert sees_contacts(world.dispatcher, case)
    assert sees_contacts(world.grid_worker, case)
    assert not sees_contacts(world.leader, case)
