"""The API's door to the move catalogue: every offered move of ``cases/moves.py`` as
``POST /api/v1/cases/{id}/{action}/``.

The door only binds: it checks each JSON value has the type of its form field (a string for a
text, an integer for a unit, a list for co-units, true/false for a yes/no, a list of objects
for the parts of a split), hands the values to the move's form — the one validation the pages
use too — and calls the move. A serializer drawn from the same form documents the body in the
OpenAPI schema; it validates nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from rest_framework import serializers
from rest_framework.request import Request

from api.base import caller
from api.errors import ApiError, ErrorItem, form_error_items
from cases import forms as f
from cases import moves, services
from cases.models import Case, Via
from cases.moves import MoveSpec
from people.models import User

# What a JSON value of each kind of form field must be.
_TYPE_ERRORS = {
    "text": ("必须是字符串。", "Must be a string."),
    "integer": ("必须是整数。", "Must be an integer."),
    "list": ("必须是整数数组。", "Must be a list of integers."),
    "boolean": ("必须是 true 或 false。", "Must be true or false."),
    "ref": ("必须是事项 id 或编号。", "Must be a case id or number."),
    "parts": (
        "必须是对象数组，每项含 title、description，可选 category。",
        "Must be a list of objects, each with title, description and an optional category.",
    ),
}


def _kind(field: forms.Field) -> str:
    if isinstance(field, f.SplitPartsField):
        return "parts"
    if getattr(field, "accepts_integer", False):
        return "ref"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "list"
    if isinstance(field, forms.ModelChoiceField | forms.IntegerField):
        return "integer"
    if isinstance(field, f.YesNoField):
        return "boolean"
    return "text"


def _fits(kind: str, value: Any) -> bool:
    if kind == "ref":
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if kind == "text":
        return isinstance(value, str)
    if kind == "parts":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        )
    return isinstance(value, bool)


def bind(spec: MoveSpec, body: Any, *, case: Case, user: User) -> Any:
    """The move's form bound to a JSON body, or a 400 naming every value of the wrong type."""
    if not isinstance(body, dict):
        raise ApiError.one(
            400, "invalid", "请求体须为 JSON 对象。", "The request body must be a JSON object."
        )
    # Bound (to nothing) only to list its fields: an unbound form would look up the initial
    # values a page shows (the dispatch catalogue's suggestion), which a body never needs.
    form = spec.bind({}, case=case, user=user)
    data: dict[str, Any] = {}
    wrong = []
    for name, field in form.fields.items():
        value = body.get(name)
        if value is None:
            continue
        kind = _kind(field)
        if not _fits(kind, value):
            wrong.append(ErrorItem(name, "invalid_type", *_TYPE_ERRORS[kind]))
            continue
        data[name] = str(value) if kind == "ref" else value
    if wrong:
        raise ApiError(wrong)
    return spec.bind(data, case=case, user=user)


def perform(spec: MoveSpec, request: Request, case: Case) -> Case:
    """Bind, validate and make the move (``via=api``); errors are the API's 400/403/409. A move
    the case's state or the caller's scope rules out is refused before the body is read."""
    user = caller(request)
    services.check_move(case, spec.kind, user)
    form = bind(spec, request.data, case=case, user=user)
    if not form.is_valid():
        raise ApiError(form_error_items(form))
    return spec.perform(case, user, form.arguments(), via=Via.API)


def allowed_actions(case: Case, user: User) -> list[dict[str, str]]:
    return [
        {"move": name, "action": moves.CATALOGUE[name].action}
        for name in services.allowed_moves(case, user)
    ]


# --- The schema's picture of each form --------------------------------------------------------


class SplitPartSerializer(serializers.Serializer):
    """One part of a split (拆分): the first stays in the case, each other becomes a new one."""

    title = serializers.CharField(max_length=f.MAX_TITLE, help_text="标题 Title.")
    description = serializers.CharField(max_length=f.MAX_TEXT, help_text="诉求内容 Text.")
    category = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="分类 A category id of the case's type (optional).",
    )


def _documented(name: str, field: forms.Field) -> serializers.Field:
    help_text = str(field.help_text or field.label or "")
    options: dict[str, Any] = {"required": field.required and name != "mediation_outcome"}
    if isinstance(field, f.SplitPartsField):
        return serializers.ListField(
            child=SplitPartSerializer(),
            min_length=2,
            max_length=f.MAX_SPLIT_PARTS,
            help_text=help_text,
            **options,
        )
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(
            child=serializers.IntegerField(min_value=1), help_text=help_text, **options
        )
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, help_text=help_text, **options)
    # DRF's own default for each bound is None (no bound); its stubs allow only an int.
    if isinstance(field, f.CaseRefField):
        return serializers.CharField(
            max_length=field.max_length,  # type: ignore[arg-type]
            help_text=help_text + " (id or number)",
            **options,
        )
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value,  # type: ignore[arg-type]
            max_value=field.max_value,  # type: ignore[arg-type]
            help_text=help_text,
            **options,
        )
    if isinstance(field, f.YesNoField):
        return serializers.BooleanField(help_text=help_text, **options)
    if isinstance(field, f.MomentField):
        return serializers.DateTimeField(help_text=help_text, allow_null=True, **options)
    if isinstance(field, forms.ChoiceField):
        choices = list(f.choices_of(field))
        values = [value for value, _label in choices]
        return serializers.ChoiceField(
            choices=[(v, label) for v, label in choices if v != ""],
            allow_blank="" in values,
            help_text=help_text,
            **options,
        )
    return serializers.CharField(
        max_length=getattr(field, "max_length", None),  # type: ignore[arg-type]
        allow_blank=not field.required,
        help_text=help_text,
        **options,
    )


def request_serializer(spec: MoveSpec) -> type[serializers.Serializer]:
    """A serializer naming the move form's fields, for the OpenAPI schema only."""
    assert spec.form is not None
    fields = {name: _documented(name, field) for name, field in spec.form.base_fields.items()}
    fields["version"].help_text = "`version` of the case as the client read it."
    name = "".join(part.title() for part in spec.action.split("-")) + "Request"
    return type(name, (serializers.Serializer,), fields)
