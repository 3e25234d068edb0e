"""The assessment pages (考核任务): the list of task lists, a task list with its 任务分解表
(units × indicators: target, actual, weight, score, each unit's total and rank), a unit's own
page to report progress and answer rectifications, and the office's 通报 and 限期整改 forms.

Everything is read through ``assessment.scope`` (404 outside it); every change is one service
of ``assessment/services.py``. Engine-fed indicators are refreshed on view and their actual
values open the cases behind them in the case list (``metric``/``part``/``unit``/``month``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import scope, selectors, services
from assessment.models import (
    AssessmentTask,
    Breakdown,
    Notice,
    ProgressReport,
    Rectification,
    RectificationStatus,
)
from cases.attachments import download_name, sniff
from cases.models import Via
from people.http import AuthenticatedHttpRequest
from stats import metrics
from web.assessment.forms import (
    AnswerForm,
    BreakdownForm,
    IndicatorForm,
    NoticeForm,
    RectifyForm,
    ReportForm,
    TaskForm,
)
from web.moves import show_engine_error

# Whatever a stored file is, it runs nothing on this origin (as a case's attachments).
SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
MAX_ID = 2**63 - 1


def _opened(request: AuthenticatedHttpRequest) -> None:
    if not scope.in_menu(request.user):
        raise Http404


def _task(request: AuthenticatedHttpRequest, pk: int) -> AssessmentTask:
    _opened(request)
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(
        scope.visible_tasks(request.user).select_related("issuer", "region"), pk=pk
    )


def _row(request: AuthenticatedHttpRequest, pk: int) -> Breakdown:
    _opened(request)
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(
        scope.reachable_rows(request.user).select_related(
            "indicator__task__region", "indicator__task__issuer", "unit"
        ),
        pk=pk,
    )


def cases_url(task: AssessmentTask, row: Breakdown, part: str) -> str:
    """The case list of an engine-fed row's cases: the rate's numerator or base."""
    params = {
        "metric": row.indicator.metric,
        "part": part,
        "unit": row.unit_id,
        "region": task.region.code,
        "month": ",".join(str(m) for m in task.months),
    }
    return f"{reverse('caseviews:case-list')}?{urlencode(params, safe=',')}"


def _decorate(task: AssessmentTask, rows: list[Breakdown]) -> None:
    for row in rows:
        if row.indicator.is_engine:
            row.num_url = cases_url(task, row, metrics.NUM)  # type: ignore[attr-defined]
            row.den_url = cases_url(task, row, metrics.DEN)  # type: ignore[attr-defined]


# --- Lists and tables -------------------------------------------------------------------------


@login_required
@require_GET
def task_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _opened(request)
    tasks = list(scope.visible_tasks(request.user).select_related("issuer", "region"))
    for task in tasks:
        task.managed = scope.manages(request.user, task)  # type: ignore[attr-defined]
    context = {"tasks": tasks, "may_create": scope.may_create_any(request.user)}
    return render(request, "web/assessment/task_list.html", context)


@login_required
@require_GET
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    services.refresh_engine_indicators(task)
    manages = scope.manages(request.user, task)
    rows = scope.visible_rows(request.user, task)
    table = selectors.table(task, rows)
    for line in table.lines:
        _decorate(task, [cell for cell in line.cells if cell is not None])
    context = {
        "task": task,
        "table": table,
        "manages": manages,
        "method": selectors.RANKING_METHOD,
        "overdue": list(selectors.overdue_rectifications(rows)),
        "events": list(task.events.select_related("actor").order_by("-created_at", "-pk")[:20])
        if manages
        else [],
    }
    return render(request, "web/assessment/task_detail.html", context)


def _unit_page(
    request: AuthenticatedHttpRequest,
    task: AssessmentTask,
    unit_pk: int,
    *,
    bound: dict[tuple[str, int], Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    manages = scope.manages(request.user, task)
    if not manages and unit_pk not in scope.own_units(request.user):
        raise Http404
    rows = list(
        scope.visible_rows(request.user, task)
        .filter(unit_id=unit_pk)
        .select_related("indicator", "unit")
        .order_by("indicator__position", "indicator_id")
    )
    if not rows:
        raise Http404
    _decorate(task, rows)
    reports_for = scope.reports_for(request.user, rows[0])
    bound = bound or {}
    reports = ProgressReport.objects.filter(row__in=rows).select_related("reported_by")
    notices = list(Notice.objects.filter(row__in=rows).select_related("issued_by"))
    rectifications = list(
        Rectification.objects.filter(row__in=rows).select_related("issued_by", "answered_by")
    )
    by_row: dict[int, dict[str, list[Any]]] = {
        row.pk: {"reports": [], "notices": [], "rectifications": []} for row in rows
    }
    for report in reports:
        by_row[report.row_id]["reports"].append(report)
    for notice in notices:
        by_row[notice.row_id]["notices"].append(notice)
    for rectification in rectifications:
        if rectification.status == RectificationStatus.OPEN and reports_for:
            rectification.form = bound.get(  # type: ignore[attr-defined]
                ("answer", rectification.pk), AnswerForm()
            )
        by_row[rectification.row_id]["rectifications"].append(rectification)
    for row in rows:
        row.extra = by_row[row.pk]  # type: ignore[attr-defined]
        if reports_for and not row.indicator.is_engine:
            row.form = bound.get(("report", row.pk), ReportForm())  # type: ignore[attr-defined]
    total = sum((row.score for row in rows if row.score is not None), start=Decimal(0))
    context = {
        "task": task,
        "unit": rows[0].unit,
        "rows": rows,
        "manages": manages,
        "reports_for": reports_for,
        "total": total,
        "full": sum((row.weight for row in rows), start=Decimal(0)),
        "method": selectors.RANKING_METHOD,
        "today": timezone.localdate(),
    }
    return render(request, "web/assessment/unit.html", context, status=status)


@login_required
@require_GET
def unit_page(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    task = _task(request, pk)
    if not 0 < unit_pk <= MAX_ID:
        raise Http404
    services.refresh_engine_indicators(task)
    return _unit_page(request, task, unit_pk)


def _unit_url(row: Breakdown) -> str:
    return reverse("assessment:unit-page", args=[row.indicator.task_id, row.unit_id])


# --- The unit's moves -------------------------------------------------------------------------


@login_required
@require_POST
def report_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = _row(request, pk)
    if not scope.reports_for(request.user, row):
        raise PermissionDenied
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_progress(
                row,
                actor=request.user,
                value=data["value"],
                note=data["note"],
                file=data["file"] or None,
                via=Via.WEB,
            )
        except ValidationError as error:
            show_engine_error(form, error)
        else:
            messages.success(request, _("已报送“%(name)s”的进展。") % {"name": row.indicator.name})
            return redirect(_unit_url(row))
    return _unit_page(
        request, row.indicator.task, row.unit_id, bound={("report", row.pk): form}, status=400
    )


@login_required
@require_POST
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _opened(request)
    if not 0 < pk <= MAX_ID:
        raise Http404
    rectification = get_object_or_404(
        scope.visible_rectifications(request.user).select_related(
            "row__indicator__task__region", "row__unit"
        ),
        pk=pk,
    )
    row = rectification.row
    if not scope.reports_for(request.user, row):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_rectification(
                rectification, actor=request.user, answer=form.cleaned_data["answer"], via=Via.WEB
            )
        except ValidationError as error:
            show_engine_error(form, error)
        else:
            messages.success(request, _("已反馈整改情况。"))
            return redirect(_unit_url(row))
    if rectification.status != RectificationStatus.OPEN:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
        return redirect(_unit_url(row))
    return _unit_page(
        request, row.indicator.task, row.unit_id, bound={("answer", pk): form}, status=400
    )


@login_required
@require_GET
def report_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A progress report's attachment, always as a download, typed by its first bytes."""
    _opened(request)
    if not 0 < pk <= MAX_ID:
        raise Http404
    report = get_object_or_404(
        ProgressReport.objects.filter(row__in=scope.reachable_rows(request.user)), pk=pk
    )
    if not report.file:
        raise Http404
    try:
        file = report.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    kind = sniff(file)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=download_name(report.file_name or "附件", kind),
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    return response


