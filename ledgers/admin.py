"""Admin for the offices' saved ledger mappings and the import jobs.

A profile's mapping may be corrected here; jobs are read-only (the wizard runs them), and their
files are not linked: MEDIA_ROOT is never served, the wizard's views send them in scope.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ledgers.models import ImportJob, LedgerProfile


@admin.register(LedgerProfile)
class LedgerProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "case_type", "created_by", "updated_at"]
    list_filter = ["case_type"]
    search_fields = ["name", "office__name"]
    autocomplete_fields = ["office"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "case_type", "status", "done", "total", "created_at"]
    list_filter = ["status", "case_type"]
    search_fields = ["name", "office__name"]
    exclude = ["file", "report"]
    readonly_fields = [
        "name",
        "uploaded_by",
        "office",
        "case_type",
        "sheet",
        "profile",
        "mapping",
        "skip_bad_rows",
        "duplicates",
        "status",
        "estimated_rows",
        "done",
        "total",
        "result",
        "error",
        "created_at",
        "finished_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
