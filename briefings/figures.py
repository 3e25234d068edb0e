"""A briefing's numbers, computed once from ``stats.metrics`` over the cases the requester may
see, exactly as the dashboard computes them for the same months and place, and frozen into a
JSON document (``Briefing.figures``).

Every number is kept with the case-list parameters that open the cases it counts (the
dashboard's ``metric``/``part`` filter), so the .docx, the PDF and the page link each number to
its own cases. The template's sentences are Django templates over ``FIELDS``; each field renders
as a marker (``[[on_spot]]``) that the writers turn into the number and its link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.db.models.functions import Length
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, Satisfaction, Status
from cases.scope import visible_cases
from people.models import User
from regions.models import Region
from stats import metrics
from themes import progress as theme_progress
from themes import scope as theme_scope
from themes.models import ThemeStatus

# The figures a template may use, with what each means (shown on the admin page).
FIELDS: dict[str, str] = {
    "scope": "范围（县、镇名称）",
    "period": "期间（如 2026年3月、2026年第一季度）",
    "received": "受理诉求数",
    "received_approx": "受理诉求数的约数（如 近500）",
    "on_spot": "当场办结数",
    "on_spot_approx": "当场办结数的约数（如 380余）",
    "on_spot_rate": "当场办结率",
    "closed": "销号数",
    "valid_visits": "有效回访数",
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "composite_score": "综合得分",
    "due": "应办结数",
    "on_time": "按期办结数",
    "on_time_rate": "按期办结率",
    "rework_rate": "返工率",
    "overdue_now": "超期未办结数",
    "unsatisfied": "不满意数",
    "reopened": "重办数",
    "disputes": "排查矛盾纠纷数",
    "mediation_success": "成功调处数",
    "mediation_success_rate": "调处成功率",
    "avg_handling_hours": "平均办理时长（小时）",
    "received_mom": "受理数环比",
    "received_yoy": "受理数同比",
    "satisfaction_rate_mom": "满意率环比（百分点）",
    "on_time_rate_mom": "按期办结率环比（百分点）",
}
RATE_FIELDS = (
    "on_spot_rate",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_rate",
    "rework_rate",
    "mediation_success_rate",
)
# Counts the template names by another key (the approximate words open the same cases).
_ALIASES = {"received_approx": "received", "on_spot_approx": "on_spot"}
MARKER = re.compile(r"\[\[([a-z_]+)\]\]")
TYPICAL_COUNT = 3
PROBLEM_LIST = 5
TREND_MONTHS = 12
# A typical case's answer says what was done: at least this many characters.
GOOD_ANSWER_CHARS = 30

# Plain text, no HTML escaping (the writers escape for their format); an unknown name shows
# as a marker the template check reports.
ENGINE = Engine(autoescape=False, string_if_invalid="[[?%s]]")

DEFAULT_SUMMARY = (
    "{{ period }}，{{ scope }}共受理群众和企业诉求{{ received }}件，其中当场回应解决{{ on_spot }}件，"
    "当场办结率{{ on_spot_rate }}；已办结销号{{ closed }}件，按期办结率{{ on_time_rate }}。"
    "开展回访{{ valid_visits }}件，响应率{{ response_rate }}、解决率{{ resolution_rate }}、"
    "满意率{{ satisfaction_rate }}。排查矛盾纠纷{{ disputes }}起，成功调处{{ mediation_success }}起，"
    "调处成功率{{ mediation_success_rate }}。受理量环比{{ received_mom }}，同比{{ received_yoy }}。"
)
DEFAULT_RANKING_NOTE = (
    "各承办单位按综合得分排名。为避免件数很少的单位凭一两件满分排在前列，"
    "得分按有效回访件数向平均值收缩，方法如下。"
)
DEFAULT_TYPICAL_INTRO = "以下案例办结销号、群众满意、答复具体，供各单位学习借鉴。"
DEFAULT_PROBLEMS_INTRO = (
    "当前超期未办结{{ overdue_now }}件、回访不满意{{ unsatisfied }}件、重办{{ reopened }}件，"
    "请相关单位限期整改。"
)
DEFAULT_CLOSING = (
    "下一步，各单位要压实责任，对超期和不满意事项逐件跟踪，确保事事有回音、件件有落实。"
)


# The quarters as a briefing names them (English: Q1 … Q4).
QUARTERS = (
    gettext_lazy("第一季度"),
    gettext_lazy("第二季度"),
    gettext_lazy("第三季度"),
    gettext_lazy("第四季度"),
)


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    first_month: int
    last_month: int
    kind: str  # "month" or "quarter"

    @property
    def label(self) -> str:
        year, month = divmod(self.first_month, 100)
        if self.kind == "quarter":
            quarter = QUARTERS[(month - 1) // 3]
            return _("%(y)d年%(quarter)s") % {"y": year, "quarter": quarter}
        return _("%(y)d年%(m)d月") % {"y": year, "m": month}

    @property
    def months(self) -> list[int]:
        return months_between(self.first_month, self.last_month)

    def shifted(self, months: int) -> Period:
        return Period(
            add_months(self.first_month, months), add_months(self.last_month, months), self.kind
        )


def add_months(month: int, count: int) -> int:
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def months_between(start: int, end: int) -> list[int]:
    result, month = [], start
    while month <= end:
        result.append(month)
        month = add_months(month, 1)
    return result


def quarter_of(month: int) -> tuple[int, int]:
    year, m = divmod(month, 100)
    first = year * 100 + (m - 1) // 3 * 3 + 1
    return first, add_months(first, 2)


# --- Rendering of template text ---------------------------------------------------------------


def check_template(text: str) -> None:
    """Refuse a template that does not parse or names a figure that does not exist."""
    try:
        rendered = ENGINE.from_string(text).render(Context({k: f"[[{k}]]" for k in FIELDS}))
    except TemplateSyntaxError as error:
        raise TemplateError(_("模板语法有误：%(e)s") % {"e": error}) from error
    unknown = sorted({m.group(1) for m in re.finditer(r"\[\[\?([^\]]*)\]\]", rendered)})
    if unknown:
        raise TemplateError(
            _("模板使用了不存在的数据项：%(names)s。可用的数据项见下方说明。")
            % {"names": "、".join(unknown)}
        )


def segments(text: str) -> list[dict[str, Any]]:
    """Render template text into segments: plain text, or a figure's key (its number and link
    are in ``figures['numbers']``)."""
    if not text.strip():
        return []
    rendered = ENGINE.from_string(text).render(Context({k: f"[[{k}]]" for k in FIELDS}))
    parts: list[dict[str, Any]] = []
    position = 0
    for match in MARKER.finditer(rendered):
        if match.start() > position:
            parts.append({"text": rendered[position : match.start()]})
        parts.append({"key": match.group(1)})
        position = match.end()
    if position < len(rendered):
        parts.append({"text": rendered[position:]})
    return parts


def plain(parts: Iterable[dict[str, Any]], numbers: dict[str, dict[str, Any]]) -> str:
    return "".join(p["text"] if "text" in p else numbers[p["key"]]["text"] for p in parts)


# --- Number formats ---------------------------------------------------------------------------


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def approx(count: int) -> str:
    """The seeds' words: 近500 just below a round hundred, 380余 above a round ten (a round
    hundred from 1,000), the count itself below 20 or when it is round."""
    if count < 20:
        return str(count)
    near = 100 if count >= 100 else 10
    upper = (count // near + 1) * near
    if count % near and upper - count <= near * 0.05:
        return _("近%(n)d") % {"n": upper}
    step = 10 if count < 1000 else 100
    base = count // step * step
    if count == base:
        return str(count)
    return _("%(n)d余") % {"n": base}


def change(now: float | None, before: float | None) -> str:
    """A count's change in per cent (上升12.5% / 下降3.0% / 持平)."""
    if now is None or not before:
        return _("无可比数据")
    ratio = (now - before) / before
    if abs(ratio) < 0.0005:
        return _("持平")
    if ratio > 0:
        return _("上升%(p).1f%%") % {"p": ratio * 100}
    return _("下降%(p).1f%%") % {"p": -ratio * 100}


