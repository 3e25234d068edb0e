"""Hazard inspections (隐患排查) and special campaigns (专项行动) over the API.

Each view fetches through ``inspections.scope`` (an inspection outside the caller's scope is a
404) and calls one service of ``inspections/services.py``; the services' refusals become 400 (a
``ValidationError`` keyed by field, a finding's as ``findings.<row>.<field>``) and 403, in
Chinese and English as ``api.errors`` renders every error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller, validated
from api.errors import ApiError, BilingualSerializerMixin, english_of
from api.fields import IdField
from api.filters import MAX_ID
from api.outreach import PersonRefSerializer
from api.pagination import Cursor
from api.serializers import text
from cases.models import Via
from inspections import scope, services, totals
from inspections.models import (
    Campaign,
    CampaignStatus,
    Finding,
    Inspection,
    InspectionResult,
    Severity,
)
from orgs.models import Organisation
from people.models import Person, User
from regions.models import Region

TAGS = ["inspections"]
MAX_FINDINGS = 30


def _forbidden(error: PermissionDenied) -> ApiError:
    message = str(error) or "您无权执行该操作。"
    return ApiError.one(403, "forbidden", message, english_of(message, "forbidden"))


def _reader(user: User) -> None:
    if not scope.is_reader(user):
        raise _forbidden(PermissionDenied("您无权查看隐患排查。"))


def _campaign(pk: int) -> Campaign:
    campaign = None
    if 0 < pk <= MAX_ID:
        campaign = Campaign.objects.select_related("region", "lead_unit").filter(pk=pk).first()
    if campaign is None:
        raise NotFound()
    return campaign


# --- Serializers -------------------------------------------------------------------------------


def _enum(values: list[str], read_only: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": values}
    if read_only:
        schema["readOnly"] = True
    return schema


# No enum in the schema: a third set of values under the name "status" would collide with the
# case's StatusEnum and the briefing's in the enum naming.
@extend_schema_field(
    {
        "type": "string",
        "readOnly": True,
        "description": "One of: " + ", ".join(CampaignStatus.values) + ".",
    }
)
class CampaignStatusField(serializers.CharField):
    """planned (筹备中), active (进行中) or finished (已结束)."""


@extend_schema_field(_enum(list(InspectionResult.values)))
class ResultField(serializers.CharField):
    """clear (未发现隐患) or hazards (发现隐患)."""


@extend_schema_field(_enum(list(Severity.values)))
class SeverityField(serializers.CharField):
    """ordinary (一般), major (较大) or serious (重大)."""


@extend_schema_field(_enum(list(Severity.values), read_only=False))
class SeverityInputField(serializers.ChoiceField):
    """ordinary (一般), major (较大) or serious (重大)."""


class CampaignSerializer(serializers.ModelSerializer):
    status = CampaignStatusField(read_only=True)
    region = serializers.IntegerField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    lead_unit = serializers.IntegerField(source="lead_unit_id", read_only=True, allow_null=True)
    lead_unit_name = serializers.CharField(
        source="lead_unit.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "region",
            "region_name",
            "lead_unit",
            "lead_unit_name",
            "status",
            "description",
        ]
        read_only_fields = fields


class TownTotalsSerializer(serializers.Serializer):
    town = serializers.IntegerField(
        source="town.pk",
        allow_null=True,
        default=None,
        help_text="The town's region id: the `town=` of /inspections/list/ and /inspections/findings/.",
    )
    town_name = serializers.CharField(source="town.name", allow_null=True, default=None)
    inspected = serializers.IntegerField(help_text="Inspections made.")
    found = serializers.IntegerField(help_text="Hazards found.")
    rectified = serializers.IntegerField(
        help_text="Hazards whose case is answered, verified or closed."
    )
    rate = serializers.FloatField(allow_null=True, help_text="rectified / found; null: none found.")


class CampaignDetailSerializer(CampaignSerializer):
    towns = TownTotalsSerializer(many=True, source="totals.lines", read_only=True)
    total = TownTotalsSerializer(source="totals.total", read_only=True)

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "towns", "total"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    severity = SeverityField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "description", "severity", "rectify_by", "case"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    """One inspection: where, what, when, who, the hazards found with their cases."""

    campaign = serializers.IntegerField(source="campaign_id", read_only=True, allow_null=True)
    region = serializers.IntegerField(source="region_id", read_only=True)
    enterprise = serializers.IntegerField(source="enterprise_id", read_only=True, allow_null=True)
    target = serializers.CharField(read_only=True)
    result = ResultField(read_only=True)
    inspectors = PersonRefSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "campaign",
            "region",
            "enterprise",
            "target",
            "address",
            "inspected_on",
            "inspectors",
            "result",
            "note",
            "findings",
            "created_at",
        ]
        read_only_fields = fields


class FindingInputSerializer(BilingualSerializerMixin, serializers.Serializer):
    description = text(max_length=2000)
    severity = SeverityInputField(choices=Severity.choices, required=False)
    rectify_by = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="整改期限: the hazard case's deadline, the end of that working day (a holiday: "
        "the next working day's); not before the inspection, not past (400 `past`).",
    )


class InspectionCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/inspections/``: the arguments of ``inspections.services.log_inspection``."""

    campaign = IdField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    region = IdField(queryset=Region.objects.all(), help_text="The place inspected.")
    enterprise = IdField(
        queryset=Organisation.objects.enterprises(),
        required=False,
        allow_null=True,
        help_text="The firm inspected; else `target_name`.",
    )
    target_name = text(required=False, max_length=150, help_text="A place that is not a firm.")
    address = text(required=False, max_length=200)
    inspected_on = serializers.DateField(help_text="Not in the future; inside the campaign.")
    inspectors = IdField(
        queryset=Person.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the people who inspected (the caller's person when left out).",
    )
    note = text(required=False, max_length=4000)
    findings = serializers.ListField(
        child=FindingInputSerializer(),
        required=False,
        max_length=MAX_FINDINGS,
        help_text=f"The hazards found (at most {MAX_FINDINGS}); each opens a hazard case.",
    )
    token = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A one-time id of this submission: sent again, it returns the inspection made.",
    )


