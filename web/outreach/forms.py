"""The visit form (走访登记) with its rows of demands, each row one case; the briefing push and
completion forms; the rhythm settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseType, Category
from outreach.models import BriefingTask, Period
from outreach.services import Demand
from people.models import Person
from web.grid.forms import (
    IntakeChoices,
    ObjectChoiceField,
    category_mismatch,
    new_token,
    objects_field,
    phone_validator,
    source_key,
)

DEMAND_TYPE = "enterprise_demand"


def demand_choices() -> IntakeChoices:
    """The case types and categories a demand row offers, loaded once for every row."""
    return IntakeChoices(
        types=list(CaseType.objects.order_by("pk")),
        categories=list(Category.objects.filter(is_active=True).order_by("case_type", "code")),
        places=[],
        enterprises=[],
    )


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        person = cast(Person, obj)
        return f"{person.name}（{person.position}）" if person.position else person.name


class BriefingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        task = cast(BriefingTask, obj)
        return f"{task.policy.title}（{task.cadre.name}）"


class VisitForm(forms.Form):
    """The visit itself, and the firm's pending briefings done during it."""

    visited_on = forms.DateField(
        label=_("走访日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    visitors = PersonChoiceField(
        label=_("走访人员"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        error_messages={"required": _("请选择走访人员。")},
    )
    met = forms.CharField(
        label=_("接待人"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：总经理 王某")}),
    )
    findings = forms.CharField(
        label=_("走访情况"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写走访情况。")},
    )
    briefings = BriefingChoiceField(
        label=_("本次完成的政策宣讲"),
        queryset=BriefingTask.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, visitors: Any, briefings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["visitors"]).queryset = visitors
        cast(forms.ModelMultipleChoiceField, self.fields["briefings"]).queryset = briefings

    def clean_visited_on(self) -> Any:
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("走访日期不能晚于今天。"), code="future")
        if day < timezone.localdate() - timedelta(days=366):
            raise forms.ValidationError(_("只能补录一年以内的走访。"), code="too_old")
        return day


class DemandForm(forms.Form):
    """One demand raised during the visit: it becomes one case."""

    case_type = ObjectChoiceField(
        label=_("事项类型"),
        empty_label=None,
        widget=forms.Select(attrs={"data-case-type": ""}),
    )
    category = ObjectChoiceField(
        label=_("分类"),
        required=False,
        empty_label=_("（待研判）"),
        widget=forms.Select(attrs={"data-category": ""}),
    )
    description = forms.CharField(
        label=_("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    requester_name = forms.CharField(
        label=_("诉求人"),
        required=False,
        max_length=50,
        help_text=_("不填则为企业联络员"),
    )
    requester_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: IntakeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objects_field(self, "case_type").set_objects(choices.types)
        objects_field(self, "category").set_objects(choices.categories)
        default = next((t for t in choices.types if t.code == DEMAND_TYPE), None)
        if default is not None:
            self.fields["case_type"].initial = str(default.pk)

    def has_changed(self) -> bool:
        """A row counts once the user typed in it; its token and preselected type do not."""
        return any(name not in ("form_token", "case_type") for name in self.changed_data)

    def clean(self) -> dict[str, Any]:
        super().clean()
        error = category_mismatch(self.cleaned_data)
        if error:
            self.add_error("category", error)
        return self.cleaned_data

    def demand(self) -> Demand:
        data = self.cleaned_data
        return Demand(
            case_type=data["case_type"],
            category=data.get("category"),
            description=data["description"],
            requester_name=data.get("requester_name", ""),
            requester_phone=data.get("requester_phone", ""),
            source_key=source_key(data["form_token"]),
        )


class BaseDemandFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, choices: IntakeChoices, **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # Each new row gets its own one-time token (the page script gives added rows theirs).
        return {"choices": self.choices, "initial": {"form_token": new_token()}}

    def filled(self) -> list[DemandForm]:
        return [cast(DemandForm, form) for form in self.forms if form.has_changed()]


DemandFormSet = cast(
    type[BaseDemandFormSet],
    forms.formset_factory(
        DemandForm, formset=BaseDemandFormSet, extra=1, max_num=30, absolute_max=30
    ),
)


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("宣讲情况"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PushForm(forms.Form):
    policy = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    due_on = forms.DateField(
        label=_("完成期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=lambda: timezone.localdate() + timedelta(days=30),
    )


class RhythmForm(forms.Form):
    period = forms.ChoiceField(label=_("走访周期"), choices=Period.choices)
