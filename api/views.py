"""The case API: list and create cases, read one with its timeline, make every move, read the
events, the rates and the caller's own roles.

Each view validates, fetches through the caller's scope (``cases.scope.visible_cases``: a
case they may not see is a 404), calls one service of ``cases/services.py`` and serializes.
Who may make a move is the engine's ``RULES``; its refusals become 403 and 409 in
``api.errors``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import moves as api_moves
from api import present
from api import serializers as s
from api.base import ApiMixin, caller, get_case, scoped_cases, validated
from api.errors import CHINESE, ApiError, ErrorItem, error_body
from api.filters import MAX_ID, CaseFilter, EventFilter, FilterBackend, case_ordering
from api.idempotency import HEADER, MAX_KEY_LENGTH, clean_key, create_once
from api.moves import allowed_actions
from api.pagination import Cursor
from cases import moves, services
from cases.models import Case, CaseAssignment, CaseEvent, Via
from cases.moves import MoveSpec
from cases.scope import (
    REQUESTER_HIDDEN_KINDS,
    can_see_requester,
    read_case,
    visible_cases,
    visible_cases_q,
)
from config.prepared import PreparedRead
from config.routers import reads_reports
from disputes.services import set_parties_at_intake
from ip.services import record_facts_at_intake
from people.models import User
from privacy.models import Door
from privacy.services import record_case_access
from stats import metrics, rollup

# --- Cases ------------------------------------------------------------------------------------


def case_etag(case: Case, user: User) -> str:
    """Changes with every move (each bumps ``version``); per user, since masking and the
    allowed moves depend on who asks; and with 对承办单位保密, which changes the masking
    without a move."""
    private = "-a" if case.anonymous_to_unit else ""
    return f'"case-{case.pk}-v{case.version}-u{user.pk}{private}"'


def detail_response(request: Request, case: Case, *, code: int = status.HTTP_200_OK) -> Response:
    """The case with its timeline, its units and the moves the caller may make now."""
    user = caller(request)
    # Two plain queries whose SQL is built once (prefetch_related_objects() costs more to set
    # up than they cost to run).
    timeline = _REQUESTER_TIMELINE if _reads_as_requester(user) else _TIMELINE
    events = timeline(case_id=case.pk)
    assignments = _UNITS(case_id=case.pk)
    # The pages' rule (cases.scope.can_see_requester): only those who must contact the requester.
    data = present.case_detail(
        case,
        events=events,
        assignments=assignments,
        unmasked=can_see_requester(user, case),
        allowed_moves=allowed_actions(case, user),
        **requester_context(user),
    )
    return Response(data, status=code, headers={"ETag": case_etag(case, user)})


def reload(case: Case) -> Case:
    """A case just moved, with what its detail shows (the caller made the move, so it is theirs
    to see even if the move took it out of their scope)."""
    found = read_case(case.pk)
    if found is None:
        raise Case.DoesNotExist(f"case {case.pk} no longer exists")
    return found


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"^[!-~]+$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Any 1–255 visible ASCII characters, unique per request. The same key with the "
    "same body never makes a second case: the first request answers 201, a retry 200 with the "
    "same case and `Idempotency-Replayed: true`. The same key with another body answers 409.",
)


class CaseListView(ApiMixin, generics.GenericAPIView):
    """``GET`` the cases the caller may see; ``POST`` a new one."""

    serializer_class = s.CaseListItemSerializer
    filter_backends = [FilterBackend]
    filterset_class = CaseFilter
    pagination_class = Cursor

    def get_queryset(self) -> Any:
        return scoped_cases(caller(self.request))

    def get_cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return case_ordering(request)

    @extend_schema(
        operation_id="cases_list",
        summary="事项列表 List cases",
        description="The cases the caller may see, newest first by default, filtered and sorted; "
        "cursor-paginated (follow `next`). Requester names are masked unless the caller must "
        "contact the requester (the dispatcher and grid staff of the place, the lead unit, the "
        "reporter, administrators), as on the case's detail.",
        tags=["cases"],
        responses=s.CaseListItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        user = caller(request)
        rows = [
            present.case_row(case, unmasked=can_see_requester(user, case)) for case in page or []
        ]
        return self.get_paginated_response(rows)

    @extend_schema(
        operation_id="cases_create",
        summary="受理 Report a case",
        description="Register a new case (services.report_case). With an `Idempotency-Key` "
        "header a retried request never makes a second case.",
        tags=["cases"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.CaseCreateSerializer,
        responses={
            201: s.CaseDetailSerializer,
            200: OpenApiResponse(
                s.CaseDetailSerializer, description="A replay: the case made by the first request."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        key = clean_key(request.headers.get(HEADER))
        data = validated(s.CaseCreateSerializer, request)
        parties, facts = data.pop("parties", None), data.pop("ip_facts", None)

        def report(source_key: str | None = None) -> Case:
            """The case with the parties and facts it names: one transaction, so a refused
            party or fact leaves no case (and no idempotency record)."""
            user = caller(request)
            with transaction.atomic():
                case = services.report_case(actor=user, source_key=source_key, via=Via.API, **data)
                if parties:
                    set_parties_at_intake(case, actor=user, parties=parties, via=Via.API)
                if facts:
                    record_facts_at_intake(case, actor=user, via=Via.API, **facts)
            return case

        case, created = (
            create_once(caller(request), key, request.data, report) if key else (report(), True)
        )
        response = detail_response(request, reload(case), code=201 if created else 200)
        response["Location"] = f"/api/v1/cases/{case.pk}/"
        if not created:
            response["Idempotency-Replayed"] = "true"
        return response


class CaseDetailView(ApiMixin, APIView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="事项详情 Read a case",
        description="The case, its timeline (events), its units (assignments) and the moves the "
        "caller may make now. Send the `ETag` back as `If-None-Match` to get 304 while the case "
        "has not moved.",
        tags=["cases"],
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="The ETag of a previous response.",
            )
        ],
        responses={
            200: s.CaseDetailSerializer,
            304: OpenApiResponse(description="Not modified since the ETag sent."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        case = get_case(user, pk)
        etag = case_etag(case, user)
        sent = parse_etags(request.headers.get("If-None-Match", ""))
        if etag in sent or "*" in sent:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        if can_see_requester(user, case):
            # Reading the case shows its requester: logged (a move's answer is not a reading).
            record_case_access(user, case, door=Door.API, purpose=_("接口读取事项详情"))
        return detail_response(request, case)


class MoveView(ApiMixin, APIView):
    """One move of the catalogue on one case (subclassed per move by ``move_view``)."""

    kind: str

    def post(self, request: Request, pk: int) -> Response:
        user = caller(request)
        if not 0 < pk <= MAX_ID:
            raise NotFound()
        # One read: the scope check, the lock and what the answer shows (the move's service
        # checks this copy instead of reading it again).
        with services.locked_for_move(user, pk) as case:
            if case is None:
                raise NotFound()
            moved = api_moves.perform(moves.CATALOGUE[self.kind], request, case)
        if wants_minimal(request):
            # The id, state and version only: no timeline to read and send back (RFC 7240).
            return Response(
                present.moved(moved),
                headers={"ETag": case_etag(moved, user), "Preference-Applied": "return=minimal"},
            )
        return detail_response(request, moved)


def wants_minimal(request: Request) -> bool:
    """``Prefer: return=minimal`` (RFC 7240): the caller needs no representation back."""
    return any(
        part.strip().lower() == "return=minimal"
        for value in request.headers.get("Prefer", "").split(",")
        for part in value.split(";")
    )


PREFER_PARAMETER = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="`return=minimal` (RFC 7240): answer with the case's id, number, status and new "
    "version only (`MovedCase`), not its timeline, and say so in `Preference-Applied`. For "
    "systems that move many cases and read them when they need to.",
)
MOVE_RESPONSE = PolymorphicProxySerializer(
    component_name="MoveResult",
    serializers=[s.CaseDetailSerializer, s.MovedCaseSerializer],
    resource_type_field_name=None,
)


def move_view(spec: MoveSpec) -> type[MoveView]:
    name = "".join(part.title() for part in spec.action.split("-")) + "View"
    english = spec.description or spec.kind

    @extend_schema(
        operation_id=f"cases_{spec.action.replace('-', '_')}",
        summary=f"{spec.label} ({spec.kind})",
        description=english + " The body names the `version` the client read: a case "
        "moved since answers 409 (`stale`); a move not allowed from the case's state answers 409 "
        "(`invalid_transition`); a caller without the role or scope answers 403. The body is "
        "validated by the same form as the pages' (`cases/forms.py`).",
        tags=["moves"],
        parameters=[PREFER_PARAMETER],
        request=api_moves.request_serializer(spec),
        responses={200: MOVE_RESPONSE},
    )
    def post(self: MoveView, request: Request, pk: int) -> Response:
        return MoveView.post(self, request, pk)

    return type(name, (MoveView,), {"kind": spec.kind, "post": post, "__doc__": english})


MOVE_VIEWS = {spec.action: move_view(spec) for spec in moves.offered()}


# --- Events -----------------------------------------------------------------------------------


def _reads_as_requester(user: User) -> bool:
    """A requester's events leave out the internal steps (the schema generator is anonymous)."""
    return user.is_authenticated and user.is_requester_only