# No enum, as for ``CampaignStatusField``: another set of values named "status" would collide.
@extend_schema_field(
    {
        "type": "string",
        "description": "One of: " + ", ".join(services.OPEN_STATUSES) + "; default active.",
    }
)
class CampaignStatusInputField(serializers.ChoiceField):
    """planned (筹备中) or active (进行中); a campaign ends through its close action."""


class CampaignWriteSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/inspections/campaigns/`` and ``PATCH …/campaigns/<id>/``: the arguments of
    ``inspections.services.create_campaign`` / ``change_campaign`` (a PATCH keeps what it leaves
    out)."""

    name = text(max_length=150)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="Not before `starts_on`.")
    region = IdField(
        queryset=Region.objects.all(),
        help_text="The area covered: inside the caller's own region (a town office: its town).",
    )
    lead_unit = IdField(
        queryset=Organisation.objects.exclude(kind="enterprise"),
        required=False,
        allow_null=True,
        help_text="The unit leading it (牵头单位); not an enterprise.",
    )
    description = text(required=False, max_length=4000)
    status = CampaignStatusInputField(
        choices=[(s.value, s.label) for s in services.OPEN_STATUSES], required=False
    )


class CampaignChangeSerializer(CampaignWriteSerializer):
    """Every field optional: what is left out stays as it is."""

    name = serializers.CharField(required=False, max_length=150)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    region = IdField(queryset=Region.objects.all(), required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class CampaignCloseSerializer(BilingualSerializerMixin, serializers.Serializer):
    note = text(required=False, max_length=500, help_text="Why or how it ended.")


# --- Views -------------------------------------------------------------------------------------


class CampaignListView(ApiMixin, generics.GenericAPIView):
    serializer_class = CampaignSerializer
    pagination_class = Cursor
    cursor_ordering = ("-id",)

    def get_queryset(self) -> QuerySet[Campaign]:
        return Campaign.objects.select_related("region", "lead_unit")

    @extend_schema(
        operation_id="inspection_campaigns_list",
        summary="专项行动 List campaigns",
        description="Every special campaign, newest first; for grid staff, dispatchers, "
        "leaders and unit staff.",
        tags=TAGS,
        responses=CampaignSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _reader(caller(request))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CampaignSerializer(page, many=True).data)

    @extend_schema(
        operation_id="inspection_campaigns_create",
        summary="新建专项行动 Open a campaign",
        description="Opens a special campaign over `region`. Administrators, dispatchers and "
        "leaders over the region, and the staff of the town government whose town holds it; "
        "anyone else 403. An end before the start is a 400 on `ends_on`.",
        tags=TAGS,
        request=CampaignWriteSerializer,
        responses={201: CampaignSerializer},
    )
    def post(self, request: Request) -> Response:
        user = caller(request)
        data = validated(CampaignWriteSerializer, request)
        try:
            made = services.create_campaign(
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                region=data["region"],
                lead_unit=data.get("lead_unit"),
                description=data.get("description", ""),
                status=data.get("status") or CampaignStatus.ACTIVE,
                actor=user,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(CampaignSerializer(_campaign(made.pk)).data, status=status.HTTP_201_CREATED)


class CampaignDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="inspection_campaigns_retrieve",
        summary="专项行动详情 A campaign with its totals by town",
        description="Inspected, found and rectified (the case answered, verified or closed) by "
        "town, over the inspections the caller may read.",
        tags=TAGS,
        responses=CampaignDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        _reader(user)
        campaign = _campaign(pk)
        campaign.totals = totals.campaign_totals(user, campaign)  # type: ignore[attr-defined]
        return Response(CampaignDetailSerializer(campaign).data)

    @extend_schema(
        operation_id="inspection_campaigns_partial_update",
        summary="修改专项行动 Change a campaign",
        description="Changes the fields sent; the others stay. The inspections already logged "
        "must stay inside its period and region (400 `excludes_inspections`); an ended campaign "
        "is not changed (400 `finished`). Those who may open a campaign over its region (and "
        "over the new one); anyone else 403.",
        tags=TAGS,
        request=CampaignChangeSerializer,
        responses=CampaignSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = caller(request)
        _reader(user)
        campaign = _campaign(pk)
        data = validated(CampaignChangeSerializer, request)
        try:
            services.change_campaign(
                campaign,
                name=data.get("name", campaign.name),
                starts_on=data.get("starts_on", campaign.starts_on),
                ends_on=data.get("ends_on", campaign.ends_on),
                region=data.get("region", campaign.region),
                lead_unit=data["lead_unit"] if "lead_unit" in data else campaign.lead_unit,
                description=data.get("description", campaign.description),
                status=data.get("status") or campaign.status,
                actor=user,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(CampaignSerializer(_campaign(pk)).data)


class CampaignCloseView(ApiMixin, APIView):
    @extend_schema(
        operation_id="inspection_campaigns_close",
        summary="结束专项行动 End a campaign",
        description="No more inspections are logged in it; its figures and cases stay. An ended "
        "campaign again is a 400 `finished`. Those who may change it; anyone else 403.",
        tags=TAGS,
        request=CampaignCloseSerializer,
        responses=CampaignSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        _reader(user)
        campaign = _campaign(pk)
        data = validated(CampaignCloseSerializer, request)
        try:
            services.close_campaign(campaign, actor=user, note=data.get("note", ""))
        except PermissionDenied as error:
            raise _forbidden(error) from error
        return Response(CampaignSerializer(_campaign(pk)).data)


def _inspection(user: User, pk: int) -> Inspection:
    q = scope.visible_q(user)
    qs = Inspection.objects.prefetch_related("inspectors", "findings")
    found = (qs if q is None else qs.filter(q)).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise NotFound()
    return found


class InspectionCreateView(ApiMixin, APIView):
    @extend_schema(
        operation_id="inspections_create",
        summary="登记排查 Log an inspection",
        description="Logs an inspection with the hazards found, each opening a hazard case "
        "(安全隐患, channel 走访), all or nothing: a refused finding answers 400 with `field` "
        "`findings.<row>.<field>` and saves nothing. The same `token` again returns the "
        "inspection already made (200). Grid staff and dispatchers over the place, and the "
        "campaign's lead unit; anyone else 403.",
        tags=TAGS,
        request=InspectionCreateSerializer,
        responses={201: InspectionSerializer, 200: InspectionSerializer},
    )
    def post(self, request: Request) -> Response:
        user = caller(request)
        data = validated(InspectionCreateSerializer, request)
        token = data.get("token")
        again = token is not None and Inspection.objects.filter(token=token).exists()
        inspectors = data.get("inspectors") or ([user.person] if user.person else [])
        findings = [
            services.FindingInput(
                description=row["description"],
                severity=row.get("severity") or Severity.ORDINARY,
                rectify_by=row.get("rectify_by"),
            )
            for row in data.get("findings", [])
        ]
        try:
            made = services.log_inspection(
                campaign=data.get("campaign"),
                region=data["region"],
                enterprise=data.get("enterprise"),
                target_name=data.get("target_name", ""),
                address=data.get("address", ""),
                inspected_on=data["inspected_on"],
                inspectors=inspectors,
                note=data.get("note", ""),
                findings=findings,
                token=token,
                actor=user,
                via=Via.API,
            )
        except PermissionDenied as error:
            raise _forbidden(error) from error
        code = status.HTTP_200_OK if again else status.HTTP_201_CREATED
        return Response(InspectionSerializer(_inspection(user, made.pk)).data, status=code)


class InspectionDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="inspections_retrieve",
        summary="排查详情 An inspection",
        description="An inspection the caller may read, with its hazards and their case ids; "
        "any other is a 404.",
        tags=TAGS,
        responses=InspectionSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(InspectionSerializer(_inspection(caller(request), pk)).data)


urlpatterns: list[URLPattern] = [
    path(
        "inspections/campaigns/",
        CampaignListView.as_view(),
        name="inspection-campaign-list",
    ),
    path(
        "inspections/campaigns/<int:pk>/",
        CampaignDetailView.as_view(),
        name="inspection-campaign-detail",
    ),
    path(
        "inspections/campaigns/<int:pk>/close/",
        CampaignCloseView.as_view(),
        name="inspection-campaign-close",
    ),
    path("inspections/", InspectionCreateView.as_view(), name="inspection-create"),
    path("inspections/<int:pk>/", InspectionDetailView.as_view(), name="inspection-detail"),
]
