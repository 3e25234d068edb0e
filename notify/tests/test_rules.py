"""Rules as administrators see them: safe rendering of their templates, validation of the
placeholders, the defaults a new installation starts with, and the admin's preview."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notify.models import Channel, NotificationRule, Recipient
from notify.rendering import render, sample_values


def test_known_placeholders_are_filled_and_unknown_ones_stay_visible():
    text = render("{number}「{title}」{nosuch} {deadline", {"number": "N1", "title": "路灯"})
    assert text == "N1「路灯」{nosuch} {deadline"


def test_rendering_runs_nothing_of_the_values():
    values = {"title": "路灯"}
    assert render("{title.__class__} {title[0]} {0} {}", values) == (
        "{title.__class__} {title[0]} {0} {}"
    )
    assert render("{title}", {"title": "{url}"}) == "{url}"  # a value is never read as a template


def test_a_rule_with_an_unknown_placeholder_is_refused(db):
    rule = NotificationRule(
        kind="assigned", recipient=Recipient.REPORTER, channel=Channel.INBOX, template="{titel}"
    )
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert refused.value.error_dict["template"][0].code == "unknown_placeholder"


def test_a_new_installation_has_rules_for_the_moves_people_must_hear_of(db):
    active = set(
        NotificationRule.objects.filter(is_active=True).values_list("kind", "recipient", "channel")
    )
    for expected in [
        ("assigned", "lead_handlers", "sms"),
        ("accepted", "dispatchers", "inbox"),
        ("reminded", "lead_handlers", "inbox"),
        ("overdue", "lead_heads", "sms"),
        ("supervised", "lead_handlers", "sms"),
        ("extension_approved", "lead_handlers", "inbox"),
        ("extension_refused", "lead_handlers", "inbox"),
        ("sent_back", "dispatchers", "inbox"),
        ("answered", "requester", "sms"),
        ("answered", "requester", "inbox"),
        ("answered", "dispatchers", "inbox"),
        ("visit_due", "dispatchers", "inbox"),
        ("reopened", "lead_handlers", "inbox"),
        ("rated", "lead_handlers", "inbox"),
        ("info_requested", "requester", "sms"),
    ]:
        assert expected in active, expected
    for rule in NotificationRule.objects.all():
        rule.full_clean()  # every default template uses known placeholders only
        assert rule.template.startswith("【连心桥】")


def test_the_admin_previews_a_rules_template_filled_with_a_sample_case(admin_client, db):
    rule = NotificationRule.objects.get(kind="assigned", recipient="lead_handlers", channel="sms")
    page = admin_client.get(
        reverse("admin:notify_notificationrule_change", args=[rule.pk])
    ).content.decode()
    sample = sample_values()
    assert f"您单位有新交办事项{sample['number']}「{sample['title']}」" in page
    assert "预览" in page


def test_the_admin_lists_rules_and_the_outbox_in_chinese(admin_client, db):
    assert (
        "通知规则"
        in admin_client.get(reverse("admin:notify_notificationrule_changelist")).content.decode()
    )
    assert admin_client.get(reverse("admin:notify_notification_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:notify_webhook_add")).status_code == 200
