"""Linked cadres' visits (走访), visit coverage and policy briefings (政策宣讲) over the API.

Each view fetches through ``outreach.scope`` (a firm or task outside the caller's scope is a
404) and calls one service of ``outreach/services.py``; the services' refusals become 400 (a
``ValidationError`` keyed by field, a demand's as ``demands.<row>.<field>``) and 403, in Chinese
and English as ``api.errors`` renders every error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
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
from cases.models import Case, CaseType, Category, Via
from cases.scope import visible_cases
from enterprises.scope import readable_policies
from orgs.models import Organisation
from outreach import coverage as cov
from outreach import scope, services
from outreach.models import BriefingStatus, BriefingTask, EnterpriseVisit
from people.models import Person, User

TAGS = ["outreach"]
MAX_DEMANDS = 30


def _forbidden(error: PermissionDenied) -> ApiError:
    message = str(error) or "您无权执行该操作。"
    return ApiError.one(403, "forbidden", message, english_of(message, "forbidden"))


def _firm(user: User, pk: int) -> Organisation:
    """A firm whose visits the caller may read (those they visit or oversee), else 404."""
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    firms = Organisation.objects.enterprises().select_related("region", "chain")
    q = scope.visible_firms_q(user)
    firm = (firms if q is None else firms.filter(q)).filter(pk=pk).first()
    if firm is None:
        raise NotFound()
    return firm


def _visits(user: User) -> QuerySet[EnterpriseVisit]:
    """Visits with their visitors and the cases of their meeting the caller may see."""
    return EnterpriseVisit.objects.select_related("meeting").prefetch_related(
        "visitors",
        Prefetch(
            "meeting__cases",
            visible_cases(user).order_by("pk").only("pk", "number", "title", "status", "meeting"),
            to_attr="visible",
        ),
    )


# --- Serializers -------------------------------------------------------------------------------


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CaseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "number", "title", "status"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    """One visit to a firm: who went, whom they met, what they found, the demands raised."""

    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    visitors = PersonRefSerializer(many=True, read_only=True)
    cases = serializers.SerializerMethodField(
        help_text="The cases raised during the visit that the caller may see."
    )

    class Meta:
        model = EnterpriseVisit
        fields = [
            "id",
            "enterprise",
            "visited_on",
            "visitors",
            "met",
            "findings",
            "cases",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CaseRefSerializer(many=True))
    def get_cases(self, visit: EnterpriseVisit) -> list[dict[str, Any]]:
        meeting = visit.meeting
        rows = getattr(meeting, "visible", []) if meeting is not None else []
        return list(CaseRefSerializer(rows, many=True).data)


class DemandInputSerializer(BilingualSerializerMixin, serializers.Serializer):
    case_type = CodeField(
        slug_field="code",
        queryset=CaseType.objects.all(),
        help_text="Case type code (usually `enterprise_demand`).",
    )
    category = IdField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    description = text(max_length=2000)
    requester_name = text(
        required=False,
        max_length=50,
        help_text="Who asked; blank: the firm's liaison (企业联络员) is the requester.",
    )
    requester_phone = text(required=False, max_length=20)
    token = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A one-time id of this demand: sent again, it makes no second case.",
    )


class VisitCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/enterprises/{id}/visits/``: the arguments of ``outreach.services.log_visit``."""

    visited_on = serializers.DateField(help_text="The day of the visit (not in the future).")
    visitors = IdField(
        queryset=Person.objects.all(),
        many=True,
        help_text="Ids of the people who went (the caller's person when left out).",
        required=False,
    )
    met = text(required=False, max_length=200, help_text="Whom they met (总经理 王某).")
    findings = text(max_length=4000, help_text="What they found (走访情况).")
    demands = serializers.ListField(
        child=DemandInputSerializer(),
        required=False,
        max_length=MAX_DEMANDS,
        help_text=f"The demands raised (at most {MAX_DEMANDS}); each becomes a case.",
    )
    briefings = IdField(
        queryset=BriefingTask.objects.filter(status=BriefingStatus.PENDING),
        many=True,
        required=False,
        help_text="Ids of the firm's pending briefing tasks done during the visit.",
    )
    token = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A one-time id of this submission: sent again, it returns the visit made.",
    )


class CoverageRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="The cadre's person id, or the town's region id (`none`: no town); "
        "the `cadre=` / `town=` of the page /outreach/coverage/firms/."
    )
    name = serializers.CharField(source="label")
    total = serializers.IntegerField()
    visited = serializers.IntegerField()
    not_visited = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=cov.PICK_VALUES, source="pick")
    on = serializers.DateField()
    firms = serializers.IntegerField(help_text="Firms with a linked cadre in the caller's scope.")
    visited = serializers.IntegerField()
    cadres = CoverageRowSerializer(many=True)
    towns = CoverageRowSerializer(many=True)


