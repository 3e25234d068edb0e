"""``report_case``: a new case with its number and first event, one per source key, and the
input it refuses."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Case, CaseAttachment, CaseEvent, Channel, Priority, Status
from cases.tests.helpers import MONDAY, assert_event, fresh, local, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_reporting_registers_a_case_with_its_number_and_first_event(world, clock):
    case = world.report()
    case = fresh(case)
    assert case.status == Status.REPORTED
    assert case.version == 1
    assert case.number == f"LX20260914{case.pk:07d}"
    assert case.reported_at == MONDAY
    assert case.reported_month == 202609
    assert case.reported_by == world.grid_worker
    assert case.priority == Priority.NORMAL  # the type's default
    assert_event(
        case,
        "reported",
        actor=world.grid_worker,
        from_status="",
        to_status=Status.REPORTED,
        data={"channel": Channel.GRID},
    )


def test_reporting_counts_the_case_in_the_local_month_it_arrived(world):
    # 00:30 on 1 October in China is still 30 September in UTC.
    with time_machine.travel(local(2026, 10, 1, 0, 30), tick=False):
        case = world.report()
    assert case.reported_month == 202610
    assert case.number.startswith("LX20261001")


def test_reporting_copies_the_requester_name_and_phone(world, clock):
    person = world.outsider.person
    case = world.report(requester=person, requester_name="", requester_phone="")
    assert (case.requester_name, case.requester_phone) == (person.name, person.phone)


def test_reporting_twice_with_one_source_key_makes_one_case(world, clock):
    first = world.report(source_key="form-123")
    second = world.report(source_key="form-123")
    assert second.pk == first.pk
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_a_source_key_resubmitted_with_other_content_is_refused_not_dropped(world, clock):
    first = world.report(source_key="form-123")
    with pytest.raises(ValidationError) as refused:
        world.report(source_key="form-123", title="改过的标题")
    assert refused.value.code == "resubmitted_changed"
    assert first.number in str(refused.value.messages[0])
    assert Case.objects.count() == 1


def test_reporting_keeps_the_attachments(world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("lamp.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    case = world.report(attachments=[("现场照片", photo)])
    attachment = CaseAttachment.objects.get(case=case)
    assert (attachment.name, attachment.uploaded_by, attachment.uploaded_at) == (
        "现场照片",
        world.grid_worker,
        MONDAY,
    )


@pytest.mark.parametrize(
    "overrides",
    [{"title": "  "}, {"description": ""}, {"channel": "pigeon"}],
    ids=["blank title", "blank description", "unknown channel"],
)
def test_reporting_refuses_incomplete_input_and_saves_nothing(world, clock, overrides):
    with pytest.raises(ValidationError):
        world.report(**overrides)
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_reporting_refuses_a_category_of_another_type(world, clock):
    with pytest.raises(ValidationError):
        world.report("resident_issue", category=world.category("dispute"))
    assert not Case.objects.exists()


def test_an_anonymous_visitor_cannot_report(world, clock):
    with pytest.raises(services.NotPermitted):
        world.report(actor=AnonymousUser())
    assert not Case.objects.exists()
