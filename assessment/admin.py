"""The admin reads every assessment record; nothing is added, changed or deleted here: every
change goes through ``assessment/services.py`` (the pages, the API, the demo), so each leaves
its ``AssessmentEvent``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from assessment.models import (
    AssessmentEvent,
    AssessmentTask,
    Breakdown,
    Indicator,
    Notice,
    ProgressReport,
    Rectification,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssessmentTask)
class TaskAdmin(_ReadOnly):
    list_display = ("title", "year", "start_month", "end_month", "issuer", "region")
    list_filter = ("year",)
    search_fields = ("title",)
    list_select_related = ("issuer", "region")


@admin.register(Indicator)
class IndicatorAdmin(_ReadOnly):
    list_display = ("name", "task", "kind", "metric", "measure", "direction")
    list_filter = ("kind", "direction")
    list_select_related = ("task",)


@admin.register(Breakdown)
class BreakdownAdmin(_ReadOnly):
    list_display = ("indicator", "unit", "target", "weight", "actual", "score", "status")
    list_filter = ("status",)
    list_select_related = ("indicator", "unit")


@admin.register(ProgressReport)
class ProgressReportAdmin(_ReadOnly):
    list_display = ("row", "value", "reported_by", "reported_at")
    list_select_related = ("row__indicator", "row__unit", "reported_by")
    exclude = ("file",)  # served only through the scoped page


@admin.register(Notice)
class NoticeAdmin(_ReadOnly):
    list_display = ("row", "issued_by", "issued_at")
    list_select_related = ("row__indicator", "row__unit", "issued_by")


@admin.register(Rectification)
class RectificationAdmin(_ReadOnly):
    list_display = ("row", "deadline", "status", "issued_at", "answered_at")
    list_filter = ("status",)
    list_select_related = ("row__indicator", "row__unit")


@admin.register(AssessmentEvent)
class EventAdmin(_ReadOnly):
    list_display = ("created_at", "kind", "task", "row", "actor", "via")
    list_filter = ("kind", "via")
    list_select_related = ("task", "row__indicator", "row__unit", "actor")
