"""The admin reads a dispute's records; they change only on the case page or through the API
(``disputes/services.py``, each change with its event). Contacts are listed masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from disputes.models import DisputeEvent, DisputeParty, MediationAgreement


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DisputeParty)
class DisputePartyAdmin(_ReadOnly):
    list_display = ["case", "role", "name", "phone_masked", "id_number_masked", "organisation"]
    list_filter = ["role"]
    search_fields = ["name", "case__number"]
    list_select_related = ["case", "organisation"]
    fields = ("case", "role", "name", "phone_masked", "id_number_masked", "organisation", "note")
    readonly_fields = fields

    @admin.display(description=_("联系电话"))
    def phone_masked(self, obj: DisputeParty) -> str:
        return obj.masked_phone

    @admin.display(description=_("身份证号"))
    def id_number_masked(self, obj: DisputeParty) -> str:
        return obj.masked_id_number


@admin.register(MediationAgreement)
class MediationAgreementAdmin(_ReadOnly):
    list_display = ["name", "case", "signed_on", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["name", "case__number"]
    list_select_related = ["case", "uploaded_by"]
    date_hierarchy = "signed_on"
    # The file is served only through the case's scoped view, never from MEDIA_URL.
    exclude = ["file"]


@admin.register(DisputeEvent)
class DisputeEventAdmin(_ReadOnly):
    list_display = ["created_at", "kind", "case", "actor", "via"]
    list_filter = ["kind", "via"]
    search_fields = ["case__number"]
    list_select_related = ["case", "actor"]
