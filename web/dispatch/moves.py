"""Running one engine move from a page, with the errors mapped the same way on every workbench.

``StaleCase`` (the case moved since the form was drawn: a double click, a resubmitted form, a
colleague) → the message and the fresh case page; ``NotPermitted`` → 403;
``InvalidTransition`` → the message and back. A ``ValidationError`` is left to the caller, which
shows it beside the field of its own form.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cases import services
from cases.models import Case


def case_url(case: Case | int) -> str:
    return reverse("caseviews:case-detail", args=[getattr(case, "pk", case)])


def run_move(
    request: HttpRequest, case: Case, version: int, move: Callable[[Case], Case], *, back: str
) -> tuple[Case | None, HttpResponse | None]:
    """Call ``move(case)`` with the version the form was rendered with.

    Returns (the moved case, None) or (None, the response that reports the failure).
    """
    case.version = version
    try:
        return move(case), None
    except services.StaleCase as error:
        messages.error(request, str(error))
        return None, redirect(case_url(case))
    except services.NotPermitted as error:
        raise PermissionDenied(str(error)) from error
    except services.InvalidTransition as error:
        messages.error(request, str(error))
        return None, redirect(back)


def role_required(*roles: str) -> Callable:
    """A workbench for these roles (and administrators); everyone else gets 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not (request.user.is_admin or request.user.has_role(*roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
