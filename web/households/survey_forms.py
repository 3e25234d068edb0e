"""The survey pages' forms: a new survey, a task's visit (one yes/no and note per checklist
item), a recheck. They check input only; ``households.surveys`` checks the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import CaseType
from households.surveys import ANSWERS
from people.models import HouseholdTag
from regions.models import Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ANSWER_CHOICES = [(ANSWERS[0], _("是")), (ANSWERS[1], _("否"))]


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("摸排标题"), max_length=100)
    items = forms.CharField(
        label=_("摸排事项（每行一项）"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    region = forms.ModelChoiceField(label=_("范围"), queryset=Region.objects.none())
    tag = forms.ModelChoiceField(
        label=_("只含标签"), queryset=HouseholdTag.objects.order_by("name"), required=False
    )
    due_on = forms.DateField(label=_("截止日期"), widget=DATE)

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = regions if regions is not None else Region.objects.all()

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class VisitForm(forms.Form):
    finding = forms.CharField(
        label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    raise_case = forms.BooleanField(label=_("转为事项"), required=False)
    case_type = forms.ModelChoiceField(
        label=_("事项类型"), queryset=CaseType.objects.order_by("pk"), required=False
    )

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for i, item in enumerate(items):
            self.fields[f"answer_{i}"] = forms.ChoiceField(
                label=item, choices=ANSWER_CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"note_{i}"] = forms.CharField(
                label=_("备注"), max_length=200, required=False
            )

    def item_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"answer_{i}"], self[f"note_{i}"]) for i in range(len(self.items))]

    def answers(self) -> dict[str, dict[str, str]]:
        return {
            item: {
                "answer": self.cleaned_data[f"answer_{i}"],
                "note": self.cleaned_data[f"note_{i}"],
            }
            for i, item in enumerate(self.items)
        }


class RecheckForm(forms.Form):
    ok = forms.TypedChoiceField(
        label=_("复核结果"),
        choices=[("1", _("通过")), ("0", _("不通过，退回重访"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("复核意见"), max_length=200, required=False)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("结束说明"), max_length=200, required=False)
