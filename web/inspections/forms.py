"""The inspection form (隐患排查登记) with its rows of findings, each row one hazard case, and the
campaign form (专项行动)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import CampaignStatus, Severity
from inspections.services import OPEN_STATUSES, FindingInput
from orgs.models import Organisation, OrgKind
from people.models import Person
from regions.models import Region


class InspectionForm(forms.Form):
    """The inspection itself: where, what, when, who."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    region = forms.ModelChoiceField(label=_("所在区域"), queryset=Region.objects.none())
    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Organisation.objects.none(), required=False
    )
    target_name = forms.CharField(
        label=_("排查对象"),
        max_length=150,
        required=False,
        help_text=_("非企业场所填写名称，如“某某自建房”“某某餐饮店”。"),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    inspected_on = forms.DateField(
        label=_("排查日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    inspectors = forms.ModelMultipleChoiceField(
        label=_("排查人员"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("排查情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self,
        *args: Any,
        regions: QuerySet[Region],
        enterprises: QuerySet[Organisation],
        inspectors: QuerySet[Person],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
        self.fields["inspectors"].queryset = inspectors  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    """One hazard found; an empty row is skipped."""

    description = forms.CharField(
        label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    severity = forms.ChoiceField(
        label=_("隐患等级"), choices=Severity.choices, initial=Severity.ORDINARY
    )
    rectify_by = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("即该隐患事项的办理期限，截至当天下班（节假日顺延至下一工作日）。"),
    )

    def is_filled(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("description", "").strip())

    def finding(self) -> FindingInput:
        data = self.cleaned_data
        return FindingInput(
            description=data["description"],
            severity=data["severity"],
            rectify_by=data.get("rectify_by"),
        )


FindingFormSet = forms.formset_factory(FindingForm, extra=1, max_num=30, validate_max=True)


# Units that may lead a campaign (牵头单位): departments, town governments, working groups.
LEAD_KINDS = (OrgKind.DEPARTMENT, OrgKind.TOWN_GOVERNMENT, OrgKind.WORKING_GROUP)


class CampaignForm(forms.Form):
    """A special campaign (专项行动): what, when, where, led by whom."""

    name = forms.CharField(label=_("名称"), max_length=150)
    starts_on = forms.DateField(
        label=_("开始日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    region = forms.ModelChoiceField(
        label=_("范围"),
        queryset=Region.objects.none(),
        error_messages={"invalid_choice": _("该区域不在您负责的范围内，请重新选择。")},
    )
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"),
        queryset=Organisation.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("请选择职能部门、乡镇政府或工作专班作为牵头单位。")},
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(s.value, s.label) for s in OPEN_STATUSES],
        initial=CampaignStatus.ACTIVE,
    )
    description = forms.CharField(
        label=_("工作要求"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, regions: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        self.fields["lead_unit"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind__in=LEAD_KINDS, is_active=True
        ).order_by("kind", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                forms.ValidationError(_("结束日期不能早于开始日期。"), code="before_start"),
            )
        return data
