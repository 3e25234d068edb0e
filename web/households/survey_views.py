"""Survey pages (摸排): the list with the new-survey form, a survey's progress by grid (each
number opens its task list), the task list, and a task's visit and recheck forms.

Scope: ``households.surveys``. A survey or task the user does not read is a 404; a form the
user may not use is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from households import scope, surveys
from households.models import SurveyStatus, SurveyTask, SurveyTaskStatus
from people.http import AuthenticatedHttpRequest
from regions.models import Region
from web.households.survey_forms import CloseForm, RecheckForm, SurveyForm, VisitForm
from web.households.views import _apply_errors, _shown

TASKS_PER_PAGE = 50


def _require_user(request: AuthenticatedHttpRequest) -> None:
    if not surveys.is_survey_user(request.user):
        raise PermissionDenied(_("您无权查看摸排。"))


def _creator_regions(request: AuthenticatedHttpRequest) -> QuerySet[Region] | None:
    allowed = surveys.creator_regions(request.user)
    if allowed is None:
        return Region.objects.all()
    if not allowed:
        return None
    q = Q(pk__in=[])
    for region in allowed:
        q |= Q(path__gte=region.path, path__lt=region.path_range_end)
    return Region.objects.filter(q)


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """摸排: the surveys the user reads; dispatchers and village cadres start one here."""
    _require_user(request)
    regions = _creator_regions(request)
    form = None
    if regions is not None:
        form = SurveyForm(request.POST or None, regions=regions)
        if request.method == "POST" and form.is_valid():
            try:
                survey = surveys.create_survey(
                    title=form.cleaned_data["title"],
                    items=form.item_list(),
                    region=form.cleaned_data["region"],
                    due_on=form.cleaned_data["due_on"],
                    tag=form.cleaned_data["tag"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("摸排已发起。"))
                return redirect("households:survey-detail", survey.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("您无权发起摸排。"))
    rows = surveys.visible_surveys(request.user)
    return render(request, "web/households/survey_list.html", {"surveys": rows, "form": form})


@login_required
def survey_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A survey's progress by grid: total, visited, rechecked, with findings."""
    _require_user(request)
    survey = get_object_or_404(surveys.visible_surveys(request.user), pk=pk)
    rows = surveys.progress_by_grid(survey, request.user)
    may_close = survey.status == SurveyStatus.OPEN and surveys.may_close(request.user, survey)
    return render(
        request,
        "web/households/survey_detail.html",
        {
            "survey": survey,
            "rows": rows,
            "close_form": CloseForm() if may_close else None,
        },
    )


@login_required
@require_http_methods(["POST"])
def survey_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """结束摸排: its tasks take no more visits or rechecks."""
    _require_user(request)
    survey = get_object_or_404(surveys.visible_surveys(request.user), pk=pk)
    if not surveys.may_close(request.user, survey):
        raise PermissionDenied(_("您无权结束该摸排。"))
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            surveys.close_survey(survey, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            for errors in exc.update_error_dict({}).values():
                for error in errors:
                    messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("摸排已结束。"))
    else:
        messages.error(request, _("结束说明不能超过200字。"))
    return redirect("households:survey-detail", survey.pk)


@login_required
def survey_tasks(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A survey's tasks (?grid=&state=), the list behind each progress number."""
    _require_user(request)
    survey = get_object_or_404(surveys.visible_surveys(request.user), pk=pk)
    state = request.GET.get("state", "all")
    if state not in surveys.STATES:
        raise Http404
    tasks = surveys.visible_tasks(request.user).filter(survey=survey)
    grid = request.GET.get("grid", "")
    params = QueryDict(mutable=True)
    if grid.isdigit() and len(grid) <= 18:
        tasks = tasks.filter(grid_id=int(grid))
        params["grid"] = grid
    params["state"] = state
    tasks = (
        surveys.filter_state(tasks, state)
        .select_related("household", "grid", "assignee")
        .order_by("grid__path", "pk")
    )
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/households/survey_tasks.html",
        {
            "survey": survey,
            "page": page,
            "tasks": page.object_list,
            "state": state,
            "query": params.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A task: the visit form while pending, the recheck form once visited."""
    _require_user(request)
    task = get_object_or_404(
        surveys.visible_tasks(request.user).select_related(
            "survey", "household__region", "grid", "case"
        ),
        pk=pk,
    )
    household = task.household
    visit_form = recheck_form = None
    if task.survey.status != SurveyStatus.OPEN:
        if request.method == "POST":
            messages.error(request, _("该摸排已结束，不能再登记走访或复核。"))
            return redirect("households:survey-task", task.pk)
    elif task.status == SurveyTaskStatus.PENDING and scope.may_work(request.user, household):
        visit_form = VisitForm(
            request.POST if request.method == "POST" else None, items=task.survey.items
        )
    elif task.status == SurveyTaskStatus.VISITED and surveys.may_recheck(request.user, household):
        recheck_form = RecheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form = visit_form or recheck_form
        if form is None:
            raise PermissionDenied(_("您无权处理该摸排任务。"))
        if form.is_valid() and _act(request, task, visit_form, recheck_form):
            return redirect("households:survey-task", task.pk)
    return render(
        request,
        "web/households/survey_task.html",
        {
            "task": task,
            "shown": _shown(household, scope.may_contact(request.user, household)),
            "visit_form": visit_form,
            "recheck_form": recheck_form,
        },
    )


def _act(
    request: AuthenticatedHttpRequest,
    task: SurveyTask,
    visit_form: VisitForm | None,
    recheck_form: RecheckForm | None,
) -> bool:
    try:
        if visit_form is not None:
            data = visit_form.cleaned_data
            surveys.record_survey_visit(
                task,
                answers=visit_form.answers(),
                finding=data["finding"],
                raise_case=data["raise_case"],
                case_type=data["case_type"],
                actor=request.user,
            )
            messages.success(request, _("走访已登记。"))
        elif recheck_form is not None:
            data = recheck_form.cleaned_data
            surveys.recheck_survey_task(task, ok=data["ok"], note=data["note"], actor=request.user)
            messages.success(request, _("复核已登记。"))
    except ValidationError as exc:
        _apply_errors(visit_form or recheck_form, exc)  # type: ignore[arg-type]
        return False
    return True
