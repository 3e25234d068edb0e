"""The handling unit's forms (签收, 答复, 延期, 退单, 进展, 调解): input checks only.

Each carries the case ``version`` it was drawn with (``MoveForm``). ``error_field`` names the
field beside which an engine ``ValidationError`` is shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import MediationOutcome, SendBackReason
from web.dispatch.forms import LocalDateTimeInput, MoveForm


class AcceptForm(MoveForm):
    error_field = None


class AnswerForm(MoveForm):
    error_field = "answer"
    answer = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明办理过程和结果，答复将用于回访核实。"),
    )


class ExtensionForm(MoveForm):
    error_field = "until"
    until = forms.DateTimeField(label=_("申请延期至"), widget=LocalDateTimeInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_until(self) -> Any:
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise forms.ValidationError(_("延期后的期限必须晚于当前时间。"))
        return until


class SendBackForm(MoveForm):
    error_field = "reason"
    reason_code = forms.ChoiceField(label=_("退单原因"), choices=SendBackReason.choices)
    reason = forms.CharField(
        label=_("退单理由和依据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明不属本单位办理的理由，并写明职责依据。"),
    )


class ProgressNoteForm(MoveForm):
    error_field = "note"
    note = forms.CharField(label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 3}))


class MediationForm(MoveForm):
    error_field = "note"
    note = forms.CharField(label=_("调解情况"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(
        label=_("调处结果"),
        choices=[("", _("调解中（尚无结果）")), *MediationOutcome.choices],
        required=False,
    )
