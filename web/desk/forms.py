"""The desk's one form (登记诉求): who called, what about, where, and how it ends (直接答复,
研判交办 or 仅登记). It validates input and names the services' arguments; the view makes the
moves.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import catalogue
from cases import forms as f
from cases.models import Case, CaseType, Category, Channel, MediationOutcome, Priority, RiskLevel
from cases.scope import visible_cases
from orgs.models import Organisation
from people.backends import requester_for_phone
from people.models import INTAKE, User
from regions.models import Region
from regions.search import in_subtrees
from web.dispatch.forms import UNIT_ORDER, CategorySelect
from web.grid.forms import derive_title, phone_validator, source_key
from web.grid.intake_facts import HouseholdField, clean_household
from web.privacy.forms import anonymous_field, not_public_field

# The desk takes calls and visits; the web channel is the requester's own.
DESK_CHANNELS = [Channel.HOTLINE, Channel.WALK_IN]


class Outcome:
    """The button the operator pressed."""

    ANSWER = "answer"  # 直接答复: registered and resolved on the spot
    ASSIGN = "assign"  # 研判交办: registered, triaged and assigned in the same step
    REGISTER = "register"  # 仅登记: left for the dispatcher's inbox
    CHOICES = [(ANSWER, _("直接答复")), (ASSIGN, _("研判交办")), (REGISTER, _("仅登记"))]


def intake_roots(user: User) -> list[Region] | None:
    """The subtrees the user registers into (None: everywhere, for administrators): the region
    of each intake role, or the region of the organisation a committee's dispatcher holds."""
    if user.is_admin:
        return None
    roots: dict[int, Region] = {}
    for a in user.role_assignments:
        if a.role not in INTAKE:
            continue
        region = a.region or (a.organisation.region if a.organisation is not None else None)
        if region is not None:
            roots[region.pk] = region
    return list(roots.values())


def places(user: User) -> Any:
    roots = intake_roots(user)
    regions = Region.objects.all()
    return regions if roots is None else regions.filter(in_subtrees(roots))


