"""Default rules for the moves of issue 15: each rung of the escalation ladder tells its own
target (the rung's handler, unit head, the dispatchers' supervision board or the leader), and a
manual reminder (催办) reaches the lead unit."""

from django.db import migrations

ESCALATED = "【连心桥】逐级督办：事项{number}「{title}」（主办：{unit}）{reason}请登录连心桥处理。"
URGED = "【连心桥】催办：事项{number}「{title}」请于{deadline}前办结并答复。{reason}"

# (event kind, recipient kind, channel, template, active)
DEFAULTS = [
    ("escalated", "escalation_target", "inbox", ESCALATED, True),
    ("escalated", "escalation_target", "sms", ESCALATED, True),
    ("urged", "lead_handlers", "inbox", URGED, True),
    ("urged", "lead_handlers", "sms", URGED, True),
]


def create_rules(apps, schema_editor):
    rule_model = apps.get_model("notify", "NotificationRule")
    for kind, recipient, channel, template, active in DEFAULTS:
        rule_model.objects.get_or_create(
            kind=kind,
            recipient=recipient,
            channel=channel,
            defaults={"template": template, "is_active": active},
        )


def remove_rules(apps, schema_editor):
    rule_model = apps.get_model("notify", "NotificationRule")
    for kind, recipient, channel, _template, _active in DEFAULTS:
        rule_model.objects.filter(kind=kind, recipient=recipient, channel=channel).delete()


class Migration(migrations.Migration):
    dependencies = [("notify", "0004_recipients_issue15")]

    operations = [migrations.RunPython(create_rules, remove_rules)]
