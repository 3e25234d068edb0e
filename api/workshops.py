"""共富工坊 and jobs for special groups over the API: workshops with their quarterly figures,
job postings with their placements.

Each view fetches through ``workshops.scope`` (a workshop or posting outside the caller's scope
is a 404) and calls one service of ``workshops/services.py``; the services' refusals become 400
(a ``ValidationError`` keyed by field) and 403, in Chinese and English as ``api.errors`` renders
every error. Households are masked for callers who may not contact them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiMixin, caller, validated
from api.errors import ApiError, BilingualSerializerMixin, english_of
from api.fields import CodeField
from api.filters import MAX_ID
from api.pagination import Cursor
from api.serializers import text
from people.masking import mask_name, mask_phone
from people.models import Household, HouseholdTag, User
from workshops import scope, selectors, services
from workshops.models import (
    JobPosting,
    Placement,
    PostingStatus,
    WorkshopProfile,
    WorkshopType,
    WorkshopYear,
)

TAGS = ["workshops"]


def _forbidden(error: PermissionDenied) -> ApiError:
    message = str(error) or "您无权执行该操作。"
    return ApiError.one(403, "forbidden", message, english_of(message, "forbidden"))


def _opened(user: User) -> None:
    if not scope.may_open(user):
        raise _forbidden(PermissionDenied("您无权查看共富工坊与就业信息。"))


def _writer(user: User) -> None:
    if not scope.may_write(user):
        raise _forbidden(PermissionDenied("您无权修改共富工坊与就业信息。"))


def _int(value: str | None, field: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise ApiError.one(400, "invalid", "请填写有效的编号。", "Expected an id.", field=field)
    return int(value)


def _workshop(user: User, pk: int) -> WorkshopProfile:
    _opened(user)
    found = selectors.workshops(user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


def _posting(user: User, pk: int) -> JobPosting:
    _opened(user)
    found = selectors.postings(user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


# --- Serializers -------------------------------------------------------------------------------


class HouseholdRefSerializer(serializers.Serializer):
    """A household as the caller may see it: unmasked only for those who may contact it."""

    id = serializers.IntegerField()
    head_name = serializers.CharField()
    phone = serializers.CharField()
    region = serializers.CharField()
    masked = serializers.BooleanField()


def household_ref(user: User, household: Household) -> dict[str, Any]:
    open_ = scope.may_contact(user, household)
    return {
        "id": household.pk,
        "head_name": household.head_name if open_ else mask_name(household.head_name),
        "phone": household.phone if open_ else mask_phone(household.phone),
        "region": household.region.name,
        "masked": not open_,
    }


class FiguresSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkshopYear
        fields = ["year", "quarter", "jobs", "households", "income", "output", "updated_at"]
        read_only_fields = fields


class FiguresInputSerializer(BilingualSerializerMixin, serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    jobs = serializers.IntegerField(min_value=0, max_value=10**7)
    households = serializers.IntegerField(min_value=0, max_value=10**7)
    income = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, help_text="带动增收, 万元 (10,000 yuan)."
    )
    output = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="产值, 万元."
    )


class WorkshopSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    town = serializers.IntegerField(source="town_id", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    leader = serializers.CharField(
        source="leader.name", read_only=True, allow_null=True, default=None
    )
    partner = serializers.IntegerField(source="partner_id", read_only=True, allow_null=True)

    class Meta:
        model = WorkshopProfile
        fields = [
            "id",
            "organisation",
            "name",
            "type",
            "type_label",
            "town",
            "town_name",
            "region_name",
            "leader",
            "partner",
            "jobs",
        ]
        read_only_fields = fields


class HelpedSerializer(serializers.Serializer):
    household = HouseholdRefSerializer()
    since = serializers.DateField()


class WorkshopDetailSerializer(WorkshopSerializer):
    description = serializers.CharField(read_only=True)
    figures = FiguresSerializer(source="years.all", many=True, read_only=True)
    helped = serializers.SerializerMethodField()

    class Meta(WorkshopSerializer.Meta):
        fields = [*WorkshopSerializer.Meta.fields, "description", "figures", "helped"]
        read_only_fields = fields

    @extend_schema_field(HelpedSerializer(many=True))
    def get_helped(self, workshop: WorkshopProfile) -> list[dict[str, Any]]:
        user = self.context["user"]
        rows = workshop.helped.select_related("household__region").order_by("since", "pk")
        return [{"household": household_ref(user, r.household), "since": r.since} for r in rows]


class PostingSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    tags: serializers.SlugRelatedField[HouseholdTag] = CodeField(
        slug_field="name", many=True, read_only=True
    )
    placed = serializers.IntegerField(read_only=True)
    # A boolean, not the status's two words: an enum named after a field called "status"
    # would collide with the case's in the schema.
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = JobPosting
        fields = [
            "id",
            "employer",
            "employer_name",
            "title",
            "positions",
            "placed",
            "wage",
            "place",
            "region",
            "region_name",
            "tags",
            "is_open",
            "posted_on",
        ]
        read_only_fields = fields

    def get_is_open(self, posting: JobPosting) -> bool:
        return posting.status == PostingStatus.OPEN


class MemberRefSerializer(serializers.Serializer):
    """A household member as the caller may see them: masked as their household is."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    relation = serializers.CharField(help_text="与户主关系.")
    age = serializers.IntegerField(
        allow_null=True,
        help_text="By year of birth (entered, or from the ID number); null: unknown.",
    )
    phone = serializers.CharField()
    household = HouseholdRefSerializer()
    masked = serializers.BooleanField()


