"""One JSON shape for every API error, in Chinese and in English, with the right status.

    {"errors": [{"field": "title", "code": "required",
                 "message": "该字段是必填项。", "message_en": "This field is required."}]}

``field`` names the request field (dotted for nested ones: ``co_units.0``), the query
parameter, or the header the error is about, and is null for an error about the whole request.
``exception_handler`` is DRF's ``EXCEPTION_HANDLER``: it maps the engine's errors
(``NotPermitted`` → 403, ``InvalidTransition`` / ``StaleCase`` → 409), Django's
``ValidationError`` → 400, DRF's own exceptions to their status, and anything unexpected to a
logged JSON 500, never an HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from cases.services import CaseError, InvalidTransition, NotPermitted, StaleCase

logger = logging.getLogger("lianxin.api")

CHINESE = "zh-hans"

# When a message has no English in the catalogue (``locale/en``): a sentence by error code.
FALLBACK: dict[str, str] = {
    "invalid": "The request is not valid.",
    "required": "This field is required.",
    "invalid_transition": "This move is not allowed for the case now.",
    "stale": "The case changed since you read it; reload it and try again.",
    "forbidden": "You are not permitted to do this.",
    "permission_denied": "You are not permitted to do this.",
    "not_found": "Not found.",
    "not_authenticated": "Authentication credentials were not provided.",
    "authentication_failed": "The API key is invalid or revoked.",
    "throttled": "Too many requests; slow down.",
    "server_error": "An unexpected error occurred.",
}


def fallback(code: str) -> str:
    return FALLBACK.get(code, FALLBACK["invalid"])


def english_of(message: str, code: str) -> str:
    """The English of a message already rendered in Chinese: its catalogue entry when the text
    is a msgid as it stands (no placeholders), else the sentence of its code."""
    with translation.override("en"):
        en = translation.gettext(message)
    return en if en != message else fallback(code)


def render(message: Any, params: dict[str, Any] | None, language: str) -> str:
    """A lazy message with its params, in ``language`` (params may be lazy too)."""
    with translation.override(language):
        text = str(message)
        if params:
            text = text % {key: str(value) for key, value in params.items()}
    return text


def validation_items(error: DjangoValidationError, field: str | None = None) -> list[ErrorItem]:
    """Every error of a Django ``ValidationError`` (an engine's or a form's), field by field,
    rendered from its lazy message in Chinese and in English."""
    if hasattr(error, "error_dict"):
        items = []
        for name, errors in error.error_dict.items():
            field_name = None if name in (None, "__all__") else name
            for one in errors:
                items.extend(validation_items(one, field_name))
        return items
    items = []
    for one in error.error_list:
        code = one.code or "invalid"
        chinese = render(one.message, one.params, CHINESE)
        english = render(one.message, one.params, "en")
        if english == chinese:
            english = english_of(chinese, code)
        items.append(ErrorItem(field, code, chinese, english))
    return items


def form_error_items(form: Any) -> list[ErrorItem]:
    """A bound Django form's errors (the move catalogue's validation) as API error items."""
    items = []
    for name, errors in form.errors.as_data().items():
        for error in errors:
            items.extend(validation_items(error, None if name == "__all__" else name))
    return items


@dataclass(frozen=True)
class ErrorItem:
    field: str | None
    code: str
    message: str
    message_en: str


class ApiError(exceptions.APIException):
    """An error whose items are already in both languages."""

    def __init__(self, items: list[ErrorItem], status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(
            detail=items[0].message if items else "", code=items[0].code if items else None
        )
        self.items = items
        self.status_code = status_code

    @classmethod
    def one(
        cls,
        status_code: int,
        code: str,
        message: str,
        message_en: str,
        *,
        field: str | None = None,
    ) -> ApiError:
        return cls([ErrorItem(field, code, message, message_en)], status_code)


def service_caller(conflicts: frozenset[str] = frozenset()) -> Callable[..., Any]:
    """How a domain API calls its services: ``call(service, *args, **kwargs)``. A refused caller
    (Django's ``PermissionDenied``) is a 403 with the service's own message; a refusal whose
    every code is in ``conflicts`` (about the state of things now: closed, answered, final) is
    a 409; any other ``ValidationError`` goes on to the exception handler as a 400."""

    def call(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return service(*args, **kwargs)
        except DjangoPermissionDenied as error:
            message = str(error) or "您无权执行该操作。"
            raise ApiError.one(
                403, "forbidden", message, english_of(message, "forbidden")
            ) from None
        except DjangoValidationError as error:
            items = validation_items(error)
            if items and all(item.code in conflicts for item in items):
                raise ApiError(items, status.HTTP_409_CONFLICT) from None
            raise

    return call


def error_body(items: Iterable[ErrorItem]) -> dict[str, Any]:
    return {"errors": [asdict(item) for item in items]}


# --- Validation errors in both languages ------------------------------------------------------


def flatten(detail: Any, prefix: str | None = None) -> Iterator[tuple[str | None, str, str]]:
    """(field, code, message) for each error of a DRF error tree (dicts, lists, ErrorDetail)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            key = str(key)
            if key in ("__all__", api_settings.NON_FIELD_ERRORS_KEY):
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else key
            yield from flatten(value, name)
    elif isinstance(detail, list | tuple):
        if all(isinstance(item, str) for item in detail):
            for item in detail:
                yield prefix, str(getattr(item, "code", None) or "invalid"), str(item)
        else:
            for index, item in enumerate(detail):
                if item:  # a list of nested serializers has {} for the items without errors
                    yield from flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, str(getattr(detail, "code", None) or "invalid"), str(detail)


def bilingual(
    chinese: list[tuple[str | None, str, str]], english_twin: list[tuple[str | None, str, str]]
) -> list[ErrorItem]:
    """Pair the errors of one validation run in Chinese with the same run in English.

    A message that has no English translation falls back to the sentence of its code; the
    two runs are the same code on the same data, so they line up.
    """
    paired = len(chinese) == len(english_twin)
    items = []
    for index, (field, code, message) in enumerate(chinese):
        en = english_twin[index][2] if paired else ""
        if not en or en == message:
            en = english_of(message, code)
        items.append(ErrorItem(field, code, message, en))
    return items


def validation_error(run: Any) -> ApiError:
    """Run ``run()`` (returning a DRF error tree) in Chinese and in English and pair them."""
    with translation.override(CHINESE):
        chinese = list(flatten(run()))
    with translation.override("en"):
        english_twin = list(flatten(run()))
    return ApiError(bilingual(chinese, english_twin))


if TYPE_CHECKING:
    from rest_framework.serializers import Serializer as _MixedIntoSerializer
else:
    _MixedIntoSerializer = object


class BilingualSerializerMixin(_MixedIntoSerializer):
    """A serializer whose validation errors come out as ``ApiError`` in both languages."""

    def is_valid(self, *, raise_exception: bool = False) -> bool:
        valid = super().is_valid(raise_exception=False)
        if not valid and raise_exception:

            def run() -> Any:
                twin = type(self)(
                    instance=getattr(self, "instance", None),
                    data=self.initial_data,
                    context=self.context,
                    partial=self.partial,
                )
                twin.is_valid()
                return twin.errors

            raise validation_error(run)
        return valid


# --- The exception handler --------------------------------------------------------------------

ENGINE_STATUS = {
    NotPermitted: status.HTTP_403_FORBIDDEN,
    InvalidTransition: status.HTTP_409_CONFLICT,
    StaleCase: status.HTTP_409_CONFLICT,
}


def _engine_items(exc: CaseError) -> list[ErrorItem]:
    return [
        ErrorItem(
            exc.field,
            exc.code,
            render(exc.message, exc.params, CHINESE),
            render(exc.message, exc.params, "en"),
        )
    ]


def _drf_items(exc: exceptions.APIException, request: Any) -> list[ErrorItem]:
    code = exc.get_codes() if not isinstance(exc.detail, dict | list) else "invalid"
    code = code if isinstance(code, str) else "invalid"
    method = getattr(request, "method", "")
    if isinstance(exc, exceptions.ValidationError):
        return bilingual(list(flatten(exc.detail)), [])
    if isinstance(exc, exceptions.ParseError):
        return [
            ErrorItem(
                None,
                "parse_error",
                _("请求体不是有效的 JSON。"),
                f"The request body is not valid JSON ({exc.detail}).",
            )
        ]
    if isinstance(exc, exceptions.MethodNotAllowed):
        return [
            ErrorItem(
                None,
                code,
                _("不支持 %(method)s 方法。") % {"method": method},
                f'Method "{method}" is not allowed here.',
            )
        ]
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return [
            ErrorItem(
                None,
                code,
                _("请求体须为 JSON（Content-Type: application/json）。"),
                "Send the request body as JSON (Content-Type: application/json).",
            )
        ]
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)  # type: ignore[attr-defined]  # set in __init__; not in the stubs
        return [
            ErrorItem(
                None,
                "throttled",
                _("请求过于频繁，请 %(seconds)d 秒后再试。") % {"seconds": wait},
                f"Too many requests; try again in {wait} seconds.",
            )
        ]
    if isinstance(exc, exceptions.NotAuthenticated):
        return [
            ErrorItem(
                None,
                code,
                _("请提供接口密钥（Authorization: Token <密钥>）或先登录。"),
                "Send an API key (Authorization: Token <key>) or sign in.",
            )
        ]
    if isinstance(exc, exceptions.PermissionDenied) and "CSRF" in str(exc.detail):
        return [
            ErrorItem(
                None,
                code,
                str(exc.detail),
                "CSRF check failed: send the csrftoken cookie's value as the X-CSRFToken header "
                f"({exc.detail}).",
            )
        ]
    if isinstance(exc, exceptions.NotFound):
        return [ErrorItem(None, "not_found", _("未找到。"), "Not found.")]
    message = str(exc.detail)
    return [ErrorItem(None, code, message, english_of(message, code))]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's ``EXCEPTION_HANDLER``: every error as ``{"errors": [...]}``."""
    request = context.get("request")
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        items, code = exc.items, exc.status_code
    elif isinstance(exc, CaseError):
        code = ENGINE_STATUS.get(type(exc), status.HTTP_409_CONFLICT)
        items = _engine_items(exc)
    elif isinstance(exc, IntegrityError):
        # Validation checks uniqueness first; this is the race where two requests both passed.
        items = [
            ErrorItem(
                None,
                "conflict",
                _("与已有数据冲突（可能有人同时提交了相同内容），请刷新后重试。"),
                "This conflicts with existing data (perhaps a simultaneous request); reload and retry.",
            )
        ]
        code = status.HTTP_409_CONFLICT
    elif isinstance(exc, RequestDataTooBig):
        # The parser refuses a large body before reading it; this covers any earlier reader.
        from api.parsers import request_too_large

        too_large = request_too_large()
        items, code = too_large.items, too_large.status_code
    elif isinstance(exc, DjangoValidationError):
        items, code = validation_items(exc), status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, Http404):
        items, code = _drf_items(exceptions.NotFound(), request), status.HTTP_404_NOT_FOUND
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
        items, code = _drf_items(exc, request), status.HTTP_403_FORBIDDEN
    elif isinstance(exc, exceptions.APIException):
        items, code = _drf_items(exc, request), exc.status_code
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    else:
        logger.exception("Unexpected error in the API", exc_info=exc)
        items = [
            ErrorItem(
                None,
                "server_error",
                _("服务器内部错误，请稍后重试或联系管理员。"),
                "An unexpected error occurred; try again later or contact the administrator.",
            )
        ]
        code = status.HTTP_500_INTERNAL_SERVER_ERROR
    set_rollback()
    return Response(error_body(items), status=code, headers=headers)
