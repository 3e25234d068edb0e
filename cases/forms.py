"""The input of every move, validated once: the case page, the workbenches and the API bind to
these forms (the API from JSON, the pages from a POST) and nothing else re-checks a field.

A form's field names are the keyword arguments of its service (``version`` becomes the
service's ``expected_version``), so the catalogue (``cases/moves.py``) calls the service with
the cleaned data as it is. Rules that need the locked case (states, scope, the deadline in
force) stay in the service; a form checks what it can see without a lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cases import catalogue
from cases.models import (
    Case,
    Category,
    DispatchEntry,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    SendBackReason,
)
from cases.scope import visible_cases
from enterprises.models import Policy, PolicyStatus
from orgs.models import Organisation
from people.models import User

# One bound for every free text of a move (answers, reasons, notes).
MAX_TEXT = 5000
# Dates outside this range overflow the working-time arithmetic of deadlines.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def choices_of(field: forms.Field) -> Iterable[tuple[Any, Any]]:
    """The (value, label) pairs of a choice field, as Django keeps them once set (django-stubs
    types the property as anything its setter accepts: a mapping, a callable...)."""
    return cast(Iterable[tuple[Any, Any]], cast(forms.ChoiceField, field).choices)


def text_field(
    label: Any, *, required: bool | Any = True, rows: int = 3, **kwargs: Any
) -> forms.CharField:
    """A free text of a move; ``required`` may be the message that says what is missing (the
    engine's own words, so a page and the API say the same)."""
    if required not in (True, False):
        kwargs["error_messages"] = {"required": required}
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class MomentField(forms.DateTimeField):
    """A local date and time (``datetime-local`` on pages, ISO 8601 in the API), 2000–2099."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and value.strip():
            text = value.strip().replace("Z", "+00:00")
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                moment = None
            if moment is not None:
                value = moment
        moment = super().to_python(value)
        if moment is not None and not FIRST_DAY <= moment.date() <= LAST_DAY:
            raise forms.ValidationError(
                _("日期须在 2000-01-01 至 2099-12-31 之间。"), code="invalid"
            )
        return moment


class YesNoField(forms.TypedChoiceField):
    """是/否 as radio buttons on pages, ``true``/``false`` in JSON."""

    TRUE, FALSE = {"1", "true", "True", True}, {"0", "false", "False", False}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(
            choices=[("1", _("是")), ("0", _("否"))], coerce=lambda v: v == "1", **kwargs
        )

    def to_python(self, value: Any) -> str:
        if value in self.TRUE:
            return "1"
        if value in self.FALSE:
            return "0"
        return super().to_python(value)


class MoveForm(forms.Form):
    """The base of every move form: the case version the user saw, hidden on pages.

    A form rendered with version 4 and posted after someone moved the case to version 5 meets
    ``StaleCase``: a double click or a resubmitted form is never a second move.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args: Any, case: Case, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", case.version)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user

    def arguments(self) -> dict[str, Any]:
        """The service's keyword arguments from the cleaned data."""
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data


class EmptyMoveForm(MoveForm):
    """A move without input (签收)."""


class NoteForm(MoveForm):
    note = text_field(_("说明"), required=False)


class NoteRequiredForm(MoveForm):
    note = text_field(_("办理进展"), required=_("请填写办理进展。"))


class ContactForm(MoveForm):
    note = text_field(_("联系情况"), required=_("请填写与诉求人联系的情况。"))


class ReasonForm(MoveForm):
    reason = text_field(_("理由"), required=_("请说明理由。"))


def reason_form(name: str, label: Any, missing: Any, **kwargs: Any) -> type[MoveForm]:
    """A move whose one input is a required reason, with the words of that move."""
    return type(name, (MoveForm,), {"reason": text_field(label, required=missing, **kwargs)})


PauseForm = reason_form("PauseForm", _("暂停计时理由"), _("暂停计时必须说明理由。"))

RejectForm = reason_form(
    "RejectForm",
    _("不予受理理由"),
    _("不予受理必须说明理由。"),
    help_text=_("理由将告知诉求人。"),
)
RefuseExtensionForm = reason_form(
    "RefuseExtensionForm", _("不同意延期的理由"), _("不同意延期必须说明理由。")
)
RecallForm = reason_form("RecallForm", _("撤回理由"), _("撤回必须说明理由。"))


class PolicyChoiceField(forms.ModelChoiceField):
    """The published policy an answer applied (optional): "依据政策" on the answer."""

    def __init__(self) -> None:
        super().__init__(
            label=_("依据政策"),
            required=False,
            queryset=Policy.objects.filter(status=PolicyStatus.PUBLISHED).order_by("title"),
            help_text=_("答复所依据的惠企政策（可选），用于统计政策解决的诉求。"),
            error_messages={"invalid_choice": _("所选政策不存在或未发布。")},
        )

    def label_from_instance(self, obj: Any) -> str:
        number = f"（{obj.document_number}）" if obj.document_number else ""
        return f"{obj.title}{number}"


class AnswerForm(MoveForm):
    answer = text_field(
        _("答复内容"),
        required=_("请填写答复内容。"),
        rows=5,
        help_text=_("写明办理过程和结果，答复将用于回访核实。"),
    )
    policy = PolicyChoiceField()


class ResolveOnSpotForm(MoveForm):
    """当场办结; a dispute settled on the spot records its mediation outcome (调处成功率)."""

    answer = text_field(_("现场处理情况"), required=_("请填写现场处理情况。"), rows=4)
    mediation_outcome = forms.ChoiceField(label=_("调处结果"), choices=MediationOutcome.choices)
    policy = PolicyChoiceField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.case.case_type.has_mediation:
            del self.fields["mediation_outcome"]


class CatalogueSuggestion:
    """The published dispatch catalogue's line (派单目录) for the case's category: its lead
    unit, co-units and tier are an unbound form's initial values, ahead of the category's
    suggested unit. Looked up once per form; a bound form (a POST, the API) needs none, so a
    move costs no query for it."""

    case: Case
    is_bound: bool

    @cached_property
    def catalogue_entry(self) -> DispatchEntry | None:
        if self.is_bound or not self.case.category_id:
            return None
        return catalogue.entry_for(self.case.category_id)


class TriageForm(CatalogueSuggestion, MoveForm):
    category = forms.ModelChoiceField(label=_("分类"), queryset=Category.objects.none())
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    risk_level = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", "—"), *RiskLevel.choices]
    )
    note = text_field(_("研判意见"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.case
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.filter(
            Q(is_active=True) | Q(pk=case.category_id), case_type_id=case.case_type_id
        ).select_related("suggested_unit")
        self.initial.setdefault("category", case.category_id)
        entry = self.catalogue_entry
        # The catalogue's tier until a dispatcher has graded the case (a sent-back case keeps
        # the grade it was given).
        tier = entry.priority if entry is not None and case.triaged_at is None else None
        self.initial.setdefault("priority", tier or case.priority)
        self.initial.setdefault("risk_level", case.risk_level)
        if case.case_type.has_mediation:
            risk_level = cast(forms.ChoiceField, self.fields["risk_level"])
            risk_level.required = True
            risk_level.choices = RiskLevel.choices
            self.initial["risk_level"] = case.risk_level or RiskLevel.LOW
        else:
            del self.fields["risk_level"]


class AssignForm(CatalogueSuggestion, MoveForm):
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
    deadline = MomentField(
        label=_("办理期限"),
        required=False,
        help_text=_("不填则按事项类型和紧急程度的时限自动计算（工作日）"),
    )
    note = text_field(_("交办意见"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category, entry = self.case.category, self.catalogue_entry
        if entry is not None:
            self.initial.setdefault("lead_unit", entry.lead_unit_id)
            self.initial.setdefault("co_units", [unit.pk for unit in entry.co_units.all()])
        elif category is not None and category.suggested_unit_id:
            self.initial.setdefault("lead_unit", category.suggested_unit_id)
        lead = self.case.lead_unit_id
        if lead:
            self.initial.setdefault("lead_unit", lead)

    def clean_deadline(self) -> datetime | None:
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            raise forms.ValidationError(_("办理期限必须晚于当前时间。"), code="past")
        return deadline

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        lead, co = data.get("lead_unit"), data.get("co_units")
        if lead is not None and co is not None and lead in co:
            self.add_error(
                "co_units",
                forms.ValidationError(_("主办单位不能同时是协办单位。"), code="lead_is_co_unit"),
            )
        return data


class ReassignForm(AssignForm):
    """改派: another lead unit (or other co-units) without waiting for a send-back."""

    reason = text_field(_("改派理由"), required=_("改派必须说明理由。"))
    note = None  # type: ignore[assignment]


class TriageAssignForm(TriageForm, AssignForm):
    """研判 and 交办 on one screen (the dispatcher's triage page)."""

    note = text_field(_("交办意见"), required=False)


class MediationForm(MoveForm):
    note = text_field(_("调解情况"), required=_("请填写调解情况。"))
    outcome = forms.ChoiceField(
        label=_("调处结果"),
        required=False,
        choices=[("", _("调解中（尚无结果）")), *MediationOutcome.choices],
    )


class ExtensionRequestForm(MoveForm):
    until = MomentField(label=_("申请延期至"))
    reason = text_field(_("延期理由"), required=_("申请延期必须说明理由。"))


class SendBackForm(MoveForm):
    reason_code = forms.ChoiceField(label=_("退单原因"), choices=SendBackReason.choices)
    reason = text_field(
        _("退单理由和依据"),
        required=_("退单必须说明理由和依据。"),
        help_text=_("说明不属本单位办理的理由，并写明职责依据。"),
    )


class VisitForm(MoveForm):
    contacted = YesNoField(
        label=_("承办单位是否及时联系"),
        error_messages={"required": _("有效回访必须选择此项。")},
    )
    resolved = YesNoField(
        label=_("问题是否解决"), error_messages={"required": _("有效回访必须选择此项。")}
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("有效回访必须选择满意度。")},
    )
    note = text_field(_("回访记录"), required=False)


class RateForm(MoveForm):
    """The requester's own rating of the answer, in plain words (群众评价)."""

    contacted = YesNoField(
        label=_("办理单位是否及时与您联系"),
        error_messages={"required": _("请选择办理单位是否及时与您联系。")},
    )
    resolved = YesNoField(
        label=_("您反映的问题是否已解决"),
        error_messages={"required": _("请选择问题是否已解决。")},
    )
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果是否满意"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意度。")},
    )
    comment = text_field(_("评价意见"), required=False)