def points(now: float | None, before: float | None) -> str:
    """A rate's change in percentage points."""
    if now is None or before is None:
        return _("无可比数据")
    delta = (now - before) * 100
    if abs(delta) < 0.05:
        return _("持平")
    if delta > 0:
        return _("提高%(p).1f个百分点") % {"p": delta}
    return _("下降%(p).1f个百分点") % {"p": -delta}


# --- The computation --------------------------------------------------------------------------


def _params(period: Period, region: Region | None, **extra: Any) -> dict[str, str]:
    params = {"month": ",".join(str(m) for m in period.months)}
    if region is not None:
        params["region"] = region.code
    params.update({k: str(v) for k, v in extra.items() if v is not None})
    return params


def _number(text: str, value: Any, params: dict[str, str] | None) -> dict[str, Any]:
    return {"text": text, "value": value, "params": params}


def numbers_for(
    row: metrics.RateRow,
    period: Period,
    region: Region | None,
    *,
    previous: metrics.RateRow,
    last_year: metrics.RateRow,
    scope: str,
) -> dict[str, dict[str, Any]]:
    """Every figure of ``FIELDS`` for one row, each with the parameters opening its cases."""

    def opens(metric: str, part: str = metrics.NUM) -> dict[str, str]:
        return _params(period, region, metric=metric, part=part)

    numbers: dict[str, dict[str, Any]] = {
        "scope": _number(scope, scope, None),
        "period": _number(period.label, period.label, None),
    }
    for name in metrics.COUNTS:
        count = getattr(row, name)
        numbers[name] = _number(str(count), count, opens(name))
    for name in RATE_FIELDS:
        rate = getattr(row, name)
        numerator, _base = metrics.RATES[name]
        numbers[name] = _number(
            percent(rate), rate, opens(name, metrics.NUM if numerator else metrics.DEN)
        )
    numbers["composite_score"] = _number(
        "—" if row.composite_score is None else f"{row.composite_score:.1f}",
        row.composite_score,
        opens("composite_score", metrics.DEN),
    )
    hours = row.avg_handling_hours
    numbers["avg_handling_hours"] = _number(
        "—" if hours is None else f"{hours:.1f}", hours, opens("avg_handling_hours", metrics.DEN)
    )
    for alias, source in _ALIASES.items():
        numbers[alias] = {**numbers[source], "text": approx(numbers[source]["value"])}
    numbers["received_mom"] = _number(change(row.received, previous.received), None, None)
    numbers["received_yoy"] = _number(change(row.received, last_year.received), None, None)
    numbers["satisfaction_rate_mom"] = _number(
        points(row.satisfaction_rate, previous.satisfaction_rate), None, None
    )
    numbers["on_time_rate_mom"] = _number(
        points(row.on_time_rate, previous.on_time_rate), None, None
    )
    return numbers


