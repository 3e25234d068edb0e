from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from regions.models import GridStation, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "level", "is_grid", "population"]
    list_filter = ["level", "is_grid"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> Any:
        # The parent is chosen once, when the region is added: moving it would leave its
        # materialized path, and its whole subtree's, under the old parent (as the API refuses).
        if obj is not None:
            return [*self.readonly_fields, "parent"]
        return self.readonly_fields

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj: Region) -> str:
        return "\u3000" * (obj.depth - 1) + obj.name


@admin.register(GridStation)
class GridStationAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "address", "opening_hours"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
