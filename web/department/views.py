"""The handling unit's workbench (承办工作台): sign for new orders, handle, answer, ask for more
time, send back, note progress, and print the duty list (履职清单).

A handler's scope is their organisation(s). Cases come through ``visible_cases(user)`` (404
outside it); the lead unit moves the case, a co-unit (协办) adds progress notes only — the
engine's rules decide, and the page shows only ``services.allowed_moves(case, user)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases import moves, services
from cases.forms import MoveForm
from cases.models import (
    HANDLING_STATUSES,
    Case,
    CaseAssignment,
    CaseQuerySet,
    EventKind,
    Status,
    overdue_q,
)
from cases.scope import can_see_requester, unit_ids, visible_cases
from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from people.models import UNIT_STAFF, User
from privacy.models import Door
from privacy.services import record_case_access
from web.caseviews.timeline import timeline
from web.department.duty_list import duty_list, duty_list_workbook
from web.moves import perform, role_required
from web.time_left import TimeLeft, WorkClock

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from cases.clocks import StageLight

    class RowExtras(TypedDict):
        """What a row of the workbench shows besides the case's own fields (set by _rows)."""

        time_left: TimeLeft | None
        lights: list[StageLight]
        moves: list[str]
        accept_form: MoveForm

    CaseRow = WithAnnotations[Case, RowExtras]

K = EventKind
DEPT_ROLES = UNIT_STAFF
department_only = role_required(*DEPT_ROLES)
PAGE_SIZE = 50
CO_UNIT_LIMIT = 100
HANDLING = (Status.ASSIGNED, Status.IN_PROGRESS)


def _units(user: User) -> set[int]:
    return unit_ids(user, DEPT_ROLES)


def _unit_orgs(user: User) -> list[Organisation]:
    """The user's units, in the order of their roles, once each (role_assignments is cached)."""
    units = _units(user)
    return list(
        dict.fromkeys(
            a.organisation
            for a in user.role_assignments
            if a.organisation is not None and a.organisation_id in units
        )
    )


def _cases(user: User) -> CaseQuerySet:
    return visible_cases(user).select_related("case_type", "category", "region", "lead_unit")


def _co_unit_cases(user: User, units: set[int]) -> QuerySet[Case]:
    """Cases in handling that the units help with (协办) but do not lead."""
    helping = CaseAssignment.objects.filter(
        case=OuterRef("pk"), unit_id__in=units, is_lead=False, is_active=True
    )
    return (
        _cases(user)
        .filter(Exists(helping), status__in=HANDLING)
        .exclude(lead_unit_id__in=units)
        .order_by("deadline", "pk")
    )


def _rows(
    cases: Iterable[Case], user: User, clock: WorkClock, *, with_moves: bool = True
) -> list[CaseRow]:
    """Time left and, for the units' own (lead) cases, the moves allowed now: both query-free."""
    rows = cast("list[CaseRow]", list(cases))
    for case in rows:
        case.time_left = clock.time_left(case.deadline)
        case.lights = clock.lights(case)
        case.moves = services.allowed_moves(case, user) if with_moves else []
        case.accept_form = moves.CATALOGUE[K.ACCEPTED].bind(
            case=case, user=user, prefix=f"c{case.pk}"
        )
    return rows


def _render(
    request: AuthenticatedHttpRequest,
    template: str,
    context: dict,
    clock: WorkClock,
    status: int = 200,
) -> HttpResponse:
    units = _units(request.user)
    # Every tab counts the units' cases in handling: narrowed to those first (the unit × month
    # and status indexes), the aggregate no longer reads every visible case.
    handling = visible_cases(request.user).filter(
        lead_unit_id__in=units, status__in=HANDLING_STATUSES
    )
    counts = handling.aggregate(
        to_accept=Count("pk", filter=Q(status=Status.ASSIGNED, lead_unit_id__in=units)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS, lead_unit_id__in=units)),
        overdue=Count(
            "pk",
            filter=overdue_q(clock.now) & Q(lead_unit_id__in=units),
        ),
    )
    context.update(tab_counts=counts, clock=clock, units=_unit_orgs(request.user))
    return render(request, template, context, status=status)


# --- Lists ------------------------------------------------------------------------------------


