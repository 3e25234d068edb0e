"""The enterprise file (企业档案) over the API: read the file; award and revoke honours; record a
year's figures. The same file and the same services as the page (``web/enterprises``).

Who reads and writes is ``enterprises.scope``: a caller who may not open the file gets a 404
(the firm does not exist for them), a reader who may not write gets a 403, before the body is
read. The people linked to the firm show their phone to writers only, masked for other readers,
as on the page; the demand counts are of the cases the caller may see. Every change goes through
``enterprises.services``, whose ``ValidationError`` comes back as a 400 keyed by field (``year``,
``honour``, ``output_value``, …) with its code, in both languages.

These paths sit under the registry's ``/api/v1/enterprises/{id}/`` (``api.registries``), which
serves no sub-path: they are listed before the router in ``api.urls``, and resolve on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller, validated
from api.errors import BilingualSerializerMixin
from api.fields import CodeField
from api.filters import MAX_ID
from api.serializers import ErrorSerializer, RegionRefSerializer, blank_choice
from cases.models import Case, Status
from cases.scope import visible_cases
from enterprises import services
from enterprises.models import Honour, HonourAward, YearFigures
from enterprises.scope import may_read_file, may_write_file
from orgs.models import ChainPosition, EnterpriseSize, Organisation
from people.masking import mask_phone
from people.models import EnterpriseLink, User

TAGS = ["enterprises"]

# --- Serializers -------------------------------------------------------------------------------


class FileChainSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FileProfileSerializer(serializers.ModelSerializer):
    """The registry's profile of the firm (基本信息)."""

    size = blank_choice(EnterpriseSize.choices)
    chain_position = blank_choice(ChainPosition.choices)
    size_label = serializers.CharField(source="get_size_display")
    chain_position_label = serializers.CharField(source="get_chain_position_display")
    region = RegionRefSerializer(allow_null=True)
    chain = FileChainSerializer(allow_null=True, help_text="Its industrial chain's committee.")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "credit_code",
            "industry",
            "size",
            "size_label",
            "park",
            "chain_position",
            "chain_position_label",
            "employees",
            "is_above_scale",
            "region",
            "chain",
        ]
        read_only_fields = fields


class FileHonourRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FileAwardSerializer(serializers.ModelSerializer):
    """One honour awarded in one year; ``id`` is what ``DELETE …/honours/{award_id}/`` takes."""

    honour = FileHonourRefSerializer()

    class Meta:
        model = HonourAward
        fields = ["id", "honour", "year", "note", "created_at"]
        read_only_fields = fields


class FileHonourYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    awards = FileAwardSerializer(many=True)


class FileFiguresSerializer(serializers.ModelSerializer):
    """A year's output value and tax (万元, as decimal strings) and head count."""

    class Meta:
        model = YearFigures
        fields = ["year", "output_value", "tax", "employees", "updated_at"]
        read_only_fields = fields


class FileLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The link's id (registry: enterprise-links).")
    person = serializers.IntegerField(source="person_id", help_text="The person's id.")
    name = serializers.CharField(source="person.name")
    kind = serializers.CharField(help_text="挂钩干部, 驻厂专员, 联络员… (`EnterpriseLinkKind`).")
    kind_label = serializers.CharField(source="get_kind_display")
    phone = serializers.CharField(help_text="Masked (138****1234) unless the caller may write.")
    since = serializers.DateField(allow_null=True)


class FileStateCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    count = serializers.IntegerField(min_value=1)


class FileCasesSerializer(serializers.Serializer):
    total = serializers.IntegerField(min_value=0)
    by_status = FileStateCountSerializer(
        many=True, help_text="Each state that has cases, in the loop's order."
    )


class EnterpriseFileSerializer(serializers.Serializer):
    enterprise = FileProfileSerializer()
    may_write = serializers.BooleanField(
        help_text="Whether the caller may award honours and record figures."
    )
    honours = FileHonourYearSerializer(many=True, help_text="Newest year first.")
    figures = FileFiguresSerializer(many=True, help_text="Newest year first.")
    links = FileLinkSerializer(
        many=True, help_text="The people linked to the firm, by kind and name."
    )
    cases = FileCasesSerializer(help_text="The firm's demands the caller may see, by state.")


class HonourAwardCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    honour = CodeField(
        slug_field="code",
        # Inactive ones too, so the service says why one cannot be awarded (honour_inactive).
        queryset=Honour.objects.all(),
        help_text="The honour's code (`high_tech`, `above_scale_industry`, …).",
    )
    year = serializers.IntegerField(
        min_value=1, max_value=9999, help_text="Year awarded: from 1978 to this year."
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class YearFiguresInputSerializer(BilingualSerializerMixin, serializers.Serializer):
    output_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="产值, 万元."
    )
    tax = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, help_text="税收, 万元."
    )
    employees = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )


# --- Helpers -----------------------------------------------------------------------------------


def _enterprise(user: User, pk: int, *, write: bool = False) -> Organisation:
    """The firm through the caller's scope: 404 unless they may open its file, 403 for a reader
    when ``write`` and they may not write to it."""
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    enterprise = (
        Organisation.objects.enterprises().select_related("region", "chain").filter(pk=pk).first()
    )
    if enterprise is None or not may_read_file(user, enterprise):
        raise NotFound()
    if write and not may_write_file(user, enterprise):
        raise PermissionDenied()
    return enterprise


