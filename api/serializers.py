"""Explicit request and response shapes of the case API; they validate input, nothing more.

Responses are read-only serializers over the models; requests are plain serializers whose
validated data a view hands to one service of ``cases/services.py``. Personal data of a
requester is masked (``people.masking``) unless the view says the caller may see it.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.errors import BilingualSerializerMixin
from api.fields import CodeField, IdField
from api.filters import MAX_ID
from cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseType,
    Category,
    Channel,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    Status,
)
from cases.scope import REQUESTER_TEXT_KINDS, can_see_requester, names_the_requester
from disputes.models import PartyRole
from disputes.services import MAX_PARTIES, check_parties
from enterprises.models import Policy
from households.scope import visible_households
from ip.models import IP_CASE_TYPE, RightType
from orgs.models import Organisation
from people.masking import mask_address, mask_details, mask_name, mask_phone
from people.models import Household
from people.validators import clean_phone
from regions.models import GridStation, Region

MAX_TEXT = 5000
MAX_DETAILS_BYTES = 20_000

# --- Small references --------------------------------------------------------------------------


class CaseTypeRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class RegionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Request field, query parameter or header; null for the request."
    )
    code = serializers.CharField(help_text="Stable machine code: required, invalid, stale, …")
    message = serializers.CharField(help_text="Message in Chinese (zh-hans).")
    message_en = serializers.CharField(help_text="The same message in English.")


class ErrorSerializer(serializers.Serializer):
    # A declared field: DRF's metaclass takes it off the class, so Serializer.errors stays.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


# --- Cases: responses -------------------------------------------------------------------------


def may_unmask(context: dict[str, Any], case: Case) -> bool:
    """The pages' rule (``cases.scope.can_see_requester``), for a list row as for the detail."""
    user = context.get("user")
    if user is not None:
        return can_see_requester(user, case)
    return bool(context.get("unmasked"))


class CaseListItemSerializer(serializers.ModelSerializer):
    """One row of the case list: everything from the case row and its to-one relations."""

    status_label = serializers.CharField(read_only=True)
    case_type = CaseTypeRefSerializer(read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    region = RegionRefSerializer(read_only=True)
    lead_unit = UnitRefSerializer(read_only=True, allow_null=True)
    enterprise = UnitRefSerializer(read_only=True, allow_null=True)
    requester_name = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "title",
            "status",
            "status_label",
            "case_type",
            "category",
            "priority",
            "channel",
            "region",
            "lead_unit",
            "enterprise",
            "requester_name",
            "deadline",
            "is_overdue",
            "supervision_level",
            "reported_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_requester_name(self, case: Case) -> str:
        if may_unmask(self.context, case):
            return case.requester_name
        return mask_name(case.requester_name)


class AssignmentSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)

    class Meta:
        model = CaseAssignment
        fields = ["unit", "is_lead", "is_active", "assigned_at", "accepted_at"]
        read_only_fields = fields


def blank_choice(choices: Any) -> serializers.ChoiceField:
    """A read-only choice that may be "" (not set yet), as the schema must say."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


class EventSerializer(serializers.ModelSerializer):
    """One move of a case, as the engine recorded it (append-only)."""

    case = serializers.IntegerField(source="case_id", read_only=True)
    from_status = blank_choice(Status.choices)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    # A declared field: DRF's metaclass takes it off the class, so Serializer.data stays.
    data = serializers.DictField(read_only=True)  # type: ignore[assignment]
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="The kind in words (EventKind)."
    )

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "case",
            "kind",
            "kind_label",
            "via",
            "from_status",
            "to_status",
            "actor",
            "reason",
            "data",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: CaseEvent) -> dict[str, Any]:
        """A requester reads only the texts written for them, and no staff member's name (the
        phone pages' rule, ``cases.scope.REQUESTER_TEXT_KINDS``)."""
        data = super().to_representation(instance)
        if self.context.get("for_requester"):
            if instance.kind not in REQUESTER_TEXT_KINDS:
                data["reason"] = ""
            if instance.actor_id != self.context.get("viewer_id"):
                data["actor"] = None
        hidden = self.context.get("hide_requester_of")
        actor = instance.actor
        if hidden is not None and data["actor"] is not None and names_the_requester(actor, hidden):
            # The requester's own steps, for a reader who may not see the requester.
            data["actor"]["name"] = mask_name(actor.display_name)  # type: ignore[union-attr]
        return data


