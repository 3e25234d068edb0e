"""Cursor pagination for every API list: lists of cases and events grow without bound, and a
cursor stays correct while rows are added, where page numbers would skip or repeat rows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from api.errors import ApiError

MAX_PAGE_SIZE = 200


def invalid_cursor() -> ApiError:
    return ApiError.one(
        400,
        "invalid",
        _("分页游标无效，请使用上一页响应中的 next / previous 链接。"),
        "The cursor is not valid; follow the next / previous links of a previous page.",
        field="cursor",
    )


class Cursor(CursorPagination):
    """``?cursor=`` from the ``next`` / ``previous`` links; ``?page_size=`` up to 200.

    A view may set ``cursor_ordering`` (a tuple) or define ``get_cursor_ordering(request)`` for
    orderings the client chooses; the first field must be unique or nearly so, never null.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-id",)

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        if hasattr(view, "get_cursor_ordering"):
            return tuple(view.get_cursor_ordering(request))
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def decode_cursor(self, request: Any) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise invalid_cursor() from None
        # PostgreSQL cannot compare text with a NUL character; only a made-up cursor holds one.
        # (The position is the text of the cursor's "p"; the stubs type it as an int.)
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:  # type: ignore[operator]
            raise invalid_cursor()
        return cursor

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        # The position inside a cursor is only ever our own; a value the database cannot
        # compare to the ordering field means the client made the cursor up.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise invalid_cursor() from None
