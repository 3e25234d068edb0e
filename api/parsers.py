"""The API reads JSON only, and only what it can hold: a body no larger than Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413 otherwise), nested no deeper than ``MAX_DEPTH`` (400), and
text that is Unicode (a lone surrogate escape such as "\\ud800" parses in Python but cannot be
stored in any database).

DRF hands a ``JSONParser`` the whole ``request.body``, whose size check raises an exception the
API would answer with a 500; this parser is not a ``JSONParser`` subclass, so DRF hands it the
request stream instead, and it reads at most the limit and one byte more.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import JSONRenderer

if TYPE_CHECKING:
    from api.errors import ApiError

# No request of the API nests deeper than a few levels (``details`` of a case is the deepest);
# Python's json module recurses once per level and fails with RecursionError near 1,000.
MAX_DEPTH = 32


def _size(limit: int) -> str:
    """2621440 → "2.5 MB" (Django's default), 4096 → "4 KB"."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.3g} MB"
    if limit >= 1024:
        return f"{limit / 1024:.3g} KB"
    return f"{limit} B"


def request_too_large(limit: int | None = None) -> ApiError:
    """The 413 of a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    # Imported here: DRF's settings import this module while rest_framework.views, which
    # api.errors imports, is still loading.
    from api.errors import ApiError

    size = _size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE if limit is None else limit)
    return ApiError.one(
        413,
        "too_large",
        _("请求体过大，不能超过 %(size)s。") % {"size": size},
        f"The request body is too large; the limit is {size}.",
    )


def too_deep() -> ApiError:
    from api.errors import ApiError  # as in request_too_large

    return ApiError.one(
        400,
        "too_deep",
        _("请求体嵌套过深（最多 %(n)d 层）。") % {"n": MAX_DEPTH},
        f"The request body is nested too deeply (at most {MAX_DEPTH} levels).",
    )


def _check(data: Any) -> None:
    """Depth and Unicode of parsed JSON, walked without recursion (depth is not yet known)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError("invalid Unicode (lone surrogate)") from None
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise too_deep()
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)


def _content_length(parser_context: Any) -> int:
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {})
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class StrictJSONParser(BaseParser):
    """JSON, bounded in size and depth, Unicode only (DRF's ``JSONParser`` does the parsing)."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None:
            # Refused before reading when the client says how much it sends; the read is
            # bounded too, so a body longer than it claims never fills memory either.
            if _content_length(parser_context) > limit:
                raise request_too_large(limit)
            raw = stream.read(limit + 1)
            if len(raw) > limit:
                raise request_too_large(limit)
            stream = io.BytesIO(raw)
        try:
            data = JSONParser().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        _check(data)
        return data