@extend_schema_field({"type": "string", "enum": list(BriefingStatus.values), "readOnly": True})
class BriefingStatusField(serializers.CharField):
    """pending (待宣讲) or done (已宣讲): an inline enum, so it does not collide with the
    case's ``StatusEnum``."""


class BriefingTaskSerializer(serializers.ModelSerializer):
    status = BriefingStatusField(read_only=True)
    policy = serializers.IntegerField(source="policy_id", read_only=True)
    policy_title = serializers.CharField(source="policy.title", read_only=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    cadre = PersonRefSerializer(read_only=True)
    visit = serializers.IntegerField(source="visit_id", read_only=True, allow_null=True)

    class Meta:
        model = BriefingTask
        fields = [
            "id",
            "policy",
            "policy_title",
            "enterprise",
            "enterprise_name",
            "cadre",
            "status",
            "due_on",
            "done_at",
            "done_note",
            "visit",
        ]
        read_only_fields = fields


class BriefingDoneSerializer(BilingualSerializerMixin, serializers.Serializer):
    note = text(required=False, max_length=2000, help_text="How the policy was explained.")
    visit = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="The visit to the firm during which it was done.",
    )


class PushSerializer(BilingualSerializerMixin, serializers.Serializer):
    due_on = serializers.DateField(help_text="The day the cadres should be done by.")


class PushResultSerializer(serializers.Serializer):
    firms = serializers.IntegerField(help_text="Qualifying firms the caller oversees.")
    created = serializers.IntegerField(help_text="Tasks made now.")
    existing = serializers.IntegerField(help_text="Tasks there already (a push is idempotent).")
    without_cadre = serializers.IntegerField(help_text="Qualifying firms with no linked cadre.")


# --- Views -------------------------------------------------------------------------------------


