"""REST API: the dispatch catalogue (派单目录), read-only: for each category the lead unit,
the co-units and the urgency tier with its clocks (``cases.catalogue``).

``GET dispatch-catalogue/`` answers the version in force, ``?version=N`` a published or retired
one (a draft is not in force: 404, as a version that does not exist). Dispatchers and
administrators read it (the pages' rule, ``catalogue.may_read``); other callers get 403.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller, validated
from api.errors import ApiError, BilingualSerializerMixin
from api.serializers import ErrorSerializer
from cases import catalogue
from cases.models import (
    CatalogueStatus,
    DispatchCatalogue,
    DispatchEntry,
    LimitUnit,
    Priority,
    TimeLimit,
)
from orgs.models import Organisation

TAGS = ["dispatch-catalogue"]
MAX_VERSION = 2**31 - 1


class CatalogueUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class CatalogueCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    case_type = serializers.CharField(help_text="The case type's code.")
    is_active = serializers.BooleanField()


class TierClocksSerializer(serializers.Serializer):
    sign_hours = serializers.IntegerField(help_text="签收: working hours from the hand-over.")
    contact_hours = serializers.IntegerField(
        help_text="首次联系: working hours from the hand-over."
    )
    finish_amount = serializers.IntegerField(help_text="办结: the handling limit's amount.")
    finish_unit = serializers.ChoiceField(
        choices=LimitUnit.choices, help_text="`days`: working days; `hours`: working hours."
    )


class CatalogueEntrySerializer(serializers.Serializer):
    category = CatalogueCategorySerializer()
    lead_unit = CatalogueUnitSerializer()
    co_units = CatalogueUnitSerializer(many=True)
    priority = serializers.ChoiceField(choices=Priority.choices, help_text="The urgency tier.")
    clocks = TierClocksSerializer(
        allow_null=True,
        help_text="The tier's time limits for the category's case type (null when the type "
        "has none for this tier).",
    )


class DispatchCatalogueSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=[CatalogueStatus.PUBLISHED, CatalogueStatus.RETIRED],
        help_text="`published`: in force; `retired`: replaced by a later version.",
    )
    note = serializers.CharField(help_text="What the revision was for (修订说明).")
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True, help_text="The drafter's username.")
    published_at = serializers.DateTimeField()
    published_by = serializers.CharField(allow_null=True, help_text="The publisher's username.")
    entries = CatalogueEntrySerializer(many=True)


class CatalogueVersionQuerySerializer(BilingualSerializerMixin, serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_VERSION)


def _unit(unit: Organisation) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "short_name": unit.short_name}


def _clocks(limit: TimeLimit | None) -> dict[str, Any] | None:
    if limit is None:
        return None
    return {
        "sign_hours": limit.response_hours,
        "contact_hours": limit.contact_hours,
        "finish_amount": limit.amount,
        "finish_unit": limit.unit,
    }


def _entry(entry: DispatchEntry, limits: dict[tuple[int, str], TimeLimit]) -> dict[str, Any]:
    category = entry.category
    return {
        "category": {
            "id": category.pk,
            "code": category.code,
            "name": category.name,
            "case_type": category.case_type.code,
            "is_active": category.is_active,
        },
        "lead_unit": _unit(entry.lead_unit),
        "co_units": [_unit(unit) for unit in entry.co_units.all()],
        "priority": entry.priority,
        "clocks": _clocks(limits.get((category.case_type_id, entry.priority))),
    }


def _answer(version: DispatchCatalogue) -> dict[str, Any]:
    limits = catalogue.time_limits()
    return {
        "version": version.version,
        "status": version.status,
        "note": version.note,
        "created_at": version.created_at,
        "created_by": version.created_by.username if version.created_by else None,
        "published_at": version.published_at,
        "published_by": version.published_by.username if version.published_by else None,
        "entries": [_entry(e, limits) for e in catalogue.entries_of(version)],
    }


class DispatchCatalogueView(ApiMixin, APIView):
    @extend_schema(
        operation_id="dispatch_catalogue",
        summary="派单目录 The dispatch catalogue",
        description="The version of the dispatch catalogue in force (or `?version=N`, a "
        "published or retired one): for each category its lead unit, co-units and urgency "
        "tier, with the tier's clocks (sign, first contact, finish) for the category's case "
        "type. Before any version is published, and for a draft or a version that does not "
        "exist, a 404. Dispatchers and administrators only (403).",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "version",
                OpenApiTypes.INT,
                description="A version number (default: the one in force).",
            )
        ],
        responses={
            200: DispatchCatalogueSerializer,
            404: OpenApiResponse(
                ErrorSerializer,
                description="No version in force yet (`no_catalogue`), or `?version=N` names "
                "a draft or no version (`not_found`).",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        user = caller(request)
        if not catalogue.may_read(user):
            raise PermissionDenied()
        number = validated(CatalogueVersionQuerySerializer, request, data=request.query_params).get(
            "version"
        )
        versions = DispatchCatalogue.objects.exclude(status=CatalogueStatus.DRAFT).select_related(
            "created_by", "published_by"
        )
        if number is not None:
            found = versions.filter(version=number).first()
            if found is None:
                raise NotFound()
        else:
            found = versions.filter(status=CatalogueStatus.PUBLISHED).first()
            if found is None:
                raise ApiError.one(
                    404,
                    "no_catalogue",
                    "尚未发布派单目录。",
                    "No dispatch catalogue has been published yet.",
                )
        return Response(DispatchCatalogueSerializer(_answer(found)).data)


urlpatterns = [
    path("dispatch-catalogue/", DispatchCatalogueView.as_view(), name="dispatch-catalogue"),
]
