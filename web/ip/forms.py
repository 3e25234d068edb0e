"""The IP pages' forms: they read the input's shape; the services judge it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from ip.models import IP_CASE_TYPE, LicenceStatus, RegistrationKind, RightType
from orgs.models import Organisation, OrgKind
from regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The units that take part in an enforcement action.
ACTION_UNIT_KINDS = (
    OrgKind.DEPARTMENT,
    OrgKind.WORKING_GROUP,
    OrgKind.CHAIN_COMMITTEE,
    OrgKind.TOWN_GOVERNMENT,
)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _required(message: StrOrPromise) -> dict[str, StrOrPromise]:
    return {"required": message}


def _enterprises(required: bool, label: StrOrPromise, message: StrOrPromise = "") -> Any:
    return forms.ModelChoiceField(
        Organisation.objects.enterprises().filter(is_active=True).order_by("name"),
        label=label,
        required=required,
        error_messages=_required(message) if message else None,
    )


class FactsForm(forms.Form):
    right_type = forms.ChoiceField(
        label=_("权利类型"),
        choices=RightType.choices,
        error_messages=_required(_("请选择权利类型。")),
    )
    holder_enterprise = _enterprises(False, _("权利人企业"))
    holder_name = forms.CharField(
        label=_("权利人（非本县企业时填写）"), max_length=150, required=False
    )
    infringer_name = forms.CharField(label=_("侵权人"), max_length=150, required=False)
    infringer_enterprise = _enterprises(False, _("侵权企业"))
    registration_number = forms.CharField(label=_("登记/注册号"), max_length=60, required=False)


class RegistrationForm(forms.Form):
    enterprise = _enterprises(True, _("企业"), _("请选择企业。"))
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=RegistrationKind.choices,
        error_messages=_required(_("请选择登记类别。")),
    )
    title = forms.CharField(
        label=_("名称"), max_length=150, error_messages=_required(_("请填写名称。"))
    )
    number = forms.CharField(
        label=_("登记/注册号"), max_length=60, error_messages=_required(_("请填写登记/注册号。"))
    )
    registered_on = forms.DateField(
        label=_("登记日期"), widget=DATE, error_messages=_required(_("请填写登记日期。"))
    )
    note = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class LicenceForm(forms.Form):
    licensee = _enterprises(True, _("被许可企业"), _("请选择企业。"))
    mark_name = forms.CharField(
        label=_("证明商标"),
        max_length=60,
        initial="德化白瓷",
        error_messages=_required(_("请填写证明商标名称。")),
    )
    number = forms.CharField(
        label=_("许可编号"), max_length=60, error_messages=_required(_("请填写许可编号。"))
    )
    valid_from = forms.DateField(
        label=_("有效期起"), widget=DATE, error_messages=_required(_("请填写有效期起。"))
    )
    valid_until = forms.DateField(
        label=_("有效期止"), widget=DATE, error_messages=_required(_("请填写有效期止。"))
    )


class LicenceStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("新状态"),
        choices=LicenceStatus.choices,
        error_messages=_required(_("请选择许可状态。")),
    )
    reason = forms.CharField(
        label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


CASE_NUMBER_SPLIT = re.compile(r"[\s,，、;；]+")


class ActionForm(forms.Form):
    acted_on = forms.DateField(
        label=_("执法日期"), widget=DATE, error_messages=_required(_("请填写执法日期。"))
    )
    place = forms.CharField(
        label=_("地点"), max_length=150, error_messages=_required(_("请填写执法地点。"))
    )
    region = forms.ModelChoiceField(
        Region.objects.filter(level__lte=RegionLevel.TOWN).order_by("path"),
        label=_("所属区域"),
        error_messages=_required(_("请选择所属区域。")),
    )
    units = forms.ModelMultipleChoiceField(
        Organisation.objects.filter(kind__in=ACTION_UNIT_KINDS, is_active=True).order_by(
            "kind", "name"
        ),
        label=_("参与单位"),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required(_("请选择参与单位。")),
    )
    result = forms.CharField(
        label=_("执法结果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages=_required(_("请填写执法结果。")),
    )
    seized = forms.CharField(
        label=_("查扣物品"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        required=False,
    )
    cases = forms.CharField(
        label=_("关联侵权事项编号"),
        required=False,
        help_text=_("多个编号用空格或逗号分隔"),
    )

    def clean_cases(self) -> list[Case]:
        """The numbers as infringement cases; an unknown one is an error. Any of the county's
        infringement cases may be linked: the offices act on cases they do not lead, and the
        action's page links only those the reader may open."""
        numbers = [n for n in CASE_NUMBER_SPLIT.split(self.cleaned_data["cases"] or "") if n]
        numbers = list(dict.fromkeys(numbers))
        if not numbers:
            return []
        found = {
            case.number: case
            for case in Case.objects.filter(
                number__in=numbers, case_type__code=IP_CASE_TYPE
            ).select_related("case_type")
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("找不到侵权纠纷事项：%(numbers)s"),
                code="unknown_case",
                params={"numbers": "、".join(missing)},
            )
        return [found[n] for n in numbers]
