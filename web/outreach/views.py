"""Linked cadres' visits (走访) and policy briefings (政策宣讲): the cadre's workbench, the one-form
visit log, a visit's page, the coverage tables with their lists, the briefing tasks, the rhythm.

Scope: ``outreach.scope``. A firm the user may not log a visit to, or a visit of a firm they may
not read, does not exist for them (404); a leader, who reads a firm's visits, may log none (403).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import OPEN_STATUSES, Status, Via
from cases.scope import visible_cases
from enterprises.models import Policy, PolicyStatus
from enterprises.scope import readable_ids
from orgs.models import Organisation
from outreach import coverage as cov
from outreach import scope, selectors, services
from outreach.models import (
    VISITING_KINDS,
    BriefingStatus,
    BriefingTask,
    EnterpriseVisit,
    Period,
)
from people.http import AuthenticatedHttpRequest
from people.models import EnterpriseLink, EnterpriseLinkKind, Person, Role, User
from web.grid.forms import new_token
from web.outreach.forms import (
    BaseDemandFormSet,
    CompleteForm,
    DemandFormSet,
    PushForm,
    RhythmForm,
    VisitForm,
    demand_choices,
)

PREFIX = "demands"


def _is_cadre(user: User) -> bool:
    return user.person_id is not None and any(
        a.role == Role.LINKED_CADRE for a in user.role_assignments
    )


def _firm(user: User, pk: int) -> Organisation:
    firm = get_object_or_404(
        Organisation.objects.enterprises().select_related("region", "chain"), pk=pk
    )
    if not scope.may_log_visit(user, firm):
        if scope.oversees(user, firm):  # a leader reads the firm's visits, logs none
            raise PermissionDenied(_("您无权登记该企业的走访。"))
        raise Http404(_("没有找到该企业，或您无权登记走访。"))
    return firm


# --- The cadre's workbench -------------------------------------------------------------------


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """我联系的企业: the cadre's firms, with open demands, visits due and briefings pending."""
    user = request.user
    if not _is_cadre(user):
        raise PermissionDenied(_("该页面仅供挂钩干部、驻厂专员和党建指导员使用。"))
    rows = selectors.my_firms(user)
    files = readable_ids(user, [r.firm for r in rows])
    return render(
        request,
        "web/outreach/mine.html",
        {
            "rows": rows,
            "files": files,
            "overdue": sum(r.overdue for r in rows),
            "pending": sum(len(r.briefings) for r in rows),
            "today": timezone.localdate(),
        },
    )


# --- Logging a visit -------------------------------------------------------------------------


def _visitor_choices(firm: Organisation, user: User) -> QuerySet[Person]:
    linked = EnterpriseLink.objects.filter(enterprise=firm, kind__in=VISITING_KINDS)
    return Person.objects.filter(Q(pk__in=linked.values("person_id")) | Q(pk=user.person_id or 0))


def _save(
    request: AuthenticatedHttpRequest,
    firm: Organisation,
    form: VisitForm,
    formset: BaseDemandFormSet,
) -> EnterpriseVisit | None:
    """Log the visit with every filled row; None when the service refused something (the
    errors are on the form and its rows)."""
    rows = formset.filled()
    data = form.cleaned_data
    try:
        return services.log_visit(
            firm,
            visited_on=data["visited_on"],
            visitors=list(data["visitors"]),
            met=data["met"],
            findings=data["findings"],
            demands=[row.demand() for row in rows],
            briefings=list(data["briefings"]),
            token=data["form_token"],
            actor=request.user,
            via=Via.WEB,
        )
    except ValidationError as error:
        for field, errors in error.update_error_dict({}).items():
            parts = str(field).split(".")
            if parts[0] == "demands" and len(parts) > 1:
                row = rows[int(parts[1])]
                name = parts[2] if len(parts) > 2 else None
                row.add_error(name if name in row.fields else None, errors)
            else:
                form.add_error(field if field in form.fields else None, errors)
        return None


@login_required
def visit_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """走访登记: the visit, the demands raised (each a case) and the briefings done, in one
    submit; one refused row saves nothing, and a resubmitted form makes nothing twice."""
    user = request.user
    firm = _firm(user, pk)
    choices = demand_choices()
    kwargs: dict[str, Any] = {
        "visitors": _visitor_choices(firm, user),
        "briefings": selectors.pending_briefings(firm, user),
    }
    if request.method == "POST":
        form = VisitForm(request.POST, **kwargs)
        formset = DemandFormSet(request.POST, prefix=PREFIX, choices=choices)
        if form.is_valid() and formset.is_valid():
            visit = _save(request, firm, form, formset)
            if visit is not None:
                count = visit.meeting.cases.count() if visit.meeting else 0
                messages.success(
                    request,
                    _("已登记对“%(name)s”的走访，诉求 %(count)d 件。")
                    % {"name": firm.name, "count": count},
                )
                return redirect("outreach:visit-detail", pk=visit.pk)
    else:
        initial: dict[str, Any] = {"form_token": new_token()}
        if user.person_id:
            initial["visitors"] = [user.person_id]
        form = VisitForm(initial=initial, **kwargs)
        formset = DemandFormSet(prefix=PREFIX, choices=choices)
    return render(
        request,
        "web/outreach/visit_new.html",
        {
            "firm": firm,
            "form": form,
            "formset": formset,
            "categories": choices.categories_by_type(),
            "file": firm.pk in readable_ids(user, [firm]),
        },
    )


