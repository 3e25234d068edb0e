"""REST API: intellectual property — registrations, GI-mark licences, enforcement actions and an
infringement case's facts.

Each view reads through ``ip.scope`` (a record the caller may not see is a 404), validates the
body with a serializer (400 in both languages), calls one service of ``ip/services.py`` and
answers the record as it is now. The services' refusals keep their field and code: a bad value
is a 400, a status change the licence no longer allows (revoked, unchanged, past its period) a
409, a caller who may read but not write a 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiMixin, caller
from api.errors import (
    ApiError,
    BilingualSerializerMixin,
    service_caller,
)
from api.fields import IdField
from api.filters import MAX_ID
from api.pagination import Cursor
from cases.models import Case, Via
from cases.scope import visible_cases
from ip import scope, services
from ip.models import (
    IP_CASE_TYPE,
    EnforcementAction,
    GiLicence,
    InfringementFacts,
    IpRegistration,
    LicenceStatus,
    RegistrationKind,
    RightType,
)
from orgs.models import Organisation
from regions.models import Region

TAGS = ["ip"]
# A licence status change refused for the licence's state now, not the request: a 409.
CONFLICTS = frozenset({"final", "unchanged", "period_over"})

# --- Serializers (answers) ----------------------------------------------------------------------


class IpRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IpCaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


# ``kind`` names other choice sets in the schema already and the enum overrides are the
# settings': the values go in a pattern, which the schema keeps inline.
@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(RegistrationKind.values)})$",
        "description": ", ".join(f"`{v}` {label}" for v, label in RegistrationKind.choices),
    }
)
class RegistrationKindField(serializers.ChoiceField):
    """A registration's kind (``RegistrationKind``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RegistrationKind.choices, **kwargs)


class RegistrationSerializer(serializers.ModelSerializer):
    kind = RegistrationKindField(read_only=True)
    enterprise = IpRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = IpRegistration
        fields = [
            "id",
            "enterprise",
            "kind",
            "kind_label",
            "title",
            "number",
            "registered_on",
            "note",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "string", "enum": LicenceStatus.values, "readOnly": True})
class LicenceStateField(serializers.CharField):
    """A licence's status as of today: an active licence past its end reads ``expired``."""


class LicenceSerializer(serializers.ModelSerializer):
    licensee = IpRefSerializer(read_only=True)
    state = LicenceStateField(
        read_only=True, help_text="Status today (an active licence past its end is expired)."
    )
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = GiLicence
        fields = [
            "id",
            "licensee",
            "mark_name",
            "number",
            "valid_from",
            "valid_until",
            "state",
            "state_label",
            "status_reason",
            "created_at",
        ]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    region = IpRefSerializer(read_only=True)
    units = IpRefSerializer(many=True, read_only=True)
    cases = IpCaseRefSerializer(many=True, read_only=True)

    class Meta:
        model = EnforcementAction
        fields = [
            "id",
            "acted_on",
            "place",
            "region",
            "units",
            "result",
            "seized",
            "cases",
            "created_at",
        ]
        read_only_fields = fields


class FactsSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    holder_enterprise = IpRefSerializer(read_only=True, allow_null=True)
    infringer_enterprise = IpRefSerializer(read_only=True, allow_null=True)
    right_type_label = serializers.CharField(source="get_right_type_display", read_only=True)

    class Meta:
        model = InfringementFacts
        fields = [
            "case",
            "right_type",
            "right_type_label",
            "holder_enterprise",
            "holder_name",
            "infringer_name",
            "infringer_enterprise",
            "registration_number",
            "updated_at",
        ]
        read_only_fields = fields


# --- Serializers (requests) ---------------------------------------------------------------------


def _enterprise_field(help_text: str, required: bool = True) -> Any:
    return IdField(
        queryset=Organisation.objects.enterprises(),
        required=required,
        allow_null=not required,
        help_text=help_text,
    )


class RegistrationCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    enterprise = _enterprise_field("The enterprise (organisation id).")
    kind = RegistrationKindField()
    title = serializers.CharField(max_length=150)
    number = serializers.CharField(max_length=60, help_text="Unique within its kind.")
    registered_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class LicenceCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    licensee = _enterprise_field("The licensed enterprise (organisation id).")
    mark_name = serializers.CharField(max_length=60, help_text="The mark, e.g. 德化白瓷.")
    number = serializers.CharField(max_length=60, help_text="The licence number (unique).")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


class LicenceStatusSerializer(BilingualSerializerMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=LicenceStatus.choices)
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required for every status but active.",
    )


