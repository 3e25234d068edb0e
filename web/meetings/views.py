"""Meeting and visit entry (会议走访): one meeting, many demands, each demand one case.

The meeting and its cases are saved in one transaction: one refused row saves nothing. Each
row carries its own one-time token, so a resubmitted form makes no case twice.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases import services
from cases.models import OPEN_STATUSES, Case, Meeting, Status, Via
from cases.scope import sees_everything, visible_cases
from orgs.models import Organisation
from people.http import AuthenticatedHttpRequest
from people.models import COLLECTOR_ROLES, EnterpriseLink, Role, User
from regions.models import RegionLevel
from web.grid.forms import IntakeChoices, has_any_role, new_token, source_key
from web.meetings.forms import HOST_KINDS, BaseDemandFormSet, DemandFormSet, MeetingForm
from web.moves import show_engine_error

ENTRY_ROLES = frozenset(COLLECTOR_ROLES)
READ_ROLES = ENTRY_ROLES | {Role.LEADER}
PREFIX = "demands"
SESSION_KEY = "meeting_tokens"
PAGE_SIZE = 30


def _require(user: User, roles: frozenset[str]) -> None:
    if not has_any_role(user, roles):
        raise PermissionDenied(_("该页面仅供研判交办员和网格、村(社区)干部使用。"))


def visible_meetings(user: User) -> QuerySet[Meeting]:
    """Meetings of the user's places, of the committees they dispatch for, of their linked
    enterprises, and those they recorded."""
    meetings = Meeting.objects.all()
    if sees_everything(user):
        return meetings
    q = Q(created_by=user)
    for a in user.role_assignments:
        if a.region is not None:
            q |= Q(region__path__gte=a.region.path, region__path__lt=a.region.path_range_end)
        if a.organisation_id and a.role == Role.DISPATCHER:
            q |= Q(host_id=a.organisation_id)
        if a.role == Role.LINKED_CADRE and user.person_id:
            linked = EnterpriseLink.objects.filter(person_id=user.person_id)
            q |= Q(enterprise_id__in=linked.values("enterprise_id"))
    return meetings.filter(q)


def _choices(user: User) -> tuple[IntakeChoices, list[Organisation]]:
    enterprises = Organisation.objects.enterprises().filter(is_active=True).order_by("name")
    choices = IntakeChoices.for_user(
        user, ENTRY_ROLES, max_level=RegionLevel.PIECE, enterprises=enterprises
    )
    hosts = list(Organisation.objects.filter(kind__in=HOST_KINDS, is_active=True))
    own = {a.organisation_id for a in user.role_assignments if a.organisation_id}
    hosts.sort(key=lambda o: (o.pk not in own, HOST_KINDS.index(o.kind), o.name))
    return choices, hosts


def _initial(
    request: AuthenticatedHttpRequest, choices: IntakeChoices, hosts: list[Organisation]
) -> dict:
    """A fresh token; the user's own area and organisation preselected; ?kind=evening works."""
    initial: dict[str, object] = {"form_token": new_token()}
    if request.GET.get("kind") in Meeting.Kind.values:
        initial["kind"] = request.GET["kind"]
    places = choices.places
    if places and all(p.path.startswith(places[0].path) for p in places):
        initial["region"] = str(places[0].pk)
    own = {a.organisation_id for a in request.user.role_assignments if a.organisation_id}
    mine = [h for h in hosts if h.pk in own]
    if len(mine) == 1:
        initial["host"] = str(mine[0].pk)
    return initial


class _RowsRefused(Exception):
    """A row the engine refused: roll the meeting and every other row back."""


class _MadeElsewhere(Exception):
    """A parallel submission of the same form made these cases first."""

    def __init__(self, meeting_id: int) -> None:
        self.meeting_id = meeting_id


def _earlier_meeting(
    request: AuthenticatedHttpRequest, token: str, keys: list[str]
) -> Meeting | None:
    """The meeting this same form already made: by its token in the session, or through the
    cases its rows already made."""
    meeting_id = request.session.get(SESSION_KEY, {}).get(token)
    if meeting_id is None and keys:
        meeting_id = (
            Case.objects.filter(source_key__in=keys, meeting__isnull=False)
            .values_list("meeting_id", flat=True)
            .first()
        )
    return Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None


