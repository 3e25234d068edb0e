"""The leaders' dashboard: the rates of docs/metrics.md by unit, town, category and month.

Every figure comes from ``stats.metrics`` over the cases the viewer may see, and every figure
links to the case list filtered to the cases behind it (``caseviews:case-list`` with ``unit``,
``month``, ``type``, ``category``, ``region``, ``status`` and ``overdue``). The page costs a
fixed number of queries whatever the number of cases: one GROUP BY per table and one name
look-up per named dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseType, Category, Status
from cases.scope import visible_cases
from people.http import AuthenticatedHttpRequest
from people.models import REPORT_READERS, User
from regions.models import Region
from stats import metrics
from stats.metrics import RateRow

READER_ROLES = tuple(REPORT_READERS)
# Towns (the second level of the region tree) are the regions leaders compare.
REGION_LEVEL = 2
DEFAULT_MONTHS = 12
# How far back the period filter reaches.
CHOOSABLE_MONTHS = 36
# A long ranking chart shows the first and the last this many units.
CHART_ENDS = 10
# Every link names its states: the counted cases (docs/metrics.md: merged duplicates and
# refusals count nowhere, so the list leaves them out too), or the closed ones, or those with a
# valid return visit (verified, and closed after it), the base of the three hotline rates.
# Other bases (due-to-close, answered at least once) are not a set of states: their links show
# every counted case of the group.
COUNTED_STATUSES = f"open,{Status.CLOSED}"
VISITED_STATUSES = f"{Status.VERIFIED},{Status.CLOSED}"


def may_read(user: User) -> bool:
    """Leaders, dispatchers, department heads and administrators read the rates."""
    return user.is_admin or user.has_role(*READER_ROLES)


# --- Filters --------------------------------------------------------------------------------


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def add_months(month: int, count: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def months_between(start: int, end: int) -> list[int]:
    months, month = [], start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


class DashboardFilter(forms.Form):
    """Months as choices (labelled 2024年3月 in every browser), newest first."""

    start = forms.TypedChoiceField(label=gettext_lazy("起始月份"), coerce=int)
    end = forms.TypedChoiceField(label=gettext_lazy("截止月份"), coerce=int)
    type = forms.ChoiceField(label=gettext_lazy("事项类型"), required=False)

    def __init__(self, *args: Any, types: list[CaseType], this_month: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = [add_months(this_month, -i) for i in range(CHOOSABLE_MONTHS)]
        choices = [(m, metrics.month_label(m)) for m in months]
        start = cast(forms.TypedChoiceField, self.fields["start"])
        end = cast(forms.TypedChoiceField, self.fields["end"])
        case_type = cast(forms.ChoiceField, self.fields["type"])
        start.choices = end.choices = choices
        case_type.choices = [("", _("全部类型"))] + [(t.code, t.name) for t in types]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("截止月份不能早于起始月份。"))
        return data


@dataclass
class Period:
    """The months and case type the page shows, and the case-list parameters they make."""

    start: int
    end: int
    case_type: CaseType | None = None

    @property
    def months(self) -> list[int]:
        return months_between(self.start, self.end)

    def params(self, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {"month": ",".join(str(m) for m in self.months)}
        if self.case_type is not None:
            params["type"] = self.case_type.code
        params.update({k: v for k, v in extra.items() if v is not None})
        return params


def read_period(
    request: AuthenticatedHttpRequest, types: list[CaseType]
) -> tuple[DashboardFilter, Period]:
    """The period asked for, defaulting to the last 12 months; bad input shows an error and the
    page falls back to the default rather than showing nothing."""
    this_month = month_key(timezone.localdate())
    default = Period(add_months(this_month, 1 - DEFAULT_MONTHS), this_month)
    data = {"start": default.start, "end": default.end, **request.GET.dict()}
    form = DashboardFilter(data, types=types, this_month=this_month)
    if not form.is_valid():
        return form, default
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    by_code = {t.code: t for t in types}
    return form, Period(start, end, by_code.get(form.cleaned_data["type"] or ""))


# --- Figures --------------------------------------------------------------------------------


@dataclass
class Figure:
    """One number on the page and the case list behind it."""

    text: str
    url: str


@dataclass
class Line:
    """One row of a table: a group's label and its figures, in FIGURES order."""

    label: str
    figures: list[Figure]
    url: str
    raw: RateRow
    rank: int | None = None


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def hours(value: float | None) -> str:
    return "—" if value is None else _("%(h).1f小时") % {"h": value}


