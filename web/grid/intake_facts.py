"""What a case's type asks for at intake, on the desk and on the grid worker's report: the
dispute's parties (申请人/当事人 and 对方当事人), an infringement case's facts, and the household
the case names.

The forms read the input's shape and say what is wrong in Chinese; the services judge it again
(``disputes.services.set_parties_at_intake``, ``ip.services.record_facts_at_intake``) in the
report's transaction (``report_with_facts``), so a refused party or fact leaves no case behind.
The household picker offers only the households the user reads (``households.scope``) in the
case's place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import Case, CaseType
from disputes.models import PartyRole
from disputes.services import MAX_PARTIES, check_parties, set_parties_at_intake
from households.scope import visible_households
from ip.models import IP_CASE_TYPE, RightType
from ip.services import record_facts_at_intake
from people.masking import mask_address
from people.models import Household, User
from people.validators import clean_id_number, clean_phone
from regions.models import Region
from web.ip.forms import FactsForm

# The households the picker lists at once; a longer list is narrowed by typing.
PICK_LIMIT = 20
MAX_QUERY = 30
PARTY_PREFIX = "party"
FACTS_PREFIX = "ip"
# The row fields that make a row filled in (the role alone is the spare row's default).
PARTY_TEXT_FIELDS = ("name", "phone", "id_number", "address")


def wants_parties(case_type: CaseType | None) -> bool:
    return case_type is not None and bool(case_type.has_mediation)


def wants_facts(case_type: CaseType | None) -> bool:
    return case_type is not None and case_type.code == IP_CASE_TYPE


def type_sections(types: Iterable[CaseType]) -> dict[str, list[str]]:
    """The sections each case type shows, for the page script that hides the others."""
    result: dict[str, list[str]] = {}
    for case_type in types:
        shown = []
        if wants_parties(case_type):
            shown.append("parties")
        if wants_facts(case_type):
            shown.append("facts")
        result[str(case_type.pk)] = shown
    return result


# --- The parties ------------------------------------------------------------------------------


class PartyForm(forms.Form):
    """One party's row; an entirely blank row is left out."""

    role = forms.ChoiceField(
        label=_("身份"), required=False, choices=[("", "—"), *PartyRole.choices]
    )
    name = forms.CharField(label=_("姓名/名称"), required=False, max_length=150)
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=18)
    address = forms.CharField(label=_("住址"), required=False, max_length=255)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name) or "").strip() for name in PARTY_TEXT_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("role"):
            self.add_error("role", _("请选择当事人身份。"))
        if not str(data.get("name") or "").strip():
            self.add_error("name", _("请填写当事人姓名或名称。"))
        for name, check in (
            ("phone", lambda v: clean_phone(v, max_length=40)),
            ("id_number", clean_id_number),
        ):
            if name in data:
                try:
                    data[name] = check(str(data[name] or ""))
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "name": data["name"].strip(),
            "phone": data.get("phone", ""),
            "id_number": data.get("id_number", ""),
            "address": data.get("address", "").strip(),
        }


class BasePartyFormSet(forms.BaseFormSet):
    """The rows: the first two offered as 申请人/当事人 and 对方当事人."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        roles = [PartyRole.APPLICANT, PartyRole.RESPONDENT]
        if index is not None and index < len(roles):
            kwargs["initial"] = {"role": roles[index]}
        return kwargs

    def rows(self) -> list[dict[str, Any]]:
        return [form.row() for form in self.forms if form.is_valid() and not form.is_blank()]

    def clean(self) -> None:
        if any(self.errors):
            return
        rows = self.rows()
        if not rows:
            return  # the parties may follow on the case page
        try:
            check_parties(rows)
        except ValidationError as error:
            raise ValidationError(
                [message for messages in error.message_dict.values() for message in messages]
            ) from None


PartyFormSet = forms.formset_factory(
    PartyForm,
    formset=BasePartyFormSet,
    extra=2,
    max_num=MAX_PARTIES,
    validate_max=True,
    absolute_max=MAX_PARTIES,
)


# --- An infringement case's facts --------------------------------------------------------------


class IntakeFactsForm(FactsForm):
    """The case page's facts form, all optional until one of its fields is filled in."""

    FILLED = (
        "holder_enterprise",
        "holder_name",
        "infringer_name",
        "infringer_enterprise",
        "registration_number",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        right_type = self.fields["right_type"]
        assert isinstance(right_type, forms.ChoiceField)
        right_type.required = False
        right_type.choices = [("", _("（请选择）")), *RightType.choices]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in self.FILLED)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("right_type"):
            self.add_error("right_type", _("请选择权利类型。"))
        if not data.get("holder_enterprise") and not str(data.get("holder_name") or "").strip():
            self.add_error("holder_name", _("请选择权利人企业或填写权利人名称。"))
        if (
            not data.get("infringer_enterprise")
            and not str(data.get("infringer_name") or "").strip()
        ):
            self.add_error("infringer_name", _("请填写侵权人。"))
        return data

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``ip.services.record_facts_at_intake``."""
        data = self.cleaned_data
        return {
            "right_type": data["right_type"],
            "holder_enterprise": data.get("holder_enterprise"),
            "holder_name": str(data.get("holder_name") or "").strip(),
            "infringer_name": str(data.get("infringer_name") or "").strip(),
            "infringer_enterprise": data.get("infringer_enterprise"),
            "registration_number": str(data.get("registration_number") or "").strip(),
        }


class IntakeExtras:
    """The parties and the facts a report carries, validated for the chosen case type only
    (a section hidden by the page is ignored, whatever it holds)."""

    def __init__(self, data: Any = None, *, with_facts: bool = True) -> None:
        # A post without the rows (a page of before, a script) names no parties.
        rows = data if data is not None and f"{PARTY_PREFIX}-TOTAL_FORMS" in data else None
        self.parties = cast(BasePartyFormSet, PartyFormSet(rows, prefix=PARTY_PREFIX))
        self.facts = IntakeFactsForm(data, prefix=FACTS_PREFIX) if with_facts else None
        self.case_type: CaseType | None = None

    def is_valid(self, case_type: CaseType | None) -> bool:
        self.case_type = case_type
        valid = True
        if wants_parties(case_type) and self.parties.is_bound:
            valid = self.parties.is_valid() and valid
        if self.facts is not None and wants_facts(case_type):
            valid = self.facts.is_valid() and valid
        return valid

    def show_parties(self) -> bool:
        return wants_parties(self.case_type)

    def show_facts(self) -> bool:
        return self.facts is not None and wants_facts(self.case_type)

    def record(self, case: Case, *, actor: User, via: str) -> None:
        """Write the sections of the case's type through their intake services."""
        if wants_parties(case.case_type) and self.parties.is_bound:
            rows = self.parties.rows()
            if rows:
                set_parties_at_intake(case, actor=actor, parties=rows, via=via)
        if self.facts is not None and wants_facts(case.case_type) and not self.facts.is_blank():
            record_facts_at_intake(case, actor=actor, via=via, **self.facts.arguments())


