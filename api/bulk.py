"""``POST /api/v1/cases/bulk/``: one move on many cases (批量交办, 督办, 催办, 同意延期, 销号), the
API's door to ``cases/bulk.py``.

The body names the move (its action, ``supervise``, or its kind, ``supervised``), up to
``MAX_BULK`` case ids and the move's input (``arguments``, the body of the one-case endpoint
without ``version``). The input is checked once for what is wrong whatever the case (a 400,
nothing moved); then each case is moved by its own service in its own transaction, on its
current version, and the answer lists per case whether it moved or why not (200). An id the
caller may not see answers ``not_found``, exactly as an id that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import moves as api_moves
from api.base import ApiMixin, caller, validated
from api.errors import (
    CHINESE,
    ApiError,
    BilingualSerializerMixin,
    ErrorItem,
    form_error_items,
    render,
    validation_items,
)
from api.filters import MAX_ID
from api.serializers import ErrorItemSerializer
from cases import bulk, moves
from cases.models import Case, Via
from cases.moves import MoveSpec
from cases.services import CaseError

ACTIONS = ", ".join(f"`{moves.CATALOGUE[kind].action}` ({kind})" for kind in bulk.BULK_KINDS)


class BulkRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    action = serializers.CharField(
        max_length=40,
        help_text=f"The move: its action or its kind. One of {ACTIONS}.",
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        help_text=f"The cases' ids, at most {bulk.MAX_BULK}; repeated ids count once.",
    )
    arguments = serializers.DictField(
        required=False,
        default=dict,
        help_text="The move's input, as the body of its one-case endpoint without `version` "
        '(`{"note": …}` for `supervise`, `{"lead_unit": …}` for `assign`).',
    )

    def validate_ids(self, ids: list[int]) -> list[int]:
        ids = bulk.unique_ids(ids)
        if len(ids) > bulk.MAX_BULK:
            raise serializers.ValidationError(
                _("一次最多批量处理 %(max)s 件事项，本次有 %(n)s 件。请分批提交。")
                % {"max": bulk.MAX_BULK, "n": len(ids)},
                code="too_many",
            )
        return ids


class BulkResultItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField(help_text="Whether the move was made on this case.")
    number = serializers.CharField(
        allow_null=True, help_text="Null for an id the caller may not see or that does not exist."
    )
    status = serializers.CharField(allow_null=True, help_text="The case's state after the move.")
    version = serializers.IntegerField(allow_null=True)
    # A declared field: DRF's metaclass takes it off the class, so Serializer.errors stays.
    errors = ErrorItemSerializer(  # type: ignore[assignment]
        many=True, help_text="Why not (empty when `ok`)."
    )


class BulkResponseSerializer(serializers.Serializer):
    action = serializers.CharField()
    move = serializers.CharField()
    total = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BulkResultItemSerializer(many=True)


def _spec(name: str) -> MoveSpec:
    for kind in bulk.BULK_KINDS:
        spec = moves.CATALOGUE[kind]
        if name in (spec.kind, spec.action):
            return spec
    raise ApiError.one(
        400,
        "invalid_choice",
        f"不支持批量执行“{name}”。可批量执行的操作：{ACTIONS}。",
        f'"{name}" cannot be made in bulk. The bulk moves: {ACTIONS}.',
        field="action",
    )


def _prefixed(items: list[ErrorItem], whole: str | None = "arguments") -> list[ErrorItem]:
    """Errors of the move's input named as fields of ``arguments`` (``arguments.note``)."""
    return [
        ErrorItem(
            f"arguments.{item.field}" if item.field else whole,
            item.code,
            item.message,
            item.message_en,
        )
        for item in items
    ]


def _arguments(spec: MoveSpec, body: dict[str, Any], request: Request) -> dict[str, Any]:
    """The move's input, type-checked and validated once (what is wrong for every case)."""
    user = caller(request)
    try:
        typed = api_moves.bind(spec, {**body, "version": 1}, case=Case(version=1), user=user)
    except ApiError as error:
        raise ApiError(_prefixed(error.items)) from None
    data = {name: value for name, value in typed.data.items() if name != "version"}
    form = bulk.arguments_form(spec, data, user)
    if not form.is_valid():
        raise ApiError(_prefixed(form_error_items(form)))
    return data


def _errors(outcome: bulk.Outcome) -> list[ErrorItem]:
    error = outcome.error
    if outcome.case is None:
        return [
            ErrorItem(
                None,
                "not_found",
                render(bulk.NOT_FOUND, None, CHINESE),
                "Not found, or not visible to you.",
            )
        ]
    if error is None:
        return []
    if isinstance(error, ValidationError):
        return _prefixed(validation_items(error), whole=None)
    assert isinstance(error, CaseError)
    return [
        ErrorItem(
            error.field,
            error.code,
            render(error.message, error.params, CHINESE),
            render(error.message, error.params, "en"),
        )
    ]


def _item(outcome: bulk.Outcome) -> dict[str, Any]:
    case = outcome.case
    return {
        "id": outcome.pk,
        "ok": outcome.ok,
        "number": case.number if case is not None else None,
        "status": case.status if case is not None else None,
        "version": case.version if case is not None else None,
        "errors": [vars(item) for item in _errors(outcome)],
    }


class CaseBulkView(ApiMixin, APIView):
    @extend_schema(
        operation_id="cases_bulk",
        summary="批量操作 One move on many cases",
        description="Make one move on up to 500 cases: "
        f"{ACTIONS}. The `arguments` are checked once first: input wrong for every case (a "
        "missing note, an unknown unit) answers 400 and moves nothing. Then each case is moved by "
        "its own service in its own transaction, on its current version (no `version` to send), "
        "with the same rules as one by one: a case in the wrong state, outside the caller's "
        "scope or refusing the input is reported in its own `errors` and the others still move. "
        "An id the caller may not see answers `not_found`, as one that does not exist. `销号` "
        "in bulk closes only cases whose return visit passed.",
        tags=["moves"],
        request=BulkRequestSerializer,
        responses={200: BulkResponseSerializer},
        examples=[
            OpenApiExample(
                "督办",
                value={"action": "supervise", "ids": [101, 102], "arguments": {"note": "请加快"}},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        body = validated(BulkRequestSerializer, request)
        spec = _spec(body["action"])
        data = _arguments(spec, body["arguments"], request)
        outcomes = bulk.perform_bulk(spec, caller(request), body["ids"], data, via=Via.API)
        results = [_item(outcome) for outcome in outcomes]
        succeeded = sum(1 for item in results if item["ok"])
        return Response(
            {
                "action": spec.action,
                "move": spec.kind,
                "total": len(results),
                "succeeded": succeeded,
                "failed": len(results) - succeeded,
                "results": results,
            }
        )


urlpatterns = [path("cases/bulk/", CaseBulkView.as_view(), name="case-bulk")]
