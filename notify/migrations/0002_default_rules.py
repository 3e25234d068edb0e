"""The default notification rules: who hears of which move, on which channel, in what words.

Administrators change, switch off or add rules in the admin; this only gives a new
installation a sensible start. The group-robot rules (企业微信, 钉钉) come switched off: they
need a robot address first.
"""

from django.db import migrations

ASSIGNED = "【连心桥】您单位有新交办事项{number}「{title}」，请于{deadline}前办结。"
CO_ASSIGNED = (
    "【连心桥】您单位被确定为事项{number}「{title}」的协办单位，主办单位：{unit}，"
    "请于{deadline}前配合办结。"
)
ACCEPTED = "【连心桥】{unit}已签收事项{number}「{title}」。"
REMINDED = "【连心桥】到期提醒：事项{number}「{title}」将于{deadline}到期，请抓紧办理并按时答复。"
OVERDUE = "【连心桥】超期提醒：事项{number}「{title}」已超过办理期限（{deadline}），请立即办理并答复。"
OVERDUE_DISPATCH = "【连心桥】事项{number}「{title}」已超期，主办单位：{unit}，请跟进督办。"
SUPERVISED = "【连心桥】督办通知：事项{number}「{title}」已被督办，请于{deadline}前办结并答复。督办意见：{reason}"
EXTENSION_REQUESTED = "【连心桥】{unit}申请事项{number}「{title}」延期，理由：{reason}。请及时审核。"
EXTENSION_APPROVED = "【连心桥】事项{number}「{title}」的延期申请已同意，办理期限调整为{deadline}。"
EXTENSION_REFUSED = (
    "【连心桥】事项{number}「{title}」的延期申请未获同意，请于{deadline}前办结。说明：{reason}"
)
SENT_BACK = "【连心桥】{unit}退回事项{number}「{title}」，退单理由：{reason}。请重新研判交办。"
ANSWERED_REQUESTER = (
    "【连心桥】您反映的“{title}”（编号{number}）已由{unit}办理答复，"
    "欢迎对办理结果进行评价，感谢您的支持。"
)
ANSWERED_DISPATCH = "【连心桥】{unit}已答复事项{number}「{title}」，待群众评价或回访。"
VISIT_DUE = (
    "【连心桥】回访提醒：事项{number}「{title}」答复后群众尚未评价，已到回访时间，请及时回访。"
)
REOPENED = "【连心桥】事项{number}「{title}」需重新办理，请于{deadline}前办结。原因：{reason}"
RATED = "【连心桥】群众已对事项{number}「{title}」的办理结果作出评价，请登录查看。"
INFO_REQUESTED = (
    "【连心桥】您反映的“{title}”（编号{number}）需要补充信息：{reason}。"
    "请登录连心桥补充，或联系承办单位。"
)

# (event kind, recipient kind, channel, template, active)
DEFAULTS = [
    ("assigned", "lead_handlers", "inbox", ASSIGNED, True),
    ("assigned", "lead_handlers", "sms", ASSIGNED, True),
    ("assigned", "lead_heads", "inbox", ASSIGNED, True),
    ("assigned", "co_unit_handlers", "inbox", CO_ASSIGNED, True),
    ("assigned", "lead_handlers", "wecom", ASSIGNED, False),
    ("assigned", "lead_handlers", "dingtalk", ASSIGNED, False),
    ("accepted", "dispatchers", "inbox", ACCEPTED, True),
    ("reminded", "lead_handlers", "inbox", REMINDED, True),
    ("reminded", "lead_handlers", "sms", REMINDED, True),
    ("overdue", "lead_handlers", "inbox", OVERDUE, True),
    ("overdue", "lead_handlers", "sms", OVERDUE, True),
    ("overdue", "lead_heads", "inbox", OVERDUE, True),
    ("overdue", "lead_heads", "sms", OVERDUE, True),
    ("overdue", "dispatchers", "inbox", OVERDUE_DISPATCH, True),
    ("overdue", "lead_handlers", "wecom", OVERDUE, False),
    ("overdue", "lead_handlers", "dingtalk", OVERDUE, False),
    ("supervised", "lead_handlers", "inbox", SUPERVISED, True),
    ("supervised", "lead_handlers", "sms", SUPERVISED, True),
    ("supervised", "lead_heads", "inbox", SUPERVISED, True),
    ("supervised", "lead_heads", "sms", SUPERVISED, True),
    ("extension_requested", "dispatchers", "inbox", EXTENSION_REQUESTED, True),
    ("extension_approved", "lead_handlers", "inbox", EXTENSION_APPROVED, True),
    ("extension_refused", "lead_handlers", "inbox", EXTENSION_REFUSED, True),
    ("sent_back", "dispatchers", "inbox", SENT_BACK, True),
    ("answered", "requester", "sms", ANSWERED_REQUESTER, True),
    ("answered", "requester", "inbox", ANSWERED_REQUESTER, True),
    ("answered", "dispatchers", "inbox", ANSWERED_DISPATCH, True),
    ("visit_due", "dispatchers", "inbox", VISIT_DUE, True),
    ("reopened", "lead_handlers", "inbox", REOPENED, True),
    ("reopened", "lead_handlers", "sms", REOPENED, True),
    ("rated", "lead_handlers", "inbox", RATED, True),
    ("rated", "lead_heads", "inbox", RATED, True),
    ("info_requested", "requester", "sms", INFO_REQUESTED, True),
    ("info_requested", "requester", "inbox", INFO_REQUESTED, True),
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
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(create_rules, remove_rules)]