def _root_name() -> str:
    """The county's (or city's) name for a briefing over everything one may see."""
    roots = list(Region.objects.filter(parent__isnull=True).values_list("name", flat=True)[:2])
    return roots[0] if len(roots) == 1 else _("全域")


def _case_brief(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "unit": case.lead_unit.short_name or case.lead_unit.name if case.lead_unit else "",
        "category": case.category.name if case.category else "",
        "answer": case.answer,
    }


def period_themes(
    user: User, period: Period, region: Region | None, *, now: datetime
) -> list[dict[str, Any]]:
    """每月一题 of the period's months that ``user`` may see, at ``region`` (the county's own:
    its county-wide themes too; none: all of them), dropped ones left out: lead unit,
    milestones done, cases closed."""
    themes = (
        theme_scope.visible_themes(user)
        .filter(month__gte=period.first_month, month__lte=period.last_month)
        .exclude(status=ThemeStatus.DROPPED)
    )
    if region is not None:
        inside = Q(place__path__gte=region.path, place__path__lt=region.path_range_end)
        if region.depth <= 1:  # the county's own briefing: its county-wide themes too
            inside |= Q(place__isnull=True)
        themes = themes.filter(inside)
    return theme_progress.theme_lines(list(themes.order_by("month", "pk")), now=now)


