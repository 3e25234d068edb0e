"""Rhythms are edited through ``set_rhythm`` (so each change leaves its event); visits, tasks and
events are read here and written by the services and the pages."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from outreach import services
from outreach.models import BriefingTask, EnterpriseVisit, OutreachEvent, VisitRhythm
from people.models import User


class _ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VisitRhythm)
class VisitRhythmAdmin(admin.ModelAdmin):
    list_display = ["link_kind", "period", "updated_at"]
    readonly_fields = ["link_kind"]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per link kind, seeded by the migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: VisitRhythm, form: Any, change: bool) -> None:
        rhythm = VisitRhythm.objects.get(pk=obj.pk)
        services.set_rhythm(rhythm, obj.period, actor=cast(User, request.user))


@admin.register(EnterpriseVisit)
class EnterpriseVisitAdmin(_ReadOnly):
    list_display = ["enterprise", "visited_on", "met", "created_by", "created_at"]
    list_filter = ["visited_on"]
    search_fields = ["enterprise__name", "met", "findings"]
    list_select_related = ["enterprise", "created_by"]
    date_hierarchy = "visited_on"


@admin.register(BriefingTask)
class BriefingTaskAdmin(_ReadOnly):
    list_display = ["policy", "enterprise", "cadre", "status", "due_on", "done_at"]
    list_filter = ["status", "policy"]
    search_fields = ["enterprise__name", "cadre__name", "policy__title"]
    list_select_related = ["policy", "enterprise", "cadre"]


@admin.register(OutreachEvent)
class OutreachEventAdmin(_ReadOnly):
    list_display = ["created_at", "kind", "actor", "enterprise", "policy"]
    list_filter = ["kind"]
    list_select_related = ["actor", "enterprise", "policy"]
