"""The leaders' dashboard: the rates of docs/metrics.md by unit, town, category and month.

Every figure comes from ``stats.metrics`` over the cases the viewer may see, and every figure
links to the case list filtered to exactly the cases behind it (``caseviews:case-list`` with
``metric`` and ``part`` beside ``unit``, ``month``, ``type``, ``category``, ``region`` or
``station``): a rate's numerator and base each open their own list. The page costs a
fixed number of queries whatever the number of cases: one GROUP BY per table and one name
look-up per named dimension.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

from cases.models import Case, CaseType, Category
from cases.scope import visible_cases
from config.routers import reads_reports
from people.http import AuthenticatedHttpRequest
from people.models import REPORT_READERS, User
from regions.models import Region, RegionLevel
from stats import metrics
from stats.metrics import RateRow
from stats.rollup import Source
from themes import progress as theme_progress
from themes import scope as theme_scope
from themes.models import MonthlyTheme, ThemeStatus

READER_ROLES = tuple(REPORT_READERS)
# Towns (the second level of the region tree) are the regions leaders compare.
REGION_LEVEL = 2
DEFAULT_MONTHS = 12
# How far back the period filter reaches.
CHOOSABLE_MONTHS = 36
# A long ranking chart shows the first and the last this many units.
CHART_ENDS = 10
# Every figure links to exactly the cases it counts: the case list's ``metric`` and ``part``
# filters apply the same predicate the figure's count is (stats.metrics.figure_q), beside the
# period, type and group of the figure.


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
    """One number on the page and the case list behind it; a rate carries its numerator and
    base (``parts``), each opening its own cases."""

    text: str
    url: str
    parts: list[Figure] = field(default_factory=list)
    title: str = ""


@dataclass
class Line:
    """One row of a table: a group's label and its figures, in COLUMNS order."""

    label: str
    figures: list[Figure]
    url: str
    raw: RateRow
    rank: int | None = None
    score: str = ""


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def hours(value: float | None) -> str:
    return "—" if value is None else _("%(h).1f小时") % {"h": value}


def case_list_url(params: dict[str, Any]) -> str:
    """The case list filtered by ``params``."""
    return f"{reverse('caseviews:case-list')}?{urlencode(params, safe=',')}"


def metric_params(metric: str, part: str = metrics.NUM) -> dict[str, str]:
    """The case-list parameters of one figure's cases (stats.metrics.figure_q)."""
    return {"metric": metric, "part": part} if part != metrics.NUM else {"metric": metric}


# Table columns: (heading, the metric, how its value reads).
COLUMNS: list[tuple[Any, str, Any]] = [
    (gettext_lazy("受理数"), "received", lambda r: str(r.received)),
    (gettext_lazy("当场办结率"), "on_spot_rate", lambda r: percent(r.on_spot_rate)),
    (gettext_lazy("响应率"), "response_rate", lambda r: percent(r.response_rate)),
    (gettext_lazy("解决率"), "resolution_rate", lambda r: percent(r.resolution_rate)),
    (gettext_lazy("满意率"), "satisfaction_rate", lambda r: percent(r.satisfaction_rate)),
    (gettext_lazy("综合得分"), "composite_score", lambda r: score(r.composite_score)),
    (gettext_lazy("按期办结率"), "on_time_rate", lambda r: percent(r.on_time_rate)),
    (gettext_lazy("返工率"), "rework_rate", lambda r: percent(r.rework_rate)),
    (
        gettext_lazy("调处成功率"),
        "mediation_success_rate",
        lambda r: percent(r.mediation_success_rate),
    ),
    (gettext_lazy("超期未办结"), "overdue_now", lambda r: str(r.overdue_now)),
    (gettext_lazy("销号数"), "closed", lambda r: str(r.closed)),
    (gettext_lazy("平均办理时长"), "avg_handling_hours", lambda r: hours(r.avg_handling_hours)),
]


