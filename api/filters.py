"""Query filters of the case and event lists, validated like request bodies (400 in both languages).

Every value a filter accepts is bounded before it reaches the database: ids fit a 64-bit
integer, dates lie between 2000 and 2099, text has no NUL character, so no input turns into
a database error. The NUL rule covers every query parameter of every list and registry read,
filter or not (``FilterBackend``): PostgreSQL cannot hold NUL in text, and no parameter needs it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import DateTimeField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ErrorDetail

from api.errors import ApiError, ErrorItem, validation_error
from cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseQuerySet,
    Channel,
    Priority,
    Status,
    overdue_q,
)
from regions.models import Region
from stats import metrics

MAX_ID = 2**63 - 1
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# Sorts cases without a deadline after every real one, so a cursor never holds a null.
NO_DEADLINE = datetime(2999, 12, 31, tzinfo=UTC)


class BoundedDateField(forms.DateField):
    def clean(self, value: Any) -> date | None:
        day = super().clean(value)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                _("日期须在 2000-01-01 至 2099-12-31 之间。"), code="invalid"
            )
        return day


class BoundedDateTimeField(forms.DateTimeField):
    def clean(self, value: Any) -> datetime | None:
        moment = super().clean(value)
        if moment is not None and not FIRST_DAY <= moment.date() <= LAST_DAY:
            raise forms.ValidationError(
                _("日期须在 2000-01-01 至 2099-12-31 之间。"), code="invalid"
            )
        return moment


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    # The stubs pin NumberFilter.field_class to DecimalField; django-filter takes any field.
    field_class = forms.IntegerField  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class DateTimeFilter(django_filters.DateTimeFilter):
    field_class = BoundedDateTimeField


def start_of(day: date) -> datetime:
    """Midnight at the start of a local day (dates in filters are local, Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class MonthField(forms.RegexField):
    """``YYYY-MM`` → the month key ``YYYYMM`` the rates count cases in (as ``/api/v1/metrics/``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages", {"invalid": _("月份格式应为 YYYY-MM（2000 至 2099 年）。")}
        )
        super().__init__(r"^20\d\d-(0[1-9]|1[0-2])$", *args, max_length=7, **kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        return int(text[:4]) * 100 + int(text[5:]) if text else None


@extend_schema_field({"type": "string", "pattern": r"^20\d\d-(0[1-9]|1[0-2])$"})
class MonthFilter(django_filters.Filter):
    field_class = MonthField


class CaseFilterForm(forms.Form):
    """A figure's metric must have the part asked for (``stats.metrics.figure_q``)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        metric = data.get("metric")
        if metric:
            try:
                metrics.figure_q(
                    metric, data.get("part") or metrics.NUM, whistle=bool(data.get("whistle"))
                )
            except ValueError:
                self.add_error(
                    "part",
                    forms.ValidationError(
                        _("指标“%(m)s”没有“%(p)s”这一口径。")
                        % {"m": metric, "p": data.get("part") or metrics.NUM},
                        code="invalid_choice",
                    ),
                )
        return data


CASE_ORDERINGS = {
    "-reported_at": ("-reported_at", "-id"),
    "reported_at": ("reported_at", "id"),
    "deadline": ("deadline_key", "id"),
    "-deadline": ("-deadline_key", "-id"),
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
}


class CaseFilter(django_filters.FilterSet):
    """Filters of ``GET /api/v1/cases/``; all combine with AND, repeated values with OR."""

    type = django_filters.CharFilter(
        field_name="case_type__code", max_length=40, help_text="Case type code, e.g. `dispute`."
    )
    category = IdFilter(field_name="category_id", help_text="Category id.")
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, help_text="Status.")
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, help_text="Priority.")
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, help_text="Channel.")
    enterprise = IdFilter(field_name="enterprise_id", help_text="Enterprise (organisation) id.")
    policy = IdFilter(
        field_name="policy_id", help_text="Policy id: the cases whose answer cited it (依据政策)."
    )
    station = IdFilter(
        field_name="station_id", help_text="Grid station id: the cases it took in (受理驿站)."
    )
    unit = IdFilter(method="filter_unit", help_text="Organisation id: lead or active co-unit.")
    region = django_filters.CharFilter(
        method="filter_region",
        max_length=32,
        help_text="Region code (区划代码): the region and everything under it.",
    )
    reported_from = DateFilter(
        method="filter_reported_from", help_text="Reported on or after this local date."
    )
    reported_to = DateFilter(
        method="filter_reported_to", help_text="Reported on or before this local date."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="In handling and past the deadline now (or not)."
    )
    lead_unit = IdFilter(
        field_name="lead_unit_id",
        help_text="Organisation id: the lead unit only (主办), as the rates group.",
    )
    unassigned = django_filters.BooleanFilter(
        field_name="lead_unit",
        lookup_expr="isnull",
        help_text="true: no lead unit (未交办); false: with one.",
    )
    uncategorised = django_filters.BooleanFilter(
        field_name="category",
        lookup_expr="isnull",
        help_text="true: no category (未分类); false: with one.",
    )
    place = django_filters.CharFilter(
        method="filter_place",
        max_length=32,
        help_text="Region code: that region itself, not the places under it.",
    )
    month_from = MonthFilter(
        method="filter_month_from", help_text="First month received (the rates' cohort), YYYY-MM."
    )
    month_to = MonthFilter(
        method="filter_month_to", help_text="Last month received, YYYY-MM (inclusive)."
    )
    metric = django_filters.ChoiceFilter(
        choices=[(key, key) for key in metrics.METRIC_LABELS],
        method="filter_metric",
        help_text="A figure of `/api/v1/metrics/`: the cases it counts (docs/metrics.md). With "
        "`part`; each rate row's `cases` gives the full query.",
    )
    part = django_filters.ChoiceFilter(
        choices=[(key, key) for key in metrics.PARTS],
        method="filter_part",
        help_text="With `metric`: `num` the numerator (default), `den` the base, `miss` the "
        "base's cases outside the numerator.",
    )
    whistle = django_filters.BooleanFilter(
        method="filter_whistle",
        help_text="Only cases a town dispatched to a county department (吹哨报到).",
    )
    q = django_filters.CharFilter(
        method="search", max_length=100, help_text="Text in the title, description or number."
    )
    # drf-spectacular types the decorator for classes and functions; it annotates a filter too.
    ordering = extend_schema_field({"type": "string", "enum": list(CASE_ORDERINGS)})(  # type: ignore[type-var]
        django_filters.ChoiceFilter(
            choices=[(key, key) for key in CASE_ORDERINGS],
            method="order",
            help_text="Sort order; default `-reported_at` (newest first).",
        )
    )

    class Meta:
        model = Case
        fields: list[str] = []
        form = CaseFilterForm

    def filter_place(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(region__code=value)

    def filter_month_from(self, queryset: QuerySet[Case], name: str, value: int) -> QuerySet:
        return queryset.filter(reported_month__gte=value) if value else queryset

    def filter_month_to(self, queryset: QuerySet[Case], name: str, value: int) -> QuerySet:
        return queryset.filter(reported_month__lte=value) if value else queryset

    def filter_metric(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        part = self.form.cleaned_data.get("part") or metrics.NUM
        return queryset.filter(metrics.figure_q(value, part))

    def filter_part(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet:
        return queryset  # read by filter_metric

    def filter_whistle(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet:
        return queryset.filter(metrics.whistle_q()) if value else queryset

    def filter_unit(self, queryset: QuerySet[Case], name: str, value: int) -> QuerySet[Case]:
        # A sub-select instead of a join: a join to assignments would repeat cases.
        co_cases = CaseAssignment.objects.filter(unit_id=value, is_active=True).values("case_id")
        return queryset.filter(Q(lead_unit_id=value) | Q(pk__in=co_cases))

    def filter_region(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        region = Region.objects.filter(code=value).only("path").first()
        if region is None:
            return queryset.none()
        return queryset.filter(
            region__path__gte=region.path, region__path__lt=region.path_range_end
        )

    def filter_reported_from(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet:
        return queryset.filter(reported_at__gte=start_of(value))

    def filter_reported_to(self, queryset: QuerySet[Case], name: str, value: date) -> QuerySet:
        return queryset.filter(reported_at__lt=start_of(value + timedelta(days=1)))

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet:
        overdue = overdue_q()
        return queryset.filter(overdue if value else ~overdue)

    def search(self, queryset: CaseQuerySet, name: str, value: str) -> CaseQuerySet:
        return queryset.search(value)

    def order(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # The cursor pagination applies the order itself (``case_ordering``); sorting by deadline
        # needs the deadline without nulls, which a cursor cannot hold.
        return with_deadline_key(queryset) if value.endswith("deadline") else queryset


def case_ordering(request: Any) -> tuple[str, ...]:
    """The validated ``ordering`` parameter as the cursor's order_by fields; without one, a
    search lists the best matches first (the ``relevance`` of ``CaseQuerySet.search``)."""
    chosen = request.query_params.get("ordering") or ""
    if not chosen and (request.query_params.get("q") or "").strip():
        return ("-relevance", "-id")
    return CASE_ORDERINGS.get(chosen, CASE_ORDERINGS["-reported_at"])


def with_deadline_key(queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.annotate(
        deadline_key=Coalesce("deadline", Value(NO_DEADLINE), output_field=DateTimeField())
    )


class EventFilter(django_filters.FilterSet):
    """Filters of the event lists (the timeline of one case, or the feed of all visible cases)."""

    kind = django_filters.CharFilter(max_length=40, help_text="Event kind, e.g. `assigned`.")
    since = DateTimeFilter(
        field_name="created_at", lookup_expr="gt", help_text="Events after this moment (ISO 8601)."
    )

    class Meta:
        model = CaseEvent
        fields: list[str] = []


def reject_nul_characters(query_params: Any) -> None:
    """A 400 naming each query parameter whose name or value holds a NUL character."""
    bad = [
        name
        for name, values in query_params.lists()
        if "\x00" in name or any("\x00" in value for value in values)
    ]
    if bad:
        raise ApiError(
            [
                ErrorItem(
                    name,
                    "null_characters_not_allowed",
                    str(_("查询参数不能包含空字符（\\x00）。")),
                    "Query parameters cannot contain NUL (\\x00) characters.",
                )
                for name in bad
            ]
        )


class FilterBackend(DjangoFilterBackend):
    """django-filter, with its validation errors in the API's one error shape; the one place
    that refuses NUL characters in any query parameter of a list or registry read."""

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        reject_nul_characters(request.query_params)
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():

            def run() -> dict[str, list[ErrorDetail]]:
                twin = self.get_filterset(request, queryset, view)
                assert twin is not None  # the same filterset class as above
                return {
                    name: [
                        ErrorDetail(str(message), code=error.code or "invalid")
                        for error in errors
                        for message in error.messages
                    ]
                    for name, errors in twin.form.errors.as_data().items()
                }

            raise validation_error(run)
        return filterset.qs
