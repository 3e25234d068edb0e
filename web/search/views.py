"""The one search box: cases and policies found by their words (``textsearch``), best first.

Each section goes through its reader's own scope: the cases ``cases.scope.visible_cases`` lets
the user see (searched by ``CaseQuerySet.search``, the list's and the API's search too), the
policies ``enterprises.scope.readable_policies`` lets them read (published ones; drafts and
withdrawn ones too for those who write policies).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.scope import visible_cases
from enterprises.scope import readable_policies
from people.http import AuthenticatedHttpRequest
from textsearch import ranked

MAX_QUERY = 100  # as the case list's search box
SHOWN = 20
# A policy's number (文号, 德政〔2025〕12号) is matched as typed, never word by word.
POLICY_FIELDS = {"title": 3, "summary": 1, "full_text": 1, "issuer": 1}
POLICY_NUMBER = {"document_number": 20}


@login_required
@require_GET
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """``?q=``: the best 20 cases and the best 20 policies for the words of ``q``."""
    # PostgreSQL cannot hold NUL in text; no search needs it.
    q = (request.GET.get("q") or "").replace("\x00", "").strip()[:MAX_QUERY]
    context: dict[str, object] = {"q": q, "shown": SHOWN}
    if q:
        user = request.user
        cases = visible_cases(user).search(q).select_related("region")
        policies = ranked(readable_policies(user), q, POLICY_FIELDS, phrase_fields=POLICY_NUMBER)
        context["cases"] = list(
            cases.only("number", "title", "status", "reported_at", "region__name")[:SHOWN]
        )
        context["policies"] = list(
            policies.only(
                "title", "issuer", "document_number", "status", "valid_from", "valid_until"
            )[:SHOWN]
        )
    return render(request, "web/search/search.html", context)
