"""REST API: investment projects (招商项目) from signing to production and their milestones.

Each view reads through ``projects.scope.visible_projects`` (a project the caller may not see is a
404), validates the body with a serializer (400 in both languages), calls one service of
``projects/services.py`` and answers the project or milestone as it is now. The services' refusals
keep their field and code: a bad value is a 400, a move the state no longer allows (a milestone
already done, a blocker's case still open, a stage advanced since) a 409, a caller who may read
but not write a 403.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller
from api.errors import ApiError, BilingualSerializerMixin, service_caller
from api.fields import IdField
from api.filters import MAX_ID, FilterBackend, IdFilter
from api.pagination import Cursor
from cases.models import Case, Category, Via
from cases.scope import visible_cases
from orgs.models import Organisation
from people.models import Person, User
from projects import services
from projects.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectQuerySet,
    Stage,
    overdue_milestones_q,
)
from projects.scope import may_write, visible_projects
from projects.selectors import with_progress
from projects.services import OWNER_KINDS, MilestonePlan
from regions.models import Region

TAGS = ["projects"]
# A service's refusal that is about the state of the project now, not the request: a 409.
CONFLICTS = frozenset(
    {
        "milestone_done",
        "milestone_blocked",
        "not_pending",
        "not_blocked",
        "case_open",
        "last_stage",
        "not_next_stage",
    }
)

# --- Serializers (answers) ----------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MilestoneCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text="The case's canonical state (`Status`).")
    status_label = serializers.CharField(help_text="The state in the case type's words.")


@extend_schema_field({"type": "string", "enum": MilestoneStatus.values, "readOnly": True})
class MilestoneStatusField(serializers.CharField):
    """A milestone's status: an inline enum, since ``status`` names the cases' own already."""


class MilestoneSerializer(serializers.ModelSerializer):
    """A milestone of a project, with its deadline and the case of its blocker."""

    status = MilestoneStatusField(
        read_only=True, help_text="pending (待完成), done (已完成) or blocked (受阻)."
    )
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text="Pending and past its deadline."
    )
    case = serializers.SerializerMethodField(
        help_text="The case opened when it was blocked (the last one), or null."
    )
    case_url = serializers.SerializerMethodField(help_text="Path of that case in this API.")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "stage",
            "stage_label",
            "title",
            "ordering",
            "planned_days",
            "due_on",
            "deadline",
            "status",
            "status_label",
            "overdue",
            "done_on",
            "blocked_reason",
            "case",
            "case_url",
        ]
        read_only_fields = fields

    def _shown(self, milestone: Milestone) -> bool:
        """A blocker's case is named only to who may see it (``visible_case_ids``)."""
        seen = self.context.get("visible_case_ids")
        return milestone.case_id is not None and (seen is None or milestone.case_id in seen)

    @extend_schema_field(MilestoneCaseSerializer(allow_null=True))
    def get_case(self, milestone: Milestone) -> dict[str, Any] | None:
        case = milestone.case
        if case is None or not self._shown(milestone):
            return None
        return {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "status_label": case.status_label,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_url(self, milestone: Milestone) -> str | None:
        if not self._shown(milestone):
            return None
        return reverse("api:case-detail", kwargs={"pk": milestone.case_id})


class ProjectListItemSerializer(serializers.ModelSerializer):
    """A project as a list shows it, with its milestone counts."""

    enterprise = RefSerializer(read_only=True)
    region = RefSerializer(read_only=True)
    owner_unit = RefSerializer(read_only=True)
    commissioner = RefSerializer(read_only=True, allow_null=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    investment = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text="Planned investment, 万元."
    )
    milestones_total = serializers.IntegerField(read_only=True)
    milestones_done = serializers.IntegerField(read_only=True)
    milestones_blocked = serializers.IntegerField(read_only=True)
    milestones_overdue = serializers.IntegerField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "enterprise",
            "region",
            "investment",
            "signed_on",
            "stage",
            "stage_label",
            "stage_started_at",
            "commissioner",
            "owner_unit",
            "milestones_total",
            "milestones_done",
            "milestones_blocked",
            "milestones_overdue",
        ]
        read_only_fields = fields


class ProjectDetailSerializer(ProjectListItemSerializer):
    """A project with its milestones, in stage order."""

    milestones = MilestoneSerializer(many=True, read_only=True, source="milestones_list")
    writable = serializers.SerializerMethodField(
        help_text="Whether the caller may advance it and move its milestones."
    )

    class Meta(ProjectListItemSerializer.Meta):
        fields = [*ProjectListItemSerializer.Meta.fields, "created_at", "writable", "milestones"]
        read_only_fields = fields

    def get_writable(self, project: Project) -> bool:
        return may_write(self.context["user"], project)


# --- Serializers (requests) ---------------------------------------------------------------------


class MilestonePlanSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    title = serializers.CharField(max_length=100)
    planned_days = serializers.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        allow_null=True,
        help_text="Working days from the start of its stage.",
    )
    due_on = serializers.DateField(
        required=False, allow_null=True, help_text="Or a due date (instead of planned_days)."
    )


class ProjectCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    name = serializers.CharField(max_length=150)
    enterprise = IdField(
        queryset=Organisation.objects.enterprises(), help_text="The firm (organisation id)."
    )
    region = IdField(queryset=Region.objects.all(), help_text="The site (region id).")
    investment = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Planned investment, 万元."
    )
    signed_on = serializers.DateField()
    owner_unit = IdField(
        queryset=Organisation.objects.filter(kind__in=OWNER_KINDS),
        help_text="The chain committee or department leading its service (organisation id).",
    )
    commissioner = IdField(
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        help_text="The resident commissioner (驻厂专员, person id).",
    )
    milestones = MilestonePlanSerializer(
        many=True,
        required=False,
        help_text="The milestones; the standard ones of each stage when left out.",
    )


class AdvanceSerializer(BilingualSerializerMixin, serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        help_text="The stage the client expects next; a 409 if the project moved since.",
    )
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required while milestones of the current stage are not done.",
    )


class CompleteSerializer(BilingualSerializerMixin, serializers.Serializer):
    done_on = serializers.DateField(
        required=False, allow_null=True, help_text="The day it was done (today by default)."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class BlockSerializer(BilingualSerializerMixin, serializers.Serializer):
    reason = serializers.CharField(
        max_length=5000, help_text="What blocks it: the description of the case opened."
    )
    category = IdField(
        queryset=Category.objects.filter(case_type__code=services.BLOCKER_CASE_TYPE),
        required=False,
        allow_null=True,
        help_text="A category of 企业诉求 for the case (category id).",
    )


class UnblockSerializer(BilingualSerializerMixin, serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


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


def _projects(request: Request) -> ProjectQuerySet:
    return visible_projects(caller(request)).select_related(
        "enterprise__region", "region", "owner_unit", "commissioner"
    )


def _project(request: Request, pk: int) -> Project:
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    project = with_progress(_projects(request)).filter(pk=pk).first()
    if project is None:
        raise NotFound()
    return project


def _detail(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    project = _project(request, pk)
    milestones = list(
        project.milestones.select_related("case__case_type").order_by("ordering", "pk")
    )
    project.milestones_list = milestones  # type: ignore[attr-defined]
    user = caller(request)
    context = {"user": user, "visible_case_ids": _visible_case_ids(user, milestones)}
    data = ProjectDetailSerializer(project, context=context).data
    return Response(data, status=code)


def _visible_case_ids(user: User, milestones: list[Milestone]) -> set[int]:
    """Which of the milestones' blocker cases ``user`` may see: one query, none without cases."""
    ids = {m.case_id for m in milestones if m.case_id is not None}
    if not ids:
        return set()
    return set(visible_cases(user, Case.objects.filter(pk__in=ids)).values_list("pk", flat=True))


def _writable(request: Request, project: Project) -> None:
    """A reader who may not change the project is refused before the body is read."""
    if not may_write(caller(request), project):
        raise PermissionDenied()


def _milestone(request: Request, pk: int) -> Milestone:
    """A milestone of a project the caller may see (404 otherwise) and change (403)."""
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    milestone = (
        Milestone.objects.filter(pk=pk, project__in=visible_projects(caller(request)))
        .select_related("project__enterprise__region", "project__region")
        .first()
    )
    if milestone is None:
        raise NotFound()
    _writable(request, milestone.project)
    return milestone


def _milestone_response(request: Request, pk: int) -> Response:
    milestone = Milestone.objects.select_related("case__case_type").get(pk=pk)
    seen = _visible_case_ids(caller(request), [milestone])
    return Response(MilestoneSerializer(milestone, context={"visible_case_ids": seen}).data)


# --- Views --------------------------------------------------------------------------------------


class ProjectFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, help_text="Stage.")
    enterprise = IdFilter(field_name="enterprise_id", help_text="Enterprise (organisation) id.")
    region = django_filters.CharFilter(
        method="filter_region",
        max_length=32,
        help_text="Region code (区划代码): projects sited in it or anywhere under it.",
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="`true`: only projects with a pending milestone past its deadline; `false`: "
        "only those without.",
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_region(self, queryset: ProjectQuerySet, name: str, value: str) -> QuerySet:
        region = Region.objects.filter(code=value).first()
        return queryset.in_region(region) if region else queryset.none()

    def filter_overdue(self, queryset: ProjectQuerySet, name: str, value: bool) -> QuerySet:
        late = Milestone.objects.filter(overdue_milestones_q(timezone.now())).values("project_id")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)


class ProjectListView(ApiMixin, generics.GenericAPIView):
    """``GET`` the projects the caller may see; ``POST`` a new one."""

    serializer_class = ProjectListItemSerializer
    filter_backends = [FilterBackend]
    filterset_class = ProjectFilter
    pagination_class = Cursor
    cursor_ordering = ("-id",)

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return Project.objects.none()
        return with_progress(_projects(self.request))

    @extend_schema(
        operation_id="projects_list",
        summary="项目列表 List projects",
        description="The investment projects the caller may see, newest first, with their stage "
        "and milestone counts; cursor-paginated (follow `next`).",
        tags=TAGS,
        responses=ProjectListItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProjectListItemSerializer(page, many=True).data)

    @extend_schema(
        operation_id="projects_create",
        summary="登记项目 Register a project",
        description="A signed project, at stage 签约 from its signing day, with its milestones "
        "(the standard ones of each stage unless given). The signing stage's deadlines count "
        "in working days from the signing day; each later stage's from when it begins. The "
        "caller must be one who may change it (an administrator, its commissioner, the owner "
        "unit's or the chain committee's staff, a dispatcher or leader over its place): 403.",
        tags=TAGS,
        request=ProjectCreateSerializer,
        responses={201: ProjectDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _valid(ProjectCreateSerializer, request)
        plans = data.pop("milestones", None)
        if plans is not None:
            data["milestones"] = [
                MilestonePlan(p["stage"], p["title"], p.get("planned_days"), p.get("due_on"))
                for p in plans
            ]
        project = _call(services.create_project, actor=caller(request), via=Via.API, **data)
        return _detail(request, project.pk, status.HTTP_201_CREATED)


class ProjectDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="projects_retrieve",
        summary="项目详情 A project",
        description="The project with its milestones (deadline, status, the case of a blocker).",
        tags=TAGS,
        responses=ProjectDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk)


class ProjectAdvanceView(ApiMixin, APIView):
    @extend_schema(
        operation_id="projects_advance",
        summary="推进阶段 Advance a project",
        description="One stage forward (签约 → 供地/办证 → 开工 → 投产). While milestones of the "
        "current stage are not done a `reason` is required (400). `stage`, if sent, must be the "
        "next stage (409 when the project moved since); after 投产 there is none (409).",
        tags=TAGS,
        request=AdvanceSerializer,
        responses=ProjectDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        _writable(request, project)
        data = _valid(AdvanceSerializer, request)
        _call(services.advance_stage, project, actor=caller(request), via=Via.API, **data)
        return _detail(request, pk)


class MilestoneCompleteView(ApiMixin, APIView):
    @extend_schema(
        operation_id="milestones_complete",
        summary="节点完成 Complete a milestone",
        description="Record a pending milestone done (on `done_on`, today by default; not in "
        "the future). A blocked one must be unblocked first (409).",
        tags=TAGS,
        request=CompleteSerializer,
        responses=MilestoneSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        milestone = _milestone(request, pk)
        data = _valid(CompleteSerializer, request)
        _call(services.complete_milestone, milestone, actor=caller(request), via=Via.API, **data)
        return _milestone_response(request, pk)


class MilestoneBlockView(ApiMixin, APIView):
    @extend_schema(
        operation_id="milestones_block",
        summary="节点受阻 Block a milestone",
        description="Mark a pending milestone blocked and open a case for its blocker on the "
        "case engine: an enterprise demand (企业诉求) of the project's firm, channel 走访, titled "
        "`项目名：节点受阻`, raised for the commissioner (or the firm's liaison). Both or neither.",
        tags=TAGS,
        request=BlockSerializer,
        responses=MilestoneSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        milestone = _milestone(request, pk)
        data = _valid(BlockSerializer, request)
        _call(
            services.block_milestone,
            milestone,
            data["reason"],
            actor=caller(request),
            category=data.get("category"),
            via=Via.API,
        )
        return _milestone_response(request, pk)


class MilestoneUnblockView(ApiMixin, APIView):
    @extend_schema(
        operation_id="milestones_unblock",
        summary="解除受阻 Unblock a milestone",
        description="Put a blocked milestone back to pending once its case is closed or refused "
        "(409 while it is open). The case stays linked.",
        tags=TAGS,
        request=UnblockSerializer,
        responses=MilestoneSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        milestone = _milestone(request, pk)
        data = _valid(UnblockSerializer, request)
        _call(services.unblock_milestone, milestone, actor=caller(request), via=Via.API, **data)
        return _milestone_response(request, pk)


urlpatterns = [
    path("projects/", ProjectListView.as_view(), name="project-list"),
    path("projects/<int:pk>/", ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/advance/", ProjectAdvanceView.as_view(), name="project-advance"),
    path(
        "milestones/<int:pk>/complete/",
        MilestoneCompleteView.as_view(),
        name="milestone-complete",
    ),
    path("milestones/<int:pk>/block/", MilestoneBlockView.as_view(), name="milestone-block"),
    path("milestones/<int:pk>/unblock/", MilestoneUnblockView.as_view(), name="milestone-unblock"),
]
