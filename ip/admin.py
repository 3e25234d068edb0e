"""The admin reads every IP record; registrations and licences added or corrected here go
through ``ip/services.py`` (so each leaves its ``IpEvent``); a licence's status, an enforcement
action and a case's facts change only on the IP pages, where the reasons and links are asked for."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from ip import services
from ip.models import EnforcementAction, GiLicence, InfringementFacts, IpEvent, IpRegistration
from people.models import User

REGISTRATION_FIELDS = ("enterprise", "kind", "title", "number", "registered_on", "note")
LICENCE_FIELDS = ("licensee", "mark_name", "number", "valid_from", "valid_until")


class _CheckedForm(forms.ModelForm):
    """Runs the service's checks, so a wrong value is a form error, not a crash on save."""

    fields_checked: tuple[str, ...] = ()

    def check(self, **values: Any) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(name in cleaned for name in self.fields_checked):
            try:
                self.check(**{name: cleaned[name] for name in self.fields_checked})
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class RegistrationForm(_CheckedForm):
    fields_checked = REGISTRATION_FIELDS

    def check(self, **values: Any) -> None:
        services.check_registration(**values, exclude_pk=self.instance.pk)


class LicenceForm(_CheckedForm):
    fields_checked = LICENCE_FIELDS

    def check(self, **values: Any) -> None:
        services.check_licence(**values, exclude_pk=self.instance.pk)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IpRegistration)
class IpRegistrationAdmin(admin.ModelAdmin):
    form = RegistrationForm
    fields = REGISTRATION_FIELDS
    list_display = ["title", "kind", "number", "enterprise", "registered_on"]
    list_filter = ["kind"]
    search_fields = ["title", "number", "enterprise__name"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]
    actions = None  # a bulk delete would bypass the log

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: IpRegistration, form: Any, change: bool
    ) -> None:
        values = {name: form.cleaned_data.get(name) for name in REGISTRATION_FIELDS}
        actor = cast(User, request.user)
        if change:
            services.update_registration(obj, actor=actor, **values)
        else:
            obj.pk = services.create_registration(actor=actor, **values).pk


@admin.register(GiLicence)
class GiLicenceAdmin(admin.ModelAdmin):
    form = LicenceForm
    fields = (*LICENCE_FIELDS, "status", "status_reason")
    readonly_fields = ("status", "status_reason")
    list_display = ["number", "mark_name", "licensee", "valid_from", "valid_until", "status"]
    list_filter = ["status", "mark_name"]
    search_fields = ["number", "licensee__name"]
    list_select_related = ["licensee"]
    autocomplete_fields = ["licensee"]
    actions = None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: GiLicence, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data.get(name) for name in LICENCE_FIELDS}
        actor = cast(User, request.user)
        if change:
            services.update_licence(obj, actor=actor, **values)
        else:
            obj.pk = services.create_licence(actor=actor, **values).pk


@admin.register(EnforcementAction)
class EnforcementActionAdmin(_ReadOnly):
    list_display = ["acted_on", "place", "region"]
    list_select_related = ["region"]
    search_fields = ["place", "result"]


@admin.register(InfringementFacts)
class InfringementFactsAdmin(_ReadOnly):
    list_display = ["case", "right_type", "holder_name", "infringer_name"]
    list_filter = ["right_type"]
    list_select_related = ["case"]


@admin.register(IpEvent)
class IpEventAdmin(_ReadOnly):
    list_display = [
        "created_at",
        "kind",
        "case",
        "registration",
        "licence",
        "action",
        "actor",
        "via",
    ]
    list_filter = ["kind"]
    list_select_related = ["case", "registration", "licence", "action", "actor"]