def case_list_url(params: dict[str, Any]) -> str:
    """The case list filtered by ``params``; the counted cases unless a status is given."""
    params = {"status": COUNTED_STATUSES, **params}
    return f"{reverse('caseviews:case-list')}?{urlencode(params, safe=',')}"


# Table columns: (heading, how the figure reads a row, extra case-list parameters).
COLUMNS: list[tuple[Any, Any, dict[str, Any]]] = [
    (gettext_lazy("受理数"), lambda r: str(r.received), {}),
    (gettext_lazy("当场办结率"), lambda r: percent(r.on_spot_rate), {}),
    (gettext_lazy("响应率"), lambda r: percent(r.response_rate), {"status": VISITED_STATUSES}),
    (gettext_lazy("解决率"), lambda r: percent(r.resolution_rate), {"status": VISITED_STATUSES}),
    (gettext_lazy("满意率"), lambda r: percent(r.satisfaction_rate), {"status": VISITED_STATUSES}),
    (gettext_lazy("综合得分"), lambda r: score(r.composite_score), {"status": VISITED_STATUSES}),
    (gettext_lazy("按期办结率"), lambda r: percent(r.on_time_rate), {}),
    (gettext_lazy("返工率"), lambda r: percent(r.rework_rate), {}),
    (gettext_lazy("超期未办结"), lambda r: str(r.overdue_now), {"overdue": 1}),
    (gettext_lazy("销号数"), lambda r: str(r.closed), {"status": Status.CLOSED}),
    (gettext_lazy("平均办理时长"), lambda r: hours(r.avg_handling_hours), {}),
]


def line(label: str, row: RateRow, params: dict[str, Any] | None) -> Line:
    """A table row; ``params`` None for a group the case list cannot select (no lead unit, no
    category), whose figures are shown without a link rather than with a wrong one."""
    if params is None:
        return Line(
            label=label,
            figures=[Figure(read(row), "") for _h, read, _e in COLUMNS],
            url="",
            raw=row,
        )
    # One reverse and one encoding per row, each column's own parameters appended: the page
    # has a thousand links and building each from scratch was 40 % of its time.
    base = f"{reverse('caseviews:case-list')}?{urlencode(params, safe=',')}"

    def link(extra: dict[str, Any]) -> str:
        return f"{base}&{urlencode({'status': COUNTED_STATUSES, **extra}, safe=',')}"

    url = link({})
    figures = [Figure(read(row), link(extra)) for _h, read, extra in COLUMNS]
    return Line(label=label, figures=figures, url=url, raw=row)


