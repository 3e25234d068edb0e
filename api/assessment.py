"""REST API: assessment tasks (考核任务) — the task lists with their 任务分解表, a unit's progress
report, and the issuing office's 通报 and 限期整改 with the unit's answer.

Each view reads through ``assessment.scope`` (a task or row the caller may not see is a 404),
validates the body with a serializer (400 in both languages), calls one service of
``assessment/services.py`` and answers the record as it is now. A caller who sees the row but
may not make the move (the office reporting for a unit, a unit issuing a notice) gets a 403;
an order already answered, or a second open order, a 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller
from api.errors import (
    ApiError,
    BilingualSerializerMixin,
    service_caller,
)
from api.filters import MAX_ID
from api.pagination import Cursor
from assessment import scope, selectors, services
from assessment.models import (
    AssessmentTask,
    Breakdown,
    Indicator,
    Notice,
    Rectification,
)
from cases.models import Via

TAGS = ["assessment"]
# Refusals about the state now, not the request: a 409.
CONFLICTS = frozenset({"answered", "open"})

# --- Serializers (answers) ----------------------------------------------------------------------


class AssessmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssessmentIndicatorSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    direction_label = serializers.CharField(source="get_direction_display", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "metric",
            "measure",
            "direction",
            "direction_label",
            "description",
        ]
        read_only_fields = fields


class AssessmentRowSerializer(serializers.ModelSerializer):
    indicator = serializers.IntegerField(source="indicator_id", read_only=True)
    unit = AssessmentRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Breakdown
        fields = [
            "id",
            "indicator",
            "unit",
            "target",
            "weight",
            "actual",
            "score",
            "status",
            "status_label",
            "note",
            "reported_at",
        ]
        read_only_fields = fields


class AssessmentTaskSerializer(serializers.ModelSerializer):
    issuer = AssessmentRefSerializer(read_only=True)
    region = AssessmentRefSerializer(read_only=True)

    class Meta:
        model = AssessmentTask
        fields = [
            "id",
            "title",
            "year",
            "start_month",
            "end_month",
            "issuer",
            "region",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class AssessmentUnitTotalSerializer(serializers.Serializer):
    unit = AssessmentRefSerializer()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    full = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Sum of weights.")
    rank = serializers.IntegerField(
        allow_null=True, help_text="Rank by total; null for a unit's own staff."
    )
    overdue_rectifications = serializers.IntegerField()


class AssessmentTaskDetailSerializer(AssessmentTaskSerializer):
    indicators = AssessmentIndicatorSerializer(many=True)
    rows = AssessmentRowSerializer(many=True)
    units = AssessmentUnitTotalSerializer(many=True)
    method = serializers.CharField(help_text="How scores and the ranking are computed.")

    class Meta(AssessmentTaskSerializer.Meta):
        fields = [*AssessmentTaskSerializer.Meta.fields, "indicators", "rows", "units", "method"]
        read_only_fields = fields


class AssessmentNoticeSerializer(serializers.ModelSerializer):
    row = serializers.IntegerField(source="row_id", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "row", "text", "issued_at"]
        read_only_fields = fields


class AssessmentRectificationSerializer(serializers.ModelSerializer):
    row = serializers.IntegerField(source="row_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(
        read_only=True, help_text="Open past its deadline, or answered after it."
    )

    class Meta:
        model = Rectification
        fields = [
            "id",
            "row",
            "requirement",
            "deadline",
            "status",
            "status_label",
            "overdue",
            "issued_at",
            "answer",
            "answered_at",
        ]
        read_only_fields = fields


class AssessmentRowDetailSerializer(AssessmentRowSerializer):
    notices = AssessmentNoticeSerializer(many=True, read_only=True)
    rectifications = AssessmentRectificationSerializer(many=True, read_only=True)

    class Meta(AssessmentRowSerializer.Meta):
        fields = [*AssessmentRowSerializer.Meta.fields, "notices", "rectifications"]
        read_only_fields = fields


# --- Serializers (requests) ---------------------------------------------------------------------


class AssessmentProgressRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=services.MAX_VALUE,
        help_text="The value reached (a manual indicator only).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AssessmentNoticeRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class AssessmentRectificationRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    requirement = serializers.CharField(max_length=4000)
    deadline = serializers.DateField(help_text="After today.")


class AssessmentAnswerRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


# --- Helpers ------------------------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ApiError.one(
            400, "invalid", "请求体须为 JSON 对象。", "The request body must be a JSON object."
        )
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


_call = service_caller(CONFLICTS)


def _one(queryset: QuerySet, pk: int) -> Any:
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _tasks(request: Request) -> QuerySet[AssessmentTask]:
    return scope.visible_tasks(caller(request)).select_related("issuer", "region")


def _row(request: Request, pk: int) -> Breakdown:
    return _one(
        scope.reachable_rows(caller(request)).select_related(
            "indicator__task__region", "indicator__task__issuer", "unit"
        ),
        pk,
    )


def _row_answer(pk: int) -> dict[str, Any]:
    row = Breakdown.objects.select_related("unit").get(pk=pk)
    return dict(AssessmentRowDetailSerializer(row).data)


def task_detail(request: Request, task: AssessmentTask) -> dict[str, Any]:
    user = caller(request)
    manages = scope.manages(user, task)
    rows = scope.visible_rows(user, task)
    table = selectors.table(task, rows)
    data = dict(AssessmentTaskSerializer(task).data)
    data["indicators"] = AssessmentIndicatorSerializer(table.indicators, many=True).data
    data["rows"] = AssessmentRowSerializer(
        [cell for line in table.lines for cell in line.cells if cell is not None], many=True
    ).data
    data["units"] = [
        {
            "unit": {"id": line.unit.pk, "name": line.unit.name},
            "total": str(line.total),
            "full": str(line.full),
            "rank": line.rank if manages else None,
            "overdue_rectifications": line.overdue_rectifications,
        }
        for line in table.lines
    ]
    data["method"] = selectors.RANKING_METHOD
    return data


# --- Views --------------------------------------------------------------------------------------


class TaskListView(ApiMixin, generics.GenericAPIView):
    pagination_class = Cursor
    cursor_ordering = ("-id",)
    serializer_class = AssessmentTaskSerializer

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return AssessmentTask.objects.none()
        return _tasks(self.request)

    @extend_schema(
        operation_id="assessment_tasks_list",
        summary="考核任务列表 List assessment tasks",
        description="Tasks the caller manages (the issuing office) or has rows of their unit in "
        "(a unit's staff); cursor-paginated, newest first.",
        tags=TAGS,
        responses=AssessmentTaskSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AssessmentTaskSerializer(page, many=True).data)


class TaskDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="assessment_tasks_retrieve",
        summary="考核任务 A task with its 任务分解表",
        description="The indicators, the rows the caller sees (all for the issuing office, their "
        "own unit's for its staff) with target, weight, actual and score, and each unit's total "
        "and rank (rank only for the office). Engine-fed rows are refreshed first.",
        tags=TAGS,
        responses=AssessmentTaskDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        task = _one(_tasks(request), pk)
        services.refresh_engine_indicators(task, via=Via.API)
        return Response(task_detail(request, task))


class RowDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="assessment_rows_retrieve",
        summary="任务分解 A row with its notices and rectifications",
        tags=TAGS,
        responses=AssessmentRowDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_row_answer(_row(request, pk).pk))


class ProgressView(ApiMixin, APIView):
    @extend_schema(
        operation_id="assessment_rows_progress",
        summary="报送进展 Report progress",
        description="A unit's staff report the value reached on a manual indicator of their own "
        "row, with a note; the row's actual value and score follow. An engine-fed indicator is "
        "refused (400 `engine`); anyone but the unit's staff 403.",
        tags=TAGS,
        request=AssessmentProgressRequestSerializer,
        responses={201: AssessmentRowDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = _row(request, pk)
        if not scope.reports_for(caller(request), row):
            raise PermissionDenied()
        data = _valid(AssessmentProgressRequestSerializer, request)
        _call(services.report_progress, row, actor=caller(request), via=Via.API, **data)
        return Response(_row_answer(row.pk), status=status.HTTP_201_CREATED)


class NoticeView(ApiMixin, APIView):
    @extend_schema(
        operation_id="assessment_rows_notice",
        summary="通报 Issue a notice",
        description="A notice on a unit's indicator, by the issuing office (403 for others who "
        "see the row).",
        tags=TAGS,
        request=AssessmentNoticeRequestSerializer,
        responses={201: AssessmentNoticeSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = _row(request, pk)
        if not scope.manages(caller(request), row.indicator.task):
            raise PermissionDenied()
        data = _valid(AssessmentNoticeRequestSerializer, request)
        notice = _call(services.issue_notice, row, actor=caller(request), via=Via.API, **data)
        return Response(AssessmentNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


class RectificationView(ApiMixin, APIView):
    @extend_schema(
        operation_id="assessment_rows_rectification",
        summary="限期整改 Order a rectification",
        description="A rectification order with a deadline after today (400 `past`), by the "
        "issuing office; a second order while one is open is a 409 `open`.",
        tags=TAGS,
        request=AssessmentRectificationRequestSerializer,
        responses={201: AssessmentRectificationSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        row = _row(request, pk)
        if not scope.manages(caller(request), row.indicator.task):
            raise PermissionDenied()
        data = _valid(AssessmentRectificationRequestSerializer, request)
        order = _call(services.order_rectification, row, actor=caller(request), via=Via.API, **data)
        return Response(
            AssessmentRectificationSerializer(order).data, status=status.HTTP_201_CREATED
        )


class AnswerView(ApiMixin, APIView):
    @extend_schema(
        operation_id="assessment_rectifications_answer",
        summary="整改反馈 Answer a rectification",
        description="The unit's rectification report on an open order (409 `answered` once "
        "answered); only the unit's staff (403).",
        tags=TAGS,
        request=AssessmentAnswerRequestSerializer,
        responses=AssessmentRectificationSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        order = _one(
            scope.visible_rectifications(user).select_related("row__indicator__task", "row__unit"),
            pk,
        )
        if not scope.reports_for(user, order.row):
            raise PermissionDenied()
        data = _valid(AssessmentAnswerRequestSerializer, request)
        order = _call(services.answer_rectification, order, actor=user, via=Via.API, **data)
        return Response(AssessmentRectificationSerializer(order).data)


urlpatterns = [
    path("assessment/tasks/", TaskListView.as_view(), name="assessment-task-list"),
    path("assessment/tasks/<int:pk>/", TaskDetailView.as_view(), name="assessment-task-detail"),
    path("assessment/rows/<int:pk>/", RowDetailView.as_view(), name="assessment-row-detail"),
    path("assessment/rows/<int:pk>/progress/", ProgressView.as_view(), name="assessment-progress"),
    path("assessment/rows/<int:pk>/notices/", NoticeView.as_view(), name="assessment-notice"),
    path(
        "assessment/rows/<int:pk>/rectifications/",
        RectificationView.as_view(),
        name="assessment-rectification",
    ),
    path(
        "assessment/rectifications/<int:pk>/answer/",
        AnswerView.as_view(),
        name="assessment-answer",
    ),
]
