"""The case list's filters, read from the query string so any count on any page can link to them.

One FilterSet serves the list and its Excel export: what a user sees on the page is what the
ledger file holds. Every value is validated by a form field before it reaches the database; an
invalid value is shown beside its field and the list is not filtered by it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Case as Conditional
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseQuerySet, CaseType, Category, Channel, Status
from cases.scope import sees_everything
from ledgers.exporters import ExportError, parse_month, parse_statuses
from orgs.models import HANDLING_KINDS, Organisation
from people.models import User
from regions.models import Region, RegionLevel
from stats import metrics

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_SPLIT = re.compile(r"[,，、\s]+")

# The lifecycle order of the states, so "sort by state" reads like the loop.
STATUS_ORDER = [
    Status.REPORTED,
    Status.TRIAGED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.ANSWERED,
    Status.VERIFIED,
    Status.CLOSED,
    Status.REJECTED,
    Status.MERGED,
]
_STATUS_RANK = Conditional(
    *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
    default=Value(99),
    output_field=IntegerField(),
)
# sort value → order_by; every order ends with the primary key so pages never overlap.
SORTS: dict[str, tuple[Any, ...]] = {
    "-reported_at": ("-reported_at", "-pk"),
    "reported_at": ("reported_at", "pk"),
    "deadline": (F("deadline").asc(nulls_last=True), "pk"),
    "-deadline": (F("deadline").desc(nulls_last=True), "-pk"),
    "status": ("status_rank", "-reported_at", "-pk"),
    "-status": ("-status_rank", "-reported_at", "-pk"),
    "number": ("number", "pk"),
    "-number": ("-number", "-pk"),
}
DEFAULT_SORT = "-reported_at"


def start_of(day: date) -> datetime:
    """Local midnight at the start of ``day`` (dates in filters are local dates)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class BoundedDateField(forms.DateField):
    """A date in a sane range: year 9999 plus one day would be a database error, not a filter."""

    widget = forms.DateInput(attrs={"type": "date"})

    def clean(self, value: Any) -> date | None:
        day = super().clean(value)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(_("日期须在 2000-01-01 至 2099-12-31 之间。"))
        return day


class BoundedDateFilter(django_filters.Filter):
    field_class = BoundedDateField


def _is_yes(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "on", "yes"}


