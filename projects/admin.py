"""The admin reads projects, their milestones and their log; a project added here is made by
``create_project`` (with the standard milestones), and every later change goes through the
services on the project pages, so each leaves its ``ProjectEvent``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from people.models import User
from projects import services
from projects.models import Milestone, Project, ProjectEvent

MILESTONE_FIELDS = (
    "stage",
    "title",
    "planned_days",
    "due_on",
    "deadline",
    "status",
    "done_on",
    "blocked_reason",
    "case",
)
PROJECT_FIELDS = (
    "name",
    "enterprise",
    "region",
    "investment",
    "signed_on",
    "owner_unit",
    "commissioner",
)
SAVED_FIELDS = (*PROJECT_FIELDS, "stage", "stage_started_at")


class ProjectForm(forms.ModelForm):
    """Runs the service's checks, so a wrong value is a form error, not a crash on save."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = ["name", "enterprise", "owner_unit", "signed_on", "investment"]
        if self.instance.pk is None and all(cleaned.get(name) is not None for name in needed):
            try:
                services.check_project(
                    **{name: cleaned[name] for name in needed},
                    commissioner=cleaned.get("commissioner"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = MILESTONE_FIELDS
    readonly_fields = MILESTONE_FIELDS
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ProjectEvent
    fields = ("created_at", "kind", "milestone", "actor", "via", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectForm
    list_display = ["name", "enterprise", "region", "investment", "signed_on", "stage"]
    list_filter = ["stage"]
    search_fields = ["name", "enterprise__name"]
    list_select_related = ["enterprise", "region"]
    autocomplete_fields = ["enterprise"]
    actions = None  # a bulk delete would bypass the log

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A saved project changes only through the services (the project page).
        return SAVED_FIELDS if obj else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return SAVED_FIELDS if obj else PROJECT_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a saved project changes through the services (the project page)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Project, form: Any, change: bool) -> None:
        made = services.create_project(
            actor=cast(User, request.user),
            name=obj.name,
            enterprise=obj.enterprise,
            region=obj.region,
            investment=obj.investment,
            signed_on=obj.signed_on,
            owner_unit=obj.owner_unit,
            commissioner=obj.commissioner,
        )
        obj.pk = made.pk

    def get_inlines(
        self, request: HttpRequest, obj: Any
    ) -> list[type[admin.options.InlineModelAdmin]]:
        # The service makes the milestones of a new project; the inlines only show them.
        return [MilestoneInline, EventInline] if obj else []

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # nothing to save: the inlines are read-only


@admin.register(ProjectEvent)
class ProjectEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project", "kind", "milestone", "actor", "via"]
    list_filter = ["kind"]
    search_fields = ["project__name"]
    list_select_related = ["project", "milestone", "actor"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
