"""The project pages (招商项目服务): the list with counts per stage, a project with its stage
track, milestones and log, and the forms that register a project and move it.

Projects come through ``projects.scope.visible_projects`` (404 outside it); every change is one
service of ``projects/services.py``; each page costs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case, Via
from cases.scope import visible_cases
from enterprises.scope import may_read_file
from people.http import AuthenticatedHttpRequest
from projects import services
from projects.models import (
    STAGE_ORDER,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectEvent,
    Stage,
    next_stage,
    overdue_milestones_q,
)
from projects.scope import may_register, may_write, visible_projects
from projects.selectors import with_progress
from regions.models import Region, RegionLevel
from web.moves import show_engine_error
from web.projects.forms import AdvanceForm, BlockForm, CompleteForm, ProjectForm, UnblockForm
from web.time_left import WorkClock

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 50
ROW_FORMS: dict[str, type[forms.Form]] = {
    "complete": CompleteForm,
    "block": BlockForm,
    "unblock": UnblockForm,
}


# --- The list ---------------------------------------------------------------------------------


def _towns() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.TOWN).order_by("path")


@login_required
@require_GET
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The projects the user may see, filtered by stage, town and overdue, with stage counts."""
    user, now = request.user, timezone.now()
    scoped = visible_projects(user)
    counts = dict(scoped.order_by().values_list("stage").annotate(n=Count("pk")))
    towns = list(_towns())
    stage = request.GET.get("stage", "")
    stage = stage if stage in STAGE_ORDER else ""
    town = next((t for t in towns if str(t.pk) == request.GET.get("town")), None)
    overdue = request.GET.get("overdue") == "1"
    rows: QuerySet[Project] = scoped
    if stage:
        rows = rows.filter(stage=stage)
    if town is not None:
        rows = rows.filter(region__path__gte=town.path, region__path__lt=town.path_range_end)
    if overdue:
        rows = rows.filter(
            pk__in=Milestone.objects.filter(overdue_milestones_q(now)).values("project_id")
        )
    rows = with_progress(
        rows.select_related("enterprise", "region", "commissioner", "owner_unit"), now
    ).order_by("-signed_on", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "projects": list(page.object_list),
        "stage_counts": [(value, label, counts.get(value, 0)) for value, label in Stage.choices],
        "total": sum(counts.values()),
        "towns": towns,
        "stage": stage,
        "town": town,
        "overdue": overdue,
        # The filters, for the pages' links.
        "query": "".join(
            f"{key}={value}&"
            for key, value in (
                ("stage", stage),
                ("town", town and town.pk),
                ("overdue", overdue and 1),
            )
            if value
        ),
    }
    return render(request, "web/projects/project_list.html", context)


# --- One project --------------------------------------------------------------------------------


def _project_for(request: AuthenticatedHttpRequest, pk: int) -> Project:
    return get_object_or_404(
        visible_projects(request.user).select_related(
            "enterprise__region", "region", "commissioner", "owner_unit", "created_by"
        ),
        pk=pk,
    )


def _light(milestone: Milestone, clock: WorkClock) -> tuple[str, str]:
    """The milestone's traffic light (green done, red blocked or overdue, amber due soon, grey
    not started) and the words beside it."""
    if milestone.status == MilestoneStatus.DONE:
        return "green", _("%(day)s 完成") % {"day": milestone.done_on}
    if milestone.status == MilestoneStatus.BLOCKED:
        return "red", _("受阻")
    left = clock.time_left(milestone.deadline)
    if left is None:
        return "grey", _("未开始")
    return {"overdue": "red", "soon": "amber"}.get(left.state, "green-ring"), left.text


def _events(project: Project) -> list[ProjectEvent]:
    """The log, newest first, with the stage a stage change went to in words."""
    events = list(
        project.events.select_related("actor__person", "milestone").order_by("-created_at", "-pk")
    )
    labels = dict(Stage.choices)
    for event in events:
        event.stage_label = labels.get(event.data.get("to"), "")  # type: ignore[attr-defined]
    return events


def _track(project: Project) -> list[tuple[str, StrOrPromise, str]]:
    here = project.stage_index
    return [
        (value, label, "done" if i < here else "current" if i == here else "todo")
        for i, (value, label) in enumerate(Stage.choices)
    ]