def _event_rows(*, for_requester: bool) -> Any:
    """Events with their actors; a requester's leave out the internal steps."""
    events = CaseEvent.objects.select_related("actor__person")
    return events.exclude(kind__in=REQUESTER_HIDDEN_KINDS) if for_requester else events


def _events(user: User) -> Any:
    """The events ``user`` reads."""
    return _event_rows(for_requester=_reads_as_requester(user))


# A case's timeline in its detail, oldest event first, and its units (SQL built once).
_TIMELINE, _REQUESTER_TIMELINE = (
    PreparedRead(
        lambda case_id, for_requester=for_requester: (
            _event_rows(for_requester=for_requester)
            .filter(case_id=case_id)
            .order_by("created_at", "id")
        ),
        case_id=int,
    )
    for for_requester in (False, True)
)
_UNITS = PreparedRead(
    lambda case_id: (
        CaseAssignment.objects.filter(case_id=case_id)
        .select_related("unit")
        .order_by("-is_active", "-is_lead", "id")
    ),
    case_id=int,
)


def requester_context(user: User) -> dict[str, Any]:
    """What the event serializer needs to show a requester their own words only."""
    return {"for_requester": user.is_requester_only, "viewer_id": user.pk}


class CaseEventsView(ApiMixin, generics.GenericAPIView):
    serializer_class = s.EventSerializer
    filter_backends = [FilterBackend]
    filterset_class = EventFilter
    pagination_class = Cursor
    cursor_ordering = ("id",)

    def get_queryset(self) -> Any:
        return _events(caller(self.request))

    @extend_schema(
        operation_id="cases_events_list",
        summary="流转记录 A case's events",
        description="The case's timeline, oldest first, cursor-paginated.",
        tags=["cases"],
        responses=s.EventSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        user = caller(request)
        case = get_case(user, pk)
        events = self.filter_queryset(self.get_queryset().filter(case_id=case.pk))
        page = self.paginate_queryset(events)
        context = requester_context(user)
        # The requester's own name, where they acted, masked as on the case's detail.
        context["hide_requester_of"] = None if can_see_requester(user, case) else case
        return self.get_paginated_response(s.EventSerializer(page, many=True, context=context).data)


class EventFeedView(ApiMixin, generics.GenericAPIView):
    serializer_class = s.EventSerializer
    filter_backends = [FilterBackend]
    filterset_class = EventFilter
    pagination_class = Cursor
    cursor_ordering = ("id",)

    def get_queryset(self) -> Any:
        q = visible_cases_q(caller(self.request))
        events = _events(caller(self.request))
        return events if q is None else events.filter(case__in=Case.objects.filter(q).values("pk"))

    @extend_schema(
        operation_id="events_list",
        summary="流转记录 Events of every visible case",
        description="Every move of every case the caller may see, in the order the engine "
        "recorded them: a feed for systems that keep a copy (poll with `since` or follow `next`).",
        tags=["cases"],
        responses=s.EventSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = requester_context(caller(request))
        return self.get_paginated_response(s.EventSerializer(page, many=True, context=context).data)


# --- Reference data, rates, the caller ------------------------------------------------------


class CaseTypeListView(ApiMixin, generics.ListAPIView):
    serializer_class = s.CaseTypeSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        return s.case_types()

    @extend_schema(
        operation_id="case_types_list",
        summary="事项类型 Case types and categories",
        tags=["reference"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CasesLinkSerializer(serializers.Serializer):
    num = serializers.CharField(
        allow_null=True, help_text="The numerator's cases (null: not a set of cases)."
    )
    den = serializers.CharField(allow_null=True, help_text="The base's cases.")
    miss = serializers.CharField(
        allow_null=True, help_text="The base's cases outside the numerator."
    )


class RateRowWithCasesSerializer(s.RateRowSerializer):
    handled = serializers.IntegerField(
        help_text="Answered cases with a handling time, on-the-spot ones left out."
    )
    cases = serializers.DictField(
        child=CasesLinkSerializer(),
        help_text="Per rate and count (docs/metrics.md), the case list of exactly the cases "
        "counted: `GET /api/v1/cases/?metric=…&part=…` with the row's filters.",
    )


class MetricsWithCasesSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.CharField())
    rows = RateRowWithCasesSerializer(many=True)
    totals = RateRowWithCasesSerializer()


class MetricsView(ApiMixin, APIView):
    @extend_schema(
        operation_id="metrics_retrieve",
        summary="考核指标 Rates",
        description="The rates of docs/metrics.md over the cases the caller may see, one row per "
        "group and the totals. Cases count in the month they were received. Each row's `cases` "
        "links every figure to the case list of exactly the cases it counts, numerator and base "
        "apart.",
        tags=["metrics"],
        parameters=[s.MetricsQuerySerializer],
        responses=MetricsWithCasesSerializer,
    )
    @reads_reports
    def get(self, request: Request) -> Response:
        query = validated(s.MetricsQuerySerializer, request, data=request.query_params)
        months = (query.get("month_from"), query.get("month_to"))
        cases = metrics.filter_cases(
            visible_cases(caller(request)),
            unit=query.get("unit"),
            region=query.get("region"),
            category=query.get("category"),
            case_type=query.get("type"),
            months=months if any(months) else None,
        )
        groups = [s.METRIC_GROUPS[name] for name in query["group_by"]]
        # The rollup (stats.rollup) when the caller's cases are whole region subtrees and the
        # filters are its dimensions: the same figures without a scan of every case. The
        # station grouping keeps its "no station" row, which the rollup does not hold.
        source = None
        if (
            not query.get("unit")
            and not query.get("category")
            and query.get("region") is None
            and "station" not in groups
            and rollup.supports(groups)
        ):
            source = rollup.Source.for_user(
                caller(request),
                case_type=query.get("type"),
                months=months if any(months) else None,
            )
        if source is not None:
            rows = source.rates(groups, region_level=query["region_level"])
            total = source.totals()
        else:
            rows = metrics.rates(cases, group_by=groups, region_level=query["region_level"])
            total = metrics.totals(cases)
        links = _CaseLinks(query, rows)
        data = {
            "group_by": query["group_by"],
            "rows": [_rate_row(row, links) for row in metrics.with_names(rows)],
            "totals": _rate_row(total, links),
        }
        return Response(MetricsWithCasesSerializer(data).data)


_API_GROUP = {engine: api for api, engine in s.METRIC_GROUPS.items()}


def _month(key: int) -> str:
    return f"{key // 100:04d}-{key % 100:02d}"


class _CaseLinks:
    """The case-list query of a rate row's figures: the request's filters, the row's group
    keys, and the figure's ``metric`` and ``part``. Two look-ups at most (type codes, the
    regions of the rows), whatever the number of rows."""

    def __init__(self, query: dict[str, Any], rows: list[metrics.RateRow]) -> None:
        from django.urls import reverse

        from cases.models import CaseType
        from regions.models import PATH_SEPARATOR, Region

        self.base = reverse("api:case-list")
        params: dict[str, Any] = {}
        if query.get("unit"):
            params["lead_unit"] = query["unit"]
        if query.get("region") is not None:
            params["region"] = query["region"].code
        if query.get("category"):
            params["category"] = query["category"]
        if query.get("type") is not None:
            params["type"] = query["type"].code
        if query.get("month_from"):
            params["month_from"] = _month(query["month_from"])
        if query.get("month_to"):
            params["month_to"] = _month(query["month_to"])
        self.params = params
        self.level = query["region_level"]
        self.types: dict[int, str] = {}
        self.regions: dict[str, tuple[str, int]] = {}
        if any("case_type" in row.group for row in rows):
            self.types = dict(CaseType.objects.values_list("pk", "code"))
        paths = {row.group["region"] for row in rows if row.group.get("region")}
        if paths:
            self.regions = {
                path: (code, path.count(PATH_SEPARATOR))
                for path, code in Region.objects.filter(path__in=paths).values_list("path", "code")
            }

    def group_params(self, group: dict[str, Any]) -> dict[str, Any]:
        params = dict(self.params)
        if "lead_unit" in group:
            if group["lead_unit"] is None:
                params["unassigned"] = "true"
            else:
                params["lead_unit"] = group["lead_unit"]
        if "month" in group:
            params["month_from"] = params["month_to"] = _month(group["month"])
        if "case_type" in group:
            params["type"] = self.types.get(group["case_type"], "")
        if "category" in group:
            if group["category"] is None:
                params["uncategorised"] = "true"
            else:
                params["category"] = group["category"]
        if "region" in group:
            code, depth = self.regions.get(group["region"], ("", 0))
            # A case placed above the level keeps its own place as its key: that place alone.
            params["place" if depth < self.level else "region"] = code
        return params

    def for_row(self, row: metrics.RateRow) -> dict[str, dict[str, str | None]]:
        from urllib.parse import urlencode

        prefix = f"{self.base}?{urlencode(self.group_params(row.group))}&"
        links: dict[str, dict[str, str | None]] = {}
        for metric in metrics.METRICS:
            links[metric] = {
                part: f"{prefix}metric={metric}&part={part}"
                if metrics.has_part(metric, part)
                else None
                for part in metrics.PARTS
            }
        return links


def _rate_row(row: metrics.RateRow, links: _CaseLinks | None = None) -> dict[str, Any]:
    data = row.to_dict()
    data["group"] = {_API_GROUP.get(k, k): v for k, v in data["group"].items()}
    data["labels"] = {_API_GROUP.get(k, k): v for k, v in data["labels"].items()}
    if links is not None:
        data["cases"] = links.for_row(row)
    return data


class MeView(ApiMixin, APIView):
    @extend_schema(
        operation_id="me_retrieve",
        summary="当前用户 Who am I",
        description="The account behind the key or session, and its roles with their scopes.",
        tags=["reference"],
        responses=s.MeSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(caller(request)).data)


# --- Anything else under /api/ ----------------------------------------------------------------


class NotFoundView(ApiMixin, APIView):
    """Every other path under /api/: a JSON 404 (never Django's HTML page), with a hint when only
    the trailing slash is missing."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        from django.utils import translation

        translation.activate(CHINESE)
        path = request.path
        if not path.endswith("/"):
            try:
                match = resolve(path + "/")
            except Resolver404:
                match = None
            if match is not None and match.url_name != "not-found":
                raise ApiError.one(
                    404,
                    "not_found",
                    _("未找到。接口地址以 / 结尾：%(path)s/") % {"path": path},
                    f"Not found. API paths end with a slash: {path}/",
                )
        raise NotFound()


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500`` for the project: JSON for /api/ paths (an error outside a DRF view, in a
    middleware for instance), Django's own page elsewhere. Wire it in config/urls.py with
    ``handler500 = "api.views.server_error"``."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    items = [
        ErrorItem(
            None,
            "server_error",
            _("服务器内部错误，请稍后重试或联系管理员。"),
            "An unexpected error occurred; try again later or contact the administrator.",
        )
    ]
    return JsonResponse(error_body(items), status=500, json_dumps_params={"ensure_ascii": False})
