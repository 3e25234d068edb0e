"""The inputs of the workshop pages; field names are the services' keyword arguments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation
from people.models import Household, HouseholdTag
from regions.models import Region
from workshops.services import birth_year_of, member_model


class FiguresForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"), coerce=int, choices=[(q, f"{q}") for q in range(1, 5)]
    )
    jobs = forms.IntegerField(label=_("提供岗位"), min_value=0)
    households = forms.IntegerField(label=_("带动农户(户)"), min_value=0)
    income = forms.DecimalField(
        label=_("带动增收(万元)"), min_value=0, max_digits=10, decimal_places=2
    )
    output = forms.DecimalField(label=_("产值(万元)"), min_value=0, max_digits=12, decimal_places=2)


class HouseholdChoice(forms.ModelChoiceField):
    """Households by masked head name: the form is for everyone who writes the workshop."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.region.name} · {obj}"


class HelpedForm(forms.Form):
    household = HouseholdChoice(label=_("农户"), queryset=Household.objects.none())
    since = forms.DateField(label=_("带动起始日期"), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, households: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households  # type: ignore[attr-defined]


class MemberChoice(forms.ModelChoiceField):
    """Matched members by masked name, relation, age and household."""

    def label_from_instance(self, obj: Any) -> str:
        year = birth_year_of(obj)
        age = _("%(age)d岁") % {"age": timezone.localdate().year - year} if year else _("年龄不详")
        return f"{obj.household.region.name} · {obj.household} · {obj} · {age}"


class PlacementForm(forms.Form):
    member = MemberChoice(
        label=_("上岗人员"),
        queryset=member_model().objects.none(),
        error_messages={"invalid_choice": _("请从符合条件的人员中选择。")},
    )
    placed_on = forms.DateField(label=_("上岗日期"), initial=timezone.localdate)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class PostingForm(forms.Form):
    employer = forms.ModelChoiceField(label=_("用工单位"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("岗位名称"), max_length=100)
    positions = forms.IntegerField(label=_("招聘人数"), min_value=1, max_value=10000)
    wage = forms.CharField(label=_("薪资待遇"), max_length=100, required=False)
    place = forms.CharField(label=_("工作地点"), max_length=200, required=False)
    region = forms.ModelChoiceField(label=_("面向区域"), queryset=Region.objects.none())
    tags = forms.ModelMultipleChoiceField(
        label=_("面向群体"),
        queryset=HouseholdTag.objects.order_by("pk"),
        widget=forms.CheckboxSelectMultiple,
    )
    posted_on = forms.DateField(label=_("发布日期"), initial=timezone.localdate)

    def __init__(self, *args: Any, employers: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers  # type: ignore[attr-defined]
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]


def add_service_errors(form: forms.Form, error: Any) -> None:
    """Put a service's ``ValidationError`` on the form's fields (unknown fields: the form's)."""
    for field, messages in error.update_error_dict({}).items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
