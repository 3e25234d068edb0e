from django.contrib import admin

from hotspots.models import HotSpot, HotSpotEvent, SuggesterModel


class ReadOnly(admin.ModelAdmin):
    """Alerts change only through their moves and the suggester through training."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = HotSpotEvent
    extra = 0
    fields = ("at", "kind", "actor", "note")
    readonly_fields = ("at", "kind", "actor", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HotSpot)
class HotSpotAdmin(ReadOnly):
    list_display = [
        "place",
        "category",
        "window_start",
        "window_end",
        "count",
        "baseline",
        "status",
        "raised_at",
    ]
    list_filter = ["status"]
    raw_id_fields = ["cases"]
    inlines = [EventInline]


@admin.register(SuggesterModel)
class SuggesterModelAdmin(ReadOnly):
    list_display = [
        "trained_at",
        "cases_used",
        "category_accuracy",
        "unit_accuracy",
        "evaluated_on",
        "file",
    ]