def _visible_visits(user: User) -> QuerySet[EnterpriseVisit]:
    visits = EnterpriseVisit.objects.all()
    q = scope.visible_firms_q(user, "enterprise__")
    if q is None:
        return visits
    mine = Q(created_by=user)
    if user.person_id:
        mine |= Q(visitors=user.person_id)
    return visits.filter(q | Q(pk__in=EnterpriseVisit.objects.filter(mine).values("pk")))


@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A visit and the cases raised during it, each with its state."""
    user = request.user
    visit = (
        _visible_visits(user)
        .select_related("enterprise__region", "meeting", "created_by__person")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404(_("没有找到该走访记录，或您无权查看。"))
    cases = list(
        visible_cases(user)
        .filter(meeting_id=visit.meeting_id or 0)
        .select_related("case_type", "category", "region", "lead_unit")
        .order_by("reported_at", "pk")
    )
    return render(
        request,
        "web/outreach/visit_detail.html",
        {
            "visit": visit,
            "visitors": list(visit.visitors.all()),
            "briefings": list(visit.briefings.select_related("policy", "cadre")),
            "cases": cases,
            "open": sum(c.status in OPEN_STATUSES for c in cases),
            "closed": sum(c.status == Status.CLOSED for c in cases),
            "file": visit.enterprise_id in readable_ids(user, [visit.enterprise]),
            "may_log": scope.may_log_visit(user, visit.enterprise),
        },
    )


# --- Coverage --------------------------------------------------------------------------------


def _overseer(user: User) -> None:
    if not scope.is_overseer(user):
        raise PermissionDenied(_("该页面仅供领导、研判交办员和产业链党委工作人员使用。"))


def _period(request: AuthenticatedHttpRequest) -> tuple[str, date]:
    pick = request.GET.get("period", cov.RHYTHM)
    try:
        on = parse_date(request.GET.get("on", ""))
    except ValueError:  # well formed but no such day (2026-02-30)
        on = None
    today = timezone.localdate()
    if on is None or on > today:
        on = today
    return (pick if pick in cov.PICK_VALUES else cov.RHYTHM), on


@login_required
def coverage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """走访覆盖: per cadre and per town, firms, visited and not visited this period."""
    user = request.user
    _overseer(user)
    pick, on = _period(request)
    found = cov.coverage(user, pick, on)
    return render(
        request,
        "web/outreach/coverage.html",
        {
            "found": found,
            "picks": cov.PICKS,
            "pick": pick,
            "on": on,
            "query": f"period={pick}&on={on:%Y-%m-%d}",
            "rhythms": [
                (EnterpriseLinkKind(kind).label, Period(period).label)
                for kind, period in cov.rhythms().items()
            ],
        },
    )


@login_required
def coverage_firms(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The firms behind a coverage number: ?cadre=&town=&state=visited|not_visited."""
    user = request.user
    _overseer(user)
    pick, on = _period(request)
    found = cov.coverage(user, pick, on)
    cadre, town = request.GET.get("cadre", ""), request.GET.get("town", "")
    state = request.GET.get("state", "")
    state = state if state in cov.STATES else ""
    lines = found.lines(cadre=cadre or None, town=town or None, state=state or None)
    cadre_row = next((r for r in found.cadres if r.key == cadre), None)
    town_row = next((r for r in found.towns if r.key == town), None)
    return render(
        request,
        "web/outreach/coverage_firms.html",
        {
            "lines": lines,
            "cadre": cadre_row,
            "town": town_row,
            "state": state,
            "pick": pick,
            "on": on,
            "query": f"period={pick}&on={on:%Y-%m-%d}",
            "files": readable_ids(user, [line.firm for line in lines]),
        },
    )


# --- Briefings -------------------------------------------------------------------------------


def _policy_progress(user: User) -> list[dict[str, Any]]:
    """Each policy with tasks among the firms the user oversees: done / all."""
    tasks = BriefingTask.objects.all()
    q = scope.overseen_q(user, "enterprise__")
    if q is not None:
        tasks = tasks.filter(q)
    rows = (
        tasks.values("policy_id", "policy__title")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status=BriefingStatus.DONE)))
        .order_by("-policy_id")
    )
    return list(rows)


