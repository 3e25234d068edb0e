"""``merge_case``: a duplicate joins its master case."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Status
from cases.tests.helpers import MONDAY, assert_event, assert_refused, fresh, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_merging_joins_the_master_case(world, clock):
    master = world.report()
    case = fresh(
        services.merge_case(world.report(), actor=world.dispatcher, master=master, note="重复")
    )
    assert (case.status, case.merged_into_id, case.closed_at) == (Status.MERGED, master.pk, MONDAY)
    assert_event(
        case,
        "merged",
        actor=world.dispatcher,
        from_status=Status.REPORTED,
        to_status=Status.MERGED,
        reason="重复",
        data={"master": master.pk},
    )
    assert list(master.duplicates.all()) == [case]


def test_a_case_cannot_merge_into_itself(world, clock):
    case = world.report()
    assert_refused(
        ValidationError,
        lambda: services.merge_case(case, actor=world.dispatcher, master=case),
        case,
    )


@pytest.mark.parametrize("master_status", [Status.MERGED, Status.REJECTED])
def test_a_case_cannot_merge_into_a_merged_or_rejected_case(world, clock, master_status):
    master = world.in_status(master_status)
    case = world.report()
    assert_refused(
        ValidationError,
        lambda: services.merge_case(case, actor=world.dispatcher, master=master),
        case,
    )