class DeskForm(forms.Form):
    """登记诉求, in the order a trained operator types it."""

    requester_phone = forms.CharField(
        label=_("来电号码"),
        required=False,
        max_length=20,
        validators=[phone_validator],
        # Drawn by the template, with its htmx lookup of the caller's earlier cases.
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    requester_name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[(c.value, c.label) for c in DESK_CHANNELS],
        initial=Channel.HOTLINE,
        widget=forms.RadioSelect(attrs={"class": "channel"}),
    )
    case_type = forms.ModelChoiceField(
        label=_("事项类型"),
        queryset=CaseType.objects.all(),
        empty_label=None,
        widget=forms.Select(attrs={"data-case-type": ""}),
    )
    place = forms.CharField(label=_("地点"), required=False, max_length=300)
    region = forms.ModelChoiceField(
        label=_("地点"),
        queryset=Region.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("请选择地点：输入地名或拼音首字母，用 ↓ 和回车从列表中选择。"),
            "invalid_choice": _("只能选择本人负责范围内的地点。"),
        },
    )
    address = forms.CharField(label=_("详细位置"), required=False, max_length=200)
    household = HouseholdField()
    category = forms.ModelChoiceField(
        label=_("分类"),
        required=False,
        queryset=Category.objects.filter(is_active=True).order_by("case_type", "code"),
        empty_label=_("（请选择）"),
    )
    title = forms.CharField(
        label=_("标题"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("可不填，自动取内容的第一句")}),
    )
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=f.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写诉求内容。")},
    )
    priority = forms.ChoiceField(
        label=_("紧急程度"),
        required=False,
        choices=[("", _("按事项类型默认")), *Priority.choices],
    )
    answer = f.text_field(_("答复内容"), required=False, rows=3)
    mediation_outcome = forms.ChoiceField(
        label=_("调处结果"),
        required=False,
        choices=[("", "—"), *MediationOutcome.choices],
        help_text=_("矛盾纠纷、侵权纠纷直接答复时填写"),
    )
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"),
        required=False,
        queryset=Organisation.objects.handling_units().order_by(UNIT_ORDER, "name"),
        empty_label=_("（请选择）"),
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        required=False,
        queryset=Organisation.objects.handling_units().order_by(UNIT_ORDER, "name"),
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", "—"), *RiskLevel.choices]
    )
    # The caller's wishes: stay unknown to the handling unit; keep the case off the public list.
    anonymous_to_unit = anonymous_field()
    not_public = not_public_field()
    deadline = f.MomentField(label=_("指定办理期限"), required=False)
    note = f.text_field(_("交办意见"), required=False, rows=2)
    repeat_of = forms.CharField(required=False, max_length=24, widget=forms.HiddenInput)
    form_token = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        choices=Outcome.CHOICES,
        error_messages={"required": _("请选择办理方式：直接答复、研判交办或仅登记。")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = places(user)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.widget = CategorySelect(
            attrs={"data-category": ""}, choices=cast(Any, category.choices)
        )
        self.fields["deadline"].help_text = _("不填则按时限自动计算（工作日）")

    def clean_requester_phone(self) -> str:
        return self.cleaned_data["requester_phone"].strip()

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            raise ValidationError(_("办理期限必须晚于当前时间。"), code="past")
        return deadline

    def clean_repeat_of(self) -> Case | None:
        """The open case this call is about again, by number, among the cases the user sees."""
        number = self.cleaned_data.get("repeat_of", "").strip()
        if not number:
            return None
        case = visible_cases(self.user).open().filter(number=number).first()
        if case is None:
            raise ValidationError(_("关联的事项不存在或已办结。"), code="repeat_of")
        return case

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        case_type, category = data.get("case_type"), data.get("category")
        if case_type and category and category.case_type_id != case_type.pk:
            self.add_error("category", _("该分类不属于所选的事项类型。"))
        if "household" in data:
            try:
                data["household"] = clean_household(
                    self.user, data["household"], data.get("region")
                )
            except ValidationError as error:
                self.add_error("household", error)
        outcome = data.get("outcome")
        if outcome == Outcome.ANSWER and not data.get("answer", "").strip():
            self.add_error("answer", _("直接答复须填写答复内容。"))
        case_type = data.get("case_type")
        if (
            outcome == Outcome.ANSWER
            and case_type is not None
            and case_type.has_mediation
            and not data.get("mediation_outcome")
        ):
            # As on the case page: a dispute settled at once counts in 调处成功率 with its outcome.
            self.add_error("mediation_outcome", _("纠纷类事项直接答复须选择调处结果。"))
        if outcome == Outcome.ASSIGN:
            self._clean_assignment(data)
        return data

    def _clean_assignment(self, data: dict[str, Any]) -> None:
        category, case_type = data.get("category"), data.get("case_type")
        if category is None and "category" not in self.errors:
            self.add_error("category", _("研判交办须选择分类。"))
        if data.get("lead_unit") is None and category is not None:
            # The page's script preselects it: the dispatch catalogue's lead unit, else the
            # category's suggested one.
            entry = catalogue.entry_for(category)
            data["lead_unit"] = entry.lead_unit if entry is not None else category.suggested_unit
        lead, co = data.get("lead_unit"), data.get("co_units") or []
        if lead is None:
            self.add_error("lead_unit", _("研判交办须选择主办单位。"))
        elif lead in co:
            self.add_error("co_units", _("主办单位不能同时是协办单位。"))
        if case_type is not None and case_type.has_mediation and not data.get("risk_level"):
            data["risk_level"] = RiskLevel.LOW  # as the triage page's default

    @property
    def chosen(self) -> str:
        """The outcome of the button pressed (``Outcome``)."""
        return self.cleaned_data["outcome"]

    def report_arguments(self, details: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments of ``services.report_case`` this form stands for."""
        data = self.cleaned_data
        description = data["description"].strip()
        repeat_of = data.get("repeat_of")
        if repeat_of is not None:
            details = {**details, "repeat_of": repeat_of.number}
        return {
            "case_type": data["case_type"],
            "region": data["region"],
            "title": data.get("title", "").strip() or derive_title(description),
            "description": description,
            "channel": data["channel"],
            "category": data.get("category"),
            "priority": data.get("priority") or None,
            # A caller registered on the phone pages follows and rates this case there.
            "requester": requester_for_phone(data.get("requester_phone", "")),
            "requester_name": data.get("requester_name", "").strip(),
            "requester_phone": data.get("requester_phone", ""),
            "anonymous_to_unit": bool(data.get("anonymous_to_unit")),
            "address": data.get("address", "").strip(),
            "household": data.get("household"),
            "details": details,
            "source_key": source_key(data["form_token"]),
        }

    def priority_of(self) -> str:
        data = self.cleaned_data
        return data.get("priority") or data["case_type"].default_priority

    def assign_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``services.triage_and_assign`` (besides case, actor, via)."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "priority": self.priority_of(),
            "lead_unit": data["lead_unit"],
            "co_units": list(data.get("co_units") or []),
            "risk_level": data.get("risk_level", "") if data["case_type"].has_mediation else "",
            "deadline": data.get("deadline"),
            "note": data.get("note", "").strip(),
        }


class PreviewForm(forms.Form):
    """The deadline preview's input: the type and priority as the form has them now."""

    case_type = forms.ModelChoiceField(queryset=CaseType.objects.all())
    priority = forms.ChoiceField(required=False, choices=[("", ""), *Priority.choices])
    deadline = f.MomentField(required=False)
