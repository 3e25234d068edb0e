"""Households (户情) over the API: the list and a household's file (masked by the requester
rule), visits with demands, plan reviews (帮扶复核) and tag changes.

Each view fetches through ``households.scope`` (a household outside the caller's scope is a
404) and calls one service of ``households/services.py``; the services' refusals become 400 (a
``ValidationError`` keyed by field, a demand's as ``demands.<row>.<field>``) and 403, in Chinese
and English as ``api.errors`` renders every error.
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
from households import scope, selectors, services
from households.models import HouseholdMember, HouseholdVisit, MeasureStatus, PlanReview, TagPeriod
from people.masking import mask_address, mask_id_number, mask_name, mask_phone
from people.models import Household, HouseholdTag, User

TAGS = ["households"]
MAX_DEMANDS = 30


def _forbidden(error: PermissionDenied) -> ApiError:
    message = str(error) or "您无权执行该操作。"
    return ApiError.one(403, "forbidden", message, english_of(message, "forbidden"))


def _household(user: User, pk: int) -> Household:
    """A household the caller reads, else 404."""
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    household = scope.visible_households(user).select_related("region").filter(pk=pk).first()
    if household is None:
        raise NotFound()
    return household


# --- Serializers -------------------------------------------------------------------------------


class HouseholdTagRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HouseholdRowSerializer(serializers.Serializer):
    """A household in a list: the head's name always masked."""

    id = serializers.IntegerField()
    head_name = serializers.SerializerMethodField()
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    members = serializers.IntegerField()
    tags = HouseholdTagRefSerializer(many=True, source="tags.all")
    last_visit = serializers.DateField(allow_null=True)
    review_due = serializers.DateField(allow_null=True, help_text="The active plan's next review.")

    def get_head_name(self, household: Household) -> str:
        return mask_name(household.head_name)


class HouseholdMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    relation = serializers.CharField()
    id_number = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    phone = serializers.CharField()
    note = serializers.CharField()


class HouseholdTagPeriodSerializer(serializers.Serializer):
    tag = HouseholdTagRefSerializer()
    started_at = serializers.DateTimeField()
    start_reason = serializers.CharField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()


@extend_schema_field({"type": "string", "enum": list(MeasureStatus.values), "readOnly": True})
class MeasureStatusField(serializers.CharField):
    """planned (未开始), in_progress (推进中) or done (已落实): an inline enum, so it does not
    collide with the case's ``StatusEnum``."""


class HouseholdMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    measure = serializers.CharField()
    target = serializers.CharField()
    responsible = serializers.CharField()
    status = MeasureStatusField()


class HouseholdReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reviewed_on = serializers.DateField()
    reviewer = serializers.CharField(source="reviewer.name")
    progress = serializers.CharField()
    measures = serializers.DictField(
        child=serializers.DictField(), help_text="Measure id → {from, to} of its status."
    )
    next_review_on = serializers.DateField()


class HouseholdPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    responsible = serializers.CharField(source="responsible.name")
    summary = serializers.CharField()
    review_months = serializers.IntegerField()
    started_on = serializers.DateField()
    next_review_on = serializers.DateField()
    measures = HouseholdMeasureSerializer(many=True, source="measures.all")
    reviews = HouseholdReviewSerializer(many=True, source="reviews.all")


class HouseholdVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_on = serializers.DateField()
    visitor = serializers.CharField(source="visitor.name")
    findings = serializers.CharField()
    cases = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the cases raised during the visit (open them under /cases/).",
    )


class HouseholdDetailSerializer(serializers.Serializer):
    """A household's file; names, phones, id numbers and address masked unless ``contact``."""

    id = serializers.IntegerField()
    contact = serializers.BooleanField(help_text="Whether personal data is shown unmasked.")
    head_name = serializers.CharField()
    head_id_number = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    region = serializers.IntegerField()
    region_name = serializers.CharField()
    members = serializers.IntegerField()
    tags = HouseholdTagRefSerializer(many=True)
    tag_history = HouseholdTagPeriodSerializer(many=True)
    member_rows = HouseholdMemberSerializer(many=True)
    cases = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of its cases the caller may see."
    )
    visits = HouseholdVisitSerializer(many=True)
    plan = HouseholdPlanSerializer(allow_null=True)