def tiles(row: RateRow, period: Period) -> list[dict[str, Any]]:
    """The headline figures over the whole period, each with its numerator and base."""

    def url(**extra: Any) -> str:
        return case_list_url(period.params(**extra))

    visited = {"status": VISITED_STATUSES}
    return [
        {
            "key": "received",
            "label": _("受理数"),
            "value": str(row.received),
            "detail": _("销号 %(n)d 件") % {"n": row.closed},
            "url": url(),
        },
        {
            "key": "on_spot",
            "label": _("当场办结率"),
            "value": percent(row.on_spot_rate),
            "detail": f"{row.on_spot} / {row.received}",
            "url": url(),
        },
        {
            "key": "response",
            "label": _("响应率"),
            "value": percent(row.response_rate),
            "detail": f"{row.contacted} / {row.valid_visits}",
            "url": url(**visited),
        },
        {
            "key": "resolution",
            "label": _("解决率"),
            "value": percent(row.resolution_rate),
            "detail": f"{row.resolved} / {row.valid_visits}",
            "url": url(**visited),
        },
        {
            "key": "satisfaction",
            "label": _("满意率"),
            "value": percent(row.satisfaction_rate),
            "detail": _("满意 %(s)d，基本满意 %(b)d，有效回访 %(n)d")
            % {"s": row.satisfied, "b": row.basic, "n": row.valid_visits},
            "url": url(**visited),
        },
        {
            "key": "on_time",
            "label": _("按期办结率"),
            "value": percent(row.on_time_rate),
            "detail": f"{row.on_time} / {row.due}",
            "url": url(),
        },
        {
            "key": "rework",
            "label": _("返工率"),
            "value": percent(row.rework_rate),
            "detail": f"{row.reworked} / {row.answered}",
            "url": url(),
            "warn": True,
        },
        {
            "key": "mediation",
            "label": _("调处成功率"),
            "value": percent(row.mediation_success_rate),
            "detail": f"{row.mediation_success} / {row.disputes_judged}",
            "url": url(),
        },
        {
            "key": "handling",
            "label": _("平均办理时长"),
            "value": hours(row.avg_handling_hours),
            "detail": _("已答复 %(n)d 件") % {"n": row.answered},
            "url": url(),
        },
        {
            "key": "composite",
            "label": _("综合得分"),
            "value": score(row.composite_score),
            "detail": _("有效回访 %(n)d 件") % {"n": row.valid_visits},
            "url": url(**visited),
        },
        {
            "key": "overdue",
            "label": _("超期未办结"),
            "value": str(row.overdue_now),
            "detail": _("延期 %(e)d，退单 %(s)d") % {"e": row.extended, "s": row.sent_back},
            "url": url(overdue=1),
            "warn": True,
        },
    ]


def unit_lines(cases: Any, period: Period) -> list[Line]:
    """Units ranked by composite score (no score last, then by cases received)."""
    rows = metrics.with_names(metrics.rates(cases, group_by=("lead_unit",)))
    units = [r for r in rows if r.group["lead_unit"] is not None]
    units.sort(key=lambda r: (r.composite_score is None, -(r.composite_score or 0), -r.received))
    lines = []
    for rank, row in enumerate(units, start=1):
        item = line(row.labels["lead_unit"], row, period.params(unit=row.group["lead_unit"]))
        item.rank = rank
        lines.append(item)
    # Cases with no lead unit (resolved on the spot, or not yet assigned) close the table, so
    # its rows add up to the total; they have no unit to rank.
    lines += [
        line(_("未交办（含当场办结）"), r, None) for r in rows if r.group["lead_unit"] is None
    ]
    return lines


def region_lines(cases: Any, period: Period) -> list[Line]:
    rows = metrics.rates(cases, group_by=("region",), region_level=REGION_LEVEL)
    places = {
        path: (name, code)
        for path, name, code in Region.objects.filter(
            path__in=[r.group["region"] for r in rows]
        ).values_list("path", "name", "code")
    }
    lines = []
    for row in rows:
        name, code = places.get(row.group["region"], ("—", None))
        lines.append(line(name, row, period.params(region=code)))
    return lines


def station_lines(cases: Any, period: Period) -> list[Line]:
    """The cases each grid station (网格驿站) took in, by the stations' names; cases taken in
    elsewhere are not a station's."""
    rows = metrics.with_names(
        metrics.rates(cases.filter(station__isnull=False), group_by=("station",))
    )
    rows.sort(key=lambda r: (-r.received, r.labels["station"]))
    return [line(r.labels["station"], r, period.params(station=r.group["station"])) for r in rows]