def _by_year(awards: Iterable[HonourAward]) -> list[dict[str, Any]]:
    years: dict[int, list[HonourAward]] = {}
    for award in awards:
        years.setdefault(award.year, []).append(award)
    return [{"year": year, "awards": rows} for year, rows in years.items()]


def _file(user: User, enterprise: Organisation) -> dict[str, Any]:
    """The file as the page shows it, in a fixed number of queries."""
    writer = may_write_file(user, enterprise)
    links = list(
        EnterpriseLink.objects.filter(enterprise=enterprise)
        .select_related("person")
        .order_by("kind", "person__name", "pk")
    )
    for link in links:
        phone = link.person.phone
        link.phone = phone if writer else mask_phone(phone)  # type: ignore[attr-defined]
    cases = visible_cases(user, Case.objects.filter(enterprise=enterprise))
    counts = dict(cases.order_by().values_list("status").annotate(n=Count("id")))
    awards = (
        HonourAward.objects.filter(enterprise=enterprise)
        .select_related("honour")
        .order_by("-year", "honour__ordering", "honour__code")
    )
    return {
        "enterprise": enterprise,
        "may_write": writer,
        "honours": _by_year(awards),
        "figures": YearFigures.objects.filter(enterprise=enterprise).order_by("-year"),
        "links": links,
        "cases": {
            "total": sum(counts.values()),
            "by_status": [
                {"status": value, "status_label": label, "count": counts[value]}
                for value, label in Status.choices
                if value in counts
            ],
        },
    }


# --- Views -------------------------------------------------------------------------------------


class EnterpriseFileView(ApiMixin, APIView):
    @extend_schema(
        operation_id="enterprises_file",
        summary="企业档案 An enterprise's file",
        description="The firm's profile, its honours by year, its yearly figures, the people "
        "linked to it (phones masked unless the caller may write) and its demands by state "
        "(those the caller may see). 404 unless the caller may open the file.",
        tags=TAGS,
        responses=EnterpriseFileSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        enterprise = _enterprise(user, pk)
        return Response(EnterpriseFileSerializer(_file(user, enterprise)).data)


class HonourAwardView(ApiMixin, APIView):
    @extend_schema(
        operation_id="enterprises_honours_award",
        summary="登记荣誉 Award an honour",
        description="Record that the firm was awarded an honour in a year (once per honour and "
        "year: `duplicate_award`; a retired honour: `honour_inactive`; a year outside 1978 to "
        "this year: `year_out_of_range`). 403 for a reader who may not write.",
        tags=TAGS,
        request=HonourAwardCreateSerializer,
        responses={201: FileAwardSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        enterprise = _enterprise(user, pk, write=True)
        data = validated(HonourAwardCreateSerializer, request)
        award = services.award_honour(
            enterprise, data["honour"], data["year"], note=data["note"], actor=user
        )
        return Response(FileAwardSerializer(award).data, status=201)


class HonourRevokeView(ApiMixin, APIView):
    @extend_schema(
        operation_id="enterprises_honours_revoke",
        summary="撤销荣誉 Revoke an honour",
        description="Remove an honour entered by mistake or withdrawn; the file's log keeps "
        "what it was. 404 for an award that is not this firm's; 403 for a reader who may not "
        "write.",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "award_id",
                int,
                OpenApiParameter.PATH,
                description="The award's id (`honours[].awards[].id` of the file).",
            )
        ],
        responses={
            204: OpenApiResponse(description="Revoked."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="The award was removed by a simultaneous request (`award_missing`).",
            ),
        },
    )
    def delete(self, request: Request, pk: int, award_id: int) -> Response:
        user = caller(request)
        enterprise = _enterprise(user, pk, write=True)
        if not 0 < award_id <= MAX_ID:
            raise NotFound()
        award = (
            HonourAward.objects.filter(pk=award_id, enterprise=enterprise)
            .select_related("honour")
            .first()
        )
        if award is None:
            raise NotFound()
        award.enterprise = enterprise  # with its region loaded, for the service's scope check
        services.revoke_honour(award, actor=user)
        return Response(status=204)


class YearFiguresView(ApiMixin, APIView):
    @extend_schema(
        operation_id="enterprises_figures_record",
        summary="登记年度数据 Record a year's figures",
        description="Enter or correct the firm's output value and tax (万元) and head count for "
        "the year in the path (1978 to this year: `year_out_of_range`); the body replaces "
        "what was recorded for that year. 403 for a reader who may not write.",
        tags=TAGS,
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH, description="年度.")],
        request=YearFiguresInputSerializer,
        responses={200: FileFiguresSerializer},
    )
    def put(self, request: Request, pk: int, year: int) -> Response:
        user = caller(request)
        enterprise = _enterprise(user, pk, write=True)
        data = validated(YearFiguresInputSerializer, request)
        figures = services.record_year_figures(enterprise, year, actor=user, **data)
        return Response(FileFiguresSerializer(figures).data)


urlpatterns: list[URLPattern] = [
    path("enterprises/<int:pk>/file/", EnterpriseFileView.as_view(), name="enterprise-file"),
    path(
        "enterprises/<int:pk>/honours/", HonourAwardView.as_view(), name="enterprise-honour-award"
    ),
    path(
        "enterprises/<int:pk>/honours/<int:award_id>/",
        HonourRevokeView.as_view(),
        name="enterprise-honour-revoke",
    ),
    path(
        "enterprises/<int:pk>/figures/<int:year>/",
        YearFiguresView.as_view(),
        name="enterprise-figures-record",
    ),
]
