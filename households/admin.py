"""Households' records are read here and written by the services (each change leaves its
event): members are added through ``add_member``; visits, plans, reviews, tag history and the
log are read-only (the pages and the API write them); surveys and their tasks are read-only,
and a survey is closed through ``close_survey`` by the admin action."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from households import services, surveys
from households.models import (
    AssistancePlan,
    HouseholdEvent,
    HouseholdMember,
    HouseholdVisit,
    PlanMeasure,
    PlanReview,
    Survey,
    SurveyStatus,
    SurveyTask,
    TagPeriod,
)
from people.models import User


class _ReadOnly(admin.ModelAdmin):
    actions: Any = None

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


@admin.register(Survey)
class SurveyAdmin(_ReadOnly):
    list_display = ["title", "region", "status", "due_on", "created_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["region", "created_by"]
    search_fields = ["title"]
    actions = ["close_surveys"]

    @admin.action(description=_("结束所选摸排"))
    def close_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        closed = 0
        for survey in queryset.filter(status=SurveyStatus.OPEN).select_related("region"):
            try:
                surveys.close_survey(
                    survey, reason=str(_("管理后台结束")), actor=cast(User, request.user)
                )
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{survey}：{exc}", messages.ERROR)
            else:
                closed += 1
        self.message_user(request, _("已结束 %(n)d 项摸排。") % {"n": closed})


@admin.register(SurveyTask)
class SurveyTaskAdmin(_ReadOnly):
    list_display = ["survey", "household", "grid", "assignee", "status", "visited_at", "case"]
    list_filter = ["status"]
    list_select_related = ["survey", "household", "grid", "assignee", "case"]
    raw_id_fields = ["survey", "household", "case"]
