"""One small form per move, and the table from move kind to its form and its one service call.

The generic move endpoint (views.case_move) looks the move up in ``MOVES``, validates with its
form and calls its service. Every form carries the case version it was rendered with, so a
double click or a resubmitted form is a stale move, never a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import (
    Case,
    Category,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    SendBackReason,
)
from cases.scope import visible_cases
from orgs.models import Organisation
from people.models import User

YES_NO = [("1", _("是")), ("0", _("否"))]


def _text(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _moment(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class MoveForm(forms.Form):
    """The base of every move form: the case version it was rendered with, hidden."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", case.version)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user


class EmptyMoveForm(MoveForm):
    """A move without input (签收)."""


class NoteForm(MoveForm):
    note = _text(_("说明"), required=False)


class ReasonForm(MoveForm):
    reason = _text(_("理由"))


class AnswerForm(MoveForm):
    answer = _text(_("答复内容"), rows=4)


class ResolveOnSpotForm(MoveForm):
    answer = _text(_("现场处理情况"), rows=4)
    mediation_outcome = forms.ChoiceField(
        label=_("调处结果"), required=False, choices=[("", "—"), *MediationOutcome.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.case.case_type.has_mediation:
            del self.fields["mediation_outcome"]


class TriageForm(MoveForm):
    category = forms.ModelChoiceField(label=_("分类"), queryset=Category.objects.none())
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    risk_level = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", "—"), *RiskLevel.choices]
    )
    note = _text(_("研判意见"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.case
        self.fields["category"].queryset = Category.objects.filter(
            Q(is_active=True) | Q(pk=case.category_id), case_type_id=case.case_type_id
        )
        self.initial.setdefault("category", case.category_id)
        self.initial.setdefault("priority", case.priority)
        self.initial.setdefault("risk_level", case.risk_level)
        if not case.case_type.has_mediation:
            del self.fields["risk_level"]


class AssignForm(MoveForm):
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"), queryset=Organisation.objects.handling_units()
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        required=False,
        queryset=Organisation.objects.handling_units(),
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("可多选（按住 Ctrl 或 ⌘）"),
    )
    deadline = _moment(_("办理期限"), required=False)
    note = _text(_("交办意见"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].help_text = _("不填则按事项类型和紧急程度的时限自动计算")
        category = self.case.category
        if category is not None and category.suggested_unit_id:
            self.initial.setdefault("lead_unit", category.suggested_unit_id)

    def clean_deadline(self) -> datetime | None:
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            raise forms.ValidationError(_("办理期限必须晚于当前时间。"))
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lead, co = data.get("lead_unit"), data.get("co_units")
        if lead is not None and co is not None and lead in co:
            self.add_error("co_units", _("主办单位不能同时是协办单位。"))
        return data


class MediationForm(MoveForm):
    note = _text(_("调解情况"))
    outcome = forms.ChoiceField(
        label=_("调处结果"),
        required=False,
        choices=[("", _("尚无结果")), *MediationOutcome.choices],
    )


class ExtensionRequestForm(MoveForm):
    until = _moment(_("延期至"))
    reason = _text(_("延期理由"))

    def clean_until(self) -> datetime:
        until = self.cleaned_data["until"]
        if self.case.deadline and until <= self.case.deadline:
            raise forms.ValidationError(_("延期后的期限必须晚于原办理期限。"))
        return until


class SendBackForm(MoveForm):
    reason_code = forms.ChoiceField(label=_("退单原因"), choices=SendBackReason.choices)
    reason = _text(_("理由和依据"))


class VisitForm(MoveForm):
    contacted = forms.TypedChoiceField(
        label=_("承办单位是否及时联系"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolved = forms.TypedChoiceField(
        label=_("问题是否解决"), choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = _text(_("回访记录"), required=False)


class MergeForm(MoveForm):
    master = forms.CharField(
        label=_("主事项编号"), max_length=24, help_text=_("本事项将并入该事项并随其办理")
    )
    note = _text(_("说明"), required=False)

    def clean_master(self) -> Case:
        value = self.cleaned_data["master"].strip().upper()
        cases = visible_cases(self.user).exclude(pk=self.case.pk)
        match = Q(number=value) | (Q(pk=int(value)) if value.isdecimal() else Q(pk__in=[]))
        master = cases.filter(match).select_related("region").first()
        if master is None:
            raise forms.ValidationError(_("未找到编号为“%(v)s”的事项。") % {"v": value})
        return master


Call = Callable[[Case, User, dict[str, Any]], Case]


@dataclass(frozen=True)
class Move:
    """A move as the pages show it: its button, its form and its one service call."""

    label: Any
    form: type[MoveForm]
    call: Call
    irreversible: bool = False  # a confirmation page first (GET shows, POST acts)
    error_field: str | None = None  # where a service's ValidationError is shown
    primary: bool = False


MOVES: dict[str, Move] = {
    "triaged": Move(
        _("研判"),
        TriageForm,
        lambda c, u, d: services.triage_case(
            c,
            actor=u,
            category=d["category"],
            priority=d["priority"],
            risk_level=d.get("risk_level") or "",
            note=d["note"],
        ),
        error_field="category",
        primary=True,
    ),
    "assigned": Move(
        _("交办"),
        AssignForm,
        lambda c, u, d: services.assign_case(
            c,
            actor=u,
            lead_unit=d["lead_unit"],
            co_units=d["co_units"],
            deadline=d["deadline"],
            note=d["note"],
        ),
        error_field="deadline",
        primary=True,
    ),
    "resolved_on_spot": Move(
        _("当场办结"),
        ResolveOnSpotForm,
        lambda c, u, d: services.resolve_on_spot(
            c, actor=u, answer=d["answer"], mediation_outcome=d.get("mediation_outcome") or ""
        ),
        error_field="answer",
    ),
    "accepted": Move(
        _("签收"), EmptyMoveForm, lambda c, u, d: services.accept_case(c, actor=u), primary=True
    ),
    "progress_noted": Move(
        _("记录进展"),
        ReasonForm,
        lambda c, u, d: services.add_progress_note(c, actor=u, note=d["reason"]),
        error_field="reason",
    ),
    "mediated": Move(
        _("记录调解"),
        MediationForm,
        lambda c, u, d: services.record_mediation(c, actor=u, note=d["note"], outcome=d["outcome"]),
        error_field="note",
    ),
    "answered": Move(
        _("答复办结"),
        AnswerForm,
        lambda c, u, d: services.answer_case(c, actor=u, answer=d["answer"]),
        error_field="answer",
        primary=True,
    ),
    "extension_requested": Move(
        _("申请延期"),
        ExtensionRequestForm,
        lambda c, u, d: services.request_extension(
            c, actor=u, until=d["until"], reason=d["reason"]
        ),
        error_field="until",
    ),
    "extension_approved": Move(
        _("同意延期"),
        NoteForm,
        lambda c, u, d: services.approve_extension(c, actor=u, note=d["note"]),
        primary=True,
    ),
    "extension_refused": Move(
        _("不同意延期"),
        ReasonForm,
        lambda c, u, d: services.refuse_extension(c, actor=u, reason=d["reason"]),
        error_field="reason",
    ),
    "sent_back": Move(
        _("退单"),
        SendBackForm,
        lambda c, u, d: services.send_back(
            c, actor=u, reason_code=d["reason_code"], reason=d["reason"]
        ),
        error_field="reason",
    ),
    "visited": Move(
        _("回访"),
        VisitForm,
        lambda c, u, d: services.return_visit(
            c,
            actor=u,
            reached=True,
            contacted=d["contacted"],
            resolved=d["resolved"],
            satisfaction=d["satisfaction"],
            note=d["note"],
        ),
        primary=True,
    ),
    "visit_failed_to_reach": Move(
        _("回访未联系上"),
        NoteForm,
        lambda c, u, d: services.return_visit(c, actor=u, reached=False, note=d["note"]),
    ),
    "reopened": Move(
        _("重办"),
        ReasonForm,
        lambda c, u, d: services.reopen_case(c, actor=u, reason=d["reason"]),
        error_field="reason",
    ),
    "supervised": Move(
        _("督办"), NoteForm, lambda c, u, d: services.supervise_case(c, actor=u, note=d["note"])
    ),
    "closed": Move(
        _("销号"),
        NoteForm,
        lambda c, u, d: services.close_case(c, actor=u, note=d["note"]),
        irreversible=True,
        error_field="note",
        primary=True,
    ),
    "rejected": Move(
        _("不予受理"),
        ReasonForm,
        lambda c, u, d: services.reject_case(c, actor=u, reason=d["reason"]),
        irreversible=True,
        error_field="reason",
    ),
    "merged": Move(
        _("合并"),
        MergeForm,
        lambda c, u, d: services.merge_case(c, actor=u, master=d["master"], note=d["note"]),
        irreversible=True,
        error_field="master",
    ),
}
