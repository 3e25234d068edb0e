"""Campaigns, inspections, findings and events are read here; they are written by the services
(``inspections/services.py``) through the pages and the API, so each change leaves its event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from inspections.models import Campaign, Finding, Inspection, InspectionEvent


class _ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(_ReadOnly):
    list_display = ["name", "starts_on", "ends_on", "region", "lead_unit", "status"]
    list_filter = ["status"]
    search_fields = ["name"]
    list_select_related = ["region", "lead_unit"]


@admin.register(Inspection)
class InspectionAdmin(_ReadOnly):
    list_display = ["__str__", "campaign", "region", "inspected_on", "result", "created_by"]
    list_filter = ["result", "campaign"]
    search_fields = ["target_name", "enterprise__name", "address", "note"]
    list_select_related = ["campaign", "region", "enterprise", "created_by"]
    date_hierarchy = "inspected_on"


@admin.register(Finding)
class FindingAdmin(_ReadOnly):
    list_display = ["__str__", "inspection", "severity", "rectify_by", "case"]
    list_filter = ["severity"]
    list_select_related = ["inspection__enterprise", "case"]


@admin.register(InspectionEvent)
class InspectionEventAdmin(_ReadOnly):
    list_display = ["created_at", "kind", "actor", "campaign", "inspection"]
    list_filter = ["kind"]
    list_select_related = ["actor", "campaign", "inspection"]
