"""The dispatcher's forms: they validate input only; the moves are the engine's services.

Every move form carries the case ``version`` it was drawn with, so a second submission of the
same form meets ``StaleCase`` instead of making a second move.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case as Choose
from django.db.models import Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Category, Priority, RiskLevel, TimeLimit
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


class MoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CategorySelect(forms.Select):
    """Each category option names its suggested lead unit, so the page can preselect it."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # type: ignore[no-untyped-def]
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and instance.suggested_unit_id:
            option["attrs"]["data-unit"] = str(instance.suggested_unit_id)
        return option


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class TriageAssignForm(MoveForm):
    """研判 and 交办 on one screen: classify, grade, choose the units, see the deadline."""

    category = forms.ModelChoiceField(
        label=_("分类"), queryset=Category.objects.none(), widget=CategorySelect
    )
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    risk_level = forms.ChoiceField(
        label=_("风险等级"), choices=[("", "—"), *RiskLevel.choices], required=False
    )
    lead_unit = forms.ModelChoiceField(label=_("主办单位"), queryset=Organisation.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateTimeField(
        label=_("指定办理期限"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("留空则按事项类型和紧急程度的办理时限自动计算（工作日）。"),
    )
    note = forms.CharField(
        label=_("交办意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        super().__init__(*args, **kwargs)
        self.case = case
        categories = Category.objects.filter(case_type_id=case.case_type_id, is_active=True)
        self.fields["category"].queryset = categories.select_related("suggested_unit")
        units = Organisation.objects.handling_units().order_by(UNIT_ORDER, "name")
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        if case.case_type.has_mediation:
            self.fields["risk_level"].required = True
            self.fields["risk_level"].choices = RiskLevel.choices
        else:
            del self.fields["risk_level"]
        self.initial.update(
            version=case.version,
            category=case.category_id,
            priority=case.priority,
            risk_level=case.risk_level or RiskLevel.LOW,
        )
        if case.category_id and case.category.suggested_unit_id:
            self.initial.setdefault("lead_unit", case.category.suggested_unit_id)

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            raise forms.ValidationError(_("办理期限必须晚于当前时间。"))
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        priority = data.get("priority")
        if priority and not data.get("deadline"):
            has_limit = TimeLimit.objects.filter(
                case_type_id=self.case.case_type_id, priority=priority
            ).exists()
            if not has_limit:
                self.add_error("deadline", _("该类型和紧急程度没有设置办理时限，请指定办理期限。"))
        lead = data.get("lead_unit")
        if lead is not None and data.get("co_units") is not None:
            data["co_units"] = [u for u in data["co_units"] if u.pk != lead.pk]
        return data


class RejectForm(MoveForm):
    reason = forms.CharField(
        label=_("不予受理理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("理由将告知诉求人。"),
    )


class MergeForm(MoveForm):
    master = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("合并说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(MoveForm):
    """An optional note or reason; the service says when it is required (e.g. refusing)."""

    note = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeadlinePreviewForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
    deadline = forms.DateTimeField(required=False)