@login_required
def briefings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My briefing tasks; for a pusher, every policy's progress, one policy's tasks
    (?policy=), and the push form."""
    user = request.user
    pusher = scope.may_push(user)
    if not (pusher or _is_cadre(user)):
        raise PermissionDenied(_("该页面仅供挂钩干部和政策宣讲组织人员使用。"))
    mine = list(
        BriefingTask.objects.filter(cadre_id=user.person_id or 0)
        .select_related("policy", "enterprise__region")
        .order_by("status", "due_on", "pk")
    )
    context: dict[str, Any] = {"mine": mine, "pusher": pusher, "today": timezone.localdate()}
    if pusher:
        context["progress"] = _policy_progress(user)
        context["policies"] = list(
            Policy.objects.filter(status=PolicyStatus.PUBLISHED).order_by("-valid_from", "-pk")
        )
        context["push_form"] = PushForm()
        chosen = request.GET.get("policy", "")
        if chosen.isdigit():
            tasks = BriefingTask.objects.filter(policy_id=int(chosen))
            q = scope.overseen_q(user, "enterprise__")
            if q is not None:
                tasks = tasks.filter(q)
            listed = list(
                tasks.select_related("policy", "enterprise__region", "cadre").order_by(
                    "status", "enterprise__name", "pk"
                )
            )
            context["chosen"] = listed
            context["chosen_done"] = sum(t.status == BriefingStatus.DONE for t in listed)
            context["chosen_policy"] = Policy.objects.filter(pk=int(chosen)).first()
    firms = [t.enterprise for t in mine] + [t.enterprise for t in context.get("chosen", [])]
    context["files"] = readable_ids(user, firms)
    return render(request, "web/outreach/briefings.html", context)


@login_required
@require_POST
def briefings_push(request: AuthenticatedHttpRequest) -> HttpResponse:
    """下发宣讲任务 for one published policy to the cadres of the firms that qualify."""
    user = request.user
    if not scope.may_push(user):
        raise PermissionDenied(_("您无权下发政策宣讲任务。"))
    form = PushForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择政策并填写有效的完成期限。"))
        return redirect("outreach:briefings")
    policy = get_object_or_404(Policy, pk=form.cleaned_data["policy"])
    try:
        result = services.push_briefings(policy, actor=user, due_on=form.cleaned_data["due_on"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("outreach:briefings")
    messages.success(
        request,
        _(
            "已下发“%(title)s”宣讲任务：符合条件企业 %(firms)d 家，新建任务 %(created)d 项，"
            "已有 %(existing)d 项，无挂钩干部的企业 %(without)d 家。"
        )
        % {
            "title": policy.title,
            "firms": result.firms,
            "created": result.created,
            "existing": result.existing,
            "without": result.without_cadre,
        },
    )
    return redirect(f"{reverse('outreach:briefings')}?policy={policy.pk}")


@login_required
@require_POST
def briefing_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The cadre marks a task done outside a visit (a phone call, a meeting)."""
    user = request.user
    task = BriefingTask.objects.select_related("enterprise__region").filter(pk=pk).first()
    if task is None or not services.may_complete(user, task):
        raise Http404(_("没有找到该宣讲任务，或您无权办理。"))
    form = CompleteForm(request.POST)
    if not form.is_valid():
        # A note too long is refused, not dropped: the task stays pending with the reason.
        for message in form.errors.get("note", []):
            messages.error(request, str(message))
        return redirect("outreach:briefings")
    try:
        services.complete_briefing(task, actor=user, note=form.cleaned_data["note"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已完成宣讲任务。"))
    return redirect("outreach:briefings")


# --- Rhythm ----------------------------------------------------------------------------------


@login_required
def rhythm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """走访频次: administrators set each link kind's period."""
    user = request.user
    if not user.is_admin:
        raise PermissionDenied(_("只有管理员可以调整走访频次。"))
    rhythms = services.ensure_rhythms()
    if request.method == "POST":
        changed = 0
        for row in rhythms:
            form = RhythmForm({"period": request.POST.get(f"period-{row.pk}", "")})
            if form.is_valid() and form.cleaned_data["period"] != row.period:
                services.set_rhythm(row, form.cleaned_data["period"], actor=user)
                changed += 1
        messages.success(request, _("已保存走访频次，调整 %(count)d 项。") % {"count": changed})
        return redirect("outreach:rhythm")
    return render(
        request,
        "web/outreach/rhythm.html",
        {"rows": rhythms, "periods": Period.choices},
    )
