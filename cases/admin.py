"""Admin for the case registries. Cases are read-only here: every move goes through the engine."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.deadlines import calendar_source
from cases.models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseEvent,
    CaseType,
    Category,
    EscalationStep,
    Meeting,
    TimeLimit,
    WorkCalendarDay,
)


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    autocomplete_fields = ["suggested_unit"]


class TimeLimitInline(admin.TabularInline):
    model = TimeLimit
    extra = 0


class EscalationStepInline(admin.TabularInline):
    """A type's own ladder; without one the default ladder (no type) applies."""

    model = EscalationStep
    extra = 0


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "has_mediation", "default_priority", "ordering"]
    inlines = [CategoryInline, TimeLimitInline, EscalationStepInline]


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    """Each type × tier's staged clocks: sign-for, first contact, finish, and the yellow share."""

    list_display = [
        "case_type",
        "priority",
        "response_hours",
        "contact_hours",
        "amount",
        "unit",
        "warn_percent",
    ]
    list_filter = ["case_type", "priority"]
    list_editable = ["response_hours", "contact_hours", "amount", "unit", "warn_percent"]
    list_select_related = ["case_type"]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    """The escalation ladder (逐级督办), edited as data; the sweep climbs it."""

    list_display = ["case_type", "stage", "level", "offset_hours", "target"]
    list_filter = ["case_type", "stage", "target"]
    list_select_related = ["case_type"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "case_type", "code", "suggested_unit", "is_active"]
    list_filter = ["case_type", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["suggested_unit"]
    list_select_related = ["case_type", "suggested_unit"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Next year's official schedule, entered when the State Council publishes it each winter."""

    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        from django.contrib import messages
        from django.utils import timezone

        year = timezone.localdate().year
        for y in (year, year + 1):
            if calendar_source(y) == "weekends":
                messages.warning(
                    request,
                    _(
                        "%(year)s年的法定节假日安排尚未录入，且日历组件也没有该年数据：办理期限暂按仅排除周末计算。"
                        "请录入国务院办公厅公布的%(year)s年节假日安排。"
                    )
                    % {"year": y},
                )
        return super().changelist_view(request, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = readonly_fields = ("created_at", "kind", "actor", "from_status", "to_status", "reason")


class CaseAssignmentInline(ReadOnlyInline):
    model = CaseAssignment
    fields = readonly_fields = ("unit", "is_lead", "is_active", "assigned_at", "accepted_at")


class CaseAttachmentInline(ReadOnlyInline):
    model = CaseAttachment
    fields = readonly_fields = ("name", "download", "uploaded_by", "uploaded_at")

    @admin.display(description=_("文件"))
    def download(self, attachment: CaseAttachment) -> str:
        """The scoped download view, never the storage URL (media is not served publicly)."""
        url = reverse("caseviews:case-attachment", args=[attachment.case_id, attachment.pk])
        return format_html('<a href="{}">{}</a>', url, _("查看/下载"))


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "case_type",
        "status",
        "channel",
        "region",
        "lead_unit",
        "deadline",
        "is_overdue",
        "reported_at",
    ]
    list_filter = ["case_type", "status", "channel", "priority", "is_overdue", "resolved_on_spot"]
    search_fields = ["number", "title", "description"]
    date_hierarchy = "reported_at"
    list_select_related = ["case_type", "region", "lead_unit"]
    inlines = [CaseAssignmentInline, CaseEventInline, CaseAttachmentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "actor", "from_status", "to_status", "created_at"]
    list_filter = ["kind", "to_status"]
    search_fields = ["case__number", "reason"]
    list_select_related = ["case", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "held_at", "region", "host", "enterprise"]
    list_filter = ["kind"]
    search_fields = ["title", "notes"]
    autocomplete_fields = ["region", "host", "enterprise"]
    date_hierarchy = "held_at"