def figure(row: RateRow, metric: str, text: str, link: Any) -> Figure:
    """A figure linking to its cases: a count to itself; a rate to its base, with its numerator
    and base beside it (the composite and the average have only a base)."""
    if metric in metrics.COUNTS:
        return Figure(text, link(metric_params(metric)))
    den = Figure(str(row.count(metric, metrics.DEN)), link(metric_params(metric, metrics.DEN)))
    den.title = str(_("分母(基数)"))
    parts = [den]
    if metrics.has_part(metric, metrics.NUM):
        num = Figure(str(row.count(metric, metrics.NUM)), link(metric_params(metric)))
        num.title = str(_("分子"))
        parts = [num, den]
    return Figure(text, den.url, parts)


def line(label: str, row: RateRow, params: dict[str, Any] | None) -> Line:
    """A table row; ``params`` None for a group the case list cannot select (a category not
    chosen), whose figures are shown without a link rather than with a wrong one."""
    if params is None:
        return Line(
            label=label,
            figures=[Figure(read(row), "") for _h, _m, read in COLUMNS],
            url="",
            raw=row,
        )
    # One reverse and one encoding per row, each column's own parameters appended: the page
    # has thousands of links and building each from scratch was 40 % of its time.
    base = f"{reverse('caseviews:case-list')}?{urlencode(params, safe=',')}"

    def link(extra: dict[str, Any]) -> str:
        return f"{base}&{urlencode(extra, safe=',')}"

    figures = [figure(row, metric, read(row), link) for _h, metric, read in COLUMNS]
    return Line(label=label, figures=figures, url=link(metric_params("received")), raw=row)


def signed(value: float, unit: str) -> str:
    return f"{value:+.1f}{unit}"


def change(metric: str, now: RateRow, then: RateRow) -> str:
    """The change from ``then`` to ``now``: percentage points for a rate, points for the
    composite, hours for the average, per cent for a count; "—" with no base on either side."""
    if metric in metrics.COUNTS:
        before, after = then.count(metric), now.count(metric)
        if not before:
            return "—"
        return signed(((after or 0) - before) / before * 100, "%")
    a, b = getattr(now, metric), getattr(then, metric)
    if a is None or b is None:
        return "—"
    if metric == "composite_score":
        return signed(a - b, str(_("分")))
    if metric == "avg_handling_hours":
        return signed(a - b, str(_("小时")))
    return signed((a - b) * 100, str(_("个百分点")))


