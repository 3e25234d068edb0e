"""Producing an event's messages: the right people on the right channels, never the person who
made the move, each message once, and each user's channel choices respected."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases import services as moves
from cases.tests.world import make_user
from notify import services
from notify.models import Channel, DeliveryStatus, Notification, NotificationRule, Recipient
from notify.tests.helpers import last_event, rows, tasks, who
from people.models import Role


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFY_QUIET_HOURS = ""


def produce(case, kind: str) -> int:
    return services.produce_for_event(last_event(case, kind).pk)


def test_an_assignment_tells_the_lead_units_handlers_and_head_and_the_co_units(world):
    head = make_user("head", Role.DEPT_HEAD, organisation=world.dept, phone="13700000001")
    case = world.report()
    case = moves.triage_case(case, actor=world.dispatcher, category=world.category())
    case = moves.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    assert produce(case, "assigned") == 4
    assert who(rows(case)) == {
        ("handler", Channel.INBOX),
        ("handler", Channel.SMS),
        (head.username, Channel.INBOX),
        ("other_handler", Channel.INBOX),
    }
    sms = Notification.objects.get(case=case, channel=Channel.SMS)
    deadline = timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")
    assert sms.address == "13800000000"
    assert (
        sms.text == f"【连心桥】您单位有新交办事项{case.number}「路灯不亮」，请于{deadline}前办结。"
    )
    co = Notification.objects.get(case=case, user=world.other_handler)
    assert "协办单位" in co.text and "人社局" in co.text


def test_the_inbox_is_delivered_at_once_and_other_channels_get_a_delivery_task(world):
    case = world.assigned()
    produce(case, "assigned")
    inbox = Notification.objects.get(case=case, user=world.handler, channel=Channel.INBOX)
    assert (inbox.status, inbox.read_at) == (DeliveryStatus.SENT, None)
    assert inbox.sent_at is not None
    sms = Notification.objects.get(case=case, channel=Channel.SMS)
    assert sms.status == DeliveryStatus.PENDING
    deliveries = tasks("notify.tasks.deliver")
    assert [t.args_kwargs["args"] for t in deliveries] == [[sms.pk]]


def test_the_person_who_made_the_move_is_not_told(world):
    NotificationRule.objects.create(
        kind="assigned", recipient=Recipient.DISPATCHERS, channel=Channel.INBOX, template="x"
    )
    other = make_user("county_dispatcher_2", Role.DISPATCHER, region=world.county)
    case = world.assigned()
    produce(case, "assigned")
    users = {row.user.username for row in rows(case) if row.user}
    assert other.username in users
    assert world.dispatcher.username not in users  # the dispatcher assigned it


def test_signing_for_a_case_tells_the_dispatchers_over_its_place_only(world):
    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    elsewhere = make_user("elsewhere", Role.DISPATCHER, region=world.other_town)
    committee = make_user("committee", Role.DISPATCHER, organisation=world.chain_committee)
    case = moves.accept_case(world.assigned(), actor=world.handler)
    produce(case, "accepted")
    assert who(rows(case)) == {
        ("dispatcher", Channel.INBOX),
        (town_dispatcher.username, Channel.INBOX),
    }
    assert elsewhere.username not in {r.user.username for r in rows(case)}
    assert committee.username not in {r.user.username for r in rows(case)}
    assert rows(case)[0].text == f"【连心桥】人社局已签收事项{case.number}「路灯不亮」。"


def test_an_answer_texts_the_requester_at_the_cases_own_number(world):
    case = world.answered(requester_phone="13912345678")
    produce(case, "answered")
    assert who(rows(case)) == {("13912345678", Channel.SMS), ("dispatcher", Channel.INBOX)}
    sms = Notification.objects.get(case=case, channel=Channel.SMS)
    assert sms.user is None
    assert sms.text.startswith("【连心桥】您反映的“路灯不亮”")


def test_a_requester_with_an_account_also_gets_the_inbox(world):
    case = world.answered(requester=world.resident.person, requester_phone="13959001234")
    produce(case, "answered")
    assert who(rows(case)) == {
        ("resident", Channel.SMS),
        ("resident", Channel.INBOX),
        ("dispatcher", Channel.INBOX),
    }
    assert Notification.objects.get(case=case, channel=Channel.SMS).address == "13959001234"


def test_the_same_event_produced_twice_makes_each_message_once(world):
    case = world.assigned()
    assert produce(case, "assigned") == 2
    assert produce(case, "assigned") == 0
    assert len(rows(case)) == 2
    assert len(tasks("notify.tasks.deliver")) == 1


def test_a_user_who_turned_sms_off_gets_only_the_inbox(world):
    assert services.set_preferences(world.handler, []) == {
        "inbox": True,
        "sms": False,
        "wecom": False,
        "dingtalk": False,
        "email": False,
    }
    case = world.assigned()
    produce(case, "assigned")
    assert who(rows(case)) == {("handler", Channel.INBOX)}


def test_preferences_keep_the_inbox_on_and_refuse_unknown_channels(world):
    services.set_preferences(world.handler, ["sms", "inbox"])
    assert services.preferences_for(world.handler)["inbox"] is True
    assert services.preferences_for(world.handler)["sms"] is True
    assert services.preferences_for(world.handler)["email"] is False
    assert services.preferences_for(world.dispatcher)["email"] is True  # nothing chosen: all on
    with pytest.raises(ValueError):
        services.set_preferences(world.handler, ["pigeon"])


def test_an_inactive_rule_produces_nothing(world):
    NotificationRule.objects.filter(kind="assigned").update(is_active=False)
    case = world.assigned()
    assert produce(case, "assigned") == 0
    assert rows(case) == []


def test_a_user_without_a_phone_gets_no_sms(world):
    world.handler.person.phone = ""
    world.handler.person.save()
    case = world.assigned()
    produce(case, "assigned")
    assert who(rows(case)) == {("handler", Channel.INBOX)}


def test_an_email_rule_mails_users_with_an_address(world, mailoutbox):
    NotificationRule.objects.create(
        kind="assigned",
        recipient=Recipient.LEAD_HANDLERS,
        channel=Channel.EMAIL,
        template="【连心桥】新交办事项{number}",
    )
    world.handler.email = "handler@example.cn"
    world.handler.save()
    case = world.assigned()
    produce(case, "assigned")
    row = Notification.objects.get(case=case, channel=Channel.EMAIL)
    assert services.deliver_notification(row.pk) == DeliveryStatus.SENT
    assert [m.to for m in mailoutbox] == [["handler@example.cn"]]
    assert mailoutbox[0].body == f"【连心桥】新交办事项{case.number}"


def test_an_overdue_event_from_the_sweep_has_no_actor_and_tells_everyone(world):
    case = world.assigned()
    case = moves.mark_overdue(moves.remind_case(case))
    produce(case, "overdue")
    assert ("handler", Channel.SMS) in who(rows(case, "overdue"))
    assert ("dispatcher", Channel.INBOX) in who(rows(case, "overdue"))
    assert "系统" not in rows(case, "overdue")[0].text
