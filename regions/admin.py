from django.contrib import admin

from regions.models import GridStation, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "code", "level", "is_grid", "population"]
    list_filter = ["level", "is_grid"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    @admin.display(description="名称", ordering="path")
    def indented_name(self, obj: Region) -> str:
        return "\u3000" * (obj.depth - 1) + obj.name


@admin.register(GridStation)
class GridStationAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "address", "opening_hours"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
