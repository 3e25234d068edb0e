"""The meeting or visit form and its rows of demands, each row one case to report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Channel, Meeting
from orgs.models import Organisation, OrgKind
from web.grid.forms import (
    IntakeChoices,
    ObjectChoiceField,
    category_mismatch,
    derive_title,
    new_token,
    objects_field,
    phone_validator,
    place_label,
    source_key,
)

# Organisations that may host a meeting, and those among them that dispatch what it raises.
HOST_KINDS = (
    OrgKind.CHAIN_COMMITTEE,
    OrgKind.PARTY_COMMITTEE,
    OrgKind.WORKING_GROUP,
    OrgKind.TOWN_GOVERNMENT,
    OrgKind.VILLAGE_COMMITTEE,
    OrgKind.PARTY_BRANCH,
    OrgKind.DEPARTMENT,
    OrgKind.ASSOCIATION,
)
DISPATCHING_KINDS = frozenset(
    {
        OrgKind.CHAIN_COMMITTEE,
        OrgKind.PARTY_COMMITTEE,
        OrgKind.WORKING_GROUP,
        OrgKind.TOWN_GOVERNMENT,
    }
)

CHANNEL_OF_KIND: dict[str, str] = {
    Meeting.Kind.EVENING: Channel.EVENING_MEETING,
    Meeting.Kind.VISIT: Channel.VISIT,
}


def channel_for(kind: str) -> str:
    """屋场夜谈会 and 走访 are channels of their own; every other meeting is 会议收集."""
    return CHANNEL_OF_KIND.get(kind, Channel.MEETING)


def _local_now() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class MeetingForm(forms.Form):
    """The meeting or visit itself."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=Meeting.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "big-radio kinds"}),
    )
    title = forms.CharField(label=_("主题"), max_length=150)
    held_at = forms.DateTimeField(
        label=_("时间"),
        initial=_local_now,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("地点"), max_length=150, required=False)
    region = ObjectChoiceField(
        label=_("所属区域"),
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("只能选择本人负责范围内的区域。")},
    )
    host = ObjectChoiceField(label=_("主办组织"), required=False, empty_label=_("（无）"))
    enterprise = ObjectChoiceField(
        label=_("走访企业"), required=False, empty_label=_("（非企业走访）")
    )
    attendees = forms.CharField(
        label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(
        label=_("纪要"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, choices: IntakeChoices, hosts: list[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        objects_field(self, "region").set_objects(choices.places, place_label(choices.places))
        objects_field(self, "host").set_objects(hosts)
        objects_field(self, "enterprise").set_objects(choices.enterprises)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        held_at = cleaned.get("held_at")
        if held_at and held_at > timezone.now() + timedelta(days=1):
            self.add_error("held_at", _("会议时间不能晚于明天，请录入已召开的会议。"))
        return cleaned

    def meeting_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "kind",
                "title",
                "held_at",
                "place",
                "region",
                "host",
                "enterprise",
                "attendees",
                "notes",
            )
        }


class DemandForm(forms.Form):
    """One demand raised at the meeting: it becomes one case."""

    case_type = ObjectChoiceField(
        label=_("事项类型"),
        empty_label=_("请选择"),
        widget=forms.Select(attrs={"data-case-type": ""}),
    )
    category = ObjectChoiceField(
        label=_("分类"),
        required=False,
        empty_label=_("（待研判）"),
        widget=forms.Select(attrs={"data-category": ""}),
    )
    description = forms.CharField(
        label=_("诉求内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    requester_name = forms.CharField(label=_("诉求人"), required=False, max_length=50)
    requester_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    enterprise = ObjectChoiceField(
        label=_("涉及企业"), required=False, empty_label=_("（同走访企业/无）")
    )
    region = ObjectChoiceField(
        label=_("发生地"),
        required=False,
        empty_label=_("（同会议区域）"),
        error_messages={"invalid_choice": _("只能选择本人负责范围内的地点。")},
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: IntakeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objects_field(self, "case_type").set_objects(choices.types)
        objects_field(self, "category").set_objects(choices.categories)
        objects_field(self, "enterprise").set_objects(choices.enterprises)
        objects_field(self, "region").set_objects(choices.places, place_label(choices.places))

    def has_changed(self) -> bool:
        """A row counts once the user typed in it; its token alone does not make it a demand."""
        return any(name != "form_token" for name in self.changed_data)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        error = category_mismatch(cleaned)
        if error:
            self.add_error("category", error)
        return cleaned

    def report_arguments(self, meeting: Meeting) -> dict[str, Any]:
        """The keyword arguments of services.report_case for this row of ``meeting``."""
        data = self.cleaned_data
        description = data["description"].strip()
        case_type = data["case_type"]
        enterprise = data.get("enterprise")
        if enterprise is None and case_type.code == "enterprise_demand":
            enterprise = meeting.enterprise
        host = meeting.host
        return {
            "case_type": case_type,
            "category": data.get("category"),
            "region": data.get("region") or meeting.region,
            "title": derive_title(description),
            "description": description,
            "requester_name": data.get("requester_name", "").strip(),
            "requester_phone": data.get("requester_phone", "").strip(),
            "enterprise": enterprise,
            "committee": host if host is not None and host.kind in DISPATCHING_KINDS else None,
            "meeting": meeting,
            "channel": channel_for(meeting.kind),
            "source_key": source_key(data["form_token"]),
        }


class BaseDemandFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, choices: IntakeChoices, **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # Each new row gets its own one-time token (the page script gives added rows theirs).
        return {"choices": self.choices, "initial": {"form_token": new_token()}}

    def filled(self) -> list[DemandForm]:
        return [form for form in self.forms if form.has_changed()]


# formset_factory makes a subclass of ``formset`` (the stubs say only BaseFormSet).
DemandFormSet = cast(
    type[BaseDemandFormSet],
    forms.formset_factory(
        DemandForm, formset=BaseDemandFormSet, extra=2, max_num=50, absolute_max=50
    ),
)