def member_ref(user: User, member: Any) -> dict[str, Any]:
    ref = household_ref(user, member.household)
    year = services.birth_year_of(member)
    return {
        "id": member.pk,
        "name": mask_name(member.name) if ref["masked"] else member.name,
        "relation": member.relation,
        "age": timezone.localdate().year - year if year else None,
        "phone": mask_phone(member.phone) if ref["masked"] else member.phone,
        "household": ref,
        "masked": ref["masked"],
    }


class PlacementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = HouseholdRefSerializer()
    member = serializers.IntegerField(
        allow_null=True, help_text="The member placed; null for a placement naming a person only."
    )
    person_name = serializers.CharField()
    placed_on = serializers.DateField()
    note = serializers.CharField()


class PlacementInputSerializer(BilingualSerializerMixin, serializers.Serializer):
    member = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="A member of one of the posting's `members` (a matched household's member of "
        "working age, or of unknown age).",
    )
    placed_on = serializers.DateField()
    note = text(required=False, max_length=200)


def placement_data(user: User, row: Placement) -> dict[str, Any]:
    ref = household_ref(user, row.household)
    return {
        "id": row.pk,
        "household": ref,
        "member": row.member_id,
        "person_name": mask_name(row.person_name) if ref["masked"] else row.person_name,
        "placed_on": row.placed_on,
        "note": row.note,
    }


# --- Views -------------------------------------------------------------------------------------


class WorkshopListView(ApiMixin, generics.GenericAPIView):
    serializer_class = WorkshopSerializer
    pagination_class = Cursor
    cursor_ordering = ("id",)

    def get_queryset(self) -> QuerySet[WorkshopProfile]:
        if getattr(self, "swagger_fake_view", False):
            return WorkshopProfile.objects.none()
        user = caller(self.request)
        _opened(user)
        params = self.request.query_params
        type_ = params.get("type", "")
        if type_ and type_ not in WorkshopType.values:
            raise ApiError.one(
                400,
                "invalid_choice",
                f"工坊类型无效。可选：{'、'.join(WorkshopType.values)}。",
                f"Unknown type; the types are: {', '.join(WorkshopType.values)}.",
                field="type",
            )
        return selectors.workshops(user, type=type_, town=_int(params.get("town"), "town"))

    @extend_schema(
        operation_id="workshops_list",
        summary="共富工坊列表 List workshops",
        description="The workshops the caller may read (the organisation department and county "
        "leaders and dispatchers: all; town staff: their town; a workshop's lead: theirs).",
        tags=TAGS,
        parameters=[
            OpenApiParameter("type", str, enum=WorkshopType.values),
            OpenApiParameter("town", int, description="A town's region id."),
        ],
        responses=WorkshopSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WorkshopSerializer(page, many=True).data)


