"""The editor of a dispatch catalogue draft: one row per category (lead unit, co-units, tier).

The unit choices are built once for the whole formset (one query, not two per row); the rows
check what they can see alone (a known category and units, the lead not also a co-unit) and
``cases.catalogue.save_entries`` checks the rest.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from cases import catalogue
from cases.models import Category, DispatchCatalogue, DispatchEntry, Priority
from orgs.models import Organisation, OrgKind
from web.dispatch.forms import UNIT_ORDER

UNIT_CHOICE_ERROR = _("所选单位不存在或不能承办事项。")


class NoteForm(forms.Form):
    """新建修订草稿: what the revision is for."""

    note = forms.CharField(
        label=_("修订说明"),
        required=False,
        max_length=catalogue.MAX_NOTE,
        error_messages={"max_length": _("修订说明不能超过 %(limit_value)d 个字。")},
        widget=forms.TextInput(attrs={"placeholder": _("例如：调整燃气安全类事项的主办单位")}),
    )


class EntryForm(forms.Form):
    """One category's line of the draft; no lead unit leaves the category out."""

    category = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    lead_unit = forms.TypedChoiceField(
        label=_("主办单位"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": UNIT_CHOICE_ERROR},
    )
    co_units = forms.TypedMultipleChoiceField(
        label=_("协办单位"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 3}),
        error_messages={"invalid_choice": UNIT_CHOICE_ERROR},
    )
    priority = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Priority.choices,
        error_messages={"invalid_choice": _("紧急程度无效。")},
    )

    def __init__(
        self,
        *args: Any,
        units: dict[int, Organisation],
        categories: dict[int, Category],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.units, self.categories = units, categories
        choices = [(pk, unit.short_name or unit.name) for pk, unit in units.items()]
        lead = cast(forms.TypedChoiceField, self.fields["lead_unit"])
        lead.choices = [("", _("—（不列入目录）")), *choices]
        cast(forms.TypedMultipleChoiceField, self.fields["co_units"]).choices = choices

    @property
    def category_obj(self) -> Category | None:
        """The row's category (also on a form shown again with errors)."""
        value = self["category"].value()
        return self.categories.get(int(value)) if str(value or "").isdigit() else None

    def clean_category(self) -> Category:
        category = self.categories.get(self.cleaned_data["category"])
        if category is None:
            raise forms.ValidationError(_("分类不存在。"), code="invalid_category")
        return category

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead, co = data.get("lead_unit"), data.get("co_units") or []
        if lead is not None and lead in co:
            self.add_error(
                "co_units",
                forms.ValidationError(_("主办单位不能同时是协办单位。"), code="lead_is_co_unit"),
            )
        if lead is None and co:
            self.add_error(
                "lead_unit",
                forms.ValidationError(
                    _("请选择主办单位，或清空协办单位。"), code="co_units_without_lead"
                ),
            )
        return data

    def row(self) -> catalogue.EntryRow:
        """The cleaned row as the service takes it."""
        data = self.cleaned_data
        lead = data.get("lead_unit")
        return catalogue.EntryRow(
            category=data["category"],
            lead_unit=self.units[lead] if lead is not None else None,
            co_units=[self.units[pk] for pk in data.get("co_units") or []],
            priority=data["priority"],
        )


BaseEntryFormSet = formset_factory(EntryForm, extra=0, max_num=1000, validate_max=True)


class EntryFormSet(BaseEntryFormSet):  # type: ignore[valid-type,misc]
    """Every row of the editor; ``by_category`` finds the row a service error is about."""

    def by_category(self) -> dict[int, EntryForm]:
        rows: dict[int, EntryForm] = {}
        for form in self.forms:
            category = form.category_obj
            if category is not None:
                rows.setdefault(category.pk, form)
        return rows


def editor_units(draft: DispatchCatalogue) -> dict[int, Organisation]:
    """The units the editor offers: the handling units but the villages (a county's catalogue
    names departments, towns, working groups and associations), and any unit the draft already
    names, so a row always shows its value. One query."""
    used = DispatchEntry.objects.filter(catalogue=draft)
    units = (
        Organisation.objects.handling_units().exclude(kind=OrgKind.VILLAGE_COMMITTEE)
        | Organisation.objects.filter(pk__in=used.values("lead_unit"))
        | Organisation.objects.filter(pk__in=used.values("co_units"))
    )
    return {unit.pk: unit for unit in units.order_by(UNIT_ORDER, "name")}


def editor_categories(draft: DispatchCatalogue) -> dict[int, Category]:
    """The rows: every active category and any the draft names (a stopped category can still
    be taken out), in the order of the case types and codes. One query."""
    used = DispatchEntry.objects.filter(catalogue=draft).values("category")
    categories = (
        Category.objects.filter(is_active=True) | Category.objects.filter(pk__in=used)
    ).select_related("case_type")
    return {c.pk: c for c in categories.order_by("case_type__ordering", "case_type__code", "code")}


def initial_rows(
    categories: dict[int, Category], entries: list[DispatchEntry]
) -> list[dict[str, Any]]:
    """The draft's lines as the editor's initial values; a category without one is blank at
    its type's usual tier."""
    by_category = {entry.category_id: entry for entry in entries}
    rows = []
    for pk, category in categories.items():
        entry = by_category.get(pk)
        rows.append(
            {
                "category": pk,
                "lead_unit": entry.lead_unit_id if entry else None,
                "co_units": [u.pk for u in entry.co_units.all()] if entry else [],
                "priority": entry.priority if entry else category.case_type.default_priority,
            }
        )
    return rows
