"""Survey campaigns (摸排) over the API: the surveys with their progress by grid, starting and
closing one, a survey's tasks, a task's visit (with a finding made a case in one step) and its
recheck (复核).

Each view reads through ``households.surveys`` (a survey or task outside the caller's scope is
a 404) and calls one of its services; their refusals become 400 (a ``ValidationError`` keyed by
field) and 403, in Chinese and English as ``api.errors`` renders every error. Head names are
masked in lists and, on a task, for callers without the contact right (``households.scope``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller, validated
from api.errors import ApiError, BilingualSerializerMixin, english_of
from api.fields import CodeField, IdField
from api.filters import MAX_ID
from api.pagination import Cursor
from api.serializers import text
from cases.models import CaseType, Category, Via
from households import scope, surveys
from households.models import Survey, SurveyStatus, SurveyTask, SurveyTaskStatus
from people.masking import mask_name
from people.models import HouseholdTag, User
from regions.models import Region

TAGS = ["surveys"]
MAX_ITEMS = 50
ITEM_LENGTH = 100


def _forbidden(error: PermissionDenied) -> ApiError:
    message = str(error) or "您无权执行该操作。"
    return ApiError.one(403, "forbidden", message, english_of(message, "forbidden"))


def _require_user(user: User) -> None:
    if not surveys.is_survey_user(user):
        raise _forbidden(PermissionDenied("您无权查看摸排。"))


def _survey(user: User, pk: int) -> Survey:
    """A survey the caller reads, else 404."""
    found = surveys.visible_surveys(user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


def _task(user: User, pk: int) -> SurveyTask:
    """A task on a household the caller reads, else 404."""
    found = (
        surveys.visible_tasks(user)
        .select_related("survey__region", "household__region", "grid", "assignee")
        .filter(pk=pk)
        .first()
        if 0 < pk <= MAX_ID
        else None
    )
    if found is None:
        raise NotFound()
    return found


# --- Serializers -------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": list(SurveyStatus.values), "readOnly": True})
class SurveyStatusField(serializers.CharField):
    """open (进行中) or closed (已结束)."""


@extend_schema_field({"type": "string", "enum": list(SurveyTaskStatus.values), "readOnly": True})
class SurveyTaskStatusField(serializers.CharField):
    """pending (待走访), visited (已走访) or rechecked (已复核)."""


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``, nothing else: "no" or 0 is a 400, not a guess."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)
        raise AssertionError  # fail raises


class SurveySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField(), help_text="The checklist.")
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    due_on = serializers.DateField()
    status = SurveyStatusField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    close_reason = serializers.CharField()


class GridProgressSerializer(serializers.Serializer):
    grid = serializers.IntegerField(source="grid_id")
    grid_name = serializers.CharField()
    total = serializers.IntegerField()
    visited = serializers.IntegerField(help_text="Visited, rechecked ones included.")
    rechecked = serializers.IntegerField()
    finding = serializers.IntegerField(help_text="Visits that found a problem.")


class SurveyDetailSerializer(SurveySerializer):
    may_close = serializers.BooleanField(help_text="Whether the caller may close it now.")
    grids = GridProgressSerializer(
        many=True, help_text="Progress by grid over the tasks the caller reads."
    )


class SurveyAnswerSerializer(BilingualSerializerMixin, serializers.Serializer):
    answer = serializers.ChoiceField(choices=[("yes", "是"), ("no", "否")])
    note = text(required=False, max_length=200)


class SurveyTaskSerializer(serializers.Serializer):
    """A task; ``head_name`` is masked unless the caller has the contact right."""

    id = serializers.IntegerField()
    survey = serializers.IntegerField(source="survey_id")
    household = serializers.IntegerField(source="household_id")
    head_name = serializers.CharField()
    grid = serializers.IntegerField(source="grid_id")
    grid_name = serializers.CharField(source="grid.name")
    assignee = serializers.CharField(source="assignee.name", allow_null=True, default=None)
    status = SurveyTaskStatusField()
    answers = serializers.DictField(
        child=SurveyAnswerSerializer(), help_text="Checklist item → {answer, note}."
    )
    finding = serializers.CharField()
    visited_at = serializers.DateTimeField(allow_null=True)
    recheck_ok = serializers.BooleanField(allow_null=True)
    recheck_note = serializers.CharField()
    rechecked_at = serializers.DateTimeField(allow_null=True)
    case = serializers.IntegerField(
        source="case_id", allow_null=True, help_text="The case the finding became."
    )


def _task_body(task: SurveyTask, contact: bool) -> SurveyTask:
    name = task.household.head_name
    task.head_name = name if contact else mask_name(name)  # type: ignore[attr-defined]
    return task


class SurveyCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/surveys/``: one task for each household of the region (or with the tag)."""

    title = text(max_length=100)
    items = serializers.ListField(
        child=text(max_length=ITEM_LENGTH),
        min_length=1,
        max_length=MAX_ITEMS,
        help_text=f"The checklist, at most {MAX_ITEMS} items of {ITEM_LENGTH} characters.",
    )
    region = IdField(queryset=Region.objects.all(), help_text="The region surveyed.")
    due_on = serializers.DateField()
    tag = IdField(
        queryset=HouseholdTag.objects.all(),
        required=False,
        allow_null=True,
        help_text="Only the households with this tag.",
    )
    token = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A one-time id of this request: sent again, it returns the survey made.",
    )


