"""The admin reads everything; awards and figures are written through the services, so each
change leaves its ``EnterpriseEvent``; events themselves are read-only."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from enterprises import services
from enterprises.models import EnterpriseEvent, Honour, HonourAward, YearFigures
from people.models import User


def _actor(request: HttpRequest) -> User:
    # The admin site lets only signed-in staff in.
    return cast(User, request.user)


class _YearForm(forms.ModelForm):
    """Checks the year by the services' rule, so a wrong one is a form error, not a crash."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("year") is not None:
            try:
                services.check_year(cleaned["year"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Honour)
class HonourAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ordering", "is_active"]
    list_editable = ["ordering", "is_active"]


@admin.register(HonourAward)
class HonourAwardAdmin(admin.ModelAdmin):
    form = _YearForm
    list_display = ["enterprise", "honour", "year", "note"]
    list_filter = ["honour", "year"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    autocomplete_fields = ["enterprise"]
    list_select_related = ["enterprise", "honour"]
    actions = None  # a bulk delete would bypass revoke_honour

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: HonourAward, form: Any, change: bool) -> None:
        award = services.award_honour(
            obj.enterprise,
            obj.honour,
            obj.year,
            actor=_actor(request),
            note=obj.note,
        )
        obj.pk = award.pk

    def delete_model(self, request: HttpRequest, obj: HonourAward) -> None:
        services.revoke_honour(obj, actor=_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HonourAward]) -> None:
        for award in queryset:
            self.delete_model(request, award)


@admin.register(YearFigures)
class YearFiguresAdmin(admin.ModelAdmin):
    form = _YearForm
    list_display = ["enterprise", "year", "output_value", "tax", "employees"]
    list_filter = ["year"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    autocomplete_fields = ["enterprise"]
    list_select_related = ["enterprise"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: YearFigures, form: Any, change: bool) -> None:
        figures = services.record_year_figures(
            obj.enterprise,
            obj.year,
            output_value=obj.output_value,
            tax=obj.tax,
            employees=obj.employees,
            actor=_actor(request),
        )
        obj.pk = figures.pk


@admin.register(EnterpriseEvent)
class EnterpriseEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "enterprise", "kind", "actor"]
    list_filter = ["kind"]
    search_fields = ["enterprise__name"]
    list_select_related = ["enterprise", "actor"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