class WorkshopDetailView(ApiMixin, generics.GenericAPIView):
    serializer_class = WorkshopDetailSerializer

    @extend_schema(
        operation_id="workshops_retrieve",
        summary="共富工坊详情 A workshop",
        description="Its file, its quarterly figures and the households it helps (masked for "
        "callers who may not contact them). Outside the caller's scope: 404.",
        tags=TAGS,
        responses=WorkshopDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        workshop = _workshop(user, pk)
        return Response(WorkshopDetailSerializer(workshop, context={"user": user}).data)


class FiguresView(ApiMixin, generics.GenericAPIView):
    serializer_class = FiguresSerializer

    @extend_schema(
        operation_id="workshops_figures_list",
        summary="工坊季度数据 A workshop's figures",
        description="Cumulative figures of each year up to each quarter, newest first.",
        tags=TAGS,
        responses=FiguresSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        workshop = _workshop(caller(request), pk)
        return Response(FiguresSerializer(workshop.years.all(), many=True).data)

    @extend_schema(
        operation_id="workshops_figures_record",
        summary="填报季度数据 Record a quarter's figures",
        description="Enters or corrects the workshop's cumulative figures of `year` up to "
        "`quarter`. Leaders read only (403).",
        tags=TAGS,
        request=FiguresInputSerializer,
        responses={201: FiguresSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        workshop = _workshop(user, pk)
        _writer(user)
        data = validated(FiguresInputSerializer, request)
        try:
            row = services.record_figures(workshop, actor=user, **data)
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(FiguresSerializer(row).data, status=status.HTTP_201_CREATED)


class PostingListView(ApiMixin, generics.GenericAPIView):
    serializer_class = PostingSerializer
    pagination_class = Cursor
    cursor_ordering = ("-id",)

    def get_queryset(self) -> QuerySet[JobPosting]:
        if getattr(self, "swagger_fake_view", False):
            return JobPosting.objects.none()
        user = caller(self.request)
        _opened(user)
        params = self.request.query_params
        status_ = params.get("status", "")
        if status_ and status_ not in PostingStatus.values:
            raise ApiError.one(
                400, "invalid_choice", "状态无效。", "Unknown status.", field="status"
            )
        return selectors.postings(
            user,
            tag=_int(params.get("tag"), "tag"),
            town=_int(params.get("town"), "town"),
            status=status_,
        )

    @extend_schema(
        operation_id="job_postings_list",
        summary="就业岗位列表 List job postings",
        description="Postings for households of special groups (脱贫户, 低保, 残疾 …) the caller "
        "may read, filtered by a group tag's id, the region they target, their status.",
        tags=TAGS,
        parameters=[
            OpenApiParameter("tag", int),
            OpenApiParameter("town", int),
            OpenApiParameter("status", str, enum=PostingStatus.values),
        ],
        responses=PostingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PostingSerializer(page, many=True).data)


class PostingDetailSerializer(PostingSerializer):
    matched = serializers.SerializerMethodField(
        help_text="The households of the posting's area with one of its tags (masked for "
        "callers who may not contact them)."
    )

    members = serializers.SerializerMethodField(
        help_text="The people who may take its jobs: members of the matched households of "
        "working age (16–60 by year of birth) or of unknown age, not yet placed in it (masked "
        "for callers who may not contact them). A placement names one of them."
    )

    class Meta(PostingSerializer.Meta):
        fields = [*PostingSerializer.Meta.fields, "matched", "members"]
        read_only_fields = fields

    @extend_schema_field(HouseholdRefSerializer(many=True))
    def get_matched(self, posting: JobPosting) -> list[dict[str, Any]]:
        user = self.context["user"]
        rows = services.matching_households(posting).select_related("region")
        return [household_ref(user, h) for h in rows]

    @extend_schema_field(MemberRefSerializer(many=True))
    def get_members(self, posting: JobPosting) -> list[dict[str, Any]]:
        user = self.context["user"]
        rows = services.unplaced_members(posting).select_related("household__region")
        return [member_ref(user, m) for m in rows]


class PostingDetailView(ApiMixin, generics.GenericAPIView):
    serializer_class = PostingDetailSerializer

    @extend_schema(
        operation_id="job_postings_retrieve",
        summary="就业岗位详情 A job posting",
        description="The posting with the households it matches and their members who may take "
        "its jobs. Outside the caller's scope: 404.",
        tags=TAGS,
        responses=PostingDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        posting = _posting(user, pk)
        return Response(PostingDetailSerializer(posting, context={"user": user}).data)


class PlacementView(ApiMixin, generics.GenericAPIView):
    serializer_class = PlacementSerializer

    @extend_schema(
        operation_id="job_postings_placements_list",
        summary="岗位上岗人员 A posting's placements",
        description="Who took the posting's jobs (masked for callers who may not contact them).",
        tags=TAGS,
        responses=PlacementSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        posting = _posting(user, pk)
        rows = posting.placements.select_related("household__region").order_by("-placed_on", "-pk")
        return Response(
            PlacementSerializer([placement_data(user, r) for r in rows], many=True).data
        )

    @extend_schema(
        operation_id="job_postings_placements_create",
        summary="登记上岗 Record a placement",
        description="A member of a matched household (in the posting's area, with one of its "
        "tags, of working age or of unknown age: one of the posting's `members`) took one of "
        "its jobs. A full or closed posting, a person not matched, a repeat: 400 keyed by field.",
        tags=TAGS,
        request=PlacementInputSerializer,
        responses={201: PlacementSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        posting = _posting(user, pk)
        _writer(user)
        data = validated(PlacementInputSerializer, request)
        member = (
            services.matching_members(posting)
            .select_related("household__region")
            .filter(pk=data["member"])
            .first()
        )
        if member is None:
            raise ApiError.one(
                400,
                "not_matched",
                "该人员不是本岗位符合条件的人员（面向区域和群体内、处于劳动年龄）。",
                "The person is not one the posting is for (its area, its groups, working age).",
                field="member",
            )
        try:
            row = services.place(
                posting,
                member,
                placed_on=data["placed_on"],
                note=data.get("note", ""),
                actor=user,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(
            PlacementSerializer(placement_data(user, row)).data, status=status.HTTP_201_CREATED
        )


urlpatterns: list[URLPattern] = [
    path("workshops/", WorkshopListView.as_view(), name="workshop-list"),
    path("workshops/<int:pk>/", WorkshopDetailView.as_view(), name="workshop-detail"),
    path("workshops/<int:pk>/figures/", FiguresView.as_view(), name="workshop-figures"),
    path("job-postings/", PostingListView.as_view(), name="job-posting-list"),
    path("job-postings/<int:pk>/", PostingDetailView.as_view(), name="job-posting-detail"),
    path(
        "job-postings/<int:pk>/placements/",
        PlacementView.as_view(),
        name="job-posting-placements",
    ),
]
