"""What every API view shares: Chinese as the language of ``message``, fetching a case through
the caller's scope, and validating a request with a serializer."""

from __future__ import annotations

from typing import Any, cast

from django.utils import translation
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from api.errors import CHINESE
from api.filters import MAX_ID
from cases.models import Case, CaseQuerySet
from cases.scope import visible_case, visible_cases
from people.models import User


class ApiMixin:
    """Runs the view in Chinese, so data labels and ``message`` do not depend on the client's
    Accept-Language (``message_en`` carries the English)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        translation.activate(CHINESE)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]


def caller(request: Request) -> User:
    """The signed-in user behind an API request. Every view requires one (``IsAuthenticated``
    by default, the registries' own permissions likewise) except the 404 fallback, which reads
    no user."""
    return cast(User, request.user)


def scoped_cases(user: User) -> CaseQuerySet:
    """The cases the user may see, with what a list row shows (one query for a page)."""
    return visible_cases(user).select_related(
        "case_type", "category", "region", "lead_unit", "enterprise"
    )


def get_case(user: User, pk: int) -> Case:
    """A case through the caller's scope; one they may not see does not exist for them (404)."""
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    case = visible_case(user, pk)
    if case is None:
        raise NotFound()
    return case


def validated(serializer_class: type, request: Request, *, data: Any = None) -> dict[str, Any]:
    """The validated data of ``request`` (its body, or ``data``), or a 400 in both languages."""
    serializer = serializer_class(
        data=request.data if data is None else data, context={"request": request}
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
