"""The policy pages' forms: they read the input's shape and turn words into stored values (an
honour's name into its code, a region's name into its id); ``enterprises.policies`` judges it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.matching import FLAG_ATTRIBUTES, NUMBER_ATTRIBUTES, Words
from enterprises.models import (
    ConditionAttribute,
    Honour,
    Policy,
    PolicyCategory,
    PolicyCondition,
    PolicyStatus,
)
from orgs.models import HANDLING_KINDS, ChainPosition, EnterpriseSize, Organisation, OrgKind
from regions.models import Region

A = ConditionAttribute
SEPARATORS = re.compile(r"[\n\r、,，;；]+")
YES, NO = "是", "否"


class PolicyFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), max_length=200, required=False)
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *PolicyCategory.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *PolicyStatus.choices], required=False
    )
    exempt = forms.BooleanField(label=_("免申即享"), required=False)
    valid_now = forms.BooleanField(label=_("现行有效"), required=False)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = [
            "title",
            "issuer",
            "document_number",
            "category",
            "valid_from",
            "valid_until",
            "max_amount",
            "amount_note",
            "exempt_application",
            "summary",
            "full_text",
            "manual_conditions",
            "owner",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "full_text": forms.Textarea(attrs={"rows": 8}),
            "manual_conditions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"manual_conditions": _("每行一条，由工作人员逐项核验。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        # The departments and committees that lead a policy, not every firm of the county.
        owner.queryset = Organisation.objects.filter(
            kind__in=[*HANDLING_KINDS, OrgKind.CHAIN_COMMITTEE], is_active=True
        ).order_by("kind", "name")


def _choices_by_word(choices: Any) -> dict[str, str]:
    """Label or code → code, so either may be typed."""
    return {**{str(label): value for value, label in choices}, **{v: v for v, _l in choices}}


class ConditionForm(forms.Form):
    """One condition: its attribute, its values typed as words separated by 、 or commas
    (or 是/否 for 规模以上), or a range for numbers."""

    attribute = forms.ChoiceField(
        label=_("条件项"), choices=[("", "—"), *A.choices], required=False
    )
    values = forms.CharField(
        label=_("取值"),
        max_length=1000,
        required=False,
        help_text=_("多个取值用顿号或逗号分隔，满足其一即可。"),
    )
    minimum = forms.DecimalField(
        label=_("下限"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    maximum = forms.DecimalField(
        label=_("上限"), max_digits=14, decimal_places=2, min_value=0, required=False
    )

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("attribute")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        attribute = cleaned.get("attribute")
        if not attribute:
            return cleaned
        words = [w.strip() for w in SEPARATORS.split(cleaned.get("values") or "") if w.strip()]
        try:
            cleaned["values"] = _stored(attribute, words)
        except forms.ValidationError as error:
            self.add_error("values", error)
        return cleaned

    def condition(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "attribute": data["attribute"],
            "values": data.get("values") or [],
            "minimum": data.get("minimum"),
            "maximum": data.get("maximum"),
        }


def _stored(attribute: str, words: list[str]) -> list[Any]:
    """The stored values of the typed ``words``; unknown words are left for the service."""
    if attribute in NUMBER_ATTRIBUTES:
        return []
    if attribute in FLAG_ATTRIBUTES:
        if words not in ([YES], [NO], []):
            raise forms.ValidationError(_("请填写“是”或“否”。"), code="invalid_value")
        return [words != [NO]]
    if attribute == A.SIZE:
        table = _choices_by_word(EnterpriseSize.choices)
        return [table.get(w, w) for w in words]
    if attribute == A.CHAIN_POSITION:
        table = _choices_by_word(ChainPosition.choices)
        return [table.get(w, w) for w in words]
    if attribute == A.HONOUR:
        table = {}
        for code, name in Honour.objects.values_list("code", "name"):
            table[code], table[name] = code, code
        return [table.get(w, w) for w in words]
    if attribute == A.REGION:
        found: list[Any] = []
        for word in words:
            ids = list(Region.objects.filter(name=word).values_list("pk", flat=True)[:2])
            if len(ids) == 1:
                found.append(ids[0])
            elif word.isdigit():
                found.append(int(word))
            else:
                raise forms.ValidationError(
                    _("找不到唯一的区域“%(name)s”。"), code="unknown_region", params={"name": word}
                )
        return found
    return words


def condition_initial(conditions: list[PolicyCondition]) -> list[dict[str, Any]]:
    """The stored conditions as the form shows them: values in words."""
    words = Words(conditions)
    rows = []
    for c in conditions:
        if c.attribute in FLAG_ATTRIBUTES:
            text = YES if (c.values[0] if c.values else True) else NO
        else:
            text = "、".join(words.value(c.attribute, v) for v in c.values)
        rows.append(
            {"attribute": c.attribute, "values": text, "minimum": c.minimum, "maximum": c.maximum}
        )
    return rows


PREFIX = "c"


def condition_forms(
    data: Any = None, initial: list[dict[str, Any]] | None = None, *, extra: int = 1
) -> list[ConditionForm]:
    """The condition rows: from a POST, every index it holds (rows added by htmx carry their
    own); else the initial rows and ``extra`` blank ones."""
    if data is not None:
        indexes = sorted(
            {
                int(m.group(1))
                for key in data
                if (m := re.fullmatch(rf"{PREFIX}(\d{{1,3}})-attribute", key))
            }
        )
        return [ConditionForm(data, prefix=f"{PREFIX}{i}") for i in indexes]
    rows = list(initial or []) + [{}] * extra
    return [ConditionForm(initial=row, prefix=f"{PREFIX}{i}") for i, row in enumerate(rows)]


def blank_condition(index: int) -> ConditionForm:
    return ConditionForm(prefix=f"{PREFIX}{index}")


class GrantForm(forms.Form):
    enterprise = forms.ModelChoiceField(Organisation.objects.none(), label=_("企业"))
    amount = forms.DecimalField(
        label=_("兑现金额（万元）"), max_digits=14, decimal_places=2, min_value=0
    )
    granted_on = forms.DateField(
        label=_("兑现日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, firms: list[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[f.pk for f in firms or []])
        field.choices = [("", "—")] + [(f.pk, f.name) for f in firms or []]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"), help_text=_("PDF、Word、Excel 或图片，不超过 20 MB。"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("废止原因"), max_length=200, required=False)
