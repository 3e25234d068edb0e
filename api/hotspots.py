"""REST API: the suggested category and lead unit of a case (未诉先办), learnt from the
office's closed cases (``hotspots/suggest.py``). Read-only.

``GET cases/{id}/suggestions/`` reads a case through the caller's scope (404 otherwise);
``POST suggestions/`` takes a text being typed (``{"text": …}``, at most 5,000 characters).
Only those who triage read them: dispatchers, operators, leaders and administrators (403).
Before any training the lists are empty and ``model`` is null.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller, get_case, validated
from api.errors import BilingualSerializerMixin
from cases.models import CaseType
from hotspots import suggest
from people.models import DISPATCHERS, OPERATORS, Role, User

TAGS = ["suggestions"]
MAX_TEXT = 5000
ROLES = DISPATCHERS | OPERATORS | {Role.LEADER}


class SuggestedCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    case_type = serializers.CharField(help_text="The case type's code.")
    probability = serializers.FloatField(help_text="0–1, the model's confidence.")


class SuggestedUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    probability = serializers.FloatField(help_text="0–1, the model's confidence.")


class SuggesterInfoSerializer(serializers.Serializer):
    trained_at = serializers.DateTimeField()
    cases_used = serializers.IntegerField()
    category_accuracy = serializers.FloatField(allow_null=True)
    unit_accuracy = serializers.FloatField(allow_null=True)


class SuggestionsSerializer(serializers.Serializer):
    categories = SuggestedCategorySerializer(many=True)
    units = SuggestedUnitSerializer(many=True)
    model = SuggesterInfoSerializer(allow_null=True)


class SuggestRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT, help_text="A case's title and description.")
    case_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CaseType.objects.all(),
        required=False,
        help_text="Only categories of this case type (its code).",
    )


def _allowed(user: User) -> None:
    if not (user.is_admin or user.has_role(*ROLES)):
        raise PermissionDenied()


def _answer(found: suggest.Suggestions) -> dict[str, Any]:
    model = found.model
    return {
        "categories": [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "case_type": c.case_type.code,
                "probability": round(p, 4),
            }
            for c, p in found.categories
        ],
        "units": [
            {"id": u.pk, "name": u.name, "short_name": u.short_name, "probability": round(p, 4)}
            for u, p in found.units
        ],
        "model": None
        if model is None
        else {
            "trained_at": model.trained_at,
            "cases_used": model.cases_used,
            "category_accuracy": model.category_accuracy,
            "unit_accuracy": model.unit_accuracy,
        },
    }


class CaseSuggestionsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="case_suggestions",
        summary="建议分类与承办单位 A case's suggested category and lead unit",
        description="The three likeliest categories (of the case's type) and lead units for the "
        "case's title and description, with their probabilities, learnt from the office's "
        "closed cases. A case the caller may not see is a 404; a caller who does not triage "
        "(not a dispatcher, operator, leader or administrator) gets a 403.",
        tags=TAGS,
        responses=SuggestionsSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        case = get_case(user, pk)
        _allowed(user)
        return Response(SuggestionsSerializer(_answer(suggest.suggest_for_case(case))).data)


class TextSuggestionsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="text_suggestions",
        summary="按文本建议分类与承办单位 Suggest a category and lead unit for a text",
        description="As `cases/{id}/suggestions/`, for a text not yet saved as a case (the "
        "desk's form while it is typed). Nothing is stored.",
        tags=TAGS,
        request=SuggestRequestSerializer,
        responses=SuggestionsSerializer,
    )
    def post(self, request: Request) -> Response:
        user = caller(request)
        _allowed(user)
        data = validated(SuggestRequestSerializer, request)
        case_type = data.get("case_type")
        found = suggest.suggest(
            data["text"], case_type_id=case_type.pk if case_type is not None else None
        )
        return Response(SuggestionsSerializer(_answer(found)).data)


urlpatterns = [
    path("cases/<int:pk>/suggestions/", CaseSuggestionsView.as_view(), name="case-suggestions"),
    path("suggestions/", TextSuggestionsView.as_view(), name="suggestions"),
]
