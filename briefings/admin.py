"""The office edits its briefing's words here, without code; briefings themselves are read-only
(made by the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from briefings import figures as fig
from briefings.models import Briefing, BriefingEvent, BriefingTemplate

TEXT_FIELDS = ("title", "summary", "ranking_note", "typical_intro", "problems_intro", "closing")


class BriefingTemplateForm(forms.ModelForm):
    class Meta:
        model = BriefingTemplate
        fields = ["name", "is_default", "issuer", *TEXT_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in TEXT_FIELDS:
            try:
                fig.check_template(data.get(name) or "")
            except fig.TemplateError as error:
                self.add_error(name, ValidationError(str(error)))
        return data


@admin.register(BriefingTemplate)
class BriefingTemplateAdmin(admin.ModelAdmin):
    form = BriefingTemplateForm
    list_display = ["name", "is_default", "updated_at"]
    readonly_fields = ["available_figures"]
    fieldsets = [
        (None, {"fields": ["name", "is_default", "issuer", "title"]}),
        (
            _("正文"),
            {"fields": ["summary", "ranking_note", "typical_intro", "problems_intro", "closing"]},
        ),
        (_("可用的数据项"), {"fields": ["available_figures"]}),
    ]

    @admin.display(description=_("写法：{{ 数据项 }}，例如 {{ received }}"))
    def available_figures(self, obj: BriefingTemplate | None) -> str:
        return format_html_join(
            "", "<div><code>{{{{ {} }}}}</code> {}</div>", ((k, v) for k, v in fig.FIELDS.items())
        )

    def get_changeform_initial_data(self, request: Any) -> dict[str, Any]:
        from briefings.services import DEFAULT_TEXTS, DEFAULT_TITLE

        return {"title": DEFAULT_TITLE, **DEFAULT_TEXTS}


class BriefingEventInline(admin.TabularInline):
    model = BriefingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "at", "data"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "region", "requested_by", "status", "generated_at"]
    list_filter = ["kind", "status"]
    inlines = [BriefingEventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