# --- The issuing office's moves ---------------------------------------------------------------


def _office_form(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type[NoticeForm] | type[RectifyForm],
    title: str,
    call: Any,
    done: str,
) -> HttpResponse:
    row = _row(request, pk)
    if not scope.manages(request.user, row.indicator.task):
        raise PermissionDenied
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(row, form.cleaned_data)
        except ValidationError as error:
            show_engine_error(form, error)
        else:
            messages.success(request, done)
            return redirect(_unit_url(row))
    context = {"form": form, "title": title, "row": row, "back": _unit_url(row)}
    return render(
        request,
        "web/assessment/form.html",
        context,
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _office_form(
        request,
        pk,
        NoticeForm,
        _("通报"),
        lambda row, data: services.issue_notice(
            row, actor=request.user, text=data["text"], via=Via.WEB
        ),
        _("已发出通报。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _office_form(
        request,
        pk,
        RectifyForm,
        _("限期整改"),
        lambda row, data: services.order_rectification(
            row,
            actor=request.user,
            requirement=data["requirement"],
            deadline=data["deadline"],
            via=Via.WEB,
        ),
        _("已下达限期整改。"),
    )


# --- The office builds a task list ------------------------------------------------------------


def _edit_page(request: AuthenticatedHttpRequest, form: Any, title: str, back: str) -> HttpResponse:
    return render(
        request,
        "web/assessment/edit.html",
        {"form": form, "title": title, "back": back},
        status=400 if form.is_bound else 200,
    )


def _try(form: Any, call: Any) -> Any:
    """Call the service for a valid form; its refusal goes beside the field it names."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        show_engine_error(form, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _opened(request)
    if not scope.may_create_any(request.user):
        raise PermissionDenied
    form = TaskForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        task = _try(
            form, lambda data: services.create_task(actor=request.user, via=Via.WEB, **data)
        )
        if task is not None:
            messages.success(request, _("已创建考核任务“%(t)s”。") % {"t": task.title})
            return redirect("assessment:task-detail", pk=task.pk)
    return _edit_page(request, form, _("新建考核任务"), reverse("assessment:task-list"))


def _managed_task(request: AuthenticatedHttpRequest, pk: int) -> AssessmentTask:
    task = _task(request, pk)
    if not scope.manages(request.user, task):
        raise PermissionDenied
    return task


@login_required
@require_http_methods(["GET", "POST"])
def indicator_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _managed_task(request, pk)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST":
        indicator = _try(
            form,
            lambda data: services.add_indicator(task, actor=request.user, via=Via.WEB, **data),
        )
        if indicator is not None:
            messages.success(request, _("已增加指标“%(n)s”。") % {"n": indicator.name})
            return redirect("assessment:task-detail", pk=task.pk)
    back = reverse("assessment:task-detail", args=[task.pk])
    return _edit_page(request, form, _("增加考核指标"), back)


@login_required
@require_http_methods(["GET", "POST"])
def breakdown_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = _managed_task(request, pk)
    form = BreakdownForm(request.POST or None, task=task)
    if request.method == "POST":
        rows = _try(
            form,
            lambda data: services.break_down(
                data["indicator"],
                actor=request.user,
                units=list(data["units"]),
                target=data["target"],
                weight=data["weight"],
                via=Via.WEB,
            ),
        )
        if rows is not None:
            messages.success(request, _("已分解到 %(n)s 个单位。") % {"n": len(rows)})
            return redirect("assessment:task-detail", pk=task.pk)
    back = reverse("assessment:task-detail", args=[task.pk])
    return _edit_page(request, form, _("分解到单位"), back)