class ActionCreateSerializer(BilingualSerializerMixin, serializers.Serializer):
    acted_on = serializers.DateField()
    place = serializers.CharField(max_length=150)
    region = IdField(queryset=Region.objects.all(), help_text="Region id.")
    units = IdField(
        queryset=Organisation.objects.all(),
        many=True,
        help_text="The units taking part (organisation ids).",
    )
    result = serializers.CharField(max_length=4000)
    seized = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    cases = serializers.ListField(
        child=serializers.CharField(max_length=24),
        required=False,
        max_length=100,
        help_text="Numbers of the infringement cases it served.",
    )


class FactsRequestSerializer(BilingualSerializerMixin, serializers.Serializer):
    right_type = serializers.ChoiceField(choices=RightType.choices)
    holder_enterprise = _enterprise_field("The right holder, an enterprise (id).", False)
    holder_name = serializers.CharField(
        max_length=150,
        required=False,
        allow_blank=True,
        help_text="The right holder by name, when not an enterprise of the register.",
    )
    infringer_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    infringer_enterprise = _enterprise_field("The infringer, if an enterprise (id).", False)
    registration_number = serializers.CharField(max_length=60, required=False, allow_blank=True)


# --- Helpers ------------------------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ApiError.one(
            400, "invalid", "请求体须为 JSON 对象。", "The request body must be a JSON object."
        )
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


_call = service_caller(CONFLICTS)


def _writer(request: Request) -> None:
    """A reader who may not keep the registries is refused before the body is read."""
    if not scope.may_write(caller(request)):
        raise PermissionDenied()


def _one(queryset: QuerySet, pk: int) -> Any:
    if not 0 < pk <= MAX_ID:
        raise NotFound()
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def _registrations(request: Request) -> QuerySet[IpRegistration]:
    return scope.visible_registrations(caller(request)).select_related("enterprise")


def _licences(request: Request) -> QuerySet[GiLicence]:
    return scope.visible_licences(caller(request)).select_related("licensee")


def _actions(request: Request) -> QuerySet[EnforcementAction]:
    return (
        scope.visible_actions(caller(request))
        .select_related("region")
        .prefetch_related("units", "cases")
    )