class VisitListView(ApiMixin, generics.GenericAPIView):
    serializer_class = VisitSerializer
    pagination_class = Cursor
    cursor_ordering = ("-id",)

    def get_queryset(self) -> QuerySet[EnterpriseVisit]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return EnterpriseVisit.objects.none()
        user = caller(self.request)
        return _visits(user).filter(enterprise=_firm(user, self.kwargs["pk"]))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": caller(self.request)}

    @extend_schema(
        operation_id="enterprise_visits_list",
        summary="企业走访记录 List a firm's visits",
        description="The visits to the firm, newest first, cursor-paginated. Readable by the "
        "firm's linked cadres and those who oversee it; any other firm is a 404.",
        tags=TAGS,
        responses=VisitSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(VisitSerializer(page, many=True).data)

    @extend_schema(
        operation_id="enterprise_visits_create",
        summary="登记走访 Log a visit",
        description="Logs a visit with the demands raised (each a case, channel 走访, the "
        "firm's liaison its requester) and the pending briefings done, all or nothing: a "
        "refused demand answers 400 with `field` `demands.<row>.<field>` and saves nothing. "
        "The same `token` again returns the visit already made (200).",
        tags=TAGS,
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, 200: VisitSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        firm = _firm(user, pk)
        data = validated(VisitCreateSerializer, request)
        token = data.get("token")
        # The service returns the visit a token made (after checking the caller and the firm).
        again = token is not None and EnterpriseVisit.objects.filter(token=token).exists()
        visitors = data.get("visitors") or ([user.person] if user.person else [])
        demands = [
            services.Demand(
                case_type=row["case_type"],
                category=row.get("category"),
                description=row["description"],
                requester_name=row.get("requester_name", ""),
                requester_phone=row.get("requester_phone", ""),
                source_key=f"api-visit:{row['token']}" if row.get("token") else None,
            )
            for row in data.get("demands", [])
        ]
        try:
            made = services.log_visit(
                firm,
                visited_on=data["visited_on"],
                visitors=visitors,
                met=data.get("met", ""),
                findings=data["findings"],
                demands=demands,
                briefings=data.get("briefings", []),
                token=token,
                actor=user,
                via=Via.API,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        visit = _visits(user).get(pk=made.pk)
        code = status.HTTP_200_OK if again else status.HTTP_201_CREATED
        return Response(VisitSerializer(visit, context={"user": user}).data, status=code)


class _OnSerializer(BilingualSerializerMixin, serializers.Serializer):
    on = serializers.DateField()


class CoverageView(ApiMixin, APIView):
    @extend_schema(
        operation_id="outreach_coverage",
        summary="走访覆盖 Visit coverage",
        description="Per cadre and per town: firms, visited and not visited in the period "
        "holding `on` (today), by each link's rhythm (`period=rhythm`, 挂钩干部 monthly, "
        "党建指导员 quarterly by default) or one period for all. Leaders, dispatchers and chain "
        "committee staff, over the firms they oversee.",
        tags=TAGS,
        parameters=[
            OpenApiParameter("period", str, enum=cov.PICK_VALUES, description="Default `rhythm`."),
            OpenApiParameter("on", OpenApiTypes.DATE, description="A day of the period."),
        ],
        responses=CoverageSerializer,
    )
    def get(self, request: Request) -> Response:
        user = caller(request)
        if not scope.is_overseer(user):
            raise _forbidden(
                PermissionDenied("该统计仅供领导、研判交办员和产业链党委工作人员查看。")
            )
        pick = request.query_params.get("period", cov.RHYTHM)
        if pick not in cov.PICK_VALUES:
            raise ApiError.one(
                400,
                "invalid_choice",
                f"统计周期无效。可选：{'、'.join(cov.PICK_VALUES)}。",
                f"Unknown period; the periods are: {', '.join(cov.PICK_VALUES)}.",
                field="period",
            )
        on = timezone.localdate()
        if request.query_params.get("on"):
            on = validated(_OnSerializer, request, data=request.query_params)["on"]
        found = cov.coverage(user, pick, on)
        data = {
            "pick": found.pick,
            "on": found.on,
            "firms": len(found.firms),
            "visited": found.visited,
            "cadres": found.cadres,
            "towns": found.towns,
        }
        return Response(CoverageSerializer(data).data)


class BriefingListView(ApiMixin, generics.GenericAPIView):
    serializer_class = BriefingTaskSerializer
    pagination_class = Cursor
    cursor_ordering = ("-id",)

    def get_queryset(self) -> QuerySet[BriefingTask]:
        if getattr(self, "swagger_fake_view", False):
            return BriefingTask.objects.none()
        user = caller(self.request)
        return BriefingTask.objects.filter(cadre_id=user.person_id or 0).select_related(
            "policy", "enterprise", "cadre"
        )

    @extend_schema(
        operation_id="outreach_briefings_list",
        summary="我的宣讲任务 My briefing tasks",
        description="The caller's own policy briefing tasks (政策宣讲), newest first.",
        tags=TAGS,
        responses=BriefingTaskSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BriefingTaskSerializer(page, many=True).data)


class BriefingDoneView(ApiMixin, APIView):
    @extend_schema(
        operation_id="outreach_briefings_done",
        summary="完成宣讲 Mark a briefing done",
        description="By the task's cadre, a dispatcher over its firm or its chain committee's "
        "staff; any other task is a 404. A task already done answers 400 (`status`).",
        tags=TAGS,
        request=BriefingDoneSerializer,
        responses=BriefingTaskSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        task = None
        if 0 < pk <= MAX_ID:
            task = BriefingTask.objects.select_related("enterprise__region").filter(pk=pk).first()
        if task is None or not services.may_complete(user, task):
            raise NotFound()
        data = validated(BriefingDoneSerializer, request)
        visit = None
        if data.get("visit"):
            # Only the task's firm's visits: another firm's visit answers as one that does not
            # exist, so the endpoint cannot probe other firms' visit ids.
            visit = EnterpriseVisit.objects.filter(
                pk=data["visit"], enterprise_id=task.enterprise_id
            ).first()
            if visit is None:
                raise ApiError.one(
                    400, "does_not_exist", "没有该走访记录。", "No such visit.", field="visit"
                )
        try:
            done = services.complete_briefing(
                task, actor=user, note=data.get("note", ""), visit=visit
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        done = BriefingTask.objects.select_related("policy", "enterprise", "cadre").get(pk=done.pk)
        return Response(BriefingTaskSerializer(done).data)


class PushBriefingsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="policies_push_briefings",
        summary="下发宣讲任务 Push briefings of a policy",
        description="For a published policy: one task for each linked cadre (挂钩干部, 驻厂专员, "
        "党建指导员) of each firm that qualifies among those the caller oversees; tasks that "
        "exist are kept (idempotent). Policy writers only (403 otherwise).",
        tags=TAGS,
        request=PushSerializer,
        responses=PushResultSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        # Through the reader's scope: a draft is a 404 for those who may not see it, as on
        # every other policy endpoint (a 403 or 400 would tell it exists).
        policy = readable_policies(user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
        if policy is None:
            raise NotFound()
        data = validated(PushSerializer, request)
        try:
            result = services.push_briefings(policy, actor=user, due_on=data["due_on"])
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(PushResultSerializer(result).data)


urlpatterns: list[URLPattern] = [
    path(
        "enterprises/<int:pk>/visits/",
        VisitListView.as_view(),
        name="enterprise-visit-list",
    ),
    path("outreach/coverage/", CoverageView.as_view(), name="outreach-coverage"),
    path("outreach/briefings/", BriefingListView.as_view(), name="outreach-briefing-list"),
    path(
        "outreach/briefings/<int:pk>/done/",
        BriefingDoneView.as_view(),
        name="outreach-briefing-done",
    ),
    path(
        "policies/<int:pk>/push-briefings/",
        PushBriefingsView.as_view(),
        name="policy-push-briefings",
    ),
]