def category_lines(cases: Any, period: Period, types: dict[int, CaseType]) -> list[Line]:
    rows = metrics.rates(cases, group_by=("case_type", "category"))
    names = {
        pk: name
        for pk, name in Category.objects.filter(
            pk__in=[r.group["category"] for r in rows if r.group["category"]]
        ).values_list("pk", "name")
    }
    lines = []
    for row in rows:
        case_type = types[row.group["case_type"]]
        category = row.group["category"]
        label = f"{case_type.name} · {names.get(category, _('未分类'))}"
        params = None
        if category is not None:
            params = period.params(category=category)
            params["type"] = case_type.code
        lines.append(line(label, row, params))
    return lines


def month_lines(cases: Any, period: Period) -> list[Line]:
    """Every month of the period, an empty one included, so the trend has no gaps."""
    by_month = {r.group["month"]: r for r in metrics.rates(cases, group_by=("month",))}
    lines = []
    for month in period.months:
        row = by_month.get(month) or RateRow(group={"month": month})
        params = period.params()
        params["month"] = str(month)
        lines.append(line(metrics.month_label(month), row, params))
    return lines


def chart_units(units: list[Line]) -> list[Line]:
    """The units the ranking chart shows: every scored unit, or the first and last ten of
    a long list (红黑榜), which the table below lists in full."""
    scored = [u for u in units if u.rank and u.raw and u.raw.composite_score is not None]
    if len(scored) <= 2 * CHART_ENDS:
        return scored
    return scored[:CHART_ENDS] + scored[-CHART_ENDS:]


def chart_data(months: list[Line], units: list[Line]) -> dict[str, Any]:
    """What dashboard.js draws: rates in percent (None for no base), and the link per point."""

    def pct(rate: float | None) -> float | None:
        return None if rate is None else round(rate * 100, 1)

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    ranked = chart_units(units)

    return {
        "trend": {
            "labels": [m.label for m in months],
            "urls": [m.url for m in months],
            "received": [m.raw.received for m in months],
            "series": [
                {"name": _("响应率"), "data": [pct(m.raw.response_rate) for m in months]},
                {"name": _("解决率"), "data": [pct(m.raw.resolution_rate) for m in months]},
                {"name": _("满意率"), "data": [pct(m.raw.satisfaction_rate) for m in months]},
                {"name": _("按期办结率"), "data": [pct(m.raw.on_time_rate) for m in months]},
                {"name": _("当场办结率"), "data": [pct(m.raw.on_spot_rate) for m in months]},
            ],
            "receivedName": _("受理数"),
            "rateName": _("比率(%)"),
        },
        "ranking": {
            "labels": [f"{u.rank}. {u.label}" for u in ranked],
            "scores": [rounded(u.raw.composite_score) for u in ranked],
            "urls": [u.url for u in ranked],
            "name": _("综合得分"),
        },
    }


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The rates over a period (default the last 12 months), scoped to what the viewer sees."""
    if not may_read(request.user):
        raise PermissionDenied
    types = list(CaseType.objects.all())
    form, period = read_period(request, types)
    cases = metrics.filter_cases(
        visible_cases(request.user, Case.objects.all()),
        case_type=period.case_type,
        months=(period.start, period.end),
    )
    units = unit_lines(cases, period)
    months = month_lines(cases, period)
    context = {
        "form": form,
        "period": period,
        "period_label": f"{metrics.month_label(period.start)} — {metrics.month_label(period.end)}",
        "tiles": tiles(metrics.totals(cases), period),
        "headings": [heading for heading, _read, _extra in COLUMNS],
        "units": units,
        "regions": region_lines(cases, period),
        "stations": station_lines(cases, period),
        "categories": category_lines(cases, period, {t.pk: t for t in types}),
        "months": months,
        "charts": chart_data(months, units),
        "ranking_truncated": len(chart_units(units)) < len([u for u in units if u.rank]),
        "weights": {
            **settings.LIANXIN["COMPOSITE_WEIGHTS"],
            "basic": settings.LIANXIN["BASIC_SATISFACTION_WEIGHT"],
        },
    }
    return render(request, "web/dashboard/index.html", context)
