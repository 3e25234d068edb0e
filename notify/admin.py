"""Admin for the notification rules, the group robots, the outbox and users' preferences.

The outbox is read-only here, apart from sending a failed message again.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notify.models import (
    DeliveryStatus,
    Notification,
    NotificationPreference,
    NotificationRule,
    Webhook,
)
from notify.rendering import render, sample_values


@admin.register(NotificationRule)
class NotificationRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "channel", "is_active", "short_template"]
    list_display_links = ["kind"]
    list_editable = ["is_active"]
    list_filter = ["is_active", "channel", "recipient", "kind"]
    search_fields = ["template"]
    fields = ["kind", "recipient", "channel", "template", "preview", "is_active"]
    readonly_fields = ["preview"]

    @admin.display(description=_("模板"))
    def short_template(self, rule: NotificationRule) -> str:
        return rule.template if len(rule.template) <= 40 else rule.template[:40] + "…"

    @admin.display(description=_("预览"))
    def preview(self, rule: NotificationRule) -> str:
        if not rule.template:
            return "—"
        # format_html escapes the text: a template is shown, never run.
        return format_html(
            '<div style="white-space: pre-wrap; max-width: 40em">{}</div><p class="help">{}</p>',
            render(rule.template, sample_values()),
            _("以示例事项填充，保存后刷新可查看修改后的效果。"),
        )


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "enabled"]
    list_filter = ["channel", "enabled"]
    search_fields = ["user__username", "user__person__name"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "case",
        "channel",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "read_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["case__number", "address", "user__username", "text"]
    date_hierarchy = "created_at"
    list_select_related = ["case", "user", "webhook"]
    actions = ["send_again"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("接收人"))
    def recipient(self, row: Notification) -> str:
        return str(row.user or row.address or row.webhook or "—")

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notify.change_notification")

    @admin.action(description=_("重新发送所选的失败消息"), permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        from notify.tasks import deliver

        failed = queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP])
        ids = list(failed.values_list("pk", flat=True))
        failed.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
        for pk in ids:
            deliver.enqueue(pk)
        self.message_user(
            request,
            ngettext("已重新排队 %(count)d 条消息。", "已重新排队 %(count)d 条消息。", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )
