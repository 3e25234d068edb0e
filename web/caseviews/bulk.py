"""The case list's bulk moves (批量交办, 督办, 催办, 同意延期, 销号): tick cases, or take every case
the filter finds (up to ``MAX_BULK``), choose the move, give its input once, and read per case
whether it was made or why not.

Three steps, all through the catalogue (``cases/bulk.py``): the list posts the selection here
(nothing moves yet) → this page shows the cases and the move's own form → its POST moves each
case by its own service in its own transaction, keeps the outcome in the session and redirects
to the outcome's page, so reloading it moves nothing twice. A one-time token guards the POST
against a second click.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import bulk
from cases.models import Case, Via
from cases.moves import MoveSpec
from cases.scope import visible_cases
from people.http import AuthenticatedHttpRequest
from web.caseviews.filters import CaseFilter

TOKENS = "bulk_tokens"  # the session's one-time tokens of bulk forms on screen
RESULT = "bulk_result"  # the session's last outcome, shown by case_bulk_result


class Refused(Exception):
    """The selection cannot be acted on: the message says why."""


def _list_url(query: str) -> str:
    url = reverse("caseviews:case-list")
    return f"{url}?{query}" if query else url


def _ids(values: list[str]) -> list[int]:
    try:
        ids = bulk.unique_ids(int(value) for value in values)
    except ValueError:
        raise Refused(_("所选事项有误，请刷新列表后重新勾选。")) from None
    if any(not 0 < pk < 2**31 for pk in ids):
        raise Refused(_("所选事项有误，请刷新列表后重新勾选。"))
    return ids


def _too_many(count: int) -> Refused:
    return Refused(
        _("共 %(n)s 件事项，超过一次批量操作的上限 %(max)s 件。请缩小筛选范围后再试。")
        % {"n": count, "max": bulk.MAX_BULK}
    )


def _selection(request: AuthenticatedHttpRequest, query: str) -> list[int]:
    """The ids ticked on the list, or every case its filter finds ("全部符合条件的事项")."""
    if request.POST.get("all") == "1":
        filterset = CaseFilter(
            QueryDict(query), queryset=visible_cases(request.user), user=request.user
        )
        if not filterset.is_valid():
            raise Refused(_("筛选条件有误，请修改后再批量处理。"))
        count = filterset.qs.count()
        if count > bulk.MAX_BULK:
            raise _too_many(count)
        ids = list(filterset.qs.values_list("pk", flat=True))
    else:
        ids = _ids(request.POST.getlist("ids"))
    if not ids:
        raise Refused(_("请先勾选要批量处理的事项，或选择“全部符合条件的事项”。"))
    if len(ids) > bulk.MAX_BULK:
        raise _too_many(len(ids))
    return ids


def _new_token(request: AuthenticatedHttpRequest) -> str:
    token = secrets.token_urlsafe(16)
    request.session[TOKENS] = [*request.session.get(TOKENS, [])[-4:], token]
    return token


def _use_token(request: AuthenticatedHttpRequest, token: str) -> bool:
    tokens = request.session.get(TOKENS, [])
    if token not in tokens:
        return False
    request.session[TOKENS] = [t for t in tokens if t != token]
    return True


def _confirm_page(
    request: AuthenticatedHttpRequest, spec: MoveSpec, ids: list[int], form: Any, query: str
) -> HttpResponse:
    cases = list(
        visible_cases(request.user)
        .filter(pk__in=ids)
        .select_related("case_type", "region", "lead_unit")
        .order_by("pk")
    )
    rows = [{"case": case, "refusal": bulk.refusal(case, spec, request.user)} for case in cases]
    context = {
        "move": spec,
        "form": form,
        "rows": rows,
        "ids": [case.pk for case in cases],
        "ready": sum(1 for row in rows if row["refusal"] is None),
        "query": query,
        "token": _new_token(request),
    }
    return render(request, "web/caseviews/bulk_confirm.html", context)


@login_required
@require_POST
def case_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """From the list: the selection and the move → the confirmation with the move's form.
    With ``confirm``: make the move on each case and show the outcome."""
    query = request.POST.get("query", "")
    spec = bulk.bulk_move(request.POST.get("action", ""), request.user)
    if spec is None:
        messages.error(request, _("请选择要批量执行的操作。"))
        return redirect(_list_url(query))
    try:
        ids = _selection(request, query)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect(_list_url(query))
    if "confirm" not in request.POST:
        return _confirm_page(
            request, spec, ids, bulk.arguments_form(spec, None, request.user), query
        )
    form = bulk.arguments_form(spec, request.POST, request.user)
    if not form.is_valid():
        return _confirm_page(request, spec, ids, form, query)
    if not _use_token(request, request.POST.get("token", "")):
        messages.error(request, _("该批量操作已经提交过，请勿重复提交。"))
        return redirect(_list_url(query))
    outcomes = bulk.perform_bulk(spec, request.user, ids, request.POST, via=Via.WEB)
    request.session[RESULT] = {
        "kind": spec.kind,
        "query": query,
        "rows": [_row(outcome) for outcome in outcomes],
    }
    return redirect("caseviews:case-bulk-result")


def _row(outcome: bulk.Outcome) -> dict[str, Any]:
    case: Case | None = outcome.case
    return {
        "id": outcome.pk,
        "found": case is not None,
        "number": case.number if case is not None else "",
        "title": case.title if case is not None else "",
        "ok": outcome.ok,
        "message": outcome.message,
    }


@login_required
@require_GET
def case_bulk_result(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The outcome of the last bulk move: per case 成功 or why not."""
    result = request.session.get(RESULT)
    spec = bulk.bulk_move(result["kind"], request.user) if result else None
    if result is None or spec is None:
        return redirect("caseviews:case-list")
    rows = result["rows"]
    context = {
        "move": spec,
        "rows": rows,
        "succeeded": sum(1 for row in rows if row["ok"]),
        "failed": sum(1 for row in rows if not row["ok"]),
        "back": _list_url(result["query"]),
    }
    return render(request, "web/caseviews/bulk_result.html", context)
