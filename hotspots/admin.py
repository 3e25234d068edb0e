from django.contrib import admin

from hotspots.models import HotSpot, HotSpotEvent, RepeatAlert, RepeatAlertEvent, SuggesterModel


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


class RepeatEventInline(admin.TabularInline):
    model = RepeatAlertEvent
    extra = 0
    fields = ("at", "kind", "actor", "note")
    readonly_fields = ("at", "kind", "actor", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RepeatAlert)
class RepeatAlertAdmin(ReadOnly):
    list_display = ["basis", "place", "category", "lead_unit", "count", "status", "updated_at"]
    list_filter = ["status", "basis"]
    exclude = ["key"]  # a requester's key is a hash of their number: nothing to read
    raw_id_fields = ["cases", "requester", "latest_case"]
    inlines = [RepeatEventInline]


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