def compute(
    user: User,
    period: Period,
    region: Region | None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The briefing's numbers over ``user``'s cases in ``region`` for ``period``: the dashboard's
    figures for the same months and place, the comparisons, the rankings, the monthly trend,
    typical cases chosen by rule, the problems and the period's 每月一题. Queries: a fixed
    number (about a dozen, and four for the themes)."""
    now = now or timezone.now()
    visible = visible_cases(user)
    scoped = metrics.filter_cases(visible, region=region)

    def over(p: Period) -> Any:
        return metrics.filter_cases(scoped, months=(p.first_month, p.last_month))

    cases = over(period)
    previous_period = period.shifted(-len(period.months))
    row = metrics.totals(cases, now=now)
    previous = metrics.totals(over(previous_period), now=now)
    last_year = metrics.totals(over(period.shifted(-12)), now=now)
    scope = region.name if region is not None else _root_name()
    numbers = numbers_for(row, period, region, previous=previous, last_year=last_year, scope=scope)

    # Comparisons: each rate now, the period before (环比) and a year before (同比).
    year_before = period.shifted(-12)

    def rate_part(name: str) -> str:
        return metrics.NUM if metrics.RATES[name][0] else metrics.DEN

    comparisons = [
        {
            "key": name,
            "now": getattr(row, name),
            "previous": getattr(previous, name),
            "last_year": getattr(last_year, name),
            "mom": points(getattr(row, name), getattr(previous, name)),
            "yoy": points(getattr(row, name), getattr(last_year, name)),
            "params": {
                "now": _params(period, region, metric=name, part=rate_part(name)),
                "previous": _params(previous_period, region, metric=name, part=rate_part(name)),
                "last_year": _params(year_before, region, metric=name, part=rate_part(name)),
            },
        }
        for name in RATE_FIELDS
    ]

    # Units, ranked the dashboard's way (minimum volume, shrinkage toward the average).
    unit_rows = metrics.with_names(metrics.rates(cases, group_by=("lead_unit",), now=now))
    ranked, apart = metrics.rank(
        [r for r in unit_rows if r.group.get("lead_unit") is not None], prior=row.composite_score
    )
    min_volume, weight = metrics.ranking_settings()

    def unit_line(item: metrics.Ranked) -> dict[str, Any]:
        unit = item.row.group["lead_unit"]
        return {
            "rank": item.rank,
            "unit": item.row.labels.get("lead_unit", ""),
            "received": item.row.received,
            "valid_visits": item.volume,
            "composite_score": item.row.composite_score,
            "score": item.score,
            "on_time_rate": item.row.on_time_rate,
            "satisfaction_rate": item.row.satisfaction_rate,
            "params": _params(period, region, unit=unit, metric="received", part=metrics.NUM),
            "links": {
                name: _params(period, region, unit=unit, metric=name, part=part)
                for name, part in (
                    ("valid_visits", metrics.NUM),
                    ("composite_score", metrics.DEN),
                    ("on_time_rate", metrics.NUM),
                    ("satisfaction_rate", metrics.NUM),
                )
            },
        }

    # Towns (or the places under the chosen one): received and on the spot, for the chart.
    level = (region.depth + 1) if region is not None else 2
    place_rows = metrics.with_names(
        metrics.rates(cases, group_by=("region",), region_level=level, now=now)
    )
    places = [
        {
            "label": r.labels.get("region", ""),
            "received": r.received,
            "on_spot": r.on_spot,
            "closed": r.closed,
            "satisfaction_rate": r.satisfaction_rate,
        }
        for r in place_rows
    ]

    trend_period = Period(
        add_months(period.last_month, 1 - TREND_MONTHS), period.last_month, "month"
    )
    trend_rows = metrics.rates(
        metrics.filter_cases(scoped, months=(trend_period.first_month, trend_period.last_month)),
        group_by=("month",),
        now=now,
    )
    by_month = {r.group["month"]: r for r in trend_rows}
    trend = [
        {
            "month": m,
            "label": metrics.month_label(m),
            "received": by_month[m].received if m in by_month else 0,
            "closed": by_month[m].closed if m in by_month else 0,
            "satisfaction_rate": by_month[m].satisfaction_rate if m in by_month else None,
        }
        for m in trend_period.months
    ]

    counted = cases.counted().select_related("lead_unit", "category")
    typical = list(
        counted.filter(
            status=Status.CLOSED,
            visit_valid=True,
            visit_satisfaction=Satisfaction.SATISFIED,
            reopen_count=0,
        )
        .filter(Q(answered_on_time=True) | Q(resolved_on_spot=True))
        .annotate(answer_length=Length("answer"))
        .filter(answer_length__gte=GOOD_ANSWER_CHARS)
        .order_by("-answer_length", "reported_at")[: TYPICAL_COUNT * 4]
    )
    chosen: list[Case] = []
    categories: set[int | None] = set()
    for case in typical:  # one per category first, then the best of the rest
        if case.category_id not in categories:
            chosen.append(case)
            categories.add(case.category_id)
        if len(chosen) == TYPICAL_COUNT:
            break
    for case in typical:
        if len(chosen) == TYPICAL_COUNT:
            break
        if case not in chosen:
            chosen.append(case)

    predicates = metrics.predicates(now)
    problems = {
        name: [
            _case_brief(c)
            for c in counted.filter(predicates[name]).order_by("reported_at")[:PROBLEM_LIST]
        ]
        for name in ("overdue_now", "unsatisfied", "reopened")
    }

    return {
        "kind": period.kind,
        "first_month": period.first_month,
        "last_month": period.last_month,
        "period": period.label,
        "scope": scope,
        "region": region.code if region is not None else None,
        "computed_at": now.isoformat(),
        "numbers": numbers,
        "comparisons": comparisons,
        "ranking": {
            "min_volume": min_volume,
            "weight": weight,
            "average": row.composite_score,
            "ranked": [unit_line(r) for r in ranked],
            "apart": [unit_line(r) for r in apart],
        },
        "places": places,
        "trend": trend,
        "typical": [_case_brief(c) for c in chosen],
        "problems": problems,
        "themes": period_themes(user, period, region, now=now),
    }


def render_texts(figures: dict[str, Any], texts: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The template's texts as segments over ``figures``' numbers."""
    return {name: segments(text) for name, text in texts.items()}