def _cases_by_number(numbers: list[str]) -> list[Case]:
    """Any of the county's infringement cases by number (the offices act on cases they do not
    lead); an unknown number is a 400 on ``cases``."""
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    found = {
        case.number: case
        for case in Case.objects.filter(
            number__in=numbers, case_type__code=IP_CASE_TYPE
        ).select_related("case_type")
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        message = f"找不到侵权纠纷事项：{'、'.join(missing)}"
        english = f"No infringement case numbered: {', '.join(missing)}"
        raise ApiError.one(400, "unknown_case", message, english, field="cases")
    return [found[n] for n in numbers]


class _ListView(ApiMixin, generics.GenericAPIView):
    pagination_class = Cursor
    cursor_ordering = ("-id",)
    model: Any = None

    def _rows(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user
            return self.model.objects.none()
        return self._rows()

    def _list(self, serializer_class: type[serializers.Serializer]) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(serializer_class(page, many=True).data)


# --- Registrations ------------------------------------------------------------------------------


class RegistrationListView(_ListView):
    serializer_class = RegistrationSerializer
    model = IpRegistration

    def _rows(self) -> QuerySet:
        return _registrations(self.request)

    @extend_schema(
        operation_id="ip_registrations_list",
        summary="知识产权登记列表 List IP registrations",
        description="Registrations the caller may see (the IP offices, dispatchers and leaders "
        "all; an enterprise's liaison its own), newest first; cursor-paginated.",
        tags=TAGS,
        responses=RegistrationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return self._list(RegistrationSerializer)

    @extend_schema(
        operation_id="ip_registrations_create",
        summary="登记知识产权 Create a registration",
        description="An enterprise's design, work (copyright), trademark or patent registration. "
        "The number is unique within its kind (400 `duplicate`). Only the IP offices' staff and "
        "administrators: 403.",
        tags=TAGS,
        request=RegistrationCreateSerializer,
        responses={201: RegistrationSerializer},
    )
    def post(self, request: Request) -> Response:
        _writer(request)
        data = _valid(RegistrationCreateSerializer, request)
        registration = _call(
            services.create_registration, actor=caller(request), via=Via.API, **data
        )
        return Response(
            RegistrationSerializer(_one(_registrations(request), registration.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class RegistrationDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ip_registrations_retrieve",
        summary="知识产权登记 A registration",
        tags=TAGS,
        responses=RegistrationSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(RegistrationSerializer(_one(_registrations(request), pk)).data)


# --- Licences -----------------------------------------------------------------------------------


class LicenceListView(_ListView):
    serializer_class = LicenceSerializer
    model = GiLicence

    def _rows(self) -> QuerySet:
        return _licences(self.request)

    @extend_schema(
        operation_id="ip_licences_list",
        summary="地理标志使用许可列表 List GI-mark licences",
        description="Licences to use a geographic-indication mark the caller may see; "
        "cursor-paginated.",
        tags=TAGS,
        responses=LicenceSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return self._list(LicenceSerializer)

    @extend_schema(
        operation_id="ip_licences_create",
        summary="登记使用许可 Create a licence",
        description="A licence, active from creation; `valid_until` not before `valid_from` "
        "(400), the number unique (400 `duplicate`). Only the IP offices: 403.",
        tags=TAGS,
        request=LicenceCreateSerializer,
        responses={201: LicenceSerializer},
    )
    def post(self, request: Request) -> Response:
        _writer(request)
        data = _valid(LicenceCreateSerializer, request)
        licence = _call(services.create_licence, actor=caller(request), via=Via.API, **data)
        return Response(
            LicenceSerializer(_one(_licences(request), licence.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class LicenceDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ip_licences_retrieve",
        summary="使用许可 A licence",
        tags=TAGS,
        responses=LicenceSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(LicenceSerializer(_one(_licences(request), pk)).data)


class LicenceStatusView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ip_licences_status",
        summary="变更许可状态 Change a licence's status",
        description="Suspend, revoke, end or restore a licence; a `reason` is required for all "
        "but `active` (400). A revoked licence is final, the same status again or restoring one "
        "past its end is refused: 409.",
        tags=TAGS,
        request=LicenceStatusSerializer,
        responses=LicenceSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        licence = _one(_licences(request), pk)
        _writer(request)
        data = _valid(LicenceStatusSerializer, request)
        _call(services.change_licence_status, licence, actor=caller(request), via=Via.API, **data)
        return Response(LicenceSerializer(_one(_licences(request), pk)).data)


# --- Enforcement actions ------------------------------------------------------------------------


class ActionListView(_ListView):
    serializer_class = ActionSerializer
    model = EnforcementAction

    def _rows(self) -> QuerySet:
        return _actions(self.request)

    @extend_schema(
        operation_id="ip_actions_list",
        summary="执法行动列表 List enforcement actions",
        description="Joint enforcement actions (the IP offices, dispatchers and leaders only); "
        "cursor-paginated.",
        tags=TAGS,
        responses=ActionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return self._list(ActionSerializer)

    @extend_schema(
        operation_id="ip_actions_create",
        summary="登记执法行动 Create an enforcement action",
        description="An action with its units (not enterprises) and the infringement cases it "
        "served, by number (400 `unknown_case` for a number that is not one). Only the IP "
        "offices: 403.",
        tags=TAGS,
        request=ActionCreateSerializer,
        responses={201: ActionSerializer},
    )
    def post(self, request: Request) -> Response:
        _writer(request)
        data = _valid(ActionCreateSerializer, request)
        data["cases"] = _cases_by_number(data.pop("cases", []))
        action = _call(services.create_action, actor=caller(request), via=Via.API, **data)
        return Response(
            ActionSerializer(_one(_actions(request), action.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ActionDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ip_actions_retrieve",
        summary="执法行动 An enforcement action",
        tags=TAGS,
        responses=ActionSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ActionSerializer(_one(_actions(request), pk)).data)


# --- A case's facts -----------------------------------------------------------------------------


class CaseFactsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="ip_case_facts",
        summary="记录侵权事实 Record an infringement case's facts",
        description="Who holds the right (an enterprise or a name), who infringed it, which "
        "right and its number, on a case of type ip_infringement (400 `not_ip_case`). A case the "
        "caller may not see is a 404; one they may see but not act on a 403.",
        tags=TAGS,
        request=FactsRequestSerializer,
        responses=FactsSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        case = _one(visible_cases(user).select_related("region", "case_type"), pk)
        if scope.is_ip_case(case) and not scope.may_record_facts(user, case):
            raise PermissionDenied()
        data = _valid(FactsRequestSerializer, request)
        facts = _call(services.record_infringement_facts, case, actor=user, via=Via.API, **data)
        facts = InfringementFacts.objects.select_related(
            "holder_enterprise", "infringer_enterprise"
        ).get(pk=facts.pk)
        return Response(FactsSerializer(facts).data)


urlpatterns = [
    path("ip/registrations/", RegistrationListView.as_view(), name="ip-registration-list"),
    path(
        "ip/registrations/<int:pk>/",
        RegistrationDetailView.as_view(),
        name="ip-registration-detail",
    ),
    path("ip/licences/", LicenceListView.as_view(), name="ip-licence-list"),
    path("ip/licences/<int:pk>/", LicenceDetailView.as_view(), name="ip-licence-detail"),
    path("ip/licences/<int:pk>/status/", LicenceStatusView.as_view(), name="ip-licence-status"),
    path("ip/actions/", ActionListView.as_view(), name="ip-action-list"),
    path("ip/actions/<int:pk>/", ActionDetailView.as_view(), name="ip-action-detail"),
    path("ip/cases/<int:pk>/facts/", CaseFactsView.as_view(), name="ip-case-facts"),
]
