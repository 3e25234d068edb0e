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

from cases import forms as f
from cases.models import Priority
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


class CategorySelect(forms.Select):
    """Each category option names its suggested lead unit, so the page can preselect it."""

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
        if instance is not None and instance.suggested_unit_id:
            option["attrs"]["data-unit"] = str(instance.suggested_unit_id)
        return option


class TriageAssignPageForm(f.TriageAssignForm):
    """研判 + 交办 on one screen: the catalogue's fields, drawn for the triage page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        lead_unit = cast(forms.ModelChoiceField, self.fields["lead_unit"])
        co_units = cast(forms.ModelMultipleChoiceField, self.fields["co_units"])
        # A model choice field's choices are a ModelChoiceIterator; the stubs type the property
        # as anything its setter accepts.
        category.widget = CategorySelect(choices=cast(ModelChoiceIterator, category.choices))
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
