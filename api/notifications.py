"""The caller's in-app inbox (站内信) over the API: list the messages, the unread count, mark
them read, and choose the channels to receive messages on.

Each view reads and writes the caller's own rows only, through ``notify.services`` (the same
services as the inbox page): another user's message does not exist for the caller, and an id
of one sent to ``read/`` is silently left alone. The bodies are checked like a move's
(``api.moves``): each JSON value must have its type, or the answer is a 400 in both languages.
"""

from __future__ import annotations

from typing import Any, Literal

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller
from api.errors import ApiError, ErrorItem
from api.filters import MAX_ID, FilterBackend
from api.pagination import Cursor
from notify import services
from notify.models import MESSAGE_KINDS, Channel, Notification

# The most ids one ``read/`` request may name.
MAX_IDS = 1000

TAGS = ["notifications"]

# --- Serializers -------------------------------------------------------------------------------


class NotificationCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


@extend_schema_field(
    {"type": "string", "enum": [value for value, _label in MESSAGE_KINDS], "readOnly": True}
)
class NotificationKindField(serializers.CharField):
    """The event kind (``EventKind``, ``visit_due``, or an alert's kind such as
    ``repeat_demand``): an inline enum, since the event kinds already have their own component
    (``EventKindEnum``)."""


class NotificationSerializer(serializers.ModelSerializer):
    """One in-app message of the caller."""

    kind = NotificationKindField(
        read_only=True,
        help_text="The case event the message is about (`EventKind`), `visit_due` "
        "(回访到期: an answered case waits for its return visit), or `repeat_demand` "
        "(重复诉求预警: the case is the latest of a repeat demand).",
    )
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="The kind in words."
    )
    case = NotificationCaseSerializer(read_only=True, allow_null=True)
    case_url = serializers.SerializerMethodField(
        help_text="Path of the case in this API (`GET` it for the case); the case may have left "
        "the caller's scope since (404)."
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "text", "case", "case_url", "created_at", "read_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_url(self, notification: Notification) -> str | None:
        if notification.case_id is None:
            return None
        return reverse("api:case-detail", kwargs={"pk": notification.case_id})


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(min_value=0, help_text="The caller's unread messages.")


class MarkReadSerializer(serializers.Serializer):
    """For the schema only: the view checks the body itself (``mark_read_ids``)."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_IDS,
        required=False,
        help_text=f"Ids of the caller's messages to mark read (at most {MAX_IDS}); ids of "
        "messages that are not the caller's are ignored.",
    )
    all = serializers.BooleanField(
        required=False, help_text="`true`: mark every message of the caller read (instead of ids)."
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(min_value=0, help_text="Messages this request marked read.")
    unread = serializers.IntegerField(min_value=0, help_text="The caller's unread messages now.")


def _channel_fields(*, required: bool) -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for channel in Channel:
        help_text = f"{channel.label} ({channel.value})"
        if channel == Channel.INBOX:
            help_text += ": always true; the inbox cannot be turned off."
        fields[channel.value] = serializers.BooleanField(required=required, help_text=help_text)
    return fields


NotificationChannelsSerializer = type(
    "NotificationChannelsSerializer", (serializers.Serializer,), _channel_fields(required=True)
)
NotificationChannelChoicesSerializer = type(
    "NotificationChannelChoicesSerializer",
    (serializers.Serializer,),
    _channel_fields(required=False),
)


class NotificationPreferencesSerializer(serializers.Serializer):
    channels = NotificationChannelsSerializer(
        help_text="Each channel → whether the caller receives it."
    )


class NotificationPreferencesUpdateSerializer(serializers.Serializer):
    channels = NotificationChannelChoicesSerializer(
        help_text="The channels to change → true (receive) or false; a channel left out keeps "
        "its setting."
    )


# --- Reading the bodies ------------------------------------------------------------------------


def _body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError.one(
            400, "invalid", "请求体须为 JSON 对象。", "The request body must be a JSON object."
        )
    return body


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def mark_read_ids(body: Any) -> list[int] | Literal["all"]:
    """The messages a ``read/`` body names: a list of ids, or "all"; a 400 otherwise."""
    body = _body_object(body)
    ids, everything = body.get("ids"), body.get("all")
    errors = []
    if everything is not None and not isinstance(everything, bool):
        errors.append(
            ErrorItem("all", "invalid_type", "必须是 true 或 false。", "Must be true or false.")
        )
    if ids is not None:
        if not isinstance(ids, list) or not all(_is_id(value) for value in ids):
            errors.append(
                ErrorItem(
                    "ids",
                    "invalid_type",
                    "必须是由消息 id（正整数）组成的数组。",
                    "Must be a list of message ids (positive integers).",
                )
            )
        elif len(ids) > MAX_IDS:
            errors.append(
                ErrorItem(
                    "ids",
                    "max_length",
                    f"一次最多标记 {MAX_IDS} 条消息。",
                    f"At most {MAX_IDS} ids in one request.",
                )
            )
    if errors:
        raise ApiError(errors)
    if everything and ids is not None:
        raise ApiError.one(
            400,
            "invalid",
            "ids 与 all 只能提供其一。",
            "Send either ids or all, not both.",
        )
    if everything:
        return "all"
    if ids is None:
        raise ApiError.one(
            400,
            "required",
            "请提供 ids（消息 id 数组）或 all: true。",
            "Send ids (a list of message ids) or all: true.",
        )
    return ids


def chosen_channels(body: Any, current: dict[str, bool]) -> list[str]:
    """The channels to receive after a preferences body: its choices over ``current``."""
    body = _body_object(body)
    channels = body.get("channels")
    if not isinstance(channels, dict):
        if channels is None:
            raise ApiError.one(
                400, "required", "该字段是必填项。", "This field is required.", field="channels"
            )
        raise ApiError.one(
            400,
            "invalid_type",
            "必须是对象：渠道 → true/false。",
            "Must be an object: channel → true/false.",
            field="channels",
        )
    known = "、".join(Channel.values)
    errors = []
    for name, value in channels.items():
        field = f"channels.{name}"
        if name not in Channel.values:
            errors.append(
                ErrorItem(
                    field,
                    "invalid_choice",
                    f"未知的渠道。可选：{known}。",
                    f"Unknown channel; the channels are: {', '.join(Channel.values)}.",
                )
            )
        elif not isinstance(value, bool):
            errors.append(
                ErrorItem(field, "invalid_type", "必须是 true 或 false。", "Must be true or false.")
            )
        elif name == Channel.INBOX and not value:
            errors.append(
                ErrorItem(
                    field,
                    "invalid",
                    "站内信始终接收，不能关闭。",
                    "The in-app inbox is always on; it cannot be turned off.",
                )
            )
    if errors:
        raise ApiError(errors)
    wanted = {**current, **channels}
    return [channel for channel, enabled in wanted.items() if enabled]


# --- Views -------------------------------------------------------------------------------------


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        help_text="`true`: only the unread messages; `false`: only those read.",
    )

    class Meta:
        model = Notification
        fields: list[str] = []


class NotificationListView(ApiMixin, generics.GenericAPIView):
    serializer_class = NotificationSerializer
    filter_backends = [FilterBackend]
    filterset_class = NotificationFilter
    pagination_class = Cursor
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return Notification.objects.none()
        return services.inbox(caller(self.request))

    @extend_schema(
        operation_id="notifications_list",
        summary="站内信 List my messages",
        description="The caller's own in-app messages, newest first, cursor-paginated (follow "
        "`next`); `?unread=true` for the unread ones. The unread count is "
        "`GET /api/v1/notifications/unread-count/`.",
        tags=TAGS,
        responses=NotificationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class UnreadCountView(ApiMixin, APIView):
    @extend_schema(
        operation_id="notifications_unread_count",
        summary="未读消息数 My unread count",
        description="How many of the caller's in-app messages are unread (the badge of the "
        "pages' header); one small query, fit for polling.",
        tags=TAGS,
        responses=UnreadCountSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response({"unread": services.unread_count(caller(request))})


class MarkReadView(ApiMixin, APIView):
    @extend_schema(
        operation_id="notifications_mark_read",
        summary="标记已读 Mark messages read",
        description=f'`{{"ids": [1, 2]}}` (at most {MAX_IDS}) or `{{"all": true}}`: marks the '
        "caller's own messages read and answers how many this request marked and how many "
        "remain unread. Ids of messages that are not the caller's, or do not exist, are "
        "ignored; marking a message already read changes nothing.",
        tags=TAGS,
        request=MarkReadSerializer,
        responses=MarkReadResultSerializer,
    )
    def post(self, request: Request) -> Response:
        user = caller(request)
        marked = services.mark_read(user, mark_read_ids(request.data))
        return Response({"marked": marked, "unread": services.unread_count(user)})


class PreferencesView(ApiMixin, APIView):
    @extend_schema(
        operation_id="notifications_preferences_retrieve",
        summary="接收渠道 My channels",
        description="Each channel → whether the caller receives messages on it. The inbox is "
        "always on; a channel never chosen is on.",
        tags=TAGS,
        responses=NotificationPreferencesSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response({"channels": services.preferences_for(caller(request))})

    @extend_schema(
        operation_id="notifications_preferences_update",
        summary="设置接收渠道 Choose my channels",
        description="Turn channels on (`true`) or off (`false`); a channel left out keeps its "
        "setting. An unknown channel, or `inbox: false`, answers 400. The answer is every "
        "channel, as `GET` shows it.",
        tags=TAGS,
        request=NotificationPreferencesUpdateSerializer,
        responses=NotificationPreferencesSerializer,
    )
    def put(self, request: Request) -> Response:
        user = caller(request)
        chosen = chosen_channels(request.data, services.preferences_for(user))
        return Response({"channels": services.set_preferences(user, chosen)})
