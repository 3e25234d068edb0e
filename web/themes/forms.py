"""The theme pages' forms: they read the input's shape; ``themes.services`` judges it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Category
from orgs.models import HANDLING_KINDS, Organisation
from people.models import User
from regions.models import Region
from stats.metrics import month_label
from themes import scope
from themes.services import MAX_MILESTONES, MAX_TEXT, MAX_TITLE, MilestonePlan
from themes.suggest import add_months
from web.caseviews.filters import region_choices

# Months a theme may be set for, around this one.
MONTHS_BEFORE, MONTHS_AFTER = 1, 2
# Months whose data the candidates may be read from.
DATA_MONTHS = 6


def this_month() -> int:
    return int(timezone.localdate().strftime("%Y%m"))


def month_choices(before: int, after: int) -> list[tuple[int, str]]:
    now = this_month()
    return [
        (add_months(now, i), month_label(add_months(now, i))) for i in range(-before, after + 1)
    ]


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.case_type.name} · {obj.name}"


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.short_name or obj.name


class UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.short_name or obj.name


def _units() -> Any:
    return Organisation.objects.filter(kind__in=HANDLING_KINDS, is_active=True).order_by(
        "kind", "name"
    )


class ThemeForm(forms.Form):
    month = forms.TypedChoiceField(label=gettext_lazy("月份"), coerce=int)
    title = forms.CharField(
        label=gettext_lazy("题目"),
        max_length=MAX_TITLE,
        error_messages={"required": gettext_lazy("请填写题目。")},
    )
    description = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = CategoryChoice(
        Category.objects.select_related("case_type").order_by("case_type__ordering", "code"),
        label=gettext_lazy("分类"),
        required=False,
        empty_label=gettext_lazy("不限分类"),
    )
    place = forms.ChoiceField(label=gettext_lazy("地点"), required=False)
    lead_unit = UnitChoice(
        _units(),
        label=gettext_lazy("牵头单位"),
        error_messages={"required": gettext_lazy("请选择牵头单位。")},
    )
    co_units = UnitsChoice(
        _units(),
        label=gettext_lazy("协办单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    activate = forms.BooleanField(label=gettext_lazy("立即启动"), required=False, initial=True)
    include = forms.BooleanField(
        label=gettext_lazy("纳入匹配事项（该分类、该地点，自数据月份至题目月份受理的事项）"),
        required=False,
        initial=True,
    )
    # The candidate the theme was picked from: its month and case-list parameters.
    source_month = forms.IntegerField(required=False, widget=forms.HiddenInput)
    source_count = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        month = self.fields["month"]
        assert isinstance(month, forms.TypedChoiceField)
        month.choices = month_choices(MONTHS_BEFORE, MONTHS_AFTER)
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        choices: list[tuple[Any, Any]] = []
        if scope.covers_place(user, None):
            choices.append(("", _("全县（不限地点）")))
        choices += [c for c in region_choices(user) if c[0] != ""]
        place.choices = choices
        for index in range(1, MAX_MILESTONES + 1):
            self.fields[f"milestone_{index}"] = forms.CharField(
                label=_("节点任务 %(n)d") % {"n": index}, required=False, max_length=200
            )
            self.fields[f"milestone_{index}_due"] = forms.DateField(
                label=_("完成期限 %(n)d") % {"n": index},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def clean_place(self) -> Region | None:
        code = self.cleaned_data.get("place") or ""
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区划代码“%(v)s”不存在。") % {"v": code})
        # The top of the tree is the whole county: the same as no place.
        return None if region.depth <= 1 else region

    def milestones(self) -> list[MilestonePlan]:
        data = self.cleaned_data
        return [
            MilestonePlan(data.get(f"milestone_{i}") or "", data.get(f"milestone_{i}_due"))
            for i in range(1, MAX_MILESTONES + 1)
            if (data.get(f"milestone_{i}") or "").strip()
        ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MonthsForm(forms.Form):
    first_month = forms.TypedChoiceField(label=gettext_lazy("起始月份"), coerce=int)
    last_month = forms.TypedChoiceField(label=gettext_lazy("截止月份"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = month_choices(12, MONTHS_AFTER)[::-1]
        for name in ("first_month", "last_month"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices


class NumbersForm(forms.Form):
    numbers = forms.CharField(
        label=gettext_lazy("事项编号"),
        max_length=2000,
        help_text=gettext_lazy("多个编号以空格、逗号或换行分隔。"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写事项编号。")},
    )
