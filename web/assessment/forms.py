"""The assessment pages' forms: they read the input's shape; the services judge it (a bad
number gets the service's Chinese message beside its field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import ENGINE_METRICS, AssessmentTask, Direction, Indicator, IndicatorKind
from orgs.models import Organisation, OrgKind
from regions.models import Region, RegionLevel

# Who may issue a task list: party committees, departments, town governments, working groups.
ISSUER_KINDS = (
    OrgKind.PARTY_COMMITTEE,
    OrgKind.DEPARTMENT,
    OrgKind.TOWN_GOVERNMENT,
    OrgKind.WORKING_GROUP,
)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.Form):
    value = forms.CharField(
        label=_("完成值"),
        max_length=40,
        error_messages={"required": _("请填写数值。")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("进展说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("附件(图片或 PDF，可选)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=_("通报内容"),
        max_length=4000,
        error_messages={"required": _("请填写通报内容。")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RectifyForm(forms.Form):
    requirement = forms.CharField(
        label=_("整改要求"),
        max_length=4000,
        error_messages={"required": _("请填写整改要求。")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = forms.DateField(
        label=_("整改期限"),
        widget=DATE,
        error_messages={"required": _("请填写整改期限。"), "invalid": _("请填写有效的日期。")},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("整改情况"),
        max_length=4000,
        error_messages={"required": _("请填写整改情况。")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MonthField(forms.CharField):
    """A month as YYYYMM or YYYY-MM."""

    def clean(self, value: Any) -> int | None:
        text = (super().clean(value) or "").replace("-", "").strip()
        if not text:
            return None
        if not (text.isdigit() and len(text) == 6 and 1 <= int(text) % 100 <= 12):
            raise forms.ValidationError(_("月份须为 YYYYMM，如 202601。"))
        return int(text)


class TaskForm(forms.Form):
    title = forms.CharField(
        label=_("任务名称"), max_length=150, error_messages={"required": _("请填写任务名称。")}
    )
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2099,
        error_messages={"required": _("请填写年度。"), "invalid": _("年度须为数字。")},
    )
    start_month = MonthField(label=_("考核期起(YYYYMM)"), max_length=7)
    end_month = MonthField(label=_("考核期止(YYYYMM)"), max_length=7)
    issuer = forms.ModelChoiceField(
        Organisation.objects.filter(is_active=True, kind__in=ISSUER_KINDS).order_by("kind", "name"),
        label=_("下达单位"),
        error_messages={"required": _("请选择下达单位。")},
    )
    region = forms.ModelChoiceField(
        Region.objects.filter(level__lte=RegionLevel.TOWN).order_by("path"),
        label=_("考核范围"),
        error_messages={"required": _("请选择考核范围。")},
    )
    note = forms.CharField(
        label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(
        label=_("指标名称"), max_length=100, error_messages={"required": _("请填写指标名称。")}
    )
    kind = forms.ChoiceField(label=_("取数方式"), choices=IndicatorKind.choices)
    metric = forms.ChoiceField(
        label=_("系统指标(系统取数时必选)"),
        required=False,
        choices=[("", "—"), *ENGINE_METRICS.items()],
    )
    measure = forms.CharField(
        label=_("计量单位"), max_length=20, required=False, help_text=_("系统取数的指标为 %。")
    )
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices)
    description = forms.CharField(
        label=_("指标说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BreakdownForm(forms.Form):
    indicator = forms.ModelChoiceField(
        Indicator.objects.none(), label=_("指标"), error_messages={"required": _("请选择指标。")}
    )
    units = forms.ModelMultipleChoiceField(
        Organisation.objects.handling_units().order_by("kind", "name"),
        label=_("责任单位"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择责任单位。")},
    )
    target = forms.CharField(
        label=_("目标值"),
        max_length=40,
        error_messages={"required": _("请填写数值。")},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    weight = forms.CharField(
        label=_("权重(分值)"),
        max_length=40,
        error_messages={"required": _("请填写数值。")},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, task: AssessmentTask, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Indicator.objects.filter(task=task).order_by("position", "pk")