# The headline tiles: (key, label, metric, how the value reads, warn).
TILES: list[tuple[str, Any, str, Any, bool]] = [
    ("received", gettext_lazy("受理数"), "received", lambda r: str(r.received), False),
    (
        "on_spot",
        gettext_lazy("当场办结率"),
        "on_spot_rate",
        lambda r: percent(r.on_spot_rate),
        False,
    ),
    (
        "response",
        gettext_lazy("响应率"),
        "response_rate",
        lambda r: percent(r.response_rate),
        False,
    ),
    (
        "resolution",
        gettext_lazy("解决率"),
        "resolution_rate",
        lambda r: percent(r.resolution_rate),
        False,
    ),
    (
        "satisfaction",
        gettext_lazy("满意率"),
        "satisfaction_rate",
        lambda r: percent(r.satisfaction_rate),
        False,
    ),
    (
        "on_time",
        gettext_lazy("按期办结率"),
        "on_time_rate",
        lambda r: percent(r.on_time_rate),
        False,
    ),
    ("rework", gettext_lazy("返工率"), "rework_rate", lambda r: percent(r.rework_rate), True),
    (
        "mediation",
        gettext_lazy("调处成功率"),
        "mediation_success_rate",
        lambda r: percent(r.mediation_success_rate),
        False,
    ),
    (
        "handling",
        gettext_lazy("平均办理时长"),
        "avg_handling_hours",
        lambda r: hours(r.avg_handling_hours),
        False,
    ),
    (
        "composite",
        gettext_lazy("综合得分"),
        "composite_score",
        lambda r: score(r.composite_score),
        False,
    ),
    ("overdue", gettext_lazy("超期未办结"), "overdue_now", lambda r: str(r.overdue_now), True),
]
# What each tile lists beside its value: (words, metric, part) — each a link to its cases.
TILE_DETAILS: dict[str, list[tuple[Any, str, str]]] = {
    "received": [(gettext_lazy("销号"), "closed", metrics.NUM)],
    "on_spot": [
        (gettext_lazy("当场办结"), "on_spot_rate", metrics.NUM),
        (gettext_lazy("受理"), "on_spot_rate", metrics.DEN),
    ],
    "response": [
        (gettext_lazy("及时联系"), "response_rate", metrics.NUM),
        (gettext_lazy("未响应"), "response_rate", metrics.MISS),
        (gettext_lazy("有效回访"), "response_rate", metrics.DEN),
    ],
    "resolution": [
        (gettext_lazy("已解决"), "resolution_rate", metrics.NUM),
        (gettext_lazy("未解决"), "resolution_rate", metrics.MISS),
        (gettext_lazy("有效回访"), "resolution_rate", metrics.DEN),
    ],
    "satisfaction": [
        (gettext_lazy("满意"), "satisfied", metrics.NUM),
        (gettext_lazy("基本满意"), "basic", metrics.NUM),
        (gettext_lazy("不满意"), "unsatisfied", metrics.NUM),
        (gettext_lazy("有效回访"), "satisfaction_rate", metrics.DEN),
    ],
    "on_time": [
        (gettext_lazy("按期"), "on_time_rate", metrics.NUM),
        (gettext_lazy("未按期"), "on_time_rate", metrics.MISS),
        (gettext_lazy("应办结"), "on_time_rate", metrics.DEN),
    ],
    "rework": [
        (gettext_lazy("返工"), "rework_rate", metrics.NUM),
        (gettext_lazy("已答复"), "rework_rate", metrics.DEN),
    ],
    "mediation": [
        (gettext_lazy("调处成功"), "mediation_success_rate", metrics.NUM),
        (gettext_lazy("未成功"), "mediation_success_rate", metrics.MISS),
        (gettext_lazy("已研判"), "mediation_success_rate", metrics.DEN),
    ],
    "handling": [(gettext_lazy("计入"), "avg_handling_hours", metrics.DEN)],
    "composite": [(gettext_lazy("有效回访"), "composite_score", metrics.DEN)],
    "overdue": [
        (gettext_lazy("延期"), "extended", metrics.NUM),
        (gettext_lazy("退单"), "sent_back", metrics.NUM),
    ],
}


def sparkline(values: list[float | None], width: int = 120, height: int = 24) -> str:
    """SVG polyline points of a month series (gaps for months without a base), or "" for
    fewer than two values."""
    known = [v for v in values if v is not None]
    if len(values) < 2 or len(known) < 2:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    segments: list[str] = []
    current: list[str] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        y = height - 2 - (value - low) / span * (height - 4)
        current.append(f"{i * step:.1f},{y:.1f}")
    if current:
        segments.append(" ".join(current))
    return "|".join(segments)


@dataclass
class Comparisons:
    """The period's totals (one query), those of the period before (环比) and a year before
    (同比) and the months of the period for the trend (one GROUP BY by month: the counts of
    months add up, the rates are recomputed from them)."""

    current: RateRow
    previous: RateRow
    year_ago: RateRow
    months: dict[int, RateRow]
    previous_period: Period
    year_ago_period: Period


def period_rates(
    cases: Any,
    source: Source | None,
    group_by: tuple[str, ...] = (),
    *,
    region_level: int | None = None,
) -> list[RateRow]:
    """``metrics.rates`` over ``cases``, from the rollup when the viewer's cases are whole
    region subtrees (``source``): the same figures without scanning every case."""
    if source is not None:
        return source.rates(group_by, region_level=region_level)
    if "station" in group_by:
        cases = cases.filter(station__isnull=False)
    return metrics.rates(cases, group_by=group_by, region_level=region_level)