class InfoRequestForm(MoveForm):
    question = text_field(
        _("需要补充的信息"),
        required=_("请写明需要诉求人补充什么。"),
        help_text=_("诉求人将在手机上看到并补充。"),
    )


class InfoAddForm(MoveForm):
    info = text_field(_("补充内容"), required=_("请填写补充内容。"))


class ReopenForm(MoveForm):
    reason = text_field(_("重办理由"), required=_("重办必须说明理由。"))
    deadline = MomentField(
        label=_("新的办理期限"),
        required=False,
        help_text=_("不填则自今日起按办理时限重新计算（工作日）"),
    )

    def clean_deadline(self) -> datetime | None:
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            raise forms.ValidationError(_("办理期限必须晚于当前时间。"), code="past")
        return deadline


class SuperviseForm(MoveForm):
    note = text_field(
        _("督办意见"),
        required=_("请填写督办意见。"),
        help_text=_("写明督办要求和办结时限，承办单位将看到。"),
    )


class CaseRefField(forms.CharField):
    """A case by its number (LX…) or its id."""

    accepts_integer = True


class MergeForm(MoveForm):
    master = CaseRefField(
        label=_("主事项编号"), max_length=24, help_text=_("本事项将并入该事项并随其办理")
    )
    note = text_field(_("说明"), required=False)

    def clean_master(self) -> Case:
        value = str(self.cleaned_data["master"]).strip().upper()
        match = Q(number=value)
        if value.isdecimal() and len(value) < 12:
            match |= Q(pk=int(value))
        master = visible_cases(self.user).filter(match).select_related("region").first()
        if master is not None and master.pk == self.case.pk:
            raise forms.ValidationError(_("不能与自身合并。"), code="self")
        if master is None:
            raise forms.ValidationError(
                _("未找到编号为“%(v)s”的事项。"), code="does_not_exist", params={"v": value}
            )
        return master


