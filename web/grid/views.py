"""The grid worker's phone pages: report on the spot, resolve, mediate, and call back.

Every case is fetched through ``visible_cases`` and every list is narrowed to the worker's own
grids; every change is one service of ``cases/services.py``.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases import moves, services
from cases.models import (
    Case,
    CaseEvent,
    Channel,
    EventKind,
    MediationOutcome,
    Status,
    Via,
    due_for_visit_q,
)
from cases.scope import can_see_requester, covers_region, visible_cases
from people.http import AuthenticatedHttpRequest
from people.models import COLLECTORS, EnterpriseLink, Role, User
from stats import metrics
from web import offline
from web.grid.forms import (
    GRID_ROLES,
    REPORT_ROLES,
    IntakeChoices,
    MediationForm,
    ReportForm,
    ResolveForm,
    VisitForm,
    grid_q,
    has_any_role,
    new_token,
    places_for,
)
from web.grid.intake_facts import (
    IntakeExtras,
    chosen_household,
    household_label,
    report_with_facts,
    search_households,
    selected_id,
    type_sections,
)
from web.moves import case_url, perform, run, show_engine_error

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    class _Resolvable(TypedDict):
        can_resolve: bool  # the home page's 当场办结 button

    class _Outcome(TypedDict):
        outcome_label: StrOrPromise  # the result of a mediation session

    RecentCase = WithAnnotations[Case, _Resolvable]
    MediationSession = WithAnnotations[CaseEvent, _Outcome]

K = EventKind

PAGE_SIZE = 20
# The requesters of duplicates merged into a case: its return visit reaches them too.
DUPLICATE_REQUESTERS = Prefetch(
    "duplicates",
    queryset=Case.objects.only(
        "pk", "merged_into_id", "number", "requester_name", "requester_phone", "anonymous_to_unit"
    ),
)


def _require(user: User, roles: frozenset[str]) -> None:
    if not has_any_role(user, roles):
        raise PermissionDenied(_("该页面仅供网格员、网格长、村(社区)干部使用。"))


def _in_grid(user: User) -> Q:
    q = grid_q(user)
    return Q() if q is None else q


def _case(user: User, pk: int) -> Case:
    case = (
        visible_cases(user)
        .select_related("case_type", "category", "region", "lead_unit")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("没有找到该事项，或您无权查看。"))
    return case


def _start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _can_resolve(user: User, case: Case) -> bool:
    """Query-free: a reported case in a place the user collects for (the service re-checks)."""
    return case.status == Status.REPORTED and (
        user.is_admin or covers_region(user, case, COLLECTORS)
    )


def _attempt(
    request: AuthenticatedHttpRequest,
    spec: moves.MoveSpec,
    form: Any,
    *,
    success: str,
    next_url: str,
) -> HttpResponse | None:
    """Make the catalogue move with its bound form: a redirect when it is made (or when someone
    was faster); None when the engine refused the input, which is then an error on the form."""
    moved, failure = perform(request, spec, form, back=case_url(form.case))
    if failure is not None:
        return failure
    if moved is None:
        return None
    messages.success(request, success)
    return redirect(next_url)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The day's start: three big buttons, today's counts and the worker's recent reports."""
    user = request.user
    _require(user, REPORT_ROLES)
    start, in_grid = _start_of_today(), _in_grid(user)
    visible = visible_cases(user)
    # Each count reads its own cases through an index, not every visible case: today's
    # reports and answers (the reported_at and answered_at indexes), of which the worker's own
    # (a worker always sees what they reported), and the answered and in-progress cases (the
    # status index), of which those in the worker's grids.
    today = Q(reported_at__gte=start) | Q(answered_at__gte=start)
    counts = metrics.through_index(Case.objects.filter(reported_by=user), today).aggregate(
        reported_today=Count("pk", filter=Q(reported_at__gte=start)),
        on_spot_today=Count("pk", filter=Q(resolved_on_spot=True, answered_at__gte=start)),
    )
    waiting = Q(status__in=(Status.ANSWERED, Status.IN_PROGRESS))
    counts.update(
        metrics.through_index(visible, waiting)
        .filter(in_grid)
        .aggregate(
            to_visit=Count("pk", filter=due_for_visit_q()),
            mediating=Count(
                "pk", filter=Q(status=Status.IN_PROGRESS, case_type__has_mediation=True)
            ),
        )
    )
    recent = cast(
        "list[RecentCase]",
        list(
            visible_cases(user)
            .filter(reported_by=user)
            .select_related("case_type", "region")
            .order_by("-reported_at")[:10]
        ),
    )
    for case in recent:
        case.can_resolve = _can_resolve(user, case)
    return render(
        request,
        "web/grid/home.html",
        {"counts": counts, "recent": recent, "visits_enabled": has_any_role(user, GRID_ROLES)},
    )


