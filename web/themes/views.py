"""每月一题: the themes by month with their progress, the new-theme page choosing from the data
(``themes.suggest``), and each theme's page with its milestones, cases and moves."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

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
from people.http import AuthenticatedHttpRequest
from stats.metrics import month_label
from themes import progress, scope, services, suggest
from themes.models import MonthlyTheme, ThemeMilestone, ThemeStatus
from web.themes.forms import (
    DATA_MONTHS,
    MonthsForm,
    NoteForm,
    NumbersForm,
    ThemeForm,
    month_choices,
    this_month,
)

PAGE_SIZE = 20
MAX_ID = 2**63 - 1
MAX_NUMBERS = 200
STATUS_FILTERS = {
    "current": (gettext_lazy("拟定和推进中"), (ThemeStatus.PROPOSED, ThemeStatus.ACTIVE)),
    "done": (gettext_lazy("已完成"), (ThemeStatus.DONE,)),
    "dropped": (gettext_lazy("已撤销"), (ThemeStatus.DROPPED,)),
    "all": (gettext_lazy("全部"), tuple(ThemeStatus.values)),
}


def _require(request: AuthenticatedHttpRequest) -> None:
    if not scope.may_open(request.user):
        raise PermissionDenied(_("只有研判交办员、领导和承办单位可以查看每月一题。"))


def case_list_url(params: dict[str, str]) -> str:
    return f"{reverse('caseviews:case-list')}?{urlencode(params)}"


def _theme(request: AuthenticatedHttpRequest, pk: int) -> MonthlyTheme:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(scope.visible_themes(request.user), pk=pk)


@login_required
def theme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request)
    status = request.GET.get("status") or "all"
    if status not in STATUS_FILTERS:
        status = "all"
    themes = scope.visible_themes(request.user).filter(status__in=STATUS_FILTERS[status][1])
    page = Paginator(themes.order_by("-month", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    found = progress.progress(page.object_list)
    return render(
        request,
        "web/themes/list.html",
        {
            "page": page,
            "rows": [(theme, found[theme.pk]) for theme in page.object_list],
            "status": status,
            "statuses": [(key, label) for key, (label, _s) in STATUS_FILTERS.items()],
            "may_create": scope.may_create(request.user),
        },
    )


def _data_month(request: AuthenticatedHttpRequest) -> int:
    allowed = [m for m, _label in month_choices(DATA_MONTHS - 1, 0)]
    try:
        month = int(request.GET.get("data_month") or this_month())
    except ValueError:
        month = this_month()
    return month if month in allowed else this_month()


def _initial(request: AuthenticatedHttpRequest, data_month: int) -> dict[str, Any]:
    """The form filled from a picked candidate (``?category=…&place=…&count=…``)."""
    initial: dict[str, Any] = {"month": this_month(), "source_month": data_month}
    category, place = request.GET.get("category", ""), request.GET.get("place", "")
    if category.isdigit():
        initial["category"] = int(category)
    if place.isalnum():
        initial["place"] = place
    if request.GET.get("count", "").isdigit():
        initial["source_count"] = int(request.GET["count"])
    if request.GET.get("title"):
        initial["title"] = request.GET["title"][: services.MAX_TITLE]
    return initial


def _candidate_rows(found: suggest.Candidates) -> dict[str, list[dict[str, Any]]]:
    def row(c: suggest.Candidate) -> dict[str, Any]:
        where = c.place.name if c.place else ""
        pick = {
            "data_month": found.month,
            "category": c.category.pk,
            "count": c.count,
            "title": _("%(where)s%(what)s问题治理") % {"where": where, "what": c.category.name},
        }
        if c.place is not None:
            pick["place"] = c.place.code
        return {
            "candidate": c,
            "url": case_list_url(c.params),
            "pick": f"?{urlencode(pick)}",
        }

    return {
        "by_count": [row(c) for c in found.by_count],
        "by_growth": [row(c) for c in found.by_growth],
        "towns": [row(c) for c in found.towns],
        "villages": [row(c) for c in found.villages],
    }


@login_required
def theme_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """新建每月一题: the candidates of a month over the user's cases; pick one, name the units
    and two or three milestones."""
    _require(request)
    if not scope.may_create(request.user):
        raise PermissionDenied(_("只有研判交办员和领导可以确定每月一题。"))
    data_month = _data_month(request)
    if request.method == "POST":
        form = ThemeForm(request.POST, user=request.user)
        if form.is_valid():
            theme = _create(request, form)
            if theme is not None:
                messages.success(request, _("已确定每月一题：%(t)s") % {"t": theme.title})
                return redirect("themes:detail", theme.pk)
    else:
        form = ThemeForm(initial=_initial(request, data_month), user=request.user)
    found = suggest.candidates(data_month, cases=visible_cases(request.user))
    return render(
        request,
        "web/themes/new.html",
        {
            "form": form,
            "found": found,
            "candidates": _candidate_rows(found),
            "data_month": data_month,
            "data_month_label": month_label(data_month),
            "data_months": month_choices(DATA_MONTHS - 1, 0)[::-1],
            "growth_min": suggest.GROWTH_MIN_CASES,
        },
    )


def _create(request: AuthenticatedHttpRequest, form: ThemeForm) -> MonthlyTheme | None:
    data = form.cleaned_data
    source_month = data.get("source_month")
    source: dict[str, Any] = {}
    if source_month:
        source = {"data_month": source_month, "count": data.get("source_count")}
    try:
        return services.create_theme(
            actor=request.user,
            month=data["month"],
            title=data["title"],
            description=data["description"],
            category=data["category"],
            place=data["place"],
            lead_unit=data["lead_unit"],
            co_units=list(data["co_units"]),
            milestones=form.milestones(),
            source=source,
            activate=data["activate"],
            include_from=(source_month or data["month"]) if data["include"] else None,
        )
    except ValidationError as error:
        _form_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


def _form_errors(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@login_required
def theme_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request)
    theme = _theme(request, pk)
    found = progress.progress([theme])[theme.pk]
    covered = Case.objects.filter(monthly_themes=theme)
    cases = visible_cases(request.user, covered).select_related("region", "lead_unit")
    shown = list(cases.order_by("-reported_at", "-pk"))
    months = MonthsForm(initial={"first_month": theme.month, "last_month": theme.month})
    return render(
        request,
        "web/themes/detail.html",
        {
            "theme": theme,
            "progress": found,
            "co_units": theme.co_units.order_by("name"),
            "milestones": theme.milestones.all(),
            "cases": shown,
            "hidden": covered.count() - len(shown),
            "events": theme.events.select_related("actor__person", "milestone"),
            "may_run": theme.is_open and scope.may_run(request.user, theme),
            "may_mark": theme.status == ThemeStatus.ACTIVE
            and scope.may_mark_milestone(request.user, theme),
            "note_form": NoteForm(),
            "months_form": months,
            "numbers_form": NumbersForm(),
        },
    )


def _done(request: AuthenticatedHttpRequest, theme: MonthlyTheme, work: Any, ok: str) -> Any:
    """Run one service; its refusal becomes a message on the theme's page."""
    try:
        result = work()
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return None
    except PermissionDenied as error:
        messages.error(request, str(error) or _("您无权推进该题目。"))
        return None
    messages.success(request, ok)
    return result