# --- 拆分, 撤销合并, 催办 (issue 15) ------------------------------------------------------------

# A call holding more demands than this is rather a meeting's list: split it in two steps.
MAX_SPLIT_PARTS = 10
MAX_TITLE = 200


class SplitPartsWidget(forms.Widget):
    """The parts of a split on a page: one title, text and category per part, named
    ``parts-<i>-title`` and so on; the first two open, each further one behind "增加一项" (a
    ``<details>``, so no script is needed). The API sends the list itself as JSON."""

    template_name = "cases/widgets/split_parts.html"
    keys = ("title", "description", "category")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.categories: list[tuple[int, str]] = []

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = data.get(name)
        if isinstance(value, list):  # JSON: the list as sent
            return value
        rows = []
        for index in range(MAX_SPLIT_PARTS):
            names = [f"{name}-{index}-{key}" for key in self.keys]
            if any(n in data for n in names):
                rows.append({key: data.get(n, "") for key, n in zip(self.keys, names, strict=True)})
        return rows

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0_title" if id_ else id_

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        given = [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
        base = context["widget"]["attrs"].get("id") or f"id_{name}"
        rows = []
        for index in range(MAX_SPLIT_PARTS):
            row = given[index] if index < len(given) else {}
            category = row.get("category")
            rows.append(
                {
                    "index": index,
                    "number": index + 1,
                    "id": f"{base}_{index}",
                    "name": f"{name}-{index}",
                    "title": row.get("title") or "",
                    "description": row.get("description") or "",
                    "category": str(getattr(category, "pk", category) or ""),
                    "filled": any(row.get(key) for key in self.keys),
                }
            )
        # A spare row stays folded unless it, or one after it, holds something.
        later = False
        for row in reversed(rows):
            later = row["open"] = later or row["filled"]
        context["rows"] = rows
        context["categories"] = [(str(pk), label) for pk, label in self.categories]
        context["max_title"] = MAX_TITLE
        context["max_text"] = MAX_TEXT
        return context


class SplitPartsField(forms.Field):
    """Two to ten parts, each a title and a text (and a category of the case's type, optional).
    Rows left wholly blank (the page's spare rows) are dropped. Cleaned: a list of
    ``{"title", "description", "category"}`` with the category an object or None."""

    widget = SplitPartsWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.categories: Any = Category.objects.none()

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            raise forms.ValidationError(
                _("拆分的各项须为列表，每项含标题和诉求内容。"), code="invalid"
            )
        errors: list[forms.ValidationError] = []
        parts: list[dict[str, Any]] = []
        wanted: dict[int, int] = {}
        for number, row in enumerate(value, start=1):
            title, description, category = (row.get(k) for k in SplitPartsWidget.keys)
            if not all(v is None or isinstance(v, str) for v in (title, description)) or not (
                category is None
                or (isinstance(category, int) and not isinstance(category, bool))
                or (isinstance(category, str) and (category == "" or category.isdecimal()))
            ):
                errors.append(
                    _part_error(_("第 %(n)s 项：标题和内容须为文字，分类须为编号。"), number)
                )
                continue
            title, description = (title or "").strip(), (description or "").strip()
            category_id = int(category) if isinstance(category, int | str) and category else None
            if not title and not description and category_id is None:
                continue  # a spare row of the page
            if not title:
                errors.append(_part_error(_("第 %(n)s 项：请填写标题。"), number, "required"))
            elif len(title) > MAX_TITLE:
                errors.append(_part_error(_("第 %(n)s 项：标题不能超过 200 字。"), number))
            if not description:
                errors.append(_part_error(_("第 %(n)s 项：请填写诉求内容。"), number, "required"))
            elif len(description) > MAX_TEXT:
                errors.append(_part_error(_("第 %(n)s 项：诉求内容不能超过 5000 字。"), number))
            if category_id is not None:
                if category_id > 2**31 - 1:
                    errors.append(_part_error(_("第 %(n)s 项：分类不存在。"), number))
                    continue
                wanted[number] = category_id
            parts.append(
                {"number": number, "title": title, "description": description, "category": None}
            )
        found = self.categories.in_bulk(set(wanted.values())) if wanted else {}
        for part in parts:
            category_id = wanted.get(part["number"])
            if category_id is not None:
                part["category"] = found.get(category_id)
                if part["category"] is None:
                    errors.append(
                        _part_error(
                            _("第 %(n)s 项：分类不存在或不属于该事项类型。"), part["number"]
                        )
                    )
        if errors:
            raise forms.ValidationError(errors)
        return [{key: part[key] for key in SplitPartsWidget.keys} for part in parts]

    def validate(self, value: list[dict[str, Any]]) -> None:
        if len(value) < 2:
            raise forms.ValidationError(
                _("拆分至少需要两项诉求：第一项留在本事项，其余各项各成一件新事项。"),
                code="too_few",
            )
        if len(value) > MAX_SPLIT_PARTS:
            raise forms.ValidationError(
                _("一次最多拆分为 %(max)s 项。"), code="too_many", params={"max": MAX_SPLIT_PARTS}
            )


def _part_error(message: Any, number: int, code: str = "invalid") -> forms.ValidationError:
    return forms.ValidationError(message, code=code, params={"n": number})


class SplitForm(MoveForm):
    """拆分: the first part stays in this case (its title and text replace the case's), each
    other part becomes a new case of the same requester, place and channel."""

    parts = SplitPartsField(
        label=_("拆分为"),
        help_text=_("第一项留在本事项（替换原标题和内容），其余各项各登记为一件新事项。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.case
        parts = cast(SplitPartsField, self.fields["parts"])
        if case.case_type_id is not None:
            parts.categories = Category.objects.filter(
                is_active=True, case_type_id=case.case_type_id
            )
            widget = cast(SplitPartsWidget, parts.widget)
            widget.categories = list(parts.categories.order_by("code").values_list("pk", "name"))
            self.initial.setdefault(
                "parts",
                [
                    {
                        "title": case.title,
                        "description": case.description,
                        "category": case.category_id,
                    },
                    {},
                ],
            )


class UnmergeForm(MoveForm):
    reason = text_field(
        _("撤销合并理由"),
        required=_("撤销合并必须说明理由。"),
        help_text=_("本事项将恢复到合并前的状态，单独办理。"),
    )


class UrgeForm(MoveForm):
    note = text_field(
        _("催办说明"),
        required=False,
        help_text=_("主办单位将收到催办提醒。"),
    )