class FlagInput(forms.CheckboxInput):
    """A checkbox that reads "0" as unchecked (Django's reads any non-empty text as checked)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, check_test=_is_yes)

    def format_value(self, value: Any) -> str:
        return "1"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        return _is_yes(data.get(name, ""))


class FlagField(forms.Field):
    """A yes/no flag of the query string: 1/true/on is yes; anything else (0, empty) is no."""

    widget = FlagInput

    def to_python(self, value: Any) -> bool:
        return _is_yes(value)

    def validate(self, value: Any) -> None:
        pass


class FlagFilter(django_filters.Filter):
    field_class = FlagField


class IdFilter(django_filters.NumberFilter):
    # The stubs pin NumberFilter.field_class to DecimalField; django-filter takes any field.
    field_class = forms.IntegerField  # type: ignore[assignment]


class RegionCodeField(forms.CharField):
    """A region by its code (区划代码); the select offers the towns and villages of the scope."""

    def clean(self, value: Any) -> Region | None:
        code = super().clean(value)
        if not code:
            return None
        region = Region.objects.filter(code=code).only("path", "name", "code").first()
        if region is None:
            raise forms.ValidationError(_("区划代码“%(v)s”不存在。") % {"v": code})
        return region


class RegionCodeFilter(django_filters.Filter):
    field_class = RegionCodeField


class StatusListField(forms.CharField):
    """One state or a comma list: codes (closed), the canonical labels (已销号) or "open"."""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        if not text:
            return []
        try:
            return list(dict.fromkeys(parse_statuses(text)))
        except ExportError as error:
            raise forms.ValidationError(str(error)) from error


class StatusListFilter(django_filters.Filter):
    field_class = StatusListField


class MonthListField(forms.CharField):
    """Reported months as YYYYMM (or YYYY-MM), one or a comma list."""

    def clean(self, value: Any) -> list[int]:
        text = super().clean(value)
        months: list[int] = []
        for part in filter(None, _SPLIT.split(text or "")):
            try:
                month = parse_month(part)
            except ExportError as error:
                raise forms.ValidationError(str(error)) from error
            if not FIRST_DAY.year <= month // 100 <= LAST_DAY.year:
                raise forms.ValidationError(_("月份须在 2000 至 2099 年之间。"))
            months.append(month)
        return months


class MonthListFilter(django_filters.Filter):
    field_class = MonthListField


class CategoryField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.case_type.name} · {obj.name}"


class CategoryFilter(django_filters.ModelChoiceFilter):
    # django-filter's own ModelChoiceField, for its 未分类 (null) choice.
    field_class = CategoryField


def _status_label(value: str) -> str:
    try:
        return "、".join(str(Status(s).label) for s in dict.fromkeys(parse_statuses(value)))
    except ExportError:
        return value


def _region_label(code: str) -> str:
    if (
        "\x00" in code or len(code) > 32
    ):  # not a code; the field reports it (PostgreSQL rejects NUL)
        return code
    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


STATUS_CHOICES = [("", _("全部状态")), ("open", _("未办结(全部在办)")), *Status.choices]


def region_choices(user: User) -> list[tuple[Any, Any]]:
    """The towns and villages of the user's region scopes, grouped by town (one query).

    Users whose scope is not a place (departments, enterprises, residents) see every town and
    village: their cases may lie anywhere, and the list stays limited to what they may see.
    """
    regions = Region.objects.filter(level__in=(RegionLevel.TOWN, RegionLevel.VILLAGE))
    roots = [a.region for a in user.role_assignments if a.region is not None]
    if roots and not sees_everything(user):
        inside = Q()
        for root in roots:
            inside |= Q(path__gte=root.path, path__lt=root.path_range_end)
        # A grid below village level still offers its own place.
        regions = Region.objects.filter(
            Q(inside, level__in=(RegionLevel.TOWN, RegionLevel.VILLAGE))
            | Q(pk__in=[r.pk for r in roots])
        )
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for region in regions.order_by("path").only("name", "code", "level", "path"):
        if region.level <= RegionLevel.TOWN or not groups:
            groups.append((region.name, []))
            label = _("%(name)s（全部）") % {"name": region.name}
            groups[-1][1].append((region.code, str(label)))
        else:
            groups[-1][1].append((region.code, region.name))
    return [("", _("全部区域")), *groups]


class CaseFilterForm(forms.Form):
    """Checks that a figure's metric has the part asked for (响应率 has 分子, 分母 and 未达;
    受理数 is only itself); otherwise the list is not narrowed by the metric."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        metric = data.get("metric")
        if metric:
            try:
                metrics.figure_q(
                    metric, data.get("part") or metrics.NUM, whistle=data.get("whistle", False)
                )
            except ValueError:
                self.add_error(
                    "metric",
                    _("指标“%(m)s”没有“%(p)s”这一口径。")
                    % {
                        "m": metrics.METRIC_LABELS.get(metric, metric),
                        "p": metrics.PART_LABELS.get(data.get("part") or metrics.NUM, ""),
                    },
                )
        return data


METRIC_CHOICES = [(key, label) for key, label in metrics.METRIC_LABELS.items()]
PART_CHOICES = list(metrics.PART_LABELS.items())


