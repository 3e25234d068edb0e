"""Notification rules an administrator edits, the outbox of messages they produce, each user's
channel preferences, and the group robots (WeCom, DingTalk) messages go to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseEvent, EventKind
from notify.rendering import unknown_placeholders
from orgs.models import Organisation

# The one notification kind that is no move of a case: an answered case waits for its visit.
VISIT_DUE = "visit_due"
RULE_KINDS = [*EventKind.choices, (VISIT_DUE, _("回访到期"))]
# Messages about an alert rather than a case move (``services.alert_messages``): no rule makes
# them, so they are not among the rules' kinds (nor the field's choices), only its labels.
REPEAT_DEMAND = "repeat_demand"
ALERT_KINDS = [(REPEAT_DEMAND, _("重复诉求预警"))]
MESSAGE_KINDS = [*RULE_KINDS, *ALERT_KINDS]
_MESSAGE_LABELS = dict(MESSAGE_KINDS)


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内信")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")
    EMAIL = "email", _("邮件")


# Group robots: one message to a unit's group, mentioning the people concerned.
ROBOT_CHANNELS = frozenset({Channel.WECOM, Channel.DINGTALK})


class Recipient(models.TextChoices):
    LEAD_HANDLERS = "lead_handlers", _("主办单位承办人")
    LEAD_HEADS = "lead_heads", _("主办单位部门负责人")
    DISPATCHERS = "dispatchers", _("负责该事项的研判交办员")
    REQUESTER = "requester", _("诉求人")
    REPORTER = "reporter", _("上报人")
    CO_UNIT_HANDLERS = "co_unit_handlers", _("协办单位承办人")
    LEADERS = "leaders", _("分管领导")
    # The rung's own target of an escalation (逐级督办): handler, unit head, board or leader.
    ESCALATION_TARGET = "escalation_target", _("逐级督办对象")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    GAVE_UP = "gave_up", _("已放弃")


class NotificationRule(models.Model):
    """When a case event of ``kind`` happens, tell ``recipient`` through ``channel``."""

    kind = models.CharField(_("事件"), max_length=40, choices=RULE_KINDS)
    recipient = models.CharField(_("接收人"), max_length=32, choices=Recipient.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    template = models.TextField(
        _("消息模板"),
        help_text=_(
            "可用占位符：{number} 编号、{title} 标题、{deadline} 办理期限、{status} 状态、"
            "{unit} 主办单位、{reason} 理由/说明、{actor} 操作人、{event} 动作、{url} 事项链接。"
        ),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知规则")
        verbose_name_plural = _("通知规则")
        ordering = ["kind", "recipient", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "channel"], name="notify_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.get_recipient_display()} · {self.get_channel_display()}"

    def clean(self) -> None:
        unknown = unknown_placeholders(self.template)
        if unknown:
            names = "、".join("{" + name + "}" for name in unknown)
            error = ValidationError(
                _("模板中有未知占位符：%(names)s"),
                code="unknown_placeholder",
                params={"names": names},
            )
            raise ValidationError({"template": error})


class Webhook(models.Model):
    """A WeCom or DingTalk group robot; a unit's own, or the default one (no unit)."""

    class Kind(models.TextChoices):
        WECOM = Channel.WECOM.value, _("企业微信")
        DINGTALK = Channel.DINGTALK.value, _("钉钉")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    url = models.URLField(
        _("机器人地址"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("群机器人的 Webhook 地址（http/https）"),
    )
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉机器人“加签”安全设置的密钥")
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空为默认机器人：没有本单位机器人的人员消息发到这里"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"


class NotificationPreference(models.Model):
    """Whether a user wants messages on a channel; no row means yes (the inbox is always on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="notify_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_channel_display()}"


class Notification(models.Model):
    """One message to one person (or one robot group) on one channel: the outbox row."""

    rule = models.ForeignKey(
        NotificationRule,
        verbose_name=_("规则"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("事件"), max_length=40, choices=RULE_KINDS)
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("流转记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(
        _("地址"), max_length=200, blank=True, help_text=_("手机号或邮箱；群机器人消息为空")
    )
    webhook = models.ForeignKey(
        Webhook,
        verbose_name=_("群机器人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The phone numbers a robot message mentions (@), so each person sees it is for them.
    mentions = models.JSONField(_("提醒的手机号"), default=list, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    text = models.TextField(_("内容"))
    urgent = models.BooleanField(
        _("紧急"), default=False, help_text=_("紧急事项发给工作人员的短信不受免打扰时段限制")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    provider_response = models.TextField(_("渠道回执"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"))
    # One message per person per case per event per channel, whoever produces it how often.
    dedup_key = models.CharField(_("去重键"), max_length=200, unique=True, editable=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox and its unread badge: the user's own in-site messages, newest first.
            models.Index(
                fields=["user", "-created_at"], condition=Q(channel="inbox"), name="notify_inbox"
            ),
            # The unread badge on every page: a count over a small partial index.
            models.Index(
                fields=["user"],
                condition=Q(channel="inbox", read_at__isnull=True),
                name="notify_unread",
            ),
            models.Index(fields=["case", "kind"], name="notify_case_kind"),
            models.Index(fields=["status", "next_attempt_at"], name="notify_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.user or self.address or self.webhook}"

    def get_kind_display(self) -> str:  # type: ignore[no-redef]
        """The kind in words, an alert message's kind too (it is not among the field's choices)."""
        return str(_MESSAGE_LABELS.get(self.kind, self.kind))

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
