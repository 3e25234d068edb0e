"""Saved replies: the variables rendered for a case (the requester's name masked), an unknown
variable refused with the list, who sees which reply, and which one fills a move's form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import EventKind
from cases.tests.helpers import local
from knowledge import replies, services
from knowledge.models import ReplyScope, SavedReplyEvent, SavedReplyEventKind
from knowledge.scope import listed_replies, usable_replies
from knowledge.tests.factories import reply

NOW = local(2026, 3, 20, 10)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_variables_are_rendered_for_the_case(world):
    case = world.assigned(requester_name="张三丰")
    case.deadline = local(2026, 11, 27, 17)
    text = "{requester_name}您好：{case_number}由{unit}办理，期限{deadline}。{today} {other}"
    rendered = replies.render(text, case)
    assert rendered == (
        f"张**您好：{case.number}由德化县人力资源和社会保障局办理，"
        "期限2026年11月27日 17:00。2026年3月20日 {other}"
    )
    assert "张三丰" not in rendered


def test_a_case_without_unit_or_deadline_says_so(world):
    case = world.report(requester_name="")
    values = replies.values_for(case)
    assert values["unit"] == values["deadline"] == "（未设定）"
    assert values["requester_name"] == "群众"


def test_rendering_never_reaches_the_case_attributes(world):
    case = world.assigned()
    text = "{case_number.__class__} {0} {{case_number}}"
    assert replies.render(text, case) == f"{{case_number.__class__}} {{0}} {{{case.number}}}"


def test_an_unknown_variable_is_refused_listing_them(world):
    with pytest.raises(ValidationError) as raised:
        reply(world, text="{requester_name}您好，{姓名}请于{date}前来，{date}")
    error = raised.value.error_dict["text"][0]
    assert error.code == "unknown_variable"
    message = error.message % error.params
    assert message.startswith("回复中有未知的变量：{姓名}、{date}。可用的变量：{case_number}")
    assert not SavedReplyEvent.objects.exists()
    made = reply(world)
    with pytest.raises(ValidationError):
        services.update_reply(made, actor=world.handler, text="{foo}")


def test_each_save_writes_its_event(world):
    made = reply(world, move_kind=EventKind.ANSWERED, auto_fill=True)
    services.update_reply(made, actor=world.handler, title="办结答复")
    services.retire_reply(made, actor=world.handler)
    events = list(SavedReplyEvent.objects.filter(reply=made))
    assert [e.kind for e in events] == [
        SavedReplyEventKind.CREATED,
        SavedReplyEventKind.UPDATED,
        SavedReplyEventKind.RETIRED,
    ]
    assert events[0].data["scope"] == ReplyScope.UNIT
    assert events[1].data["changed"] == ["title"]
    assert not usable_replies(world.handler).exists()


def test_a_personal_reply_is_its_owners_alone(world):
    mine = reply(world, scope=ReplyScope.PERSONAL, title="我的")
    assert list(usable_replies(world.handler)) == [mine]
    for other in (world.other_handler, world.dispatcher, world.admin):
        assert mine not in usable_replies(other)
        assert mine not in listed_replies(other)
        with pytest.raises(PermissionDenied):
            services.update_reply(mine, actor=other, title="偷改")


def test_a_units_reply_is_its_staffs(world):
    unit = reply(world)
    assert unit in usable_replies(world.handler)
    assert unit not in usable_replies(world.other_handler)
    with pytest.raises(PermissionDenied):
        services.retire_reply(unit, actor=world.other_handler)
    with pytest.raises(PermissionDenied):
        reply(world, actor=world.other_handler)  # for 人社局, not theirs


def test_office_wide_replies_are_made_by_dispatchers_and_used_by_all_staff(world):
    with pytest.raises(PermissionDenied):
        reply(world, scope=ReplyScope.OFFICE)
    office = reply(world, actor=world.dispatcher, scope=ReplyScope.OFFICE)
    for user in (world.handler, world.other_handler, world.grid_worker, world.operator):
        assert office in usable_replies(user)
    assert office not in usable_replies(world.resident)
    with pytest.raises(PermissionDenied):
        services.update_reply(office, actor=world.handler, title="x")


def test_the_auto_fill_prefers_personal_then_unit_then_office(world):
    case = world.assigned()
    kind = EventKind.ANSWERED
    office = reply(
        world, actor=world.dispatcher, scope=ReplyScope.OFFICE, move_kind=kind, auto_fill=True
    )
    assert replies.auto_fill_reply(world.handler, kind, case) == office
    unit = reply(world, move_kind=kind, auto_fill=True)
    reply(world, title="不自动", move_kind=kind)
    assert replies.auto_fill_reply(world.handler, kind, case) == unit
    assert replies.auto_fill_reply(world.other_handler, kind, case) == office
    personal = reply(world, scope=ReplyScope.PERSONAL, move_kind=kind, auto_fill=True)
    assert replies.auto_fill_reply(world.handler, kind, case) == personal
    assert replies.auto_fill_reply(world.handler, EventKind.REJECTED, case) is None


def test_a_reply_names_a_move_with_a_text(world):
    with pytest.raises(ValidationError) as raised:
        reply(world, move_kind="nonsense")
    assert raised.value.error_dict["move_kind"][0].code == "unknown_move"
    with pytest.raises(ValidationError) as raised:
        reply(world, auto_fill=True)
    assert raised.value.error_dict["auto_fill"][0].code == "auto_fill_without_move"
    kinds = dict(replies.text_moves())
    assert EventKind.ANSWERED in kinds and EventKind.INFO_REQUESTED in kinds


def test_day_and_moment_texts():
    assert replies.day_text(date(2026, 11, 27)) == "2026年11月27日"
    assert replies.moment_text(local(2026, 11, 27, 17)) == "2026年11月27日 17:00"
