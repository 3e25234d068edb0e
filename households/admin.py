"""Households' records are read here and written by the services (each change leaves its
event): members are added through ``add_member``; visits, plans, reviews, tag history and the
log are read-only (the pages and the API write them)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

from households import services
from households.models import (
    AssistancePlan,
    HouseholdEvent,
    HouseholdMember,
    HouseholdVisit,
    PlanMeasure,
    PlanReview,
    TagPeriod,
)
from people.models import User


class _ReadOnly(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(admin.ModelAdmin):
    list_display = ["household", "relation", "birth_year"]
    raw_id_fields = ["household"]
    list_select_related = ["household"]
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # the add form only; a member is never edited past its event

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: HouseholdMember, form: Any, change: bool
    ) -> None:
        made = services.add_member(
            obj.household,
            name=obj.name,
            relation=obj.relation,
            id_number=obj.id_number,
            birth_year=obj.birth_year,
            phone=obj.phone,
            note=obj.note,
            actor=cast(User, request.user),
        )
        obj.pk = made.pk


class PlanMeasureInline(admin.TabularInline):
    model = PlanMeasure
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssistancePlan)
class AssistancePlanAdmin(_ReadOnly):
    list_display = ["household", "responsible", "status", "next_review_on", "review_months"]
    list_filter = ["status"]
    list_select_related = ["household", "responsible"]
    inlines = [PlanMeasureInline]


@admin.register(PlanReview)
class PlanReviewAdmin(_ReadOnly):
    list_display = ["plan", "reviewed_on", "reviewer", "next_review_on"]
    list_select_related = ["plan__household", "reviewer"]
    date_hierarchy = "reviewed_on"


@admin.register(HouseholdVisit)
class HouseholdVisitAdmin(_ReadOnly):
    list_display = ["household", "visited_on", "visitor", "created_at"]
    list_select_related = ["household", "visitor"]
    date_hierarchy = "visited_on"


@admin.register(TagPeriod)
class TagPeriodAdmin(_ReadOnly):
    list_display = ["household", "tag", "started_at", "ended_at", "start_reason", "end_reason"]
    list_filter = ["tag"]
    list_select_related = ["household", "tag"]


@admin.register(HouseholdEvent)
class HouseholdEventAdmin(_ReadOnly):
    list_display = ["created_at", "kind", "actor", "household", "via"]
    list_filter = ["kind"]
    list_select_related = ["actor", "household"]
