"""The case page's dispute forms: they read the input's shape; the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from disputes.services import MAX_PARTIES

# The columns of one party's row in the partial's table (``role_0``, ``name_0``, …).
ROW_FIELDS = ("role", "name", "phone", "id_number", "address")


def party_rows(data: QueryDict) -> list[dict[str, Any]]:
    """The posted rows in order, an entirely blank row left out (the form's spare rows)."""
    rows = []
    for index in range(MAX_PARTIES + 1):
        row = {field: data.get(f"{field}_{index}", "").strip() for field in ROW_FIELDS}
        if any(row[field] for field in ROW_FIELDS if field != "role"):
            rows.append(row)
    return rows


class AgreementForm(forms.Form):
    file = forms.FileField(
        label=_("调解协议"), error_messages={"required": _("请选择调解协议文件。")}
    )
    signed_on = forms.DateField(
        label=_("签订日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写签订日期。")},
    )
