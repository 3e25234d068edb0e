from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from people.models import (
    ApiKey,
    EnterpriseLink,
    Household,
    HouseholdLink,
    HouseholdTag,
    Person,
    RegionResponsibility,
    RoleAssignment,
    User,
)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region", "organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    autocomplete_fields = ["person"]
    fieldsets = [*(BaseUserAdmin.fieldsets or ()), (_("人员"), {"fields": ["person"]})]
    list_select_related = ["person"]

    @admin.display(description=_("姓名"))
    def display_name(self, obj: User) -> str:
        return obj.display_name


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__person__name"]
    autocomplete_fields = ["user", "region", "organisation"]
    list_select_related = ["user", "region", "organisation"]


class EnterpriseLinkInline(admin.TabularInline):
    model = EnterpriseLink
    extra = 0
    autocomplete_fields = ["enterprise"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Personal data is masked in lists; the edit form is for administrators who need it.
    list_display = [
        "name",
        "masked_phone",
        "masked_id_number",
        "organisation",
        "position",
        "region",
        "is_party_member",
        "is_representative",
    ]
    list_filter = ["is_party_member", "is_representative"]
    search_fields = ["name", "phone", "position"]
    autocomplete_fields = ["region", "organisation"]
    list_select_related = ["organisation", "region"]
    inlines = [EnterpriseLinkInline]

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number


@admin.register(RegionResponsibility)
class RegionResponsibilityAdmin(admin.ModelAdmin):
    list_display = ["region", "duty", "person"]
    list_filter = ["duty"]
    search_fields = ["region__name", "person__name"]
    autocomplete_fields = ["region", "person"]
    list_select_related = ["region", "person"]


@admin.register(EnterpriseLink)
class EnterpriseLinkAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "enterprise", "since"]
    list_filter = ["kind"]
    search_fields = ["person__name", "enterprise__name"]
    autocomplete_fields = ["person", "enterprise"]
    list_select_related = ["person", "enterprise"]


@admin.register(HouseholdTag)
class HouseholdTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class HouseholdLinkInline(admin.TabularInline):
    model = HouseholdLink
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region", "members", "tag_list"]
    list_filter = ["tags"]
    search_fields = ["head_name", "address"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["tags"]
    inlines = [HouseholdLinkInline]
    list_select_related = ["region"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description=_("标签"))
    def tag_list(self, obj: Household) -> str:
        return "、".join(t.name for t in obj.tags.all())


@admin.register(HouseholdLink)
class HouseholdLinkAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "household"]
    list_filter = ["kind"]
    autocomplete_fields = ["person", "household"]
    list_select_related = ["person", "household"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_api_key` (the raw key is shown once) and revoked here."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "user", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset) -> None:
        from django.utils import timezone

        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