def _note(request: AuthenticatedHttpRequest) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@login_required
@require_POST
def theme_move(request: AuthenticatedHttpRequest, pk: int, move: str) -> HttpResponse:
    """启动, 完成, 撤销: one form each, with an optional (or required) note."""
    _require(request)
    theme = _theme(request, pk)
    note = _note(request)
    if move == "activate":
        _done(
            request,
            theme,
            lambda: services.activate_theme(theme, actor=request.user, note=note),
            _("已启动。"),
        )
    elif move == "finish":
        _done(
            request,
            theme,
            lambda: services.finish_theme(theme, actor=request.user, note=note),
            _("已完成该题目。"),
        )
    elif move == "drop":
        _done(
            request,
            theme,
            lambda: services.drop_theme(theme, actor=request.user, note=note),
            _("已撤销该题目。"),
        )
    else:
        raise Http404
    return redirect("themes:detail", theme.pk)


@login_required
@require_POST
def milestone_done(request: AuthenticatedHttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    _require(request)
    theme = _theme(request, pk)
    if not 0 < milestone_pk <= MAX_ID:
        raise Http404
    milestone = get_object_or_404(ThemeMilestone, pk=milestone_pk, theme=theme)
    note = _note(request)
    _done(
        request,
        theme,
        lambda: services.complete_milestone(milestone, actor=request.user, note=note),
        _("节点已完成：%(t)s") % {"t": milestone.title},
    )
    return redirect("themes:detail", theme.pk)


@login_required
@require_POST
def cases_add(request: AuthenticatedHttpRequest, pk: int, how: str) -> HttpResponse:
    """纳入事项: by the theme's rule over chosen months, or by their numbers."""
    _require(request)
    theme = _theme(request, pk)
    if how == "rule":
        form: Any = MonthsForm(request.POST)
        if form.is_valid():
            first, last = form.cleaned_data["first_month"], form.cleaned_data["last_month"]
            added = _done(
                request,
                theme,
                lambda: services.add_matching_cases(
                    theme, actor=request.user, first_month=first, last_month=last
                ),
                _("已按规则纳入事项。"),
            )
            if added is not None:
                messages.info(request, _("新纳入 %(n)d 件。") % {"n": len(added)})
    elif how == "numbers":
        form = NumbersForm(request.POST)
        if form.is_valid():
            numbers = [n for n in re.split(r"[\s,，、;；]+", form.cleaned_data["numbers"]) if n]
            found = list(visible_cases(request.user).filter(number__in=numbers[:MAX_NUMBERS]))
            missing = sorted(set(numbers) - {c.number for c in found})
            if missing:
                messages.error(
                    request, _("未找到或无权查看：%(n)s") % {"n": "、".join(missing[:20])}
                )
            elif found:
                added = _done(
                    request,
                    theme,
                    lambda: services.add_cases(theme, found, actor=request.user),
                    _("已纳入事项。"),
                )
                if added is not None:
                    messages.info(request, _("新纳入 %(n)d 件。") % {"n": len(added)})
    else:
        raise Http404
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect("themes:detail", theme.pk)


@login_required
@require_POST
def cases_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request)
    theme = _theme(request, pk)
    ids = [int(v) for v in request.POST.getlist("case") if v.isdigit() and 0 < int(v) <= MAX_ID]
    if not ids:
        messages.error(request, _("请勾选要移出的事项。"))
        return redirect("themes:detail", theme.pk)
    note = _note(request)
    _done(
        request,
        theme,
        lambda: services.remove_cases(theme, ids, actor=request.user, note=note),
        _("已移出所选事项。"),
    )
    return redirect("themes:detail", theme.pk)