def comparisons(
    request: AuthenticatedHttpRequest,
    period: Period,
    period_cases: Any,
    source: Source | None = None,
) -> Comparisons:
    length = len(period.months)
    previous = Period(
        add_months(period.start, -length), add_months(period.start, -1), period.case_type
    )
    year_ago = Period(add_months(period.start, -12), add_months(period.end, -12), period.case_type)
    start = min(previous.start, year_ago.start)
    cases = metrics.filter_cases(
        visible_cases(request.user, Case.objects.all()),
        case_type=period.case_type,
        months=(start, period.end),
    )
    span = source.narrow(months=(start, period.end)) if source is not None else None
    by_month = {r.group["month"]: r for r in period_rates(cases, span, ("month",))}

    def over(p: Period) -> RateRow:
        return metrics.combine([by_month[m] for m in p.months if m in by_month])

    return Comparisons(
        # The period's own totals in their own query, so every figure is the database's, the
        # same as a briefing's for these months (an average recombined from months could differ
        # in its last digit).
        current=period_rates(period_cases, source)[0],
        previous=over(previous),
        year_ago=over(year_ago),
        months={m: by_month[m] for m in period.months if m in by_month},
        previous_period=previous,
        year_ago_period=year_ago,
    )


def tiles(data: Comparisons, period: Period) -> list[dict[str, Any]]:
    """The headline figures over the whole period, each with its numerator and base, its
    change on the period before (环比) and on a year before (同比), and its monthly trend."""
    row = data.current
    tiles = []
    for key, label, metric, read, warn in TILES:
        main_part = metrics.NUM if metric in metrics.COUNTS else metrics.DEN
        details = [
            {
                "label": words,
                "value": row.count(m, part),
                "url": case_list_url(period.params(**metric_params(m, part))),
            }
            for words, m, part in TILE_DETAILS.get(key, [])
        ]
        compared = []
        for words, other, other_period in (
            (_("环比"), data.previous, data.previous_period),
            (_("同比"), data.year_ago, data.year_ago_period),
        ):
            value = read(other)
            compared.append(
                {
                    "label": words,
                    "value": value,
                    # No base then: the value's "—" says it; no second dash for the change.
                    "change": "" if value == "—" else change(metric, row, other),
                    "period": f"{metrics.month_label(other_period.start)}—"
                    f"{metrics.month_label(other_period.end)}",
                    "url": case_list_url(other_period.params(**metric_params(metric, main_part))),
                }
            )
        series: list[float | None] = []
        for month in period.months:
            month_row = data.months.get(month) or RateRow(group={"month": month})
            value = (
                month_row.count(metric) if metric in metrics.COUNTS else getattr(month_row, metric)
            )
            series.append(None if value is None else float(value))
        tiles.append(
            {
                "key": key,
                "label": label,
                "value": read(row),
                "url": case_list_url(period.params(**metric_params(metric, main_part))),
                "details": details,
                "compared": compared,
                "spark": [points for points in sparkline(series).split("|") if points],
                "warn": warn,
            }
        )
    return tiles


@dataclass
class Ranking:
    """A ranked table and the groups listed apart (样本不足)."""

    lines: list[Line]
    apart: list[Line]
    prior: float | None


def ranked_lines(
    rows: list[RateRow], labelled: Any, prior: float | None
) -> tuple[list[Line], list[Line]]:
    """Lines ranked by the composite shrunk toward ``prior``; those below the minimum apart."""
    ranked, apart = metrics.rank(rows, prior=prior)
    lines = []
    for item in ranked:
        entry = labelled(item.row)
        entry.rank, entry.score = item.rank, score(item.score)
        lines.append(entry)
    others = []
    for item in apart:
        entry = labelled(item.row)
        entry.score = score(item.score)
        others.append(entry)
    return lines, others


