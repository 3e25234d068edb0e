"""REST API: the work briefings (工作简报) — ask for one, follow it, read its numbers (each with
the case-list filter that opens its cases) and download its .docx or PDF.

Reads go through ``briefings.scope`` (a briefing the caller may not read is a 404); a caller
who may not read reports at all is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller, validated
from api.errors import ApiError, BilingualSerializerMixin, english_of
from api.fields import CodeField
from api.filters import MAX_ID
from api.pagination import Cursor
from briefings import scope, services
from briefings.models import Briefing, BriefingStatus, PeriodKind
from regions.models import Region

TAGS = ["briefings"]


class BriefingSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", allow_null=True, read_only=True)
    region_name = serializers.CharField(source="region.name", allow_null=True, read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    docx_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Briefing
        fields = [
            "id",
            "kind",
            "first_month",
            "last_month",
            "region",
            "region_name",
            "title",
            "status",
            "error",
            "requested_by",
            "requested_at",
            "generated_at",
            "docx_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def _url(self, briefing: Briefing, fmt: str) -> str | None:
        if briefing.status != BriefingStatus.READY:
            return None
        return f"/api/v1/briefings/{briefing.pk}/{fmt}/"

    def get_docx_url(self, briefing: Briefing) -> str | None:
        return self._url(briefing, "docx")

    def get_pdf_url(self, briefing: Briefing) -> str | None:
        return self._url(briefing, "pdf")


class BriefingDetailSerializer(BriefingSerializer):
    figures = serializers.JSONField(
        read_only=True,
        help_text="The numbers as they were on the day: `numbers` maps each figure to its "
        "`text`, `value` and `params` (the case-list filter that opens its cases, for "
        "`/api/v1/cases/` or `/cases/`); also `comparisons`, `ranking` (with its method's "
        "`min_volume` and `weight`), `trend`, `typical`, `problems`, `texts`.",
    )

    class Meta(BriefingSerializer.Meta):
        fields = [*BriefingSerializer.Meta.fields, "figures"]
        read_only_fields = fields


class BriefingRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=PeriodKind.choices)
    month = serializers.IntegerField(
        min_value=200001,
        max_value=210012,
        help_text="YYYYMM; a quarter's briefing takes its quarter.",
    )
    region = CodeField(
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text="Region code; omitted: all the caller sees (a caller placed in regions must "
        "name one of theirs).",
    )


def _reader(request: Request) -> None:
    if not scope.may_request(caller(request)):
        raise PermissionDenied()


def _one(request: Request, pk: int) -> Briefing:
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    briefing = scope.readable(caller(request)).filter(pk=pk).first()
    if briefing is None:
        raise NotFound()
    return briefing


class BriefingListView(ApiMixin, generics.GenericAPIView):
    serializer_class = BriefingSerializer
    pagination_class = Cursor
    cursor_ordering = ("-id",)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return Briefing.objects.none()
        return scope.readable(caller(self.request))

    @extend_schema(
        operation_id="briefings_list",
        summary="工作简报列表 List briefings",
        description="The briefings the caller may read, newest first; cursor-paginated.",
        tags=TAGS,
        responses=BriefingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _reader(request)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(BriefingSerializer(page, many=True).data)

    @extend_schema(
        operation_id="briefings_create",
        summary="生成工作简报 Ask for a briefing",
        description="A month's or a quarter's briefing over the caller's cases in `region`; made "
        "in the background (status `pending`, then `ready` or `failed`). 400 for a month not yet "
        "begun or a region outside the caller's; 403 for a caller who may not read reports.",
        tags=TAGS,
        request=BriefingRequestSerializer,
        responses={201: BriefingSerializer},
    )
    def post(self, request: Request) -> Response:
        _reader(request)
        data = validated(BriefingRequestSerializer, request)
        try:
            briefing = services.request_briefing(
                actor=caller(request),
                kind=data["kind"],
                month=data["month"],
                region=data.get("region"),
            )
        except DjangoPermissionDenied as error:
            message = str(error)
            raise ApiError.one(
                403, "forbidden", message, english_of(message, "forbidden")
            ) from None
        return Response(BriefingSerializer(briefing).data, status=status.HTTP_201_CREATED)


class BriefingDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="briefings_retrieve",
        summary="工作简报 A briefing with its numbers",
        tags=TAGS,
        responses=BriefingDetailSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        _reader(request)
        return Response(BriefingDetailSerializer(_one(request, pk)).data)


class BriefingFileView(ApiMixin, APIView):
    fmt = "docx"

    @extend_schema(
        summary="下载工作简报 Download a briefing",
        tags=TAGS,
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: int) -> Any:
        _reader(request)
        briefing = _one(request, pk)
        stored = briefing.docx if self.fmt == "docx" else briefing.pdf
        if briefing.status != BriefingStatus.READY or not stored:
            raise NotFound()
        response = FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=f"{briefing.title or 'briefing'}.{self.fmt}",
            content_type="application/pdf"
            if self.fmt == "pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class BriefingDocxView(BriefingFileView):
    fmt = "docx"


class BriefingPdfView(BriefingFileView):
    fmt = "pdf"


urlpatterns = [
    path("briefings/", BriefingListView.as_view(), name="briefing-list"),
    path("briefings/<int:pk>/", BriefingDetailView.as_view(), name="briefing-detail"),
    path("briefings/<int:pk>/docx/", BriefingDocxView.as_view(), name="briefing-docx"),
    path("briefings/<int:pk>/pdf/", BriefingPdfView.as_view(), name="briefing-pdf"),
]
