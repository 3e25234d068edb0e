"""The privacy forms: a case's flags (公开, 对承办单位保密) and the person export's query."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from people.models import User
from privacy.dossier import MAX_REASON
from privacy.models import ExportFormat
from privacy.scope import may_set_flags

ANONYMOUS_LABEL = _("对承办单位保密")
ANONYMOUS_HELP = _("勾选后，承办单位看不到诉求人的姓名和电话，由热线中心联系诉求人")
PUBLIC_LABEL = _("公开")
PUBLIC_HELP = _("不勾选则不在公开接口（Open311）中显示")


def anonymous_field() -> forms.BooleanField:
    """The intake's 对承办单位保密 (desk, grid report, phone pages)."""
    return forms.BooleanField(label=ANONYMOUS_LABEL, required=False, help_text=ANONYMOUS_HELP)


def public_field() -> forms.BooleanField:
    """公开, as the case page shows the case's flag."""
    return forms.BooleanField(label=PUBLIC_LABEL, required=False, help_text=PUBLIC_HELP)


def not_public_field() -> forms.BooleanField:
    """The desk's 不公开: a box to tick, so a form sent without it (an older page, a script)
    leaves the case public rather than hiding it."""
    return forms.BooleanField(
        label=_("不公开"), required=False, help_text=_("勾选后不在公开接口（Open311）中显示")
    )


class FlagsForm(forms.Form):
    """The case page's 隐私设置, for the desk over the case's place."""

    is_public = public_field()
    anonymous_to_unit = anonymous_field()
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=MAX_REASON, widget=forms.TextInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "privacy_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def flags_form(user: User, case: Case) -> FlagsForm | None:
    """The form with the case's flags, for those who may change them (None for the others)."""
    if not may_set_flags(user, case):
        return None
    return FlagsForm(
        initial={"is_public": case.is_public, "anonymous_to_unit": case.anonymous_to_unit}
    )


class PersonExportForm(forms.Form):
    """个人信息导出: whom (a phone number or an ID number), why, and in which format."""

    phone = forms.CharField(
        label=_("电话号码"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("导出事由"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：本人申请查阅（申请编号）、依法协查（文书编号）"),
        error_messages={"required": _("请填写导出事由。")},
    )
    fmt = forms.ChoiceField(
        label=_("格式"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