class CaseFilter(django_filters.FilterSet):
    """Filters of the case list and its export. Combine with AND; lists inside one value with OR."""

    q = django_filters.CharFilter(
        method="search",
        label=_("搜索"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("编号、标题或内容"), "type": "search"}),
    )
    type = django_filters.ModelChoiceFilter(
        field_name="case_type",
        to_field_name="code",
        queryset=CaseType.objects.all(),
        label=_("事项类型"),
        empty_label=_("全部类型"),
    )
    category = CategoryFilter(
        queryset=Category.objects.select_related("case_type").order_by(
            "case_type__ordering", "code"
        ),
        label=_("分类"),
        empty_label=_("全部分类"),
        null_label=_("未分类"),
    )
    status = StatusListFilter(
        method="filter_status", label=_("状态"), widget=forms.Select(choices=STATUS_CHOICES)
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="lead_unit",
        # Every unit that may lead a case, inactive ones too: old cases keep their lead unit.
        queryset=Organisation.objects.filter(kind__in=HANDLING_KINDS),
        label=_("主办单位"),
        empty_label=_("全部单位"),
        null_label=_("未交办"),
    )
    region = RegionCodeFilter(method="filter_region", label=_("区域"), max_length=32)
    # From a figure by town of a case placed above the towns: that place alone, not its subtree.
    place = RegionCodeFilter(
        method="filter_place", label=_("所在区域(本级)"), max_length=32, widget=forms.HiddenInput
    )
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices, label=_("来源渠道"), empty_label=_("全部渠道")
    )
    reported_from = BoundedDateFilter(method="filter_reported_from", label=_("受理日期从"))
    reported_to = BoundedDateFilter(method="filter_reported_to", label=_("受理日期至"))
    month = MonthListFilter(
        method="filter_month",
        label=_("受理月份"),
        widget=forms.TextInput(attrs={"placeholder": "202405,202406"}),
    )
    # From the enterprise file's links: a hidden field, kept across the other filters.
    enterprise = IdFilter(
        field_name="enterprise_id",
        label=_("涉及企业"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
    )
    # From the figures per grid station: the cases it took in.
    station = IdFilter(
        field_name="station_id",
        label=_("受理驿站"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
    )
    # From a policy's page: the demands whose answer cited it (依据政策).
    policy = IdFilter(
        field_name="policy_id",
        label=_("依据政策"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
    )
    overdue = FlagFilter(method="filter_overdue", label=_("只看超期"))
    # From a dashboard figure: the cases it counts (stats.metrics.figure_q), with the period,
    # unit, town or station of the figure as the other filters.
    metric = django_filters.ChoiceFilter(
        choices=METRIC_CHOICES, method="filter_metric", label=_("统计指标"), empty_label=_("不限")
    )
    part = django_filters.ChoiceFilter(
        choices=PART_CHOICES, method="filter_part", label=_("指标口径"), empty_label=_("分子")
    )
    whistle = FlagFilter(method="filter_whistle", label=_("吹哨报到"), widget=forms.HiddenInput)
    mine = FlagFilter(method="filter_mine", label=_("我登记的"))
    sort = django_filters.ChoiceFilter(
        choices=[(key, key) for key in SORTS],
        method="order",
        label=_("排序"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Case
        fields: list[str] = []
        form = CaseFilterForm

    def __init__(self, data: Any = None, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.user = user
        choices = region_choices(user)
        self.filters["region"].extra["widget"] = forms.Select(
            choices=self._with_current(choices, "region", _region_label)
        )
        self.filters["status"].extra["widget"] = forms.Select(
            choices=self._with_current(STATUS_CHOICES, "status", _status_label)
        )

    def _with_current(
        self, choices: list[tuple[Any, Any]], name: str, label: Callable[[str], str]
    ) -> list[tuple[Any, Any]]:
        """Keep a value a link brought (a comma list of states, a grid's code) selected."""
        value = str((self.data or {}).get(name) or "")
        offered = {str(c) for c, label in choices if not isinstance(label, list | tuple)} | {
            str(c) for _g, opts in choices if isinstance(opts, list | tuple) for c, _l in opts
        }
        if not value or value in offered:
            return choices
        return [*choices, (value, label(value))]

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        queryset = super().filter_queryset(queryset)
        # A search without a chosen sort keeps its own order, the best matches first.
        searching = (self.form.cleaned_data.get("q") or "").strip()
        if not self.form.cleaned_data.get("sort") and not searching:
            queryset = self.order(queryset, "sort", DEFAULT_SORT)
        return queryset

    def search(self, queryset: CaseQuerySet, name: str, value: str) -> CaseQuerySet:
        return queryset.search(value)

    def filter_status(self, queryset: QuerySet[Case], name: str, value: list[str]) -> QuerySet:
        return queryset.filter(status__in=value) if value else queryset

    def filter_region(self, queryset: CaseQuerySet, name: str, value: Region | None) -> QuerySet:
        return queryset.in_region(value) if value is not None else queryset

    def filter_place(self, queryset: QuerySet[Case], name: str, value: Region | None) -> QuerySet:
        return queryset.filter(region__path=value.path) if value is not None else queryset

    def filter_reported_from(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet:
        return queryset.filter(reported_at__gte=start_of(value))

    def filter_reported_to(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet:
        return queryset.filter(reported_at__lt=start_of(value + timedelta(days=1)))

    def filter_month(self, queryset: QuerySet[Case], name: str, value: list[int]) -> QuerySet:
        return queryset.filter(reported_month__in=value) if value else queryset

    def filter_overdue(self, queryset: CaseQuerySet, name: str, value: bool) -> QuerySet:
        # The home page's and the dashboard's "overdue": in handling and past the deadline now.
        if not value:
            return queryset
        return queryset.overdue()

    def filter_metric(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        part = self.form.cleaned_data.get("part") or metrics.NUM
        return queryset.filter(metrics.figure_q(value, part))

    def filter_part(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet:
        return queryset  # read by filter_metric

    def filter_whistle(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet:
        return queryset.filter(metrics.whistle_q()) if value else queryset

    def filter_mine(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet:
        return queryset.filter(reported_by=self.user) if value else queryset

    def order(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        key = value if value in SORTS else DEFAULT_SORT
        if key.lstrip("-") == "status":
            queryset = queryset.annotate(status_rank=_STATUS_RANK)
        return queryset.order_by(*SORTS[key])
