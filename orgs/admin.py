from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orgs.models import Enterprise, Organisation, OrgKind


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "region", "phone", "is_active", "keeps_workshops"]
    list_filter = ["kind", "is_active", "keeps_workshops"]
    search_fields = ["name", "short_name", "aliases", "credit_code"]
    autocomplete_fields = ["parent", "region", "chain"]
    list_select_related = ["parent", "region"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "credit_code",
        "industry",
        "size",
        "park",
        "chain_position",
        "employees",
        "region",
    ]
    list_filter = ["size", "chain_position", "is_above_scale", "park"]
    search_fields = ["name", "short_name", "aliases", "credit_code"]
    autocomplete_fields = ["region", "chain", "parent"]
    list_select_related = ["region"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "short_name",
                    "aliases",
                    "credit_code",
                    "region",
                    "phone",
                    "is_active",
                ]
            },
        ),
        (
            _("企业画像"),
            {
                "fields": [
                    "industry",
                    "size",
                    "employees",
                    "is_above_scale",
                    "park",
                    "chain_position",
                    "chain",
                    "parent",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change) -> None:
        obj.kind = OrgKind.ENTERPRISE
        super().save_model(request, obj, form, change)
