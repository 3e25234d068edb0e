"""Read-only admin for Open311 tokens: find the case a client's token stands for."""

from django.contrib import admin
from django.http import HttpRequest

from open311.models import RequestToken


@admin.register(RequestToken)
class RequestTokenAdmin(admin.ModelAdmin):
    list_display = ["token", "case", "created_at"]
    search_fields = ["token", "case__number"]
    list_select_related = ["case"]
    readonly_fields = ["token", "case", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RequestToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RequestToken | None = None) -> bool:
        return False
