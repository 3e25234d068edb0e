"""Which requests and updates Open311 lists, with the specification's filters and paging.

With an ``api_key``, the cases the key's service account may see (``cases.scope``: its roles,
plus what it reported itself). Without one, the cases that came in through a public channel
(``api`` and ``web``), whose requesters submitted them to a public platform; cases raised at
meetings, on grid patrols or over the hotline stay inside. Either way only non-personal fields
are shown (``open311.mapping``). A case marked not public (``Case.is_public``) is in neither
list, except for the account that submitted it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, Channel
from cases.scope import visible_cases
from open311.catalog import load_services
from open311.formats import Open311Error
from open311.mapping import CLOSED, OPEN, statuses_for
from open311.params import Params, comma_list, parse_moment, positive_int
from people.models import User

PUBLIC_CHANNELS = (Channel.API, Channel.WEB)
DEFAULT_WINDOW = timedelta(days=90)
# The specification's default limit is the first 1,000 requests; no page is larger.
MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000


def _public_q(user: User | None, prefix: str = "") -> Q:
    """A case the desk marked not public (``is_public`` unticked) is left out as if unknown:
    Open311 clients republish what they read. Only the account that submitted it still follows
    it (the requester's own channel)."""
    q = Q(**{f"{prefix}is_public": True})
    if user is not None:
        q |= Q(**{f"{prefix}reported_by": user})
    return q


def listed_cases(user: User | None) -> QuerySet[Case]:
    if user is None:
        return Case.objects.filter(_public_q(None), channel__in=PUBLIC_CHANNELS)
    return visible_cases(user).filter(_public_q(user))


def listed_events(user: User | None) -> QuerySet[CaseEvent]:
    if user is None:
        return CaseEvent.objects.filter(
            _public_q(None, "case__"), case__channel__in=PUBLIC_CHANNELS
        )
    return CaseEvent.objects.filter(
        _public_q(user, "case__"), case__in=visible_cases(user).values("pk")
    )


def window(params: Params) -> tuple[datetime, datetime | None]:
    """``start_date``/``end_date``; without either, the last 90 days; with only an end, the 90
    days before it; with only a start, everything since."""
    start = (
        parse_moment("start_date", params.get("start_date")) if params.has("start_date") else None
    )
    end = (
        parse_moment("end_date", params.get("end_date"), end_of_day=True)
        if params.has("end_date")
        else None
    )
    if start and end and start > end:
        raise Open311Error(400, _("start_date 不能晚于 end_date。"))
    if start is None:
        start = (end or timezone.now()) - DEFAULT_WINDOW
    return start, end


def page_slice(params: Params) -> slice:
    page = positive_int("page", params.get("page"), 1, MAX_PAGE)
    size = positive_int("page_size", params.get("page_size"), MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    return slice((page - 1) * size, page * size)


def _service_filter(codes: list[str]) -> Q:
    services = load_services()
    q = Q(pk__in=[])
    for code in codes:
        service = services.get(code)
        if service is None:
            continue  # a retired or unknown service has no requests to list
        if service.category is None:
            q |= Q(case_type_id=service.case_type.pk, category__isnull=True)
        else:
            q |= Q(case_type_id=service.case_type.pk, category_id=service.category.pk)
    return q


def filter_requests(queryset: QuerySet[Case], params: Params) -> QuerySet[Case]:
    """The specification's filters. ``service_request_id`` overrides all the others."""
    ids = comma_list(params.get("service_request_id"))
    if ids:
        return queryset.filter(number__in=ids)
    codes = comma_list(params.get("service_code"))
    if codes:
        queryset = queryset.filter(_service_filter(codes))
    statuses = [s.lower() for s in comma_list(params.get("status"))]
    if statuses:
        unknown = [s for s in statuses if s not in (OPEN, CLOSED)]
        if unknown:
            raise Open311Error(400, _("status 只能是 open 或 closed。"))
        queryset = queryset.filter(status__in=statuses_for(statuses))
    start, end = window(params)
    queryset = queryset.filter(reported_at__gte=start)
    if end is not None:
        queryset = queryset.filter(reported_at__lte=end)
    return queryset


def filter_updates(queryset: QuerySet[CaseEvent], params: Params) -> QuerySet[CaseEvent]:
    """mySociety's ``start_date``/``end_date`` over the events' times (same default window), and
    a ``service_request_id`` list to follow chosen requests (all their events, unless dates are
    given)."""
    ids = comma_list(params.get("service_request_id"))
    if ids:
        queryset = queryset.filter(case__number__in=ids)
        if not (params.has("start_date") or params.has("end_date")):
            return queryset
    start, end = window(params)
    queryset = queryset.filter(created_at__gte=start)
    if end is not None:
        queryset = queryset.filter(created_at__lte=end)
    return queryset