class MovedCaseSerializer(serializers.Serializer):
    """A move's answer to ``Prefer: return=minimal``: what the next move needs."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    version = serializers.IntegerField(help_text="Send it with the next move.")
    updated_at = serializers.DateTimeField()


class AllowedMoveSerializer(serializers.Serializer):
    move = serializers.CharField(help_text="The move's event kind (cases.moves.CATALOGUE).")
    action = serializers.CharField(
        help_text="The endpoint that makes it: POST /api/v1/cases/{id}/{action}/."
    )


class CaseDetailSerializer(CaseListItemSerializer):
    """A case with its timeline (events), its units (assignments) and the caller's moves."""

    requester_phone = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    committee = UnitRefSerializer(read_only=True, allow_null=True)
    reported_by = UserRefSerializer(read_only=True, allow_null=True)
    merged_into: serializers.PrimaryKeyRelatedField[Case] = IdField(read_only=True, allow_null=True)
    split_from: serializers.PrimaryKeyRelatedField[Case] = IdField(
        read_only=True, allow_null=True, help_text="The call this case was split from (拆分自)."
    )
    station: serializers.PrimaryKeyRelatedField[GridStation] = IdField(
        read_only=True, allow_null=True, help_text="The grid station where it was taken in."
    )
    policy: serializers.PrimaryKeyRelatedField[Policy] = IdField(
        read_only=True,
        allow_null=True,
        help_text="The published policy the answer cited (GET /api/v1/policies/{id}/).",
    )
    details = serializers.DictField(read_only=True)
    visit_satisfaction = blank_choice(Satisfaction.choices)
    risk_level = blank_choice(RiskLevel.choices)
    mediation_outcome = blank_choice(MediationOutcome.choices)
    assignments = AssignmentSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_moves = serializers.SerializerMethodField()

    class Meta(CaseListItemSerializer.Meta):
        fields = [
            *CaseListItemSerializer.Meta.fields,
            "description",
            "requester_phone",
            "address",
            "latitude",
            "longitude",
            "committee",
            "reported_by",
            "response_deadline",
            "contact_deadline",
            "contacted_at",
            "clock_paused_at",
            "escalation_level",
            "pending_extension_until",
            "extension_count",
            "send_back_count",
            "reopen_count",
            "rework_count",
            "triaged_at",
            "assigned_at",
            "accepted_at",
            "first_answered_at",
            "answered_at",
            "visited_at",
            "closed_at",
            "answer",
            "policy",
            "station",
            "resolved_on_spot",
            "answered_on_time",
            "handling_hours",
            "visit_valid",
            "visit_contacted",
            "visit_resolved",
            "visit_satisfaction",
            "risk_level",
            "mediation_outcome",
            "merged_into",
            "split_from",
            "details",
            "assignments",
            "events",
            "allowed_moves",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Case) -> dict[str, Any]:
        """Masked for a reader who may not see the requester: the ledger's personal columns in
        ``details``, and the requester's own name where they filed or acted themselves."""
        hidden = None if may_unmask(self.context, instance) else instance
        self.context["hide_requester_of"] = hidden  # read by the nested events
        data = super().to_representation(instance)
        if hidden is not None:
            data["details"] = mask_details(data["details"])
            reporter = instance.reported_by
            if reporter is not None and names_the_requester(reporter, instance):
                data["reported_by"]["name"] = mask_name(reporter.display_name)
        return data

    def get_requester_phone(self, case: Case) -> str:
        return (
            case.requester_phone
            if may_unmask(self.context, case)
            else mask_phone(case.requester_phone)
        )

    def get_address(self, case: Case) -> str:
        return case.address if may_unmask(self.context, case) else mask_address(case.address)

    @extend_schema_field(AllowedMoveSerializer(many=True))
    def get_allowed_moves(self, case: Case) -> list[dict[str, str]]:
        return self.context.get("allowed_moves", [])


# --- Cases: requests ------------------------------------------------------------------------


def text(
    *, required: bool = True, max_length: int = MAX_TEXT, **kwargs: Any
) -> serializers.CharField:
    """A text field; a required one may not be blank, an optional one defaults to ""."""
    if not required:
        kwargs.setdefault("default", "")
        kwargs.setdefault("allow_blank", True)
    return serializers.CharField(required=required, max_length=max_length, **kwargs)


def _no_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_no_nul(k) and _no_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_no_nul(v) for v in value)
    return True