def _detail(user: User, household: Household) -> dict[str, Any]:
    contact = scope.may_contact(user, household)

    def keep(value: str, mask: Any) -> str:
        return value if contact else mask(value)

    visits = list(selectors.visits(household)[:20])
    return {
        "id": household.pk,
        "contact": contact,
        "head_name": keep(household.head_name, mask_name),
        "head_id_number": keep(household.head_id_number, mask_id_number),
        "phone": keep(household.phone, mask_phone),
        "address": keep(household.address, mask_address),
        "region": household.region_id,
        "region_name": household.region.name,
        "members": household.members,
        "tags": list(household.tags.order_by("name")),
        "tag_history": list(
            TagPeriod.objects.filter(household=household)
            .select_related("tag")
            .order_by("-started_at", "-pk")
        ),
        "member_rows": [
            {
                "id": m.pk,
                "name": keep(m.name, mask_name),
                "relation": m.relation,
                "id_number": keep(m.id_number, mask_id_number),
                "birth_year": m.birth_year,
                "phone": keep(m.phone, mask_phone),
                "note": m.note,
            }
            for m in HouseholdMember.objects.filter(household=household).order_by("pk")
        ],
        "cases": list(selectors.household_cases(user, household).values_list("pk", flat=True)),
        "visits": [
            {
                "id": v.pk,
                "visited_on": v.visited_on,
                "visitor": v.visitor,
                "findings": v.findings,
                "cases": [c.pk for c in v.cases.all()],
            }
            for v in visits
        ],
        "plan": selectors.active_plan(household),
    }


class HouseholdDemandInputSerializer(BilingualSerializerMixin, serializers.Serializer):
    case_type = CodeField(
        slug_field="code", queryset=CaseType.objects.all(), help_text="Case type code."
    )
    category = IdField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    description = text(max_length=2000)
    token = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A one-time id of this demand: sent again, it makes no second case.",
    )


class HouseholdVisitCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/households/{id}/visits/``: the caller visited (their person)."""

    visited_on = serializers.DateField(help_text="The day of the visit (not in the future).")
    findings = text(max_length=4000, help_text="What they found (走访情况).")
    demands = serializers.ListField(
        child=HouseholdDemandInputSerializer(),
        required=False,
        max_length=MAX_DEMANDS,
        help_text=f"The demands raised (at most {MAX_DEMANDS}); each becomes a case.",
    )
    token = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A one-time id of this submission: sent again, it returns the visit made.",
    )


class HouseholdReviewCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/households/{id}/plan/reviews/``: a review of the active plan."""

    reviewed_on = serializers.DateField()
    progress = text(max_length=4000, help_text="帮扶进展.")
    measures = serializers.DictField(
        child=serializers.ChoiceField(choices=MeasureStatus.choices),
        required=False,
        help_text="Measure id → its new status.",
    )
    next_review_on = serializers.DateField(
        required=False, allow_null=True, help_text="Default: one interval after this review."
    )
    token = serializers.UUIDField(required=False, allow_null=True)


class HouseholdTagChangeSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/households/{id}/tags/``: put a tag on (add) or take it off (remove)."""

    tag = IdField(queryset=HouseholdTag.objects.all())
    action = serializers.ChoiceField(choices=[("add", "纳入"), ("remove", "移出")])
    reason = text(max_length=200)


# --- Views -------------------------------------------------------------------------------------


class HouseholdListView(ApiMixin, generics.GenericAPIView):
    serializer_class = HouseholdRowSerializer
    pagination_class = Cursor
    cursor_ordering = ("id",)

    def get_queryset(self) -> QuerySet[Household]:
        if getattr(self, "swagger_fake_view", False):
            return Household.objects.none()
        user = caller(self.request)
        params = self.request.query_params

        def number(name: str) -> int | None:
            value = params.get(name, "")
            return int(value) if value.isdigit() and int(value) <= MAX_ID else None

        return selectors.household_list(
            user,
            tag=number("tag"),
            town=number("town"),
            grid=number("grid"),
            overdue=params.get("overdue") in ("1", "true"),
        ).order_by()

    @extend_schema(
        operation_id="household_files_list",
        summary="户情列表 List households",
        description="The households the caller reads (region roles over their subtrees, party "
        "members and 帮扶责任人 their own), head names masked, cursor-paginated.",
        tags=TAGS,
        parameters=[
            OpenApiParameter("tag", int, description="A household tag id."),
            OpenApiParameter("town", int, description="A town's region id."),
            OpenApiParameter("grid", int, description="A grid's region id."),
            OpenApiParameter("overdue", bool, description="Only plans past their review date."),
        ],
        responses=HouseholdRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not scope.is_household_user(caller(request)):
            raise _forbidden(PermissionDenied("您无权查看户情信息。"))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(HouseholdRowSerializer(page, many=True).data)


class HouseholdDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="household_files_retrieve",
        summary="户情 A household's file",
        description="Members, tags with history, cases the caller may see, visits and the "
        "active plan. Personal data is masked for readers without the contact right; a "
        "household outside the caller's scope is a 404.",
        tags=TAGS,
        responses=HouseholdDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        household = _household(user, pk)
        return Response(HouseholdDetailSerializer(_detail(user, household)).data)


class VisitCreateView(ApiMixin, APIView):
    @extend_schema(
        operation_id="households_visits_create",
        summary="登记入户走访 Log a household visit",
        description="The caller's visit with the demands raised (each a case about the "
        "household), all or nothing: a refused demand answers 400 with `field` "
        "`demands.<row>.<field>`. The same `token` again returns the visit made (200).",
        tags=TAGS,
        request=HouseholdVisitCreateSerializer,
        responses={201: HouseholdVisitSerializer, 200: HouseholdVisitSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        household = _household(user, pk)
        data = validated(HouseholdVisitCreateSerializer, request)
        if user.person is None:
            raise _forbidden(PermissionDenied("您的账号未关联人员信息，无法登记走访。"))
        token = data.get("token")
        again = token is not None and HouseholdVisit.objects.filter(token=token).exists()
        demands = [
            services.Demand(
                case_type=row["case_type"],
                category=row.get("category"),
                description=row["description"],
                source_key=f"api-household-visit:{row['token']}" if row.get("token") else None,
            )
            for row in data.get("demands", [])
        ]
        try:
            visit = services.log_household_visit(
                household,
                visited_on=data["visited_on"],
                visitor=user.person,
                findings=data["findings"],
                demands=demands,
                token=token,
                actor=user,
                via=Via.API,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        body = {
            "id": visit.pk,
            "visited_on": visit.visited_on,
            "visitor": visit.visitor,
            "findings": visit.findings,
            "cases": list(visit.cases.order_by("pk").values_list("pk", flat=True)),
        }
        code = status.HTTP_200_OK if again else status.HTTP_201_CREATED
        return Response(HouseholdVisitSerializer(body).data, status=code)


class ReviewCreateView(ApiMixin, APIView):
    @extend_schema(
        operation_id="households_plan_reviews_create",
        summary="帮扶复核 Review the plan",
        description="Records a review of the household's active plan (一户一策) by the caller: "
        "progress, each measure's new status, the next review date. No active plan: 400 "
        "(`plan`). The same `token` again returns the review made (200).",
        tags=TAGS,
        request=HouseholdReviewCreateSerializer,
        responses={201: HouseholdReviewSerializer, 200: HouseholdReviewSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        household = _household(user, pk)
        data = validated(HouseholdReviewCreateSerializer, request)
        plan = selectors.active_plan(household)
        if plan is None:
            raise ApiError.one(
                400,
                "no_plan",
                "该户没有在执行的帮扶计划。",
                "The household has no active plan.",
                field="plan",
            )
        if user.person is None:
            raise _forbidden(PermissionDenied("您的账号未关联人员信息，无法登记复核。"))
        token = data.get("token")
        again = token is not None and PlanReview.objects.filter(token=token).exists()
        statuses = {}
        for key, value in (data.get("measures") or {}).items():
            if not str(key).isdigit() or int(key) > MAX_ID:
                raise ApiError.one(
                    400, "invalid", "措施编号无效。", "A measure id is invalid.", field="measures"
                )
            statuses[int(key)] = value
        try:
            review = services.review_plan(
                plan,
                reviewed_on=data["reviewed_on"],
                reviewer=user.person,
                progress=data["progress"],
                measure_statuses=statuses,
                next_review_on=data.get("next_review_on"),
                token=token,
                actor=user,
                via=Via.API,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        code = status.HTTP_200_OK if again else status.HTTP_201_CREATED
        return Response(HouseholdReviewSerializer(review).data, status=code)


class TagChangeView(ApiMixin, APIView):
    @extend_schema(
        operation_id="households_tags_change",
        summary="调整标签 Change a tag",
        description="Puts a tag on the household or takes it off, with the reason kept in the "
        "tag's history. A tag already on (add) or not on (remove) answers 400 (`tag`).",
        tags=TAGS,
        request=HouseholdTagChangeSerializer,
        responses=HouseholdTagPeriodSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        household = _household(user, pk)
        data = validated(HouseholdTagChangeSerializer, request)
        service = services.untag_household if data["action"] == "remove" else services.tag_household
        try:
            period = service(household, data["tag"], reason=data["reason"], actor=user, via=Via.API)
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(HouseholdTagPeriodSerializer(period).data)


urlpatterns: list[URLPattern] = [
    # The registry owns /households/ and /households/{id}/ (the bare rows); the file with its
    # plan, visits and cases is a resource of its own.
    path("household-files/", HouseholdListView.as_view(), name="household-file-list"),
    path("household-files/<int:pk>/", HouseholdDetailView.as_view(), name="household-file-detail"),
    path("households/<int:pk>/visits/", VisitCreateView.as_view(), name="household-visits"),
    path(
        "households/<int:pk>/plan/reviews/",
        ReviewCreateView.as_view(),
        name="household-plan-reviews",
    ),
    path("households/<int:pk>/tags/", TagChangeView.as_view(), name="household-tags"),
]