def _save(
    request: AuthenticatedHttpRequest, form: MeetingForm, formset: BaseDemandFormSet
) -> Meeting | None:
    """Save the meeting and report every filled row as a case; None when a row was refused."""
    user = request.user
    rows = formset.filled()
    token = str(form.cleaned_data["form_token"])
    earlier = _earlier_meeting(
        request, token, [source_key(row.cleaned_data["form_token"]) for row in rows]
    )
    try:
        with transaction.atomic():
            meeting = earlier or Meeting.objects.create(**form.meeting_fields(), created_by=user)
            refused = False
            for row in rows:
                try:
                    case = services.report_case(
                        actor=user, via=Via.WEB, **row.report_arguments(meeting)
                    )
                except services.NotPermitted as exc:
                    row.add_error("region", str(exc))
                    refused = True
                except ValidationError as exc:
                    show_engine_error(row, exc)
                    refused = True
                else:
                    if case.meeting_id != meeting.pk:
                        # A row's token names a meeting row's case (only a forged one does not).
                        assert case.meeting_id is not None
                        raise _MadeElsewhere(case.meeting_id)
            if refused:
                raise _RowsRefused
    except _RowsRefused:
        return None
    except _MadeElsewhere as elsewhere:
        return Meeting.objects.get(pk=elsewhere.meeting_id)
    tokens = request.session.get(SESSION_KEY, {})
    tokens[token] = meeting.pk
    request.session[SESSION_KEY] = dict(list(tokens.items())[-20:])
    return meeting


@login_required
def meeting_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record a meeting or visit and every demand raised at it, in one form."""
    user = request.user
    _require(user, ENTRY_ROLES)
    choices, hosts = _choices(user)
    if request.method == "POST":
        form = MeetingForm(request.POST, choices=choices, hosts=hosts)
        formset = DemandFormSet(request.POST, prefix=PREFIX, choices=choices)
        if form.is_valid() and formset.is_valid():
            meeting = _save(request, form, formset)
            if meeting is not None:
                count = len(formset.filled())
                messages.success(
                    request,
                    _("已保存“%(title)s”，登记诉求 %(count)d 件。")
                    % {"title": meeting.title, "count": count},
                )
                return redirect("meetings:meeting-detail", pk=meeting.pk)
    else:
        form = MeetingForm(initial=_initial(request, choices, hosts), choices=choices, hosts=hosts)
        formset = DemandFormSet(prefix=PREFIX, choices=choices)
    return render(
        request,
        "web/meetings/meeting_new.html",
        {"form": form, "formset": formset, "categories": choices.categories_by_type()},
    )


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A meeting and the cases raised at it, each with its state in its type's own words."""
    user = request.user
    meeting = (
        visible_meetings(user)
        .select_related("region", "host", "enterprise", "created_by__person")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404(_("没有找到该会议，或您无权查看。"))
    cases = list(
        visible_cases(user)
        .filter(meeting=meeting)
        .select_related("case_type", "category", "region", "lead_unit", "enterprise")
        .order_by("reported_at", "pk")
    )
    summary = {
        "total": len(cases),
        "open": sum(c.status in OPEN_STATUSES for c in cases),
        "on_spot": sum(c.resolved_on_spot for c in cases),
        "closed": sum(c.status == Status.CLOSED for c in cases),
    }
    return render(
        request,
        "web/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "cases": cases,
            "summary": summary,
            "can_enter": has_any_role(user, ENTRY_ROLES),
        },
    )


@login_required
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Recent meetings and visits the user may see, newest first, with their case counts."""
    user = request.user
    _require(user, READ_ROLES)
    meetings = (
        visible_meetings(user)
        .select_related("region", "host", "enterprise")
        .annotate(
            case_count=Count("cases"),
            open_count=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES)),
        )
        .order_by("-held_at", "-pk")
    )
    kind = request.GET.get("kind", "")
    if kind in Meeting.Kind.values:
        meetings = meetings.filter(kind=kind)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/meetings/meeting_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": Meeting.Kind.choices,
            "can_enter": has_any_role(user, ENTRY_ROLES),
        },
    )
