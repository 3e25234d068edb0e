"""The pages' door to the move catalogue: bind a POST to the move's form, make the move through
``MoveSpec.perform`` (recorded as ``via=web``), and report the outcome the same way on every page.

``StaleCase`` (the case moved since the form was drawn: a double click, a resubmitted form, a
colleague) → the message and the fresh case page; ``NotPermitted`` → 403; ``InvalidTransition``
→ the message and back; an engine ``ValidationError`` → beside its field of the form, which the
page shows again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import services
from cases.models import Case, Via
from cases.moves import MoveSpec
from people.http import AuthenticatedHttpRequest

P = ParamSpec("P")
# A page behind role_required: its request's user is signed in.
View = Callable[Concatenate[AuthenticatedHttpRequest, P], HttpResponse]


def case_url(case: Case | int) -> str:
    return reverse("caseviews:case-detail", args=[getattr(case, "pk", case)])


def show_engine_error(form: Form, error: ValidationError) -> None:
    """Put an engine error beside the form's field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def run(
    request: HttpRequest, form: Form, call: Callable[[], Case], *, back: str
) -> tuple[Case | None, HttpResponse | None]:
    """Call ``call()`` (one engine service) for a valid ``form``.

    Returns (the moved case, None); (None, a response reporting a refused move); or
    (None, None) when the engine found the input invalid: the error is on ``form``.
    """
    try:
        return call(), None
    except services.StaleCase as error:
        messages.error(request, str(error))
        case = getattr(form, "case", None)
        return None, redirect(case_url(case) if case is not None else back)
    except services.NotPermitted as error:
        raise PermissionDenied(str(error)) from error
    except services.InvalidTransition as error:
        messages.error(request, str(error))
        return None, redirect(back)
    except ValidationError as error:
        show_engine_error(form, error)
        return None, None


def perform(
    request: AuthenticatedHttpRequest, spec: MoveSpec, form: Any, *, back: str
) -> tuple[Case | None, HttpResponse | None]:
    """Make the catalogue move ``spec`` with a valid form bound by ``spec.bind``."""
    return run(
        request,
        form,
        lambda: spec.perform(form.case, request.user, form.arguments(), via=Via.WEB),
        back=back,
    )


def done_message(request: HttpRequest, spec: MoveSpec) -> None:
    messages.success(request, _("已完成：%(move)s。") % {"move": spec.label})


def role_required(*roles: str) -> Callable[[View[P]], View[P]]:
    """A workbench for these roles (and administrators); everyone else gets 403."""

    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            if not (request.user.is_admin or request.user.has_role(*roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