class DetailsField(serializers.DictField):
    """Free extra fields of a case (a JSON object), small and storable in any database."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        if not _no_nul(value):
            raise serializers.ValidationError(
                _("不能包含空字符（\\u0000）。"), code="null_characters_not_allowed"
            )
        if len(json.dumps(value, ensure_ascii=False).encode()) > MAX_DETAILS_BYTES:
            raise serializers.ValidationError(
                _("扩展信息过大（上限 20000 字节）。"), code="max_length"
            )
        return value


class PartyRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    """One party of a dispute, given with its report or on its parties page
    (``disputes.services``)."""

    role = serializers.ChoiceField(choices=PartyRole.choices)
    name = serializers.CharField(max_length=150)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    organisation = IdField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The party's unit or enterprise (organisation id).",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class IntakeFactsSerializer(serializers.Serializer):
    """An infringement case's facts given with its report (``ip.services``)."""

    right_holder = serializers.CharField(max_length=150, help_text="Who holds the right.")
    infringer = serializers.CharField(max_length=150, help_text="Who infringed it.")
    right_type = serializers.ChoiceField(choices=RightType.choices)
    registration_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """As ``ip.services.record_facts_at_intake`` takes them."""
        return {
            "right_type": attrs["right_type"],
            "holder_name": attrs["right_holder"].strip(),
            "infringer_name": attrs["infringer"].strip(),
            "registration_number": attrs.get("registration_number", "").strip(),
        }


class CaseCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    """``POST /api/v1/cases/``: the arguments of ``services.report_case``."""

    case_type = CodeField(
        slug_field="code", queryset=CaseType.objects.all(), help_text="Case type code."
    )
    region = CodeField(
        slug_field="code", queryset=Region.objects.all(), help_text="Region code (区划代码)."
    )
    title = text(max_length=200)
    description = text()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    category = IdField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    requester_name = text(required=False, max_length=50)
    requester_phone = text(required=False, max_length=20)
    anonymous_to_unit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="对承办单位保密: the requester asks that the handling units never see their "
        "name and phone (only the desk, the reporter and administrators do).",
    )
    enterprise = IdField(
        queryset=Organisation.objects.enterprises(), required=False, allow_null=True
    )
    committee = IdField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The body that triages and dispatches it (产业链党委, 综治中心).",
    )
    station = IdField(
        queryset=GridStation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The grid station (网格驿站) where it was taken in: its area holds the place.",
    )
    address = text(required=False, max_length=200)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    details = DetailsField(required=False, default=dict)
    household = IdField(
        queryset=Household.objects.none(),
        required=False,
        allow_null=True,
        help_text="The household the case is about (id), one the caller reads "
        "(GET /api/v1/households/) in the case's place.",
    )
    parties = serializers.ListField(
        child=PartyRequestSerializer(),
        required=False,
        max_length=MAX_PARTIES,
        help_text="A dispute's parties (types with has_mediation only), in order: at least one "
        "applicant and one respondent. Read them back at GET /api/v1/cases/{id}/parties/.",
    )
    ip_facts = IntakeFactsSerializer(
        required=False,
        help_text="An infringement case's facts (type ip_infringement only).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        household = self.fields["household"]
        assert isinstance(household, IdField)
        # A household the caller does not read is no household at all (400 does_not_exist).
        household.queryset = (
            visible_households(user) if user is not None else Household.objects.none()
        )

    def validate_requester_phone(self, value: str) -> str:
        """A phone number as the case ledger importer checks it (people.validators)."""
        return clean_phone(value, max_length=20)

    def validate_parties(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows as the service will judge them (ID numbers, phones, both sides)."""
        rows = [dict(row) for row in value]
        try:
            return check_parties(rows) if rows else []
        except DjangoValidationError as error:
            # The service keys its refusal by "parties": this field's own errors.
            raise DjangoValidationError(error.error_dict["parties"]) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Parties only for a type with mediation, facts only for an infringement case."""
        case_type = attrs.get("case_type")
        errors: dict[str, Any] = {}
        if attrs.get("parties") and case_type is not None and not case_type.has_mediation:
            errors["parties"] = serializers.ErrorDetail(
                str(_("该类事项无需调解，不能登记当事人。")), code="no_mediation"
            )
        if attrs.get("ip_facts") and case_type is not None and case_type.code != IP_CASE_TYPE:
            errors["ip_facts"] = serializers.ErrorDetail(
                str(_("只有侵权纠纷事项可以记录侵权事实。")), code="not_ip_case"
            )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# --- Reference data ----------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    suggested_unit: serializers.PrimaryKeyRelatedField[Organisation] = IdField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = Category
        fields = ["id", "code", "name", "suggested_unit", "is_active"]
        read_only_fields = fields


class CaseTypeSerializer(serializers.ModelSerializer):
    step_labels = serializers.DictField(child=serializers.CharField(), read_only=True)
    categories = CategorySerializer(many=True, read_only=True)

    class Meta:
        model = CaseType
        fields = [
            "id",
            "code",
            "name",
            "description",
            "step_labels",
            "has_mediation",
            "default_priority",
            "categories",
        ]
        read_only_fields = fields


def case_types() -> QuerySet[CaseType]:
    return CaseType.objects.prefetch_related("categories")


# --- Who am I -------------------------------------------------------------------------------


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    region = RegionRefSerializer(allow_null=True)
    organisation = UnitRefSerializer(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    is_admin = serializers.BooleanField()
    roles = RoleSerializer(many=True, source="role_assignments")


# --- Metrics ------------------------------------------------------------------------------------

# The API's group names → the names of ``stats.metrics.GROUPS``.
METRIC_GROUPS = {
    "unit": "lead_unit",
    "month": "month",
    "type": "case_type",
    "category": "category",
    "region": "region",
}


class MonthField(serializers.RegexField):
    """``YYYY-MM`` → the month key ``YYYYMM`` the rates count cases in."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(r"^20\d\d-(0[1-9]|1[0-2])$", max_length=7, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        value = super().run_validation(data)
        return int(value[:4]) * 100 + int(value[5:]) if isinstance(value, str) else value


class CommaListField(serializers.ListField):
    """A list from repeated parameters (``?group_by=unit&group_by=month``) or commas (``unit,month``)."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, list | tuple):
            data = [part for item in data for part in str(item).split(",") if part.strip()]
        return super().to_internal_value(data)


class MetricsQuerySerializer(BilingualSerializerMixin, serializers.Serializer):
    """The query of ``GET /api/v1/metrics/``."""

    group_by = CommaListField(
        child=serializers.ChoiceField(choices=list(METRIC_GROUPS)),
        required=False,
        default=list,
        max_length=5,
        help_text="Group rows by any of unit, month, type, category, region.",
    )
    region_level = serializers.IntegerField(
        min_value=1,
        max_value=6,
        default=2,
        help_text="With group_by=region: the depth of the tree to group at (1 county, 2 towns, …).",
    )
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    region = CodeField(
        slug_field="code", queryset=Region.objects.all(), required=False, help_text="Region code."
    )
    category = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    type = CodeField(
        slug_field="code",
        queryset=CaseType.objects.all(),
        required=False,
        help_text="Case type code.",
    )
    month_from = MonthField(required=False, help_text="First month received, YYYY-MM.")
    month_to = MonthField(required=False, help_text="Last month received, YYYY-MM (inclusive).")

    def validate_group_by(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("分组维度不能重复。"), code="invalid")
        return value


class RateRowSerializer(serializers.Serializer):
    """The counts and rates of one group (docs/metrics.md defines each field)."""

    group = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="The group's keys: unit and category ids (null: none), month YYYYMM, type id, "
        "region path prefix.",
    )
    labels = serializers.DictField(
        child=serializers.CharField(), help_text="Display names of the keys."
    )
    received = serializers.IntegerField()
    closed = serializers.IntegerField()
    on_spot = serializers.IntegerField()
    overdue_now = serializers.IntegerField()
    extended = serializers.IntegerField()
    sent_back = serializers.IntegerField()
    reopened = serializers.IntegerField()
    valid_visits = serializers.IntegerField()
    contacted = serializers.IntegerField()
    resolved = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basic = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    answered = serializers.IntegerField()
    reworked = serializers.IntegerField()
    disputes = serializers.IntegerField()
    disputes_judged = serializers.IntegerField()
    mediation_success = serializers.IntegerField()
    avg_handling_hours = serializers.FloatField(allow_null=True)
    response_rate = serializers.FloatField(allow_null=True)
    resolution_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)
    composite_score = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    rework_rate = serializers.FloatField(allow_null=True)
    on_spot_rate = serializers.FloatField(allow_null=True)
    mediation_success_rate = serializers.FloatField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    rows = RateRowSerializer(many=True)
    totals = RateRowSerializer()
