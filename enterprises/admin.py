"""The admin reads everything; awards and figures are written through the services, so each
change leaves its ``EnterpriseEvent``; events themselves are read-only."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from enterprises import policies, services
from enterprises.models import (
    EnterpriseEvent,
    EnterpriseTag,
    Honour,
    HonourAward,
    Policy,
    PolicyAttachment,
    PolicyCondition,
    PolicyEvent,
    PolicyGrant,
    PolicyStatus,
    YearFigures,
)
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


# --- Policies: saved through enterprises.policies, so each change leaves its PolicyEvent --------


class _ConditionForm(forms.ModelForm):
    """Each row checked by the services' rule (known values, ranges), beside the row."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("attribute") and not cleaned.get("DELETE"):
            row = {k: cleaned.get(k) for k in ("attribute", "values", "minimum", "maximum")}
            try:
                policies.clean_conditions([row])
            except ValidationError as error:
                self.add_error(None, error.messages)
        return cleaned


class PolicyConditionInline(admin.TabularInline):
    model = PolicyCondition
    form = _ConditionForm
    extra = 1
    fields = ["attribute", "values", "minimum", "maximum"]


class PolicyAttachmentInline(admin.TabularInline):
    """Attachments are added on the policy's page (judged by their bytes); here only listed."""

    model = PolicyAttachment
    extra = 0
    fields = ["name", "size", "uploaded_at"]
    readonly_fields = ["name", "size", "uploaded_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "category",
        "status",
        "valid_from",
        "valid_until",
        "exempt_application",
    ]
    list_filter = ["status", "category", "exempt_application"]
    search_fields = ["title", "document_number", "issuer"]
    readonly_fields = ["status", "created_by", "created_at", "updated_at"]
    inlines = [PolicyConditionInline, PolicyAttachmentInline]
    autocomplete_fields = ["owner"]
    actions = ["publish", "withdraw"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a policy is withdrawn (废止), never deleted: grants and cases cite it

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        # The policy is written with its conditions in save_related, through one service call.
        # Kept on the object, not on this admin (shared by every request's thread).
        obj._admin_fields = {name: getattr(obj, name) for name in policies.FIELDS}  # type: ignore[attr-defined]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The inline rows are written by the service, not by the formset; the admin's change
        # message still reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not PolicyCondition:
            return
        rows = [
            {
                "attribute": f.cleaned_data["attribute"],
                "values": f.cleaned_data.get("values") or [],
                "minimum": f.cleaned_data.get("minimum"),
                "maximum": f.cleaned_data.get("maximum"),
            }
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        policy = form.instance
        fields = policy._admin_fields
        try:
            if change:
                policies.update_policy(policy, actor=_actor(request), conditions=rows, **fields)
            else:
                created = policies.create_policy(actor=_actor(request), conditions=rows, **fields)
                policy.pk = created.pk
        except ValidationError as error:
            # The forms ran the same checks; only a race gets here.
            if not change:
                raise
            messages.error(request, "；".join(error.messages))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("PolicyAdminForm", (_PolicyCheckForm, form), {})

    @admin.action(description=_("发布所选草稿"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Policy]) -> None:
        for policy in queryset.filter(status=PolicyStatus.DRAFT):
            policies.publish_policy(policy, actor=_actor(request))

    @admin.action(description=_("废止所选政策"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Policy]) -> None:
        for policy in queryset.filter(status=PolicyStatus.PUBLISHED):
            policies.withdraw_policy(policy, actor=_actor(request))


class _PolicyCheckForm(forms.ModelForm):
    """Checks the dates by the services' rule, so a wrong one is a form error, not a crash."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("截止日期不能早于生效日期。"))
        amount = cleaned.get("max_amount")
        if amount is not None and amount < 0:
            self.add_error("max_amount", _("金额须为不小于 0 的数（万元）。"))
        return cleaned


@admin.register(PolicyGrant)
class PolicyGrantAdmin(admin.ModelAdmin):
    list_display = ["policy", "enterprise", "amount", "granted_on"]
    list_filter = ["policy"]
    search_fields = ["enterprise__name", "policy__title"]
    list_select_related = ["policy", "enterprise"]
    autocomplete_fields = ["enterprise"]
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: PolicyGrant, form: Any, change: bool) -> None:
        grant = policies.record_grant(
            obj.policy, obj.enterprise, obj.amount, obj.granted_on, obj.note, actor=_actor(request)
        )
        obj.pk = grant.pk


@admin.register(EnterpriseTag)
class EnterpriseTagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    fields = ["name"]  # firms are tagged on their file (tag_enterprise), each with its event


@admin.register(PolicyEvent)
class PolicyEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "policy", "kind", "actor"]
    list_filter = ["kind"]
    list_select_related = ["policy", "actor"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
