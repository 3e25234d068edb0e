"""The household pages' forms: a visit (demands one per line, each a case), a plan review, a
plan, a tag change. They check input only; the services check the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseType
from households.models import MeasureStatus
from households.services import Demand, Measure
from people.models import HouseholdTag, Person
from web.grid.forms import new_token, source_key

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), initial=timezone.localdate, widget=DATE)
    findings = forms.CharField(
        label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    case_type = forms.ModelChoiceField(
        label=_("诉求类型"), queryset=CaseType.objects.order_by("pk"), required=False
    )
    demands = forms.CharField(
        label=_("群众诉求"),
        help_text=_("每行一条，每条登记为一件事项；没有诉求可不填。"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=new_token)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if self.demand_lines() and not data.get("case_type"):
            self.add_error("case_type", _("请选择诉求类型。"))
        return data

    def demand_lines(self) -> list[str]:
        text = self.cleaned_data.get("demands") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def demand_rows(self) -> list[Demand]:
        token = self.cleaned_data["form_token"]
        return [
            Demand(self.cleaned_data["case_type"], line, source_key=f"{source_key(token)}-{i}")
            for i, line in enumerate(self.demand_lines())
        ]


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("复核日期"), initial=timezone.localdate, widget=DATE)
    progress = forms.CharField(
        label=_("帮扶进展"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    next_review_on = forms.DateField(
        label=_("下次复核日期"),
        required=False,
        widget=DATE,
        help_text=_("不填则按复核间隔推算。"),
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=new_token)

    def __init__(self, *args: Any, measures: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measures = measures
        for m in measures:
            self.fields[f"measure_{m.pk}"] = forms.ChoiceField(
                label=m.measure, choices=MeasureStatus.choices, initial=m.status
            )

    def measure_fields(self) -> list:
        return [self[f"measure_{m.pk}"] for m in self.measures]

    def statuses(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"measure_{m.pk}"] for m in self.measures}


class PlanForm(forms.Form):
    responsible = forms.ModelChoiceField(label=_("帮扶责任人"), queryset=Person.objects.none())
    summary = forms.CharField(
        label=_("致贫/风险原因及帮扶思路"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    review_months = forms.IntegerField(
        label=_("复核间隔（月）"), min_value=1, max_value=12, initial=1
    )
    measures = forms.CharField(
        label=_("帮扶措施"),
        help_text=_(
            "每行一项：措施｜目标｜责任人/单位，例如 发展油茶种植｜年增收3000元｜镇农业服务中心"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people  # type: ignore[attr-defined]

    def measure_rows(self) -> list[Measure]:
        rows = []
        for line in (self.cleaned_data.get("measures") or "").splitlines():
            parts = [p.strip() for p in line.replace("|", "｜").split("｜")] + ["", ""]
            if parts[0]:
                rows.append(Measure(parts[0][:200], parts[1][:200], parts[2][:100]))
        return rows


class TagForm(forms.Form):
    tag = forms.ModelChoiceField(label=_("标签"), queryset=HouseholdTag.objects.order_by("name"))
    reason = forms.CharField(label=_("原因"), max_length=200)


class MemberForm(forms.Form):
    """A member's record; the service checks the id number and phone formats."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.CharField(label=_("与户主关系"), max_length=20)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    birth_year = forms.IntegerField(
        label=_("出生年份"), min_value=1900, max_value=9999, required=False
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ReasonForm(forms.Form):
    """The reason of a removal or an ending (移除成员, 结束帮扶)."""

    reason = forms.CharField(label=_("原因"), max_length=200)