def unit_lines(
    cases: Any, period: Period, prior: float | None, source: Source | None = None
) -> Ranking:
    """Units ranked by their composite shrunk toward the average of all visible cases, among
    those with enough valid return visits; the others listed apart (样本不足)."""
    rows = metrics.with_names(period_rates(cases, source, ("lead_unit",)))
    units = [r for r in rows if r.group["lead_unit"] is not None]
    lines, apart = ranked_lines(
        units,
        lambda r: line(r.labels["lead_unit"], r, period.params(unit=r.group["lead_unit"])),
        prior,
    )
    # Cases with no lead unit (resolved on the spot, or not yet assigned) close the table, so
    # its rows with the ones apart add up to the total; they have no unit to rank.
    lines += [
        line(_("未交办（含当场办结）"), r, period.params(unit="null"))
        for r in rows
        if r.group["lead_unit"] is None
    ]
    return Ranking(lines, apart, prior)


def region_lines(
    cases: Any, period: Period, prior: float | None, source: Source | None = None
) -> Ranking:
    rows = period_rates(cases, source, ("region",), region_level=REGION_LEVEL)
    places = {
        path: (name, code, level)
        for path, name, code, level in Region.objects.filter(
            path__in=[r.group["region"] for r in rows]
        ).values_list("path", "name", "code", "level")
    }

    def labelled(row: RateRow) -> Line:
        name, code, level = places.get(row.group["region"], ("—", None, None))
        if code is None:
            return line(name, row, None)
        # A case placed above the towns (at the county itself) keeps its own place as its key:
        # its link lists that place alone, not everything under it.
        above = level is not None and level < RegionLevel.TOWN
        return line(name, row, period.params(**({"place": code} if above else {"region": code})))

    lines, apart = ranked_lines(rows, labelled, prior)
    return Ranking(lines, apart, prior)


def station_lines(cases: Any, period: Period, source: Source | None = None) -> list[Line]:
    """The cases each grid station (网格驿站) took in, by the stations' names; cases taken in
    elsewhere are not a station's."""
    rows = metrics.with_names(period_rates(cases, source, ("station",)))
    rows.sort(key=lambda r: (-r.received, r.labels["station"]))
    return [line(r.labels["station"], r, period.params(station=r.group["station"])) for r in rows]


def category_lines(
    cases: Any, period: Period, types: dict[int, CaseType], source: Source | None = None
) -> list[Line]:
    rows = period_rates(cases, source, ("case_type", "category"))
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
        params = period.params(category=category if category is not None else "null")
        params["type"] = case_type.code
        lines.append(line(label, row, params))
    return lines


def month_lines(data: Comparisons, period: Period) -> list[Line]:
    """Every month of the period, an empty one included, so the trend has no gaps."""
    lines = []
    for month in period.months:
        row = data.months.get(month) or RateRow(group={"month": month})
        params = period.params()
        params["month"] = str(month)
        lines.append(line(metrics.month_label(month), row, params))
    return lines


@dataclass
class WhistleLine:
    label: str
    figures: list[Figure]


WHISTLE_HEADINGS = [
    gettext_lazy("请求数"),
    gettext_lazy("按时签收率"),
    gettext_lazy("平均签收用时"),
    gettext_lazy("按期办结率"),
    gettext_lazy("平均办理时长"),
    gettext_lazy("超期未办结"),
]


