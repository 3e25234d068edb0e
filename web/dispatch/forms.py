"""The dispatcher's pages draw the catalogue's forms (``cases/forms.py``) with their own widgets;
they validate nothing themselves.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Case as Choose
from django.db.models import Value, When
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from cases import catalogue
from cases import forms as f
from cases.models import Case, DispatchEntry, Priority
from orgs.models import Organisation, OrgKind

# Departments first, then working groups, towns, associations, villages: the usual lead units.
UNIT_ORDER = Choose(
    *(
        When(kind=kind, then=Value(rank))
        for rank, kind in enumerate(
            [
                OrgKind.DEPARTMENT,
                OrgKind.WORKING_GROUP,
                OrgKind.TOWN_GOVERNMENT,
                OrgKind.ASSOCIATION,
            ]
        )
    ),
    default=Value(9),
)


def catalogue_text(entry: DispatchEntry) -> str:
    """What the triage page says beside a suggestion taken from the dispatch catalogue."""
    co_units = "、".join(unit.short_name or unit.name for unit in entry.co_units.all())
    return _("依据派单目录 v%(version)d：主办 %(lead)s；协办 %(co)s；%(tier)s") % {
        "version": entry.catalogue.version,
        "lead": entry.lead_unit.short_name or entry.lead_unit.name,
        "co": co_units or "—",
        "tier": entry.get_priority_display(),
    }


class CategorySelect(forms.Select):
    """Each category option names its suggested lead unit, so the page can preselect it: the
    dispatch catalogue's line (lead unit, co-units, tier and the version) where the published
    version has one, else the category's suggested unit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page form sets them (``catalogue.current_entries``); other pages leave none.
        self.entries: dict[int, DispatchEntry] = {}

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        entry = self.entries.get(instance.pk) if instance is not None else None
        if entry is not None:
            option["attrs"].update(
                {
                    "data-unit": str(entry.lead_unit_id),
                    "data-co-units": ",".join(str(unit.pk) for unit in entry.co_units.all()),
                    "data-priority": entry.priority,
                    "data-catalogue": catalogue_text(entry),
                }
            )
        elif instance is not None and instance.suggested_unit_id:
            option["attrs"]["data-unit"] = str(instance.suggested_unit_id)
        return option


class TriageAssignPageForm(f.TriageAssignForm):
    """研判 + 交办 on one screen: the catalogue's fields, drawn for the triage page."""

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        # The published catalogue's lines of the case type's categories, once (two queries):
        # the options carry them and the unbound form takes the case's category's line.
        self.catalogue_entries = catalogue.current_entries(case_type_id=case.case_type_id)
        bound = bool(args and args[0] is not None) or kwargs.get("data") is not None
        self.__dict__["catalogue_entry"] = (
            None if bound else self.catalogue_entries.get(case.category_id or 0)
        )
        super().__init__(*args, case=case, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        lead_unit = cast(forms.ModelChoiceField, self.fields["lead_unit"])
        co_units = cast(forms.ModelMultipleChoiceField, self.fields["co_units"])
        # A model choice field's choices are a ModelChoiceIterator; the stubs type the property
        # as anything its setter accepts.
        category.widget = CategorySelect(choices=cast(ModelChoiceIterator, category.choices))
        category.widget.entries = self.catalogue_entries
        units = Organisation.objects.handling_units().order_by(UNIT_ORDER, "name")
        lead_unit.queryset = units
        co_units.queryset = units
        co_units.widget = forms.CheckboxSelectMultiple(
            choices=cast(ModelChoiceIterator, co_units.choices)
        )
        co_units.help_text = ""
        self.fields["deadline"].label = _("指定办理期限")


class RowForm(forms.Form):
    """A row of a list (延期审批, 销号/重办, 督办): the version and one text, bound by the page to
    the text field of the move the pressed button makes."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    note = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeadlinePreviewForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
    deadline = f.MomentField(required=False)
