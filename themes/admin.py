from django.contrib import admin

from themes.models import MonthlyTheme, ThemeEvent, ThemeMilestone


class MilestoneInline(admin.TabularInline):
    model = ThemeMilestone
    extra = 0
    fields = ("ordering", "title", "due", "done_at", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ThemeEvent
    extra = 0
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MonthlyTheme)
class MonthlyThemeAdmin(admin.ModelAdmin):
    """Themes change only through their services (the pages); the admin reads them."""

    list_display = ["month", "title", "place", "lead_unit", "status", "created_at"]
    list_filter = ["status", "month"]
    raw_id_fields = ["cases"]
    inlines = [MilestoneInline, EventInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