@department_only
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New orders to sign for (主办), and the cases the units help with (协办), kept apart."""
    user, clock = request.user, WorkClock()
    units = _units(user)
    co_units = CaseAssignment.objects.filter(is_active=True, is_lead=False).select_related("unit")
    to_accept = (
        _cases(user)
        .filter(status=Status.ASSIGNED, lead_unit_id__in=units)
        .prefetch_related(Prefetch("assignments", queryset=co_units, to_attr="co_assignments"))
    )
    page = Paginator(to_accept.order_by("assigned_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    co_cases = list(_co_unit_cases(user, units)[: CO_UNIT_LIMIT + 1])
    context = {
        "page": page,
        "cases": _rows(list(page.object_list), user, clock),
        # A co-unit's moves need a query each; its only move (进展) is on the case page.
        "co_cases": _rows(co_cases[:CO_UNIT_LIMIT], user, clock, with_moves=False),
        "co_more": len(co_cases) > CO_UNIT_LIMIT,
    }
    return _render(request, "web/department/queue.html", context, clock)


@department_only
@require_GET
def in_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The units' cases in handling, nearest deadline first, with time left in working time."""
    user, clock = request.user, WorkClock()
    queryset = _cases(user).filter(status=Status.IN_PROGRESS, lead_unit_id__in=_units(user))
    page = Paginator(queryset.order_by("deadline", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "cases": _rows(list(page.object_list), user, clock)}
    return _render(request, "web/department/in_progress.html", context, clock)


# --- One case: the handling page and its moves -------------------------------------------------

# The move panels of the case page, in the order shown: (move, heading, url name).
PANELS: list[tuple[str, Any, str]] = [
    (K.ANSWERED, gettext_lazy("办结答复"), "department:answer"),
    (K.MEDIATED, gettext_lazy("调解记录"), "department:mediation"),
    (K.PROGRESS_NOTED, gettext_lazy("办理进展"), "department:note"),
    (K.EXTENSION_REQUESTED, gettext_lazy("申请延期"), "department:extension"),
    (K.SENT_BACK, gettext_lazy("退单"), "department:send-back"),
]


def _case_page(
    request: AuthenticatedHttpRequest,
    case: Case,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user, clock = request.user, WorkClock()
    show_requester = can_see_requester(user, case)
    allowed = services.allowed_moves(case, user)
    panels = [
        {
            "name": name,
            "title": title,
            "url": reverse(url_name, args=[case.pk]),
            "form": (bound or {}).get(name)
            or moves.CATALOGUE[name].bind(case=case, user=user, prefix=name),
        }
        for name, title, url_name in PANELS
        if name in allowed
    ]
    context = {
        "case": case,
        "moves": allowed,
        "panels": panels,
        "accept_form": moves.CATALOGUE[K.ACCEPTED].bind(case=case, user=user, prefix="accepted"),
        "time_left": clock.time_left(case.deadline) if case.status in HANDLING else None,
        "assignments": case.assignments.filter(is_active=True).select_related("unit"),
        "timeline": timeline(case, hide_requester=not show_requester),
        "show_requester": show_requester,
        "mine": case.lead_unit_id in _units(user),
    }
    return _render(request, "web/department/case.html", context, clock, status=status)


@department_only
@require_GET
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(_cases(request.user), pk=pk)
    if can_see_requester(request.user, case):
        record_case_access(request.user, case, door=Door.WEB, purpose=_("承办工作台查看事项"))
    return _case_page(request, case)


def _move(
    request: AuthenticatedHttpRequest,
    pk: int,
    kind: str,
    done: str,
    *,
    prefix: str | None = None,
    then: str | None = None,
) -> HttpResponse:
    """Bind the catalogue move's form, make the move, redirect; errors show beside the field."""
    case = get_object_or_404(_cases(request.user), pk=pk)
    spec = moves.CATALOGUE[kind]
    prefix = prefix or kind
    form = spec.bind(request.POST, case=case, user=request.user, prefix=prefix)
    if not form.is_valid():
        return _case_page(request, case, {prefix: form}, status=400)
    here = reverse("department:case", args=[pk])
    moved, failure = perform(request, spec, form, back=here)
    if failure:
        return failure
    if moved is None:
        return _case_page(request, case, {prefix: form}, status=400)
    messages.success(request, done % {"number": moved.number})
    return redirect(then or here)


@department_only
@require_POST
def accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """签收 from the queue (prefix c<pk>) or from the case page (prefix accepted)."""
    prefix = "accepted" if "accepted-version" in request.POST else f"c{pk}"
    return _move(
        request,
        pk,
        K.ACCEPTED,
        _("%(number)s 已签收，请在办理期限内办结答复。"),
        prefix=prefix,
        then=reverse("department:case", args=[pk]),
    )


@department_only
@require_POST
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(
        request,
        pk,
        K.ANSWERED,
        _("%(number)s 已答复，等待回访。"),
        then=reverse("department:in-progress"),
    )


@department_only
@require_POST
def request_extension(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, K.EXTENSION_REQUESTED, _("%(number)s 的延期申请已提交，等待审批。"))


@department_only
@require_POST
def send_back(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(
        request,
        pk,
        K.SENT_BACK,
        _("%(number)s 已退回研判交办。"),
        then=reverse("department:queue"),
    )


@department_only
@require_POST
def progress_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, K.PROGRESS_NOTED, _("%(number)s 的办理进展已记录。"))


@department_only
@require_POST
def mediation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, K.MEDIATED, _("%(number)s 的调解情况已记录。"))


# --- Duty list (履职清单) -------------------------------------------------------------------


def _duty_title(units: list[Organisation], clock: WorkClock) -> str:
    names = "、".join(u.name for u in units)
    return _("%(units)s 履职清单（%(date)s）") % {
        "units": names,
        "date": clock.now.strftime("%Y-%m-%d"),
    }


@department_only
@require_GET
def duty_list_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The printable duty list: app.css hides the menu and buttons when printing."""
    clock = WorkClock()
    groups = duty_list(_units(request.user), clock)
    context = {
        "groups": groups,
        "total": sum(len(g.rows) for g in groups),
        "title": _duty_title(_unit_orgs(request.user), clock),
    }
    return _render(request, "web/department/duty_list.html", context, clock)


@department_only
@require_GET
def duty_list_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same rows as the page, as an Excel workbook for the unit's ledger."""
    clock = WorkClock()
    groups = duty_list(_units(request.user), clock)
    content = duty_list_workbook(groups, _duty_title(_unit_orgs(request.user), clock))
    filename = _("履职清单-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    disposition = content_disposition_header(True, filename)
    assert disposition is not None  # always a header for an attachment
    response["Content-Disposition"] = disposition
    return response