def _report_choices(user: User) -> IntakeChoices:
    """Places of the worker's own grids; a linked cadre also picks one of their enterprises."""
    enterprises = None
    if user.person_id and any(a.role == Role.LINKED_CADRE for a in user.role_assignments):
        links = EnterpriseLink.objects.filter(person_id=user.person_id).select_related("enterprise")
        enterprises = sorted({link.enterprise for link in links}, key=lambda e: e.name)
    return IntakeChoices.for_user(user, REPORT_ROLES, enterprises=enterprises, with_stations=True)


@login_required
@offline.json_refusals
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """上报事项: one short form; a one-time token makes a double tap return the same case."""
    user = request.user
    _require(user, REPORT_ROLES)
    choices = _report_choices(user)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, choices=choices, user=user)
        # A grid worker names a dispute's parties; an infringement's facts are the desk's.
        extras = IntakeExtras(request.POST, with_facts=False)
        valid = form.is_valid()
        if extras.is_valid(form.cleaned_data.get("case_type")) and valid:
            try:
                case, made = report_with_facts(
                    form.report_arguments(),
                    extras,
                    actor=user,
                    via=Via.WEB,
                    channel=Channel.GRID,
                )
            except services.NotPermitted as exc:
                form.add_error("region", str(exc))
            except ValidationError as exc:
                show_engine_error(form, exc)
            else:
                if not made and case.reported_by_id != user.pk:
                    # Another's form token: never answer with a case the sender did not make.
                    form.add_error("form_token", _("表单已失效，请刷新页面后重新填写。"))
                elif offline.wants_json(request):
                    url = reverse("grid:report-done", args=[case.pk])
                    return offline.received(case, url=url, replayed=not made)
                else:
                    return redirect("grid:report-done", pk=case.pk)
        if offline.wants_json(request):
            return offline.refused([form, extras.parties])
    else:
        form = ReportForm(choices=choices, user=user, initial=_report_initial(request, choices))
        extras = IntakeExtras(with_facts=False)
        chosen = str(form["case_type"].value() or "")
        extras.case_type = next((t for t in choices.types if str(t.pk) == chosen), None)
    picked = chosen_household(user, form["household"].value())
    return render(
        request,
        "web/grid/report.html",
        {
            "form": form,
            "categories": choices.categories_by_type(),
            "extras": extras,
            "intake_sections": type_sections(choices.types),
            "household_pick": {
                "field": form["household"],
                "pick_url": reverse("grid:households"),
                "picked": (picked.pk, household_label(picked)) if picked else None,
                "options": [],
            },
        },
    )


