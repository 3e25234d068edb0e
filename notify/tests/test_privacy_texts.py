"""A message never names the requester to those who may not see them: when the requester made
the move (added information, say), the actor in a unit's message is masked if they asked to
stay unknown to the units (对承办单位保密), and always in a co-unit's."""

from __future__ import annotations

import pytest

from cases import services as moves
from cases.models import Case, Channel, EventKind
from notify import rules, services
from notify.models import Channel as NotifyChannel
from notify.models import Notification, NotificationRule, Recipient
from notify.recipients import hides_requester
from notify.rendering import values_for
from notify.tests.helpers import last_event


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFY_QUIET_HOURS = ""


@pytest.fixture
def info_rules(db):
    NotificationRule.objects.filter(kind=EventKind.INFO_ADDED).delete()
    for recipient in (Recipient.LEAD_HANDLERS, Recipient.CO_UNIT_HANDLERS, Recipient.DISPATCHERS):
        NotificationRule.objects.create(
            kind=EventKind.INFO_ADDED,
            recipient=recipient,
            channel=NotifyChannel.INBOX,
            template="{actor}对事项{number}补充了信息",
        )
    rules.invalidate()


def _info_added(world, *, anonymous: bool) -> Case:
    """The resident's own demand, assigned with a co-unit, asked for and given more information."""
    case = world.report(
        actor=world.resident,
        channel=Channel.WEB,
        requester=world.resident.person,
        requester_name="",
        requester_phone="",
        region=world.village,
        anonymous_to_unit=anonymous,
    )
    case = moves.triage_case(case, actor=world.dispatcher)
    case = moves.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    case = moves.request_info(case, actor=world.handler, question="请提供具体位置。")
    case = moves.add_info(case, actor=world.resident, info="在村委会东侧第三根电杆。")
    services.produce_for_event(last_event(case, EventKind.INFO_ADDED).pk)
    return case


def _text(case: Case, user) -> str:
    return Notification.objects.get(case=case, user=user, kind=EventKind.INFO_ADDED).text


def test_an_anonymous_requester_is_masked_in_every_units_message(world, info_rules):
    case = _info_added(world, anonymous=True)
    assert _text(case, world.handler) == f"王**对事项{case.number}补充了信息"
    assert _text(case, world.other_handler) == f"王**对事项{case.number}补充了信息"
    assert _text(case, world.dispatcher) == f"王秀英对事项{case.number}补充了信息"


def test_an_ordinary_requester_is_named_to_the_lead_unit_only(world, info_rules):
    case = _info_added(world, anonymous=False)
    assert _text(case, world.handler) == f"王秀英对事项{case.number}补充了信息"
    assert _text(case, world.other_handler) == f"王**对事项{case.number}补充了信息"


def test_a_staff_actor_is_never_masked(world, info_rules):
    case = world.assigned(anonymous_to_unit=True)
    event = last_event(case, EventKind.ASSIGNED)
    assert values_for(case, event, "交办", hide_requester=True)["actor"] == "dispatcher"


def test_who_reads_the_requester_masked():
    anonymous, ordinary = Case(anonymous_to_unit=True), Case(anonymous_to_unit=False)
    for recipient in (Recipient.DISPATCHERS, Recipient.REQUESTER, Recipient.REPORTER):
        assert not hides_requester(recipient, anonymous)
    for recipient in (Recipient.LEAD_HANDLERS, Recipient.LEAD_HEADS):
        assert hides_requester(recipient, anonymous) and not hides_requester(recipient, ordinary)
    assert hides_requester(Recipient.CO_UNIT_HANDLERS, ordinary)
