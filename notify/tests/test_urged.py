"""催办 by hand reaches the lead unit: its handlers hear of it on the channels the rules name."""

from __future__ import annotations

import pytest

from cases import services as moves
from notify import services
from notify.models import Channel, NotificationRule, Recipient
from notify.tests.helpers import last_event, rows, who


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFY_QUIET_HOURS = ""


def test_urging_tells_the_lead_units_handlers(world):
    # The default rule of a new installation (notify 0005); made here if it is not there yet.
    NotificationRule.objects.get_or_create(
        kind="urged",
        recipient=Recipient.LEAD_HANDLERS,
        channel=Channel.INBOX,
        defaults={"template": "【连心桥】催办：事项{number}「{title}」。{reason}"},
    )
    case = moves.urge_case(world.assigned(), actor=world.leader, note="请今日内答复")
    assert services.produce_for_event(last_event(case, "urged").pk) >= 1
    sent = rows(case, "urged")
    assert ("handler", Channel.INBOX) in who(sent)
    assert ("other_handler", Channel.INBOX) not in who(sent)
    inbox = next(row for row in sent if row.channel == Channel.INBOX)
    assert case.number in inbox.text and "请今日内答复" in inbox.text