@login_required
@require_GET
def households(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The report's household picker (htmx): the households the worker reads in the chosen
    place of their grids, matching what was typed."""
    user = request.user
    _require(user, REPORT_ROLES)
    places = {p.pk: p for p in places_for(user, REPORT_ROLES)}
    try:
        found, message = search_households(
            user,
            places.get,
            request.GET.get("region", ""),
            request.GET.get("household_q", ""),
        )
    except ValidationError as error:
        context: dict[str, Any] = {"options": [], "message": " ".join(error.messages)}
        return render(request, "web/grid/_household_options.html", context, status=400)
    context = {
        "options": [(h.pk, household_label(h)) for h in found],
        "message": message,
        "selected": selected_id(request.GET.get("household", "")),
    }
    return render(request, "web/grid/_household_options.html", context)


def _report_initial(request: AuthenticatedHttpRequest, choices: IntakeChoices) -> dict[str, object]:
    """A fresh token, and the type asked for (?type=dispute) or the worker's last one."""
    initial: dict[str, object] = {"form_token": new_token()}
    wanted = request.GET.get("type")
    by_code = {t.code: t for t in choices.types}
    if wanted in by_code:
        initial["case_type"] = str(by_code[wanted].pk)
    else:
        last = (
            Case.objects.filter(reported_by=request.user)
            .order_by("-reported_at")
            .values_list("case_type_id", flat=True)
            .first()
        )
        if last:
            initial["case_type"] = str(last)
    return initial


@login_required
def report_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The confirmation screen: the case number, and 当场办结 while still on the spot."""
    user = request.user
    case = _case(user, pk)
    return render(
        request,
        "web/grid/report_done.html",
        {
            "case": case,
            "can_resolve": "resolved_on_spot" in services.allowed_moves(case, user),
            "photos": case.attachments.count(),
        },
    )


@login_required
def resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """当场办结: what was done there and then; a dispute also records its mediation outcome."""
    user = request.user
    case = _case(user, pk)
    if request.method == "POST":
        form = ResolveForm(request.POST, case=case, user=user)
        if form.is_valid():
            response = _attempt(
                request,
                moves.CATALOGUE[K.RESOLVED_ON_SPOT],
                form,
                success=_("已当场办结：%(number)s。") % {"number": case.number},
                next_url=reverse("grid:home"),
            )
            if response:
                return response
    else:
        if "resolved_on_spot" not in services.allowed_moves(case, user):
            if case.status != Status.REPORTED:
                messages.error(
                    request,
                    _("事项当前为“%(status)s”，不能当场办结。") % {"status": case.status_label},
                )
                return redirect("caseviews:case-detail", pk=case.pk)
            raise PermissionDenied(_("您没有权限当场办结该事项。"))
        form = ResolveForm(case=case, user=user)
    return render(request, "web/grid/resolve.html", {"case": case, "form": form})


@login_required
def mediation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """调解记录: the disputes being mediated in the worker's grids, the longest-running first."""
    user = request.user
    _require(user, GRID_ROLES)
    cases = (
        visible_cases(user)
        .filter(_in_grid(user), status=Status.IN_PROGRESS, case_type__has_mediation=True)
        .select_related("case_type", "category", "region", "lead_unit")
        .annotate(
            sessions=Count("events", filter=Q(events__kind=K.MEDIATED)),
            last_session=Max("events__created_at", filter=Q(events__kind=K.MEDIATED)),
        )
        .order_by("reported_at", "pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/grid/mediations.html", {"page": page})


@login_required
def mediation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One mediation session of a dispute in progress (note, and the outcome once reached)."""
    user = request.user
    case = _case(user, pk)
    if not case.case_type.has_mediation:
        raise Http404(_("该类型事项不需要调解。"))
    if request.method == "POST":
        form = MediationForm(request.POST, case=case, user=user)
        if form.is_valid():
            response = _attempt(
                request,
                moves.CATALOGUE[K.MEDIATED],
                form,
                success=_("已记录调解情况：%(number)s。") % {"number": case.number},
                next_url=reverse("grid:mediation-list"),
            )
            if response:
                return response
    else:
        if "mediated" not in services.allowed_moves(case, user):
            if case.status != Status.IN_PROGRESS:
                messages.error(
                    request,
                    _("事项当前为“%(status)s”，不能记录调解。") % {"status": case.status_label},
                )
                return redirect("caseviews:case-detail", pk=case.pk)
            raise PermissionDenied(_("您没有权限记录该事项的调解。"))
        form = MediationForm(case=case, user=user)
    sessions = cast(
        "list[MediationSession]",
        list(case.events.filter(kind=K.MEDIATED).select_related("actor__person")),
    )
    outcomes = dict(MediationOutcome.choices)
    for event in sessions:
        event.outcome_label = outcomes.get(event.data.get("outcome", ""), "")
    return render(
        request,
        "web/grid/mediation.html",
        {
            "case": case,
            "form": form,
            "sessions": sessions,
            "show_contact": can_see_requester(user, case),
        },
    )


@login_required
def visit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """今日回访: answered cases of the worker's grids, oldest answer first, each with its form."""
    user = request.user
    _require(user, GRID_ROLES)
    cases = (
        visible_cases(user)
        .filter(_in_grid(user))
        .due_for_visit()
        .select_related("case_type", "category", "region", "lead_unit")
        .prefetch_related(DUPLICATE_REQUESTERS)
        .order_by("answered_at", "pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "case": case,
            "show_contact": can_see_requester(user, case),
            "form": VisitForm(case=case, user=user, auto_id=f"v{case.pk}_%s"),
        }
        for case in page
    ]
    return render(request, "web/grid/visits.html", {"page": page, "rows": rows})


@login_required
@offline.json_refusals
def visit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One return visit (回访); the list posts here, and a refused form is shown here."""
    user = request.user
    case = _case(user, pk)
    if request.method == "POST":
        form = VisitForm(request.POST, case=case, user=user)
        replay = offline.wants_json(request)
        if form.is_valid():
            spec = moves.CATALOGUE[form.move]
            message = _visit_message(case, form.cleaned_data["reached"])
            if replay:
                return offline.move_answer(request, spec, form, url=case_url(case), message=message)
            key = form.cleaned_data["form_token"]
            moved, failure = run(
                request,
                form,
                lambda: offline.perform_once(request, spec, form, key)[0],
                back=case_url(case),
            )
            if failure is not None:
                return failure
            if moved is not None:
                messages.success(request, message)
                return redirect("grid:visit-list")
        if replay:
            return offline.refused([form])
    else:
        if not {K.VISITED, K.VISIT_FAILED_TO_REACH} & set(services.allowed_moves(case, user)):
            if case.status != Status.ANSWERED:
                messages.error(
                    request,
                    _("事项当前为“%(status)s”，不能回访。") % {"status": case.status_label},
                )
                return redirect("caseviews:case-detail", pk=case.pk)
            raise PermissionDenied(_("您没有权限回访该事项。"))
        form = VisitForm(case=case, user=user)
    return render(
        request,
        "web/grid/visit.html",
        {"case": case, "form": form, "show_contact": can_see_requester(user, case)},
    )


def _visit_message(case: Case, reached: bool) -> str:
    if reached:
        return _("已完成回访：%(number)s。") % {"number": case.number}
    return _("已记录未联系上：%(number)s，请稍后再次回访。") % {"number": case.number}