class SurveyCloseSerializer(BilingualSerializerMixin, serializers.Serializer):
    reason = text(required=False, max_length=200)


class SurveyVisitSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/survey-tasks/{id}/visit/``: every checklist item answered."""

    answers = serializers.DictField(
        child=SurveyAnswerSerializer(),
        help_text="Each checklist item → {answer: yes|no, note}.",
    )
    finding = text(required=False, max_length=4000, help_text="The problem found (发现问题).")
    raise_case = StrictBooleanField(
        required=False, default=False, help_text="Make the finding a case in the same step."
    )
    case_type = CodeField(
        slug_field="code",
        queryset=CaseType.objects.all(),
        required=False,
        allow_null=True,
        help_text="The case type code (with raise_case).",
    )
    category = IdField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )

    def validate_answers(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_ITEMS:
            raise serializers.ValidationError(f"最多{MAX_ITEMS}项。")
        return value


class SurveyRecheckSerializer(BilingualSerializerMixin, serializers.Serializer):
    ok = StrictBooleanField(help_text="true: passed; false: back to be visited again.")
    note = text(required=False, max_length=200, help_text="Required when not ok.")


# --- Views -------------------------------------------------------------------------------------


def _detail(user: User, survey: Survey) -> Survey:
    survey.grids = surveys.progress_by_grid(survey, user)  # type: ignore[attr-defined]
    survey.may_close = (  # type: ignore[attr-defined]
        survey.status == SurveyStatus.OPEN and surveys.may_close(user, survey)
    )
    return survey


class SurveyListView(ApiMixin, generics.GenericAPIView):
    serializer_class = SurveySerializer
    pagination_class = Cursor
    cursor_ordering = ("-id",)

    def get_queryset(self) -> QuerySet[Survey]:
        if getattr(self, "swagger_fake_view", False):
            return Survey.objects.none()
        rows = surveys.visible_surveys(caller(self.request))
        state = self.request.query_params.get("status", "")
        return rows.filter(status=state) if state in SurveyStatus.values else rows

    @extend_schema(
        operation_id="surveys_list",
        summary="摸排列表 List surveys",
        description="The surveys with a task the caller reads and those they may manage, newest "
        "first, cursor-paginated.",
        tags=TAGS,
        parameters=[OpenApiParameter("status", str, enum=list(SurveyStatus.values))],
        responses=SurveySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _require_user(caller(request))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SurveySerializer(page, many=True).data)

    @extend_schema(
        operation_id="surveys_create",
        summary="发起摸排 Start a survey",
        description="Makes one task for each household of the region (only those with `tag` if "
        "given), assigned to its grid's worker. Administrators, dispatchers and village cadres "
        "over the region; anyone else 403. No household: 400 (`households`). The same `token` "
        "again returns the survey made (200); another user's token is a 400 (`token`).",
        tags=TAGS,
        request=SurveyCreateSerializer,
        responses={201: SurveyDetailSerializer, 200: SurveyDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        user = caller(request)
        _require_user(user)
        data = validated(SurveyCreateSerializer, request)
        token = data.get("token")
        again = token is not None and Survey.objects.filter(token=token).exists()
        try:
            survey = surveys.create_survey(
                title=data["title"],
                items=data["items"],
                region=data["region"],
                due_on=data["due_on"],
                tag=data.get("tag"),
                token=token,
                actor=user,
                via=Via.API,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        code = status.HTTP_200_OK if again else status.HTTP_201_CREATED
        return Response(SurveyDetailSerializer(_detail(user, survey)).data, status=code)


class SurveyDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="surveys_retrieve",
        summary="摸排进度 A survey with its progress by grid",
        description="Total, visited, rechecked and with a finding, by grid, over the tasks the "
        "caller reads. A survey outside the caller's scope is a 404.",
        tags=TAGS,
        responses=SurveyDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        return Response(SurveyDetailSerializer(_detail(user, _survey(user, pk))).data)


class SurveyCloseView(ApiMixin, APIView):
    @extend_schema(
        operation_id="surveys_close",
        summary="结束摸排 Close a survey",
        description="Its tasks take no more visits or rechecks. Whoever may start a survey over "
        "its region; anyone else 403. Already closed: 400 (`survey`, `closed`).",
        tags=TAGS,
        request=SurveyCloseSerializer,
        responses=SurveyDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        survey = _survey(user, pk)
        data = validated(SurveyCloseSerializer, request)
        try:
            survey = surveys.close_survey(
                survey, reason=data.get("reason", ""), actor=user, via=Via.API
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(SurveyDetailSerializer(_detail(user, survey)).data)


class SurveyTaskListView(ApiMixin, generics.GenericAPIView):
    serializer_class = SurveyTaskSerializer
    pagination_class = Cursor
    cursor_ordering = ("id",)

    def get_queryset(self) -> QuerySet[SurveyTask]:
        if getattr(self, "swagger_fake_view", False):
            return SurveyTask.objects.none()
        user = caller(self.request)
        params = self.request.query_params
        survey = _survey(user, self.kwargs["pk"])
        tasks = surveys.visible_tasks(user).filter(survey=survey)
        grid = params.get("grid", "")
        if grid:
            if not grid.isdigit() or int(grid) > MAX_ID:
                raise ApiError.one(
                    400, "invalid", "网格编号无效。", "The grid id is not valid.", field="grid"
                )
            tasks = tasks.filter(grid_id=int(grid))
        state = params.get("state", "all")
        if state not in surveys.STATES:
            raise ApiError.one(
                400,
                "invalid_choice",
                "状态筛选无效。",
                "The state filter is not valid.",
                field="state",
            )
        return surveys.filter_state(tasks, state).select_related("household", "grid", "assignee")

    @extend_schema(
        operation_id="surveys_tasks_list",
        summary="摸排任务 A survey's tasks",
        description="The tasks the caller reads (`grid`, `state` as the progress numbers count "
        "them), head names masked, cursor-paginated.",
        tags=TAGS,
        parameters=[
            OpenApiParameter("grid", int, description="A grid's region id."),
            OpenApiParameter("state", str, enum=list(surveys.STATES)),
        ],
        responses=SurveyTaskSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        _require_user(caller(request))
        page = self.paginate_queryset(self.get_queryset())
        rows = [_task_body(t, contact=False) for t in page or []]
        return self.get_paginated_response(SurveyTaskSerializer(rows, many=True).data)


def _task_response(user: User, task: SurveyTask, code: int = status.HTTP_200_OK) -> Response:
    task = _task(user, task.pk)
    contact = scope.may_contact(user, task.household)
    return Response(SurveyTaskSerializer(_task_body(task, contact)).data, status=code)


class SurveyTaskDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="survey_tasks_retrieve",
        summary="摸排任务详情 A task",
        description="A task on a household the caller reads; any other is a 404.",
        tags=TAGS,
        responses=SurveyTaskSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        return _task_response(user, _task(user, pk))


class SurveyVisitView(ApiMixin, APIView):
    @extend_schema(
        operation_id="survey_tasks_visit",
        summary="摸排走访 Record a task's visit",
        description="Every checklist item answered yes or no (an item missing or not of the "
        "survey: 400 `answers`); with `raise_case` the finding becomes a case about the "
        "household in the same step (a refused case leaves nothing). Whoever works on the "
        "household; anyone else 403. Already visited or the survey closed: 400.",
        tags=TAGS,
        request=SurveyVisitSerializer,
        responses=SurveyTaskSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        task = _task(user, pk)
        data = validated(SurveyVisitSerializer, request)
        try:
            task = surveys.record_survey_visit(
                task,
                answers=data["answers"],
                finding=data.get("finding", ""),
                raise_case=data.get("raise_case", False),
                case_type=data.get("case_type"),
                category=data.get("category"),
                actor=user,
                via=Via.API,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return _task_response(user, task)


class SurveyRecheckView(ApiMixin, APIView):
    @extend_schema(
        operation_id="survey_tasks_recheck",
        summary="摸排复核 Recheck a task's visit",
        description="Passed, the task is done; failed (a `note` required), it goes back to be "
        "visited again. Village cadres, grid chiefs and dispatchers over the household, never "
        "the visitor (400 `own_visit`); anyone else 403. Not visited or the survey closed: 400.",
        tags=TAGS,
        request=SurveyRecheckSerializer,
        responses=SurveyTaskSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        task = _task(user, pk)
        data = validated(SurveyRecheckSerializer, request)
        try:
            task = surveys.recheck_survey_task(
                task, ok=data["ok"], note=data.get("note", ""), actor=user, via=Via.API
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return _task_response(user, task)


urlpatterns: list[URLPattern] = [
    path("surveys/", SurveyListView.as_view(), name="survey-list"),
    path("surveys/<int:pk>/", SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/close/", SurveyCloseView.as_view(), name="survey-close"),
    path("surveys/<int:pk>/tasks/", SurveyTaskListView.as_view(), name="survey-tasks"),
    path("survey-tasks/<int:pk>/", SurveyTaskDetailView.as_view(), name="survey-task-detail"),
    path("survey-tasks/<int:pk>/visit/", SurveyVisitView.as_view(), name="survey-task-visit"),
    path("survey-tasks/<int:pk>/recheck/", SurveyRecheckView.as_view(), name="survey-task-recheck"),
]