def report_with_facts(
    report: dict[str, Any], extras: IntakeExtras, *, actor: User, via: str, **more: Any
) -> tuple[Case, bool]:
    """``services.report_case`` and the extras in one transaction: (case, made now). A form sent
    again with its token returns the case the first one made, and records nothing more."""
    key = report.get("source_key")
    with transaction.atomic():
        again = bool(key) and Case.objects.filter(source_key=key).exists()
        case = services.report_case(actor=actor, via=via, **report, **more)
        if not again:
            extras.record(case, actor=actor, via=via)
    return case, not again


# --- The household ------------------------------------------------------------------------------


def pickable_households(user: User, region: Region) -> QuerySet[Household]:
    """The households ``user`` reads in the place ``region`` (its subtree)."""
    return visible_households(user).filter(
        region__path__gte=region.path, region__path__lt=region.path_range_end
    )


def household_label(household: Household) -> str:
    """The picker's line: the head's name masked, the place, the address masked."""
    parts = [str(household), household.region.name]
    if household.address:
        parts.append(mask_address(household.address))
    return " · ".join(parts)


class HouseholdField(forms.CharField):
    """The picked household's id; the form checks it against the place (``clean_household``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("涉及户"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 19)
        kwargs.setdefault("help_text", _("可不选。输入户主姓名、电话或住址查找本地点的户"))
        super().__init__(**kwargs)


def clean_household(user: User, value: str, region: Region | None) -> Household | None:
    """The household of id ``value`` that ``user`` may name for a case in ``region``."""
    value = (value or "").strip()
    if not value:
        return None
    if region is None:
        raise ValidationError(_("请先选择地点，再选择涉及的户。"), code="no_region")
    household = None
    if value.isdigit() and 0 < int(value) < 2**63:
        household = (
            pickable_households(user, region).select_related("region").filter(pk=int(value)).first()
        )
    if household is None:
        raise ValidationError(
            _("只能选择本人可查看的、位于事项发生地的户。"), code="household_elsewhere"
        )
    return household


def chosen_household(user: User, value: Any) -> Household | None:
    """The household a re-shown form had picked, to keep it as the picker's option."""
    if isinstance(value, Household):
        return value
    value = str(value or "").strip()
    if not value.isdigit() or not 0 < int(value) < 2**63:
        return None
    return visible_households(user).select_related("region").filter(pk=int(value)).first()


def selected_id(value: str) -> int | None:
    """The id of the household the picker had chosen (kept when its options are refreshed)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


def search_households(
    user: User, find_place: Callable[[int], Region | None], region_id: str, query: str
) -> tuple[list[Household], str]:
    """The picker's options for the place ``region_id`` (``find_place`` finds it among the
    user's intake places) matching ``query``: (households, a Chinese message when there is
    nothing to list)."""
    if "\x00" in query or len(query) > MAX_QUERY:
        raise ValidationError(_("查找内容最多 %(n)s 个字。"), code="query", params={"n": MAX_QUERY})
    region_id = (region_id or "").strip()
    region = None
    if region_id.isdigit() and 0 < int(region_id) < 2**63:
        region = find_place(int(region_id))
    if region is None:
        return [], str(_("请先选择地点。"))
    households = pickable_households(user, region).select_related("region")
    query = query.strip()
    if query:
        households = households.filter(
            Q(head_name__icontains=query) | Q(phone__contains=query) | Q(address__icontains=query)
        )
    found = list(households.order_by("region__path", "head_name", "pk")[:PICK_LIMIT])
    if not found:
        return [], str(_("该地点没有可选择的户。"))
    return found, ""