def _detail_context(
    request: AuthenticatedHttpRequest, project: Project, **extra: Any
) -> dict[str, Any]:
    """What the page shows, in a fixed number of queries whatever the milestones and events."""
    clock = WorkClock()
    milestones = list(
        project.milestones.select_related("case__case_type").order_by("ordering", "pk")
    )
    # A blocker's case is linked only for who may see it (one query, blocked or not).
    blockers = Case.objects.filter(project_milestones__project=project)
    shown = set(visible_cases(request.user, blockers).values_list("pk", flat=True))
    for milestone in milestones:
        milestone.case_shown = milestone.case_id in shown  # type: ignore[attr-defined]
        milestone.light, milestone.light_text = _light(milestone, clock)  # type: ignore[attr-defined]
        # Whether the blocker's case is over, so the page offers 解除受阻.
        milestone.case_over = (  # type: ignore[attr-defined]
            milestone.status == MilestoneStatus.BLOCKED and services.blocker_over(milestone.case)
        )
    by_stage = [
        (value, label, [m for m in milestones if m.stage == value])
        for value, label in Stage.choices
    ]
    failed, failed_form = extra.get("failed"), extra.get("failed_form")
    categories: list[Any] | None = None
    for milestone in milestones:
        if milestone.status == MilestoneStatus.DONE:
            continue
        # Each row its own forms (their own element ids); the one that failed comes back with
        # its input and errors, open.
        forms_of: dict[str, forms.Form] = {}
        kinds = {
            MilestoneStatus.PENDING: ("complete", "block"),
            MilestoneStatus.BLOCKED: ("unblock",),
        }
        for kind in kinds[MilestoneStatus(milestone.status)]:
            form: forms.Form = (
                failed_form
                if failed_form is not None and failed == f"{kind}-{milestone.pk}"
                else ROW_FORMS[kind]()
            )
            form.auto_id = f"id_{kind}_{milestone.pk}_%s"
            if isinstance(form, BlockForm):
                field = form.fields["category"]
                if categories is None:
                    # Read once for every row (a comprehension: list() would COUNT first).
                    categories = [choice for choice in field.choices]  # type: ignore[attr-defined]
                field.choices = categories  # type: ignore[attr-defined]
            forms_of[kind] = form
        milestone.forms = forms_of  # type: ignore[attr-defined]
        milestone.failed = next(  # type: ignore[attr-defined]
            (kind for kind in forms_of if failed == f"{kind}-{milestone.pk}"), ""
        )
    target = next_stage(project.stage)
    context = {
        "project": project,
        "track": _track(project),
        "by_stage": by_stage,
        "events": _events(project),
        "writer": may_write(request.user, project),
        "next_stage": Stage(target) if target else None,
        "advance_form": (
            failed_form if failed == "advance" else AdvanceForm(initial={"stage": target})
        ),
        "firm_readable": may_read_file(request.user, project.enterprise),
    }
    return context


@login_required
@require_GET
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)
    return render(request, "web/projects/project_detail.html", _detail_context(request, project))


def _submit(
    request: AuthenticatedHttpRequest,
    project: Project,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    done: str,
    failed: str,
) -> HttpResponse:
    """Validate ``form``, hand its data to ``call`` (one service), redirect to the project, or
    show the page again with the errors beside the form that failed (``failed`` names it)."""
    if not may_write(request.user, project):
        raise PermissionDenied
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            show_engine_error(form, error)
        else:
            messages.success(request, done)
            return redirect("projects:project-detail", pk=project.pk)
    context = _detail_context(request, project, failed=failed, failed_form=form)
    return render(request, "web/projects/project_detail.html", context, status=400)


def _milestone_for(request: AuthenticatedHttpRequest, pk: int) -> Milestone:
    milestone = get_object_or_404(Milestone.objects.select_related("project"), pk=pk)
    project = visible_projects(request.user).filter(pk=milestone.project_id)
    milestone.project = get_object_or_404(
        project.select_related(
            "enterprise__region", "region", "commissioner", "owner_unit", "created_by"
        )
    )
    return milestone


@login_required
@require_POST
def project_advance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _project_for(request, pk)

    def call(data: dict[str, Any]) -> None:
        services.advance_stage(
            project,
            actor=request.user,
            stage=data["stage"] or None,
            reason=data["reason"],
            via=Via.WEB,
        )

    return _submit(
        request, project, AdvanceForm(request.POST), call, _("已推进到下一阶段。"), "advance"
    )


@login_required
@require_POST
def milestone_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone_for(request, pk)

    def call(data: dict[str, Any]) -> None:
        services.complete_milestone(
            milestone, actor=request.user, done_on=data["done_on"], note=data["note"], via=Via.WEB
        )

    done = _("节点“%(title)s”已完成。") % {"title": milestone.title}
    form = CompleteForm(request.POST)
    return _submit(request, milestone.project, form, call, done, f"complete-{milestone.pk}")


@login_required
@require_POST
def milestone_block(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone_for(request, pk)

    def call(data: dict[str, Any]) -> None:
        blocked = services.block_milestone(
            milestone, data["reason"], actor=request.user, category=data["category"], via=Via.WEB
        )
        assert blocked.case is not None
        messages.info(request, _("已登记协调事项 %(number)s。") % {"number": blocked.case.number})

    done = _("节点“%(title)s”已标记受阻。") % {"title": milestone.title}
    form = BlockForm(request.POST)
    return _submit(request, milestone.project, form, call, done, f"block-{milestone.pk}")


@login_required
@require_POST
def milestone_unblock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone_for(request, pk)

    def call(data: dict[str, Any]) -> None:
        services.unblock_milestone(milestone, actor=request.user, note=data["note"], via=Via.WEB)

    done = _("节点“%(title)s”已解除受阻。") % {"title": milestone.title}
    form = UnblockForm(request.POST)
    return _submit(request, milestone.project, form, call, done, f"unblock-{milestone.pk}")


# --- A new project ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a signed project with the standard milestones (GET shows the form)."""
    if not may_register(request.user):  # the form lists every firm of the county
        raise PermissionDenied
    form = ProjectForm(request.POST or None, initial={"signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(actor=request.user, via=Via.WEB, **form.cleaned_data)
        except PermissionDenied:
            form.add_error(None, _("您无权为该企业或地点登记项目。"))
        except ValidationError as error:
            show_engine_error(form, error)
        else:
            messages.success(request, _("已登记项目“%(name)s”。") % {"name": project.name})
            return redirect("projects:project-detail", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "web/projects/project_form.html",
        {
            "form": form,
            "standard": [
                (plan.title, Stage(plan.stage).label, plan.planned_days)
                for plan in services.STANDARD_MILESTONES
            ],
        },
        status=status,
    )