def whistle_lines(cases: Any, period: Period) -> list[WhistleLine]:
    """吹哨报到: each county department's response to the cases towns dispatched to it."""
    lines = []
    for item in metrics.whistle(cases):
        base = case_list_url(period.params(unit=item.unit, whistle=1))

        def link(extra: dict[str, Any], base: str = base) -> str:
            return f"{base}&{urlencode(extra)}"

        rate = item.rates
        response = Figure(
            percent(item.response_rate),
            link(metric_params("whistle_response_rate", metrics.DEN)),
            [
                Figure(
                    str(item.response_on_time),
                    link(metric_params("whistle_response_rate")),
                    title=str(_("分子")),
                ),
                Figure(
                    str(item.response_due),
                    link(metric_params("whistle_response_rate", metrics.DEN)),
                    title=str(_("分母(基数)")),
                ),
            ],
        )
        lines.append(
            WhistleLine(
                item.label,
                [
                    Figure(str(item.requests), link(metric_params("requests"))),
                    response,
                    Figure(hours(item.avg_response_hours), link(metric_params("accepted"))),
                    figure(rate, "on_time_rate", percent(rate.on_time_rate), link),
                    figure(rate, "avg_handling_hours", hours(rate.avg_handling_hours), link),
                    Figure(str(rate.overdue_now), link(metric_params("overdue_now"))),
                ],
            )
        )
    return lines


def chart_units(units: list[Line]) -> list[Line]:
    """The units the ranking chart shows: every ranked unit, or the first and last ten of
    a long list (红黑榜), which the table below lists in full."""
    scored = [u for u in units if u.rank]
    if len(scored) <= 2 * CHART_ENDS:
        return scored
    return scored[:CHART_ENDS] + scored[-CHART_ENDS:]


def chart_data(months: list[Line], units: list[Line]) -> dict[str, Any]:
    """What dashboard.js draws: rates in percent (None for no base), and the link per point."""

    def pct(rate: float | None) -> float | None:
        return None if rate is None else round(rate * 100, 1)

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
            "scores": [float(u.score) if u.score not in ("", "—") else None for u in ranked],
            "urls": [u.url for u in ranked],
            "name": _("排名得分"),
        },
    }


def month_themes(user: User) -> list[MonthlyTheme]:
    """This month's 每月一题 the viewer may see, dropped ones left out, with their milestones
    done and cases closed (one query)."""
    themes = (
        theme_scope.visible_themes(user)
        .filter(month=month_key(timezone.localdate()))
        .exclude(status=ThemeStatus.DROPPED)
    )
    return list(theme_progress.with_counts(themes).order_by("pk"))


@login_required
@reads_reports
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
    # The rollup (stats.rollup) when the viewer's cases are whole region subtrees: the same
    # figures as the GROUP BYs over ``cases``, without scanning a million rows per table.
    source = Source.for_user(
        request.user, case_type=period.case_type, months=(period.start, period.end)
    )
    data = comparisons(request, period, cases, source)
    prior = data.current.composite_score
    units = unit_lines(cases, period, prior, source)
    towns = region_lines(cases, period, prior, source)
    months = month_lines(data, period)
    min_volume, prior_weight = metrics.ranking_settings()
    context = {
        "form": form,
        "period": period,
        "period_label": f"{metrics.month_label(period.start)} — {metrics.month_label(period.end)}",
        "tiles": tiles(data, period),
        "headings": [heading for heading, _metric, _read in COLUMNS],
        "units": units.lines,
        "units_apart": units.apart,
        "regions": towns.lines,
        "regions_apart": towns.apart,
        "stations": station_lines(cases, period, source),
        "categories": category_lines(cases, period, {t.pk: t for t in types}, source),
        "months": months,
        "whistle": whistle_lines(cases, period),
        "whistle_headings": WHISTLE_HEADINGS,
        "themes": month_themes(request.user),
        "themes_month": metrics.month_label(month_key(timezone.localdate())),
        "charts": chart_data(months, units.lines),
        "ranking_truncated": len(chart_units(units.lines))
        < len([u for u in units.lines if u.rank]),
        "ranking": {"min": min_volume, "k": prior_weight, "prior": score(prior)},
        "weights": {
            **settings.LIANXIN["COMPOSITE_WEIGHTS"],
            "basic": settings.LIANXIN["BASIC_SATISFACTION_WEIGHT"],
        },
    }
    return render(request, "web/dashboard/index.html", context)
