"""热点预警 (未诉先办): the alerts over the user's places, each opening its cases, with the
dispatcher's 知悉 and 关闭; the repeat demands (重复诉求) the same way; and the suggestion partial
(category and lead unit) for a case."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.models import Case
from cases.scope import visible_cases
from hotspots import repeats, scope, services, suggest
from hotspots.models import LIVE_STATUSES, AlertStatus, HotSpot, RepeatAlert
from people.http import AuthenticatedHttpRequest
from people.models import DISPATCHERS, OPERATORS, Role

PAGE_SIZE = 30
MAX_ID = 2**63 - 1
# Who triages and so sees the suggestions: dispatchers, the desk, leaders (and administrators).
SUGGESTION_ROLES = DISPATCHERS | OPERATORS | {Role.LEADER}

STATUS_FILTERS = {
    "live": (gettext_lazy("待处置和已知悉"), LIVE_STATUSES),
    "open": (gettext_lazy("待处置"), (AlertStatus.OPEN,)),
    "acknowledged": (gettext_lazy("已知悉"), (AlertStatus.ACKNOWLEDGED,)),
    "closed": (gettext_lazy("已关闭"), (AlertStatus.CLOSED,)),
    "all": (gettext_lazy("全部"), tuple(AlertStatus.values)),
}


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("处置说明"),
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _require(request: AuthenticatedHttpRequest) -> None:
    if not scope.may_open(request.user):
        raise PermissionDenied(_("只有研判交办员和领导可以查看热点预警。"))


def case_list_url(hotspot: HotSpot) -> str:
    return f"{reverse('caseviews:case-list')}?{urlencode(services.case_list_params(hotspot))}"


def _alert(request: AuthenticatedHttpRequest, pk: int) -> HotSpot:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(scope.visible_hotspots(request.user), pk=pk)


@login_required
def hotspot_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    status = request.GET.get("status") or "live"
    if status not in STATUS_FILTERS:
        status = "live"
    alerts = scope.visible_hotspots(request.user).filter(status__in=STATUS_FILTERS[status][1])
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(alert, case_list_url(alert)) for alert in page.object_list]
    return render(
        request,
        "web/hotspots/list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": [(key, label) for key, (label, _s) in STATUS_FILTERS.items()],
            "method": services.Method.current(),
        },
    )


@login_required
def hotspot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request)
    alert = _alert(request, pk)
    cases = visible_cases(
        request.user, Case.objects.filter(pk__in=alert.cases.values("pk"))
    ).select_related("case_type", "region", "lead_unit")
    return render(
        request,
        "web/hotspots/detail.html",
        {
            "alert": alert,
            "cases": cases.order_by("-reported_at", "-pk"),
            "events": alert.events.select_related("actor__person"),
            "list_url": case_list_url(alert),
            "may_handle": alert.is_live and scope.may_handle(request.user, alert),
            "form": NoteForm(),
            "method": services.Method.current(),
        },
    )


def _move(request: AuthenticatedHttpRequest, pk: int, move: str) -> HttpResponse:
    _require(request)
    alert = _alert(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        for problem in form.errors.get("note", []):
            messages.error(request, str(problem))
        return redirect("hotspots:detail", alert.pk)
    note = form.cleaned_data["note"]
    try:
        if move == "acknowledge":
            services.acknowledge(alert, actor=request.user, note=note)
            messages.success(request, _("已知悉该热点预警。"))
        else:
            services.close(alert, actor=request.user, note=note)
            messages.success(request, _("已关闭该热点预警。"))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    return redirect("hotspots:detail", alert.pk)


@login_required
@require_POST
def hotspot_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, "acknowledge")


@login_required
@require_POST
def hotspot_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, "close")


@login_required
def case_suggestions(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """The suggested categories and lead units of a case the user may see (a partial for
    htmx: ``hx-get`` it into the triage form)."""
    if not 0 < case_pk <= MAX_ID:
        raise Http404
    case = get_object_or_404(visible_cases(request.user).select_related("case_type"), pk=case_pk)
    if not (request.user.is_admin or request.user.has_role(*SUGGESTION_ROLES)):
        raise PermissionDenied(_("只有研判交办员、话务员和领导可以查看智能建议。"))
    return render(
        request,
        "web/hotspots/_suggestions.html",
        {"case": case, "suggestions": suggest.suggest_for_case(case)},
    )


# --- 重复诉求 ---------------------------------------------------------------------------------


def _require_repeats(request: AuthenticatedHttpRequest) -> None:
    if not scope.may_open_repeats(request.user):
        raise PermissionDenied(_("只有研判交办员、领导和部门负责人可以查看重复诉求预警。"))


def _repeat(request: AuthenticatedHttpRequest, pk: int) -> RepeatAlert:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(scope.visible_repeats(request.user), pk=pk)


def repeat_cases_url(alert: RepeatAlert) -> str | None:
    params = repeats.case_list_params(alert)
    return f"{reverse('caseviews:case-list')}?{urlencode(params)}" if params else None


@login_required
def repeat_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_repeats(request)
    status = request.GET.get("status") or "live"
    if status not in STATUS_FILTERS:
        status = "live"
    alerts = scope.visible_repeats(request.user).filter(status__in=STATUS_FILTERS[status][1])
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/hotspots/repeat_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [(key, label) for key, (label, _s) in STATUS_FILTERS.items()],
            "rule": repeats.Rule.current(),
        },
    )


@login_required
def repeat_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_repeats(request)
    alert = _repeat(request, pk)
    covered = Case.objects.filter(pk__in=alert.cases.values("pk"))
    cases = visible_cases(request.user, covered).select_related("case_type", "region", "lead_unit")
    shown = list(cases.order_by("-reported_at", "-pk"))
    return render(
        request,
        "web/hotspots/repeat_detail.html",
        {
            "alert": alert,
            "cases": shown,
            "hidden": alert.count - len(shown),
            "events": alert.events.select_related("actor__person"),
            "list_url": repeat_cases_url(alert),
            "may_handle": alert.is_live and scope.may_handle_repeat(request.user, alert),
            "form": NoteForm(),
            "rule": repeats.Rule.current(),
        },
    )


def _repeat_move(request: AuthenticatedHttpRequest, pk: int, move: str) -> HttpResponse:
    _require_repeats(request)
    alert = _repeat(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        for problem in form.errors.get("note", []):
            messages.error(request, str(problem))
        return redirect("hotspots:repeat-detail", alert.pk)
    note = form.cleaned_data["note"]
    try:
        if move == "acknowledge":
            repeats.acknowledge(alert, actor=request.user, note=note)
            messages.success(request, _("已知悉该重复诉求预警。"))
        else:
            repeats.close(alert, actor=request.user, note=note)
            messages.success(request, _("已关闭该重复诉求预警。"))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    return redirect("hotspots:repeat-detail", alert.pk)


@login_required
@require_POST
def repeat_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _repeat_move(request, pk, "acknowledge")


@login_required
@require_POST
def repeat_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _repeat_move(request, pk, "close")
