"""Workshops are filed and their figures entered through the services (so each change leaves its
event); households helped, postings, placements and events are read here."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from people.models import User
from workshops import services
from workshops.models import (
    HelpedHousehold,
    JobPosting,
    Placement,
    PostingStatus,
    WorkshopEvent,
    WorkshopProfile,
    WorkshopYear,
)


class _ThroughServices(admin.ModelAdmin):
    """An admin whose saves call a service: a refusal by the service (a ``ValidationError``
    raised in ``save_model``, after the form was valid) comes back as a message on the same
    form, not a server error; the admin's transaction has rolled back."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class _ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkshopProfile)
class WorkshopProfileAdmin(_ThroughServices):
    """Adding files a workshop through ``register_workshop``; a file is then read only."""

    list_display = ["organisation", "type", "town", "leader", "jobs"]
    list_filter = ["type", "town"]
    search_fields = ["organisation__name", "leader__name"]
    list_select_related = ["organisation", "town", "leader"]
    fields = [
        "organisation",
        "type",
        "leader",
        "township_contact",
        "partner",
        "jobs",
        "description",
    ]
    raw_id_fields = ["organisation", "leader", "township_contact", "partner"]
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: WorkshopProfile, form: Any, change: bool
    ) -> None:
        saved = services.register_workshop(
            obj.organisation,
            type=obj.type,
            leader=obj.leader,
            township_contact=obj.township_contact,
            partner=obj.partner,
            jobs=obj.jobs,
            description=obj.description,
            actor=cast(User, request.user),
        )
        obj.pk = saved.pk


@admin.register(WorkshopYear)
class WorkshopYearAdmin(_ThroughServices):
    """Figures are entered (or corrected) through ``record_figures``."""

    list_display = ["workshop", "year", "quarter", "jobs", "households", "income", "output"]
    list_filter = ["year", "quarter"]
    list_select_related = ["workshop__organisation"]
    raw_id_fields = ["workshop"]
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: WorkshopYear, form: Any, change: bool) -> None:
        saved = services.record_figures(
            obj.workshop,
            year=obj.year,
            quarter=obj.quarter,
            jobs=obj.jobs,
            households=obj.households,
            income=obj.income,
            output=obj.output,
            actor=cast(User, request.user),
        )
        obj.pk = saved.pk


@admin.register(HelpedHousehold)
class HelpedHouseholdAdmin(_ReadOnly):
    list_display = ["workshop", "household", "since"]
    list_select_related = ["workshop__organisation", "household"]


@admin.register(JobPosting)
class JobPostingAdmin(_ThroughServices):
    """Postings are published through ``post_job`` and closed through ``close_posting``."""

    list_display = ["title", "employer", "positions", "region", "status", "posted_on"]
    list_filter = ["status"]
    list_select_related = ["employer", "region"]
    fields = ["employer", "title", "positions", "wage", "place", "region", "tags", "posted_on"]
    raw_id_fields = ["employer", "region"]
    actions = ["close"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: JobPosting, form: Any, change: bool) -> None:
        saved = services.post_job(
            obj.employer,
            title=obj.title,
            positions=obj.positions,
            region=obj.region,
            tags=form.cleaned_data["tags"],
            posted_on=obj.posted_on,
            wage=obj.wage,
            place=obj.place,
            actor=cast(User, request.user),
        )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # the service set the tags

    @admin.action(description=_("结束招聘"))
    def close(self, request: HttpRequest, queryset: Any) -> None:
        for posting in queryset.filter(status=PostingStatus.OPEN):
            services.close_posting(posting, actor=cast(User, request.user))


@admin.register(Placement)
class PlacementAdmin(_ReadOnly):
    list_display = ["posting", "household", "member", "placed_on", "recorded_by"]
    list_select_related = ["posting__employer", "household", "member", "recorded_by"]


@admin.register(WorkshopEvent)
class WorkshopEventAdmin(_ReadOnly):
    list_display = ["created_at", "kind", "actor", "workshop", "posting"]
    list_filter = ["kind"]
    list_select_related = ["actor", "workshop__organisation", "posting"]
