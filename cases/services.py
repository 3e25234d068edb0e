"""Every move of the closed loop. Nothing else writes a case's status or its events.

Each move: lock the case, check it is not stale, check the move is allowed from its state and
for this actor's role and scope, change the case and append one event, in one transaction.
A move costs a constant number of queries whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import attachments as attachment_checks
from cases import catalogue, deadlines
from cases import forms as f
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseEvent,
    CaseType,
    Category,
    Channel,
    EscalationTarget,
    EventKind,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    SendBackReason,
    Stage,
    Status,
    TimeLimit,
    Via,
)
from cases.moves import CATALOGUE, Rule, move
from cases.scope import CASE_RELATED, can_see, covers_region, unit_ids
from config.prepared import PreparedRead, insert_row, save_fields
from enterprises.models import Policy, PolicyStatus
from orgs.models import HANDLING_KINDS, Organisation, OrgKind
from people.models import (
    COLLECTORS,
    DISPATCHERS,
    INTAKE,
    OPERATORS,
    REQUESTERS,
    SUPERVISORS,
    UNIT_STAFF,
    VISITORS,
    Household,
    Person,
    Role,
    User,
)
from regions.models import GridStation, Region

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

K = EventKind
S = Status
# Kept for callers that name the groups through the engine.
DISPATCH, DEPT, COLLECT, VISIT = DISPATCHERS, UNIT_STAFF, COLLECTORS, VISITORS


class CaseError(Exception):
    """A move that cannot be made. The message is lazy text with its params, so each door
    renders it in its own language (``str(error)`` in the active one)."""

    code = "invalid"

    def __init__(
        self,
        message: StrOrPromise,
        *,
        params: dict[str, Any] | None = None,
        code: str = "",
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.params, self.field = message, params or {}, field
        if code:
            self.code = code

    def __str__(self) -> str:
        text = str(self.message)
        return text % {k: str(v) for k, v in self.params.items()} if self.params else text


class InvalidTransition(CaseError):
    code = "invalid_transition"


class StaleCase(CaseError):
    code = "stale"


class NotPermitted(CaseError):
    code = "forbidden"


def invalid(
    field: str | None, message: StrOrPromise, code: str = "invalid", **params: Any
) -> ValidationError:
    """A structured engine error: the field it is about, a code, lazy text and its params."""
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _state_label(case: Case, status: str) -> Any:
    return case.case_type.step_labels.get(status) or Status(status).label


def rules() -> dict[str, Rule]:
    """Every move's rule, by event kind (the catalogue's view for the checks below)."""
    return {kind: spec.rule for kind, spec in CATALOGUE.items()}


def check_move(case: Case, kind: str, user: User | None) -> None:
    """Raise the engine's refusal if ``user`` may not make move ``kind`` on ``case`` now (a door
    asks before it reads the input, so a wrong state is a conflict, not a form error)."""
    _check(case, kind, user)


def allowed_moves(case: Case, user: User) -> list[str]:
    """The moves ``user`` may make on ``case`` now (pages show only these)."""
    names = []
    for name, spec in CATALOGUE.items():
        if spec.rule.scope == "system":
            continue
        try:
            _check(case, name, user)
        except CaseError:
            continue
        names.append(name)
    return names


def _check(case: Case, kind: str, actor: User | None) -> None:
    """Whether ``actor`` may make move ``kind`` now: state first, then role and scope, then the
    move's own conditions, so a user without the right never learns more than the state."""
    rule = CATALOGUE[kind].rule
    if case.status not in rule.sources:
        raise InvalidTransition(
            _("事项当前为“%(status)s”，不能执行该操作。"),
            params={"status": _state_label(case, case.status)},
        )
    _authorize(case, kind, actor)
    _precondition(case, kind)


def _precondition(case: Case, kind: str) -> None:
    """The conditions of a move beyond its state and its actor (pages hide moves that fail them)."""
    if kind in (K.MEDIATED,) and not case.case_type.has_mediation:
        raise InvalidTransition(_("该类型事项不需要调解。"), code="no_mediation")
    if kind == K.EXTENSION_REQUESTED:
        if case.pending_extension_until:
            raise InvalidTransition(_("已有延期申请待审批。"), code="extension_pending")
        if case.extension_count >= settings.LIANXIN.get("MAX_EXTENSIONS", 1):
            raise InvalidTransition(_("该事项延期次数已达上限。"), code="extension_limit")
        if case.deadline and timezone.now() > case.deadline:
            raise InvalidTransition(_("已超过办理期限，不能再申请延期。"), code="deadline_passed")
    if kind in (K.EXTENSION_APPROVED, K.EXTENSION_REFUSED) and not case.pending_extension_until:
        raise InvalidTransition(_("没有待审批的延期申请。"), code="no_extension")
    if kind == K.INFO_REQUESTED and case.info_requested_at:
        raise InvalidTransition(_("已在等待诉求人补充信息。"), code="info_pending")
    if kind == K.INFO_ADDED and not case.info_requested_at:
        raise InvalidTransition(_("办理单位没有要求补充信息。"), code="no_info_request")
    if kind == K.CONTACTED and case.contacted_at is not None:
        raise InvalidTransition(_("已记录首次联系。"), code="already_contacted")
    if kind == K.CONTACTED and case.anonymous_to_unit:
        raise InvalidTransition(
            _("诉求人要求对承办单位保密，请通过热线中心联系。"), code="anonymous_requester"
        )
    if kind == K.CLOCK_PAUSED and case.clock_paused_by_hand:
        raise InvalidTransition(_("计时已暂停。"), code="clock_paused")
    if kind == K.CLOCK_RESUMED and not case.clock_paused_by_hand:
        raise InvalidTransition(_("计时没有人工暂停。"), code="clock_running")
    if kind == K.REOPENED and case.lead_unit_id is None:
        raise InvalidTransition(_("当场办结的事项没有主办单位，请重新受理。"), code="no_lead_unit")


def is_requester(user: User, case: Case) -> bool:
    """The person who raised the case: named as its requester, or a resident or enterprise
    liaison who filed it themselves."""
    if user.person_id is not None and case.requester_id == user.person_id:
        return True
    return case.reported_by_id == user.pk and user.has_role(*REQUESTERS)


def _authorize(case: Case, kind: str, actor: User | None) -> None:
    rule = CATALOGUE[kind].rule
    if actor is None:
        if rule.scope == "system" or rule.system_allowed:
            return
        raise NotPermitted(_("该操作必须由具体用户执行。"), code="actor_required")
    if not actor.is_authenticated:
        raise NotPermitted(_("请先登录。"), code="not_authenticated")
    if rule.scope == "system":
        raise NotPermitted(_("该操作只能由系统执行。"), code="system_only")
    if actor.is_admin:
        return
    if rule.scope in ("region", "unit_or_region") and covers_region(actor, case, rule.roles):
        return
    if rule.scope == "requester" and is_requester(actor, case):
        return
    if rule.scope in ("lead", "unit", "unit_or_region"):
        units = unit_ids(actor, rule.roles)
        if case.lead_unit_id in units:
            return
        if (
            rule.scope != "lead"
            and units
            and CaseAssignment.objects.filter(case=case, unit_id__in=units, is_active=True).exists()
        ):
            return
    raise NotPermitted(_("您没有权限对该事项执行此操作。"))


# The case a door read and locked in the transaction it is in (``locked_for_move``).
_locked_case: ContextVar[Case | None] = ContextVar("locked_case", default=None)


# Every door's move reads the case once, locked, with what its answer shows (``locked_for_move``);
# a service called directly reads it locked with what its checks need (``_lock``). Both SQL
# strings are built once per connection (``config.prepared``).
_LOCKED_FOR_DOOR = PreparedRead(
    lambda pk: (
        Case.objects.select_for_update(of=("self",))
        .select_related(*CASE_RELATED)
        .filter(pk=pk)
        .order_by()[:1]
    ),
    pk=int,
)
_LOCKED_FOR_SERVICE = PreparedRead(
    lambda pk: (
        Case.objects.select_for_update(of=("self",))
        .select_related("region", "case_type")
        .filter(pk=pk)
        .order_by()[:1]
    ),
    pk=int,
)


@contextmanager
def locked_for_move(user: User, pk: int) -> Iterator[Case | None]:
    """One transaction around a door's move: case ``pk`` read and locked with what the answer
    shows, if ``user`` may see it (``cases.scope.can_see``), so the move's service checks this
    copy instead of reading the case a second time (``_lock``). None if there is no such case
    or the user may not see it."""
    with transaction.atomic():
        found = _LOCKED_FOR_DOOR(pk=pk)
        case = found[0] if found and can_see(user, found[0]) else None
        if case is None:
            yield None
            return
        token = _locked_case.set(case)
        try:
            yield case
        finally:
            _locked_case.reset(token)


def _lock(case: Case, kind: str, actor: User | None, expected_version: int | None) -> Case:
    """Reload and lock the case and check the move on the fresh row, before the service changes
    anything (a check after the change would judge the new state: a sent-back case no longer
    has the lead unit that sends it back). A case moved since the caller read it (version
    ``expected_version``, by default the copy's own) is stale. The copy a door read under lock
    in this transaction (``locked_for_move``) is fresh already."""
    expected = case.version if expected_version is None else expected_version
    if _locked_case.get() is case:
        fresh = case
    else:
        found = _LOCKED_FOR_SERVICE(pk=case.pk)
        if not found:
            raise Case.DoesNotExist(f"case {case.pk} no longer exists")
        fresh = found[0]
    if fresh.version != expected:
        raise StaleCase(
            _("该事项已被他人处理（当前状态：%(status)s），请刷新后查看最新情况。"),
            params={"status": _state_label(fresh, fresh.status)},
        )
    _check(fresh, kind, actor)
    return fresh


def _move(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    via: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
    now: datetime | None = None,
) -> CaseEvent:
    """Apply the state change and the given fields, and append its event.

    The caller locked the case with ``_lock(case, kind, actor, …)``, which checked the move.
    """
    rule = CATALOGUE[kind].rule
    if case.status not in rule.sources:  # a guard against a service that skipped _lock
        raise InvalidTransition(
            _("事项当前为“%(status)s”，不能执行该操作。"),
            params={"status": _state_label(case, case.status)},
        )
    from_status = case.status
    if rule.target:
        case.status = rule.target
    case.version += 1
    save_fields(case, ["status", "version", "updated_at", *fields])
    event = CaseEvent(
        case=case,
        kind=kind,
        actor=actor,
        via=via,
        from_status=from_status,
        to_status=case.status,
        reason=reason,
        data=data or {},
        created_at=now or timezone.now(),
    )
    insert_row(event)
    return event


def _iso(moment: datetime | None) -> str | None:
    """A time in event data, always in local time: a value read back from the database is in UTC,
    a computed one is local, and one event log should not mix the two."""
    return timezone.localtime(moment).isoformat() if moment else None


def _require(text: str, field: str, message: StrOrPromise) -> str:
    text = (text or "").strip()
    if not text:
        raise invalid(field, message, "required")
    return text


def _check_policy(policy: Policy | None) -> None:
    """An answer cites only a published policy (a draft or a withdrawn one is not in force)."""
    if policy is not None and policy.status != PolicyStatus.PUBLISHED:
        raise invalid("policy", _("所选政策不存在或未发布。"), "policy_not_published")


def _policy_data(policy: Policy | None) -> dict[str, Any]:
    return {"policy": policy.pk, "policy_title": policy.title} if policy is not None else {}


def _case_number(case: Case, now: datetime) -> str:
    """A saved case's number: LX, the local date of its intake, its id."""
    return f"LX{timezone.localtime(now):%Y%m%d}{case.pk:07d}"


def _open(case: Case, *, actor: User | None, via: str, now: datetime, data: dict[str, Any]) -> None:
    """Write a new case, its number (which holds its id) and its 受理 event."""
    insert_row(case)
    case.number = _case_number(case, now)
    save_fields(case, ["number"])
    insert_row(
        CaseEvent(
            case=case,
            kind=K.REPORTED,
            actor=actor,
            via=via,
            from_status="",
            to_status=Status.REPORTED,
            data=data,
            created_at=now,
        )
    )


def _note_on_master(
    master: Case, kind: str, duplicate: Case, *, actor: User, via: str, reason: str, now: datetime
) -> None:
    """A duplicate joining or leaving its master (合并, 撤销合并): the master's history records
    it and its version moves, so a stale copy of the master is refused; its state stays."""
    Case.objects.filter(pk=master.pk).update(
        version=F("version") + 1, updated_at=Greatest(F("updated_at"), Value(now))
    )
    CaseEvent(
        case=master,
        kind=kind,
        actor=actor,
        via=via,
        from_status=master.status,
        to_status=master.status,
        reason=reason,
        data={"duplicate": duplicate.pk, "number": duplicate.number},
        created_at=now,
    ).save(force_insert=True)


def _month_key(moment: datetime) -> int:
    local = timezone.localtime(moment)
    return local.year * 100 + local.month


_LIMIT = PreparedRead(
    lambda case_type_id, priority: TimeLimit.objects.filter(
        case_type_id=case_type_id, priority=priority
    ).order_by("pk")[:1],
    case_type_id=int,
    priority=str,
)


def _limit(case_type_id: int, priority: str) -> TimeLimit | None:
    found = _LIMIT(case_type_id=case_type_id, priority=str(priority))
    return found[0] if found else None


def planned_deadline(
    case: Case, priority: str | None = None, *, start: datetime | None = None
) -> tuple[datetime, datetime]:
    """The handling and response deadlines of ``case`` at ``priority`` if handed over at
    ``start`` (now): the type's time limit in working time. The triage page's preview, 交办,
    改派 and 重办 all ask this; without a limit the dispatcher must name a deadline."""
    start = start or timezone.now()
    limit = _limit(case.case_type_id, priority or case.priority)
    if limit is None:
        raise invalid(
            "deadline", _("该类型和紧急程度没有设置办理时限，请指定办理期限。"), "no_time_limit"
        )
    return (
        deadlines.deadline_for(start, limit.amount, limit.unit),
        deadlines.add_working_hours(start, limit.response_hours),
    )


def _deadlines(
    case: Case, deadline: datetime | None, now: datetime
) -> tuple[datetime, datetime, datetime | None]:
    """The staged deadlines of a hand-over at ``now``: finish, sign-for (签收) and first contact.

    Finish: a named deadline (after now), else the one named at intake while still ahead (a
    hazard's 整改期限, ``report_case(deadline=)``) on the first hand-over, else the type's time
    limit for the case's tier. The sign and contact stages come from the same limit and never
    fall after the finish."""
    if deadline is None and case.lead_unit_id is None and case.deadline and case.deadline > now:
        deadline = case.deadline
    limit = _limit(case.case_type_id, case.priority)
    if deadline is None:
        if limit is None:
            raise invalid(
                "deadline",
                _("该类型和紧急程度没有设置办理时限，请指定办理期限。"),
                "no_time_limit",
            )
        deadline = deadlines.deadline_for(now, limit.amount, limit.unit)
    elif deadline <= now:
        raise invalid("deadline", _("办理期限必须晚于当前时间。"), "past")
    sign = deadlines.add_working_hours(now, limit.response_hours if limit else 2)
    if case.anonymous_to_unit:
        # The unit may not know who asked: the centre keeps the contact, no contact clock runs.
        return deadline, min(sign, deadline), None
    contact = deadlines.add_working_hours(now, limit.contact_hours if limit else 8)
    return deadline, min(sign, deadline), min(contact, deadline)


# --- The clock: it stands while the case waits on someone other than the unit ----------------

CLOCK_FIELDS = [
    "clock_paused_at",
    "clock_paused_by_hand",
    "deadline",
    "response_deadline",
    "contact_deadline",
    "is_overdue",
    "reminded_at",
]


def _clock_waits(case: Case) -> bool:
    """An extension pending, the requester asked for information, or a pause by hand."""
    return bool(case.pending_extension_until or case.info_requested_at or case.clock_paused_by_hand)


def _resume(case: Case, now: datetime, *, keep_finish: bool = False) -> dict[str, Any]:
    """Restart a standing clock: every open stage's deadline moves by the working time it
    stood (the finish stays where an approved extension put it)."""
    assert case.clock_paused_at is not None
    hours = deadlines.working_hours_between(case.clock_paused_at, now)
    if hours > 0:
        if case.deadline and not keep_finish:
            case.deadline = deadlines.add_working_hours(case.deadline, hours)
        if case.response_deadline and case.accepted_at is None:
            case.response_deadline = deadlines.add_working_hours(case.response_deadline, hours)
        if case.contact_deadline and case.contacted_at is None:
            case.contact_deadline = deadlines.add_working_hours(case.contact_deadline, hours)
    if case.deadline and case.deadline > now:
        case.is_overdue = False
        case.reminded_at = None
    case.clock_paused_at = None
    case.clock_paused_by_hand = False
    return {"clock": "resumed", "paused_hours": round(hours, 2), "deadline": _iso(case.deadline)}


def _run_clock(case: Case, now: datetime, *, keep_finish: bool = False) -> dict[str, Any]:
    """Stop or restart the clock after a move changed what the case waits for; the event data
    saying so (empty when nothing changed). Only a case in handling has a clock."""
    if case.status not in (S.ASSIGNED, S.IN_PROGRESS) or case.deadline is None:
        return {}
    waits = _clock_waits(case)
    if waits and case.clock_paused_at is None:
        case.clock_paused_at = now
        return {"clock": "paused"}
    if not waits and case.clock_paused_at is not None:
        return _resume(case, now, keep_finish=keep_finish)
    return {}


def _handling_units(
    lead_unit: Organisation, co_units: Iterable[Organisation]
) -> list[Organisation]:
    co = list(co_units)
    if any(u.pk == lead_unit.pk for u in co):
        raise invalid("co_units", _("主办单位不能同时是协办单位。"), "lead_is_co_unit")
    for name, unit in [("lead_unit", lead_unit), *(("co_units", u) for u in co)]:
        if unit.kind not in HANDLING_KINDS or not unit.is_active:
            raise invalid(
                name, _("“%(unit)s”不是可承办事项的单位。"), "not_handling_unit", unit=str(unit)
            )
    return co


# --- Intake -----------------------------------------------------------------------------------

# Channels a reporter may claim by role; anyone may file over the web or an API.
OPEN_CHANNELS = frozenset({Channel.WEB, Channel.API})
FIELD_CHANNELS = frozenset({Channel.GRID, Channel.VISIT, Channel.EVENING_MEETING, Channel.MEETING})
CHANNELS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.DISPATCHER: frozenset(Channel.values),
    Role.OPERATOR: frozenset({Channel.HOTLINE, Channel.WALK_IN, Channel.WEB}),
    Role.ADMIN: frozenset(Channel.values),
    Role.GRID_WORKER: FIELD_CHANNELS,
    Role.GRID_CHIEF: FIELD_CHANNELS,
    Role.VILLAGE_CADRE: FIELD_CHANNELS,
    Role.LINKED_CADRE: FIELD_CHANNELS,
    Role.LEADER: frozenset({Channel.MEETING, Channel.VISIT, Channel.TRANSFER}),
    Role.DEPT_HEAD: frozenset({Channel.MEETING, Channel.VISIT}),
    Role.DEPT_HANDLER: frozenset({Channel.MEETING, Channel.VISIT}),
}


def claimable_channels(actor: User | None) -> frozenset[str]:
    """The channels ``actor`` may say a case came through (None: the system, any)."""
    if actor is None or actor.is_admin:
        return frozenset(Channel.values)
    claimable: set[str] = set(OPEN_CHANNELS)
    for assignment in actor.role_assignments:
        claimable |= CHANNELS_BY_ROLE.get(assignment.role, frozenset())
    return frozenset(claimable)


def _authorize_report(
    actor: User, region: Region, channel: str, enterprise: Organisation | None, via: str
) -> None:
    """Anyone signed in may raise a case (residents, enterprises, cadres), through a channel
    their role may claim (a ledger import keeps the channel its history records). A user whose
    only roles are tied to grids reports inside them; an enterprise liaison files for their own
    enterprise only."""
    if not actor.is_authenticated:
        raise NotPermitted(_("请先登录。"), code="not_authenticated")
    if via != Via.IMPORT and channel not in claimable_channels(actor):
        raise invalid(
            "channel",
            _("您不能登记来源为“%(channel)s”的事项。"),
            "channel_not_allowed",
            channel=Channel(channel).label,
        )
    assignments = actor.role_assignments
    if actor.is_admin or not assignments:
        return
    liaison_of = {a.organisation_id for a in assignments if a.role == Role.ENTERPRISE_LIAISON}
    if liaison_of and all(a.role in (Role.ENTERPRISE_LIAISON, Role.RESIDENT) for a in assignments):
        if enterprise is None or enterprise.pk not in liaison_of:
            raise invalid("enterprise", _("企业联络员只能为本企业反映诉求。"), "not_own_enterprise")
        return
    if any(a.region_id is None or a.role not in COLLECTORS for a in assignments):
        return
    if not any(
        a.region is not None and a.region.path <= region.path < a.region.path_range_end
        for a in assignments
    ):
        raise NotPermitted(_("只能在本人负责的网格范围内上报事项。"), field="region")


def _same_submission(case: Case, title: str, description: str, region: Region) -> bool:
    return (case.title, case.description, case.region_id) == (title[:200], description, region.pk)


def report_case(
    *,
    actor: User | None,
    case_type: CaseType,
    region: Region,
    title: str,
    description: str,
    channel: str = Channel.GRID,
    category: Category | None = None,
    priority: str | None = None,
    requester: Person | None = None,
    requester_name: str = "",
    requester_phone: str = "",
    enterprise: Organisation | None = None,
    household: Household | None = None,
    station: GridStation | None = None,
    committee: Organisation | None = None,
    meeting=None,
    address: str = "",
    latitude=None,
    longitude=None,
    details: dict[str, Any] | None = None,
    attachments: Iterable[tuple[str, Any]] = (),
    source_key: str | None = None,
    via: str = Via.SYSTEM,
    deadline: datetime | None = None,
    anonymous_to_unit: bool = False,
) -> Case:
    """Register a new case (受理). A repeated ``source_key`` with the same content returns the
    case it already made; with other content it is refused (a form resubmitted with its token
    after editing must not silently drop the edit). A ``deadline`` named at intake (a hazard's
    整改期限) must be ahead; the first hand-over keeps it unless the dispatcher names another."""
    title = _require(title, "title", _("请填写诉求标题。"))
    description = _require(description, "description", _("请填写诉求内容。"))
    if channel not in Channel.values:
        raise invalid("channel", _("来源渠道无效。"))
    if deadline is not None and deadline <= timezone.now():
        raise invalid("deadline", _("办理期限必须晚于当前时间。"), "past")
    if priority is not None and priority not in Priority.values:
        raise invalid("priority", _("紧急程度无效。"))
    if category is not None and category.case_type_id != case_type.pk:
        raise invalid("category", _("分类不属于该事项类型。"))
    if household is not None and not (region.path <= household.region.path < region.path_range_end):
        raise invalid("household", _("该户不在事项发生地范围内。"), "household_elsewhere")
    if station is not None and not _nested(station.region, region):
        raise invalid("station", _("该驿站不在事项发生地所在片区。"), "station_elsewhere")
    if actor is not None:
        _authorize_report(actor, region, channel, enterprise, via)
    checked = attachment_checks.checked_attachments(attachments)
    if source_key:
        existing = Case.objects.filter(source_key=source_key).order_by().first()
        if existing:
            return _replayed(existing, title, description, region)
    if committee is None and enterprise is not None:
        # An enterprise in a chain is the chain committee's to dispatch (产业链党委).
        committee = _chain_committee(enterprise)
    now = timezone.now()
    if requester is not None:
        requester_name = requester_name or requester.name
        requester_phone = requester_phone or requester.phone
    case = Case(
        case_type=case_type,
        category=category,
        priority=priority or case_type.default_priority,
        channel=channel,
        status=Status.REPORTED,
        title=title[:200],
        description=description,
        requester=requester,
        requester_name=requester_name,
        requester_phone=requester_phone,
        enterprise=enterprise,
        household=household,
        station=station,
        region=region,
        address=address,
        latitude=latitude,
        longitude=longitude,
        committee=committee,
        meeting=meeting,
        reported_by=actor,
        source_key=source_key,
        reported_at=now,
        reported_month=_month_key(now),
        details=details or {},
        deadline=deadline,
        anonymous_to_unit=anonymous_to_unit,
    )
    try:
        with transaction.atomic():
            _open(
                case,
                actor=actor,
                via=via,
                now=now,
                data={"channel": channel, **({"deadline": _iso(deadline)} if deadline else {})},
            )
            if checked:
                CaseAttachment.objects.bulk_create(
                    CaseAttachment(
                        case=case, name=name, file=file, uploaded_by=actor, uploaded_at=now
                    )
                    for name, file in checked
                )
    except IntegrityError:
        # Two submissions with one key raced; the other one made the case.
        if source_key:
            return _replayed(Case.objects.get(source_key=source_key), title, description, region)
        raise
    return case


def _nested(a: Region, b: Region) -> bool:
    """Whether one of the two regions holds the other (a station serves its area)."""
    return (a.path <= b.path < a.path_range_end) or (b.path <= a.path < b.path_range_end)


def _chain_committee(enterprise: Organisation) -> Organisation | None:
    chain = enterprise.chain
    return chain if chain is not None and chain.kind == OrgKind.CHAIN_COMMITTEE else None


def _replayed(existing: Case, title: str, description: str, region: Region) -> Case:
    if not _same_submission(existing, title, description, region):
        raise invalid(
            None,
            _("该表单已提交过（事项编号 %(number)s），内容与原提交不同。请刷新页面后重新填写。"),
            "resubmitted_changed",
            number=existing.number,
        )
    return existing


# --- The loop ---------------------------------------------------------------------------------


@move(
    K.RESOLVED_ON_SPOT,
    Rule(frozenset({S.REPORTED}), S.ANSWERED, COLLECTORS | OPERATORS, "region"),
    label=_("当场办结"),
    action="resolve-on-spot",
    form=f.ResolveOnSpotForm,
    description="The collector solved it while there; it still gets a return visit. A dispute "
    "records its mediation outcome.",
)
def resolve_on_spot(
    case: Case,
    *,
    actor: User,
    answer: str,
    mediation_outcome: str = "",
    policy: Policy | None = None,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """当场办结: the collector solves it while there; it still gets a return visit.

    A dispute mediated on the spot records its outcome here, so it counts in 调处成功率.
    """
    answer = _require(answer, "answer", _("请填写现场处理情况。"))
    if mediation_outcome and mediation_outcome not in MediationOutcome.values:
        raise invalid("mediation_outcome", _("调处结果无效。"))
    _check_policy(policy)
    with transaction.atomic():
        case = _lock(case, K.RESOLVED_ON_SPOT, actor, expected_version)
        if mediation_outcome and not case.case_type.has_mediation:
            raise invalid("mediation_outcome", _("该类型事项不需要调解。"), "no_mediation")
        now = timezone.now()
        case.answer, case.resolved_on_spot = answer, True
        case.first_answered_at = case.answered_at = now
        case.handling_hours = 0.0
        case.mediation_outcome = mediation_outcome or case.mediation_outcome
        case.policy = policy
        data = {"mediation_outcome": mediation_outcome} if mediation_outcome else {}
        _move(
            case,
            K.RESOLVED_ON_SPOT,
            actor=actor,
            via=via,
            reason=answer,
            now=now,
            data={**data, **_policy_data(policy)} or None,
            fields=[
                "answer",
                "resolved_on_spot",
                "first_answered_at",
                "answered_at",
                "handling_hours",
                "mediation_outcome",
                "policy",
            ],
        )
    return case


@move(
    K.REJECTED,
    Rule(frozenset({S.REPORTED, S.TRIAGED}), S.REJECTED, DISPATCHERS, "region"),
    label=_("不予受理"),
    action="reject",
    form=f.RejectForm,
    irreversible=True,
    description="Refuse the case with the reason the requester will be told. Dispatchers.",
)
def reject_case(
    case: Case,
    *,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """不予受理, with the reason the requester will be told."""
    reason = _require(reason, "reason", _("不予受理必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, K.REJECTED, actor, expected_version)
        case.closed_at = timezone.now()
        _move(case, K.REJECTED, actor=actor, via=via, reason=reason, fields=["closed_at"])
    return case


@move(
    K.TRIAGED,
    Rule(frozenset({S.REPORTED, S.TRIAGED}), S.TRIAGED, INTAKE, "region"),
    label=_("研判"),
    action="triage",
    form=f.TriageForm,
    primary=True,
    description="Classify and grade the case (category, priority, risk level). Dispatchers.",
)
def triage_case(
    case: Case,
    *,
    actor: User,
    category: Category | None = None,
    priority: str | None = None,
    risk_level: str = "",
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """研判: classify, grade priority (and, for disputes, risk)."""
    if priority is not None and priority not in Priority.values:
        raise invalid("priority", _("紧急程度无效。"))
    if risk_level and risk_level not in RiskLevel.values:
        raise invalid("risk_level", _("风险等级无效。"))
    with transaction.atomic():
        case = _lock(case, K.TRIAGED, actor, expected_version)
        if category is not None:
            if category.case_type_id != case.case_type_id:
                raise invalid("category", _("分类不属于该事项类型。"))
            case.category = category
        case.priority = priority or case.priority
        case.risk_level = risk_level or case.risk_level
        case.triaged_at = timezone.now()
        _move(
            case,
            K.TRIAGED,
            actor=actor,
            via=via,
            reason=note,
            data={
                "category": case.category_id,
                "priority": case.priority,
                "risk_level": case.risk_level,
            },
            fields=["category", "priority", "risk_level", "triaged_at"],
        )
    return case


def _hand_over(
    case: Case,
    lead_unit: Organisation,
    co_units: list[Organisation],
    deadline: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """Set the units and the clock of a case handed to a unit (交办, 改派); its event data."""
    case.deadline, case.response_deadline, case.contact_deadline = _deadlines(case, deadline, now)
    case.lead_unit = lead_unit
    case.assigned_at = now
    case.accepted_at = case.contacted_at = None
    case.pending_extension_until = None
    case.is_overdue = False
    case.reminded_at = None
    case.clock_paused_at, case.clock_paused_by_hand = None, False
    case.escalation_level = 0
    CaseAssignment.objects.filter(case=case, is_active=True).update(is_active=False)
    version = catalogue.current_id()
    CaseAssignment.objects.bulk_create(
        [
            CaseAssignment(
                case=case, unit=lead_unit, is_lead=True, assigned_at=now, catalogue_id=version
            )
        ]
        + [
            CaseAssignment(case=case, unit=u, is_lead=False, assigned_at=now, catalogue_id=version)
            for u in co_units
        ]
    )
    return {
        "lead_unit": lead_unit.pk,
        "co_units": [u.pk for u in co_units],
        "deadline": _iso(case.deadline),
    }


HAND_OVER_FIELDS = [
    "lead_unit",
    "deadline",
    "response_deadline",
    "contact_deadline",
    "assigned_at",
    "accepted_at",
    "contacted_at",
    "pending_extension_until",
    "is_overdue",
    "reminded_at",
    "clock_paused_at",
    "clock_paused_by_hand",
    "escalation_level",
]


@move(
    K.ASSIGNED,
    Rule(frozenset({S.TRIAGED}), S.ASSIGNED, INTAKE, "region"),
    label=_("交办"),
    action="assign",
    form=f.AssignForm,
    primary=True,
    description="Hand the case to one lead unit and any co-units; the deadline starts. "
    "Dispatchers.",
)
def assign_case(
    case: Case,
    *,
    actor: User,
    lead_unit: Organisation,
    co_units: Iterable[Organisation] = (),
    deadline: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """交办: one lead unit, any co-units; the clock starts and an overdue check is scheduled."""
    co = _handling_units(lead_unit, co_units)
    with transaction.atomic():
        case = _lock(case, K.ASSIGNED, actor, expected_version)
        now = timezone.now()
        data = _hand_over(case, lead_unit, co, deadline, now)
        _move(
            case,
            K.ASSIGNED,
            actor=actor,
            via=via,
            reason=note,
            now=now,
            data=data,
            fields=HAND_OVER_FIELDS,
        )
        _schedule_deadline_check(case)
    return case


def triage_and_assign(
    case: Case,
    *,
    actor: User,
    category: Category | None,
    priority: str,
    lead_unit: Organisation,
    co_units: Iterable[Organisation] = (),
    risk_level: str = "",
    deadline: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """研判 and 交办 in one step (the dispatcher's triage page): both events, or neither."""
    co = _handling_units(lead_unit, co_units)
    with transaction.atomic():
        case = triage_case(
            case,
            actor=actor,
            category=category,
            priority=priority,
            risk_level=risk_level,
            expected_version=expected_version,
            via=via,
        )
        return assign_case(
            case,
            actor=actor,
            lead_unit=lead_unit,
            co_units=co,
            deadline=deadline,
            note=note,
            via=via,
        )


@move(
    K.REASSIGNED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.ASSIGNED, DISPATCHERS, "region"),
    label=_("改派"),
    action="reassign",
    form=f.ReassignForm,
    description="The dispatcher hands the case to another lead unit (or other co-units) at "
    "once, without waiting for a send-back; the clock starts again. Dispatchers.",
)
def reassign_case(
    case: Case,
    *,
    actor: User,
    lead_unit: Organisation,
    reason: str,
    co_units: Iterable[Organisation] = (),
    deadline: datetime | None = None,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """改派: a wrong assignment corrected by the dispatcher; the new lead unit signs again."""
    reason = _require(reason, "reason", _("改派必须说明理由。"))
    co = _handling_units(lead_unit, co_units)
    with transaction.atomic():
        case = _lock(case, K.REASSIGNED, actor, expected_version)
        previous = case.lead_unit_id
        now = timezone.now()
        data = _hand_over(case, lead_unit, co, deadline, now)
        _move(
            case,
            K.REASSIGNED,
            actor=actor,
            via=via,
            reason=reason,
            now=now,
            data={**data, "from_unit": previous},
            fields=HAND_OVER_FIELDS,
        )
        _schedule_deadline_check(case)
    return case


@move(
    K.RECALLED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.TRIAGED, DISPATCHERS, "region"),
    label=_("撤回交办"),
    action="recall",
    form=f.RecallForm,
    description="The dispatcher takes the case back from its units to triage it again. "
    "Dispatchers.",
)
def recall_case(
    case: Case,
    *,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """撤回: the dispatcher takes a case back from its units; it waits for triage again."""
    reason = _require(reason, "reason", _("撤回必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, K.RECALLED, actor, expected_version)
        unit = case.lead_unit_id
        _release(case)
        _move(
            case,
            K.RECALLED,
            actor=actor,
            via=via,
            reason=reason,
            data={"unit": unit},
            fields=RELEASE_FIELDS,
        )
    return case


RELEASE_FIELDS = [
    "lead_unit",
    "deadline",
    "response_deadline",
    "contact_deadline",
    "pending_extension_until",
    "is_overdue",
    "accepted_at",
    "contacted_at",
    "clock_paused_at",
    "clock_paused_by_hand",
    "escalation_level",
]


def _release(case: Case) -> None:
    """The case leaves its units (退单, 撤回): no lead unit, no clock."""
    case.lead_unit = None
    case.deadline = case.response_deadline = case.pending_extension_until = None
    case.contact_deadline = None
    case.is_overdue = False
    case.accepted_at = case.contacted_at = None
    case.clock_paused_at, case.clock_paused_by_hand = None, False
    case.escalation_level = 0
    CaseAssignment.objects.filter(case=case, is_active=True).update(is_active=False)


@move(
    K.ACCEPTED,
    Rule(frozenset({S.ASSIGNED}), S.IN_PROGRESS, UNIT_STAFF, "lead"),
    label=_("签收"),
    action="accept",
    form=f.EmptyMoveForm,
    primary=True,
    description="The lead unit signs for the case. Handlers of the lead unit.",
)
def accept_case(
    case: Case, *, actor: User, expected_version: int | None = None, via: str = Via.SYSTEM
) -> Case:
    """签收: the lead unit takes the order."""
    with transaction.atomic():
        case = _lock(case, K.ACCEPTED, actor, expected_version)
        now = timezone.now()
        case.accepted_at = now
        CaseAssignment.objects.filter(case=case, unit_id=case.lead_unit_id, is_active=True).update(
            accepted_at=now
        )
        _move(case, K.ACCEPTED, actor=actor, via=via, now=now, fields=["accepted_at"])
    return case


@move(
    K.PROGRESS_NOTED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, UNIT_STAFF, "unit"),
    label=_("记录进展"),
    action="notes",
    form=f.NoteRequiredForm,
    description="A progress note by the lead or a co-unit; the state does not change.",
)
def add_progress_note(
    case: Case,
    *,
    actor: User,
    note: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """A progress note from the lead or a co-handling unit; the state does not change."""
    note = _require(note, "note", _("请填写办理进展。"))
    with transaction.atomic():
        case = _lock(case, K.PROGRESS_NOTED, actor, expected_version)
        _move(case, K.PROGRESS_NOTED, actor=actor, via=via, reason=note)
    return case


@move(
    K.CONTACTED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, UNIT_STAFF, "lead"),
    label=_("首次联系"),
    action="contact",
    form=f.ContactForm,
    description="The lead unit records its first contact with the requester (the second of "
    "the staged clocks: sign-for, first contact, finish). Once per hand-over.",
)
def record_contact(
    case: Case,
    *,
    actor: User,
    note: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """首次联系: the unit called the requester; on time if by the contact deadline."""
    note = _require(note, "note", _("请填写与诉求人联系的情况。"))
    with transaction.atomic():
        case = _lock(case, K.CONTACTED, actor, expected_version)
        now = timezone.now()
        case.contacted_at = now
        on_time = case.contact_deadline is None or now <= case.contact_deadline
        _move(
            case,
            K.CONTACTED,
            actor=actor,
            via=via,
            reason=note,
            now=now,
            data={"on_time": on_time},
            fields=["contacted_at"],
        )
    return case


@move(
    K.CLOCK_PAUSED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DISPATCHERS, "region"),
    label=_("暂停计时"),
    action="pause-clock",
    form=f.PauseForm,
    description="The centre stops the case's clocks (挂起: waiting on an appraisal, a court, "
    "another level), with a reason; they restart with 恢复计时. Dispatchers.",
)
def pause_clock(
    case: Case,
    *,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """暂停计时: the deadlines stand still until the clock is resumed."""
    reason = _require(reason, "reason", _("暂停计时必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, K.CLOCK_PAUSED, actor, expected_version)
        now = timezone.now()
        case.clock_paused_by_hand = True
        already = case.clock_paused_at is not None
        _run_clock(case, now)
        _move(
            case,
            K.CLOCK_PAUSED,
            actor=actor,
            via=via,
            reason=reason,
            now=now,
            data={"already_standing": already},
            fields=CLOCK_FIELDS,
        )
    return case


@move(
    K.CLOCK_RESUMED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DISPATCHERS, "region"),
    label=_("恢复计时"),
    action="resume-clock",
    form=f.NoteForm,
    description="Restart clocks paused by hand; every open stage's deadline moves by the "
    "working time they stood (unless an extension or a question still holds them). "
    "Dispatchers.",
)
def resume_clock(
    case: Case,
    *,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """恢复计时: the clock runs again and the deadlines move by the time it stood."""
    with transaction.atomic():
        case = _lock(case, K.CLOCK_RESUMED, actor, expected_version)
        now = timezone.now()
        case.clock_paused_by_hand = False
        clock = _run_clock(case, now)
        _move(
            case,
            K.CLOCK_RESUMED,
            actor=actor,
            via=via,
            reason=note,
            now=now,
            data=clock or {"clock": "still_waiting"},
            fields=CLOCK_FIELDS,
        )
        _schedule_deadline_check(case)
    return case


@move(
    K.MEDIATED,
    Rule(frozenset({S.IN_PROGRESS}), None, UNIT_STAFF | COLLECTORS, "unit_or_region"),
    label=_("记录调解"),
    action="mediation",
    form=f.MediationForm,
    description="A mediation session of a dispute, with its outcome once reached.",
)
def record_mediation(
    case: Case,
    *,
    actor: User,
    note: str,
    outcome: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """A mediation session (调解) of a dispute; a final outcome is recorded once reached."""
    note = _require(note, "note", _("请填写调解情况。"))
    if outcome and outcome not in MediationOutcome.values:
        raise invalid("outcome", _("调处结果无效。"))
    with transaction.atomic():
        case = _lock(case, K.MEDIATED, actor, expected_version)
        case.mediation_outcome = outcome or case.mediation_outcome
        _move(
            case,
            K.MEDIATED,
            actor=actor,
            via=via,
            reason=note,
            data={"outcome": outcome},
            fields=["mediation_outcome"],
        )
    return case


@move(
    K.EXTENSION_REQUESTED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, UNIT_STAFF, "lead"),
    label=_("申请延期"),
    action="extension-request",
    form=f.ExtensionRequestForm,
    description="The lead unit asks for a later deadline, before the deadline passes.",
)
def request_extension(
    case: Case,
    *,
    actor: User,
    until: datetime,
    reason: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """延期申请: before the deadline, with a reason and a date later than the deadline in
    force; usually only once."""
    reason = _require(reason, "reason", _("申请延期必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, K.EXTENSION_REQUESTED, actor, expected_version)
        now = timezone.now()
        if until <= now:
            raise invalid("until", _("延期后的期限必须晚于当前时间。"), "past")
        if case.deadline and until <= case.deadline:
            raise invalid("until", _("延期后的期限必须晚于原办理期限。"), "not_later")
        case.pending_extension_until = until
        clock = _run_clock(case, now)  # the clock stands while the centre decides
        _move(
            case,
            K.EXTENSION_REQUESTED,
            actor=actor,
            via=via,
            reason=reason,
            data={"until": _iso(until), **clock},
            fields=["pending_extension_until", *CLOCK_FIELDS],
            now=now,
        )
    return case


@move(
    K.EXTENSION_APPROVED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DISPATCHERS, "region"),
    label=_("同意延期"),
    action="extension-approve",
    form=f.NoteForm,
    primary=True,
    description="The pending extension becomes the deadline. Dispatchers.",
)
def approve_extension(
    case: Case,
    *,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """延期审批通过: the new deadline replaces the old one and the overdue check moves with it."""
    with transaction.atomic():
        case = _lock(case, K.EXTENSION_APPROVED, actor, expected_version)
        now = timezone.now()
        old = case.deadline
        case.deadline, case.pending_extension_until = case.pending_extension_until, None
        case.extension_count += 1
        case.is_overdue = False
        case.reminded_at = None
        case.escalation_level = 0  # the ladder climbs again from the new deadline
        # The other stages move by the time the clock stood; the finish is the approved date.
        clock = _run_clock(case, now, keep_finish=True)
        _move(
            case,
            K.EXTENSION_APPROVED,
            actor=actor,
            via=via,
            reason=note,
            now=now,
            data={"from": _iso(old), "to": _iso(case.deadline), **clock},
            fields=[
                "pending_extension_until",
                "extension_count",
                "escalation_level",
                *CLOCK_FIELDS,
            ],
        )
        _schedule_deadline_check(case)
    return case


@move(
    K.EXTENSION_REFUSED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DISPATCHERS, "region"),
    label=_("不同意延期"),
    action="extension-refuse",
    form=f.RefuseExtensionForm,
    description="The pending extension is refused, with a reason. Dispatchers.",
)
def refuse_extension(
    case: Case,
    *,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    reason = _require(reason, "reason", _("不同意延期必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, K.EXTENSION_REFUSED, actor, expected_version)
        now = timezone.now()
        case.pending_extension_until = None
        clock = _run_clock(case, now)
        _move(
            case,
            K.EXTENSION_REFUSED,
            actor=actor,
            via=via,
            reason=reason,
            now=now,
            data=clock or None,
            fields=["pending_extension_until", *CLOCK_FIELDS],
        )
    return case


@move(
    K.SENT_BACK,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.TRIAGED, UNIT_STAFF, "lead"),
    label=_("退单"),
    action="send-back",
    form=f.SendBackForm,
    description="The lead unit says the case is not its remit; it goes back to triage.",
)
def send_back(
    case: Case,
    *,
    actor: User,
    reason_code: str,
    reason: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """退单: the lead unit says the case is not its remit; it goes back to dispatch."""
    if reason_code not in SendBackReason.values:
        raise invalid("reason_code", _("请选择退单原因。"), "required")
    reason = _require(reason, "reason", _("退单必须说明理由和依据。"))
    with transaction.atomic():
        case = _lock(case, K.SENT_BACK, actor, expected_version)
        unit = case.lead_unit_id
        case.send_back_count += 1
        _release(case)
        _move(
            case,
            K.SENT_BACK,
            actor=actor,
            via=via,
            reason=reason,
            data={"reason_code": reason_code, "unit": unit},
            fields=["send_back_count", *RELEASE_FIELDS],
        )
    return case


@move(
    K.ANSWERED,
    Rule(frozenset({S.IN_PROGRESS}), S.ANSWERED, UNIT_STAFF, "lead"),
    label=_("答复办结"),
    action="answer",
    form=f.AnswerForm,
    primary=True,
    description="The lead unit's reply; on time if given by the deadline in force.",
)
def answer_case(
    case: Case,
    *,
    actor: User,
    answer: str,
    policy: Policy | None = None,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """办结答复: the unit's reply; on time if given by the deadline in force. The answer may
    cite the policy it applied (依据政策); a later answer without one clears it."""
    answer = _require(answer, "answer", _("请填写答复内容。"))
    _check_policy(policy)
    with transaction.atomic():
        case = _lock(case, K.ANSWERED, actor, expected_version)
        now = timezone.now()
        case.answer, case.answered_at = answer, now
        case.first_answered_at = case.first_answered_at or now
        case.pending_extension_until = None
        # A standing clock restarts first: the time it stood does not count against the unit.
        clock = _resume(case, now) if case.clock_paused_at else {}
        case.answered_on_time = case.deadline is None or now <= case.deadline
        start = case.assigned_at or case.reported_at
        case.handling_hours = round((now - start).total_seconds() / 3600, 2)
        case.policy = policy
        _move(
            case,
            K.ANSWERED,
            actor=actor,
            via=via,
            reason=answer,
            now=now,
            data={**_policy_data(policy), **clock} or None,
            fields=[
                "answer",
                "answered_at",
                "first_answered_at",
                "answered_on_time",
                "handling_hours",
                "pending_extension_until",
                "policy",
                *CLOCK_FIELDS,
            ],
        )
    return case


VISIT_FIELDS = [
    "visit_valid",
    "visit_contacted",
    "visit_resolved",
    "visit_satisfaction",
    "visited_at",
]


def _record_visit(
    case: Case, contacted: bool | None, resolved: bool | None, satisfaction: str
) -> dict[str, Any]:
    """A valid return visit's answers on the case (a staff 回访 or the requester's 评价); its
    event data."""
    case.visit_valid, case.visit_contacted, case.visit_resolved = True, contacted, resolved
    case.visit_satisfaction = satisfaction
    case.visited_at = timezone.now()
    return {
        "contacted": contacted,
        "resolved": resolved,
        "satisfaction": satisfaction,
        "passed": case.visit_passed,
    }


@move(
    K.VISIT_FAILED_TO_REACH,
    Rule(frozenset({S.ANSWERED}), None, VISITORS, "region"),
    label=_("回访未联系上"),
    action="return-visit-unreached",
    form=f.NoteForm,
    fixed={"reached": False},
    description="A return visit that did not reach the requester: recorded, and the case "
    "keeps waiting for a valid visit.",
)
@move(
    K.VISITED,
    Rule(frozenset({S.ANSWERED}), S.VERIFIED, VISITORS, "region"),
    label=_("回访"),
    action="return-visit",
    form=f.VisitForm,
    fixed={"reached": True},
    primary=True,
    description="The requester was reached: contacted in time? solved? satisfied?",
)
def return_visit(
    case: Case,
    *,
    actor: User,
    reached: bool,
    contacted: bool | None = None,
    resolved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """回访: was the requester contacted in time, is it solved, are they satisfied?

    A visit that does not reach the requester is recorded but leaves the case waiting for
    another visit; only a reached visit is valid (有效回访) and counts in the rates.
    """
    kind = K.VISITED if reached else K.VISIT_FAILED_TO_REACH
    with transaction.atomic():
        case = _lock(case, kind, actor, expected_version)
        if not reached:
            _move(case, kind, actor=actor, via=via, reason=note)
            return case
        missing = [
            name
            for name, value in (
                ("contacted", contacted),
                ("resolved", resolved),
                ("satisfaction", satisfaction),
            )
            if value is None or (name == "satisfaction" and value not in Satisfaction.values)
        ]
        if missing:
            raise ValidationError(
                {
                    name: ValidationError(
                        _("有效回访必须记录是否及时联系、是否解决和满意度。"), code="required"
                    )
                    for name in missing
                }
            )
        data = _record_visit(case, contacted, resolved, satisfaction)
        _move(
            case,
            kind,
            actor=actor,
            via=via,
            reason=note,
            now=case.visited_at,
            data=data,
            fields=VISIT_FIELDS,
        )
    return case


@move(
    K.RATED,
    Rule(frozenset({S.ANSWERED}), S.VERIFIED, REQUESTERS, "requester"),
    label=_("评价"),
    action="rate",
    form=f.RateForm,
    primary=True,
    description="The requester rates the answer themselves (contacted in time? solved? "
    "satisfied?); it counts as the valid return visit. Only the requester.",
)
def rate_case(
    case: Case,
    *,
    actor: User,
    contacted: bool,
    resolved: bool,
    satisfaction: str,
    comment: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """群众评价: the requester's own rating is the return visit (有效回访), so no one calls them
    to ask again."""
    if satisfaction not in Satisfaction.values:
        raise invalid("satisfaction", _("请选择满意度。"), "required")
    with transaction.atomic():
        case = _lock(case, K.RATED, actor, expected_version)
        data = _record_visit(case, contacted, resolved, satisfaction)
        _move(
            case,
            K.RATED,
            actor=actor,
            via=via,
            reason=comment,
            now=case.visited_at,
            data={**data, "by_requester": True},
            fields=VISIT_FIELDS,
        )
    return case


@move(
    K.INFO_REQUESTED,
    Rule(
        frozenset({S.REPORTED, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS}),
        None,
        INTAKE | UNIT_STAFF,
        "unit_or_region",
    ),
    label=_("请诉求人补充"),
    action="request-info",
    form=f.InfoRequestForm,
    description="Ask the requester for more information; they see the question on their "
    "phone and answer with 补充信息. Dispatchers, operators and the handling units.",
)
def request_info(
    case: Case,
    *,
    actor: User,
    question: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """请补充信息: one open question to the requester at a time."""
    question = _require(question, "question", _("请写明需要诉求人补充什么。"))
    with transaction.atomic():
        case = _lock(case, K.INFO_REQUESTED, actor, expected_version)
        case.info_requested_at = timezone.now()
        clock = _run_clock(case, case.info_requested_at)  # it stands until they answer
        _move(
            case,
            K.INFO_REQUESTED,
            actor=actor,
            via=via,
            reason=question,
            now=case.info_requested_at,
            data=clock or None,
            fields=["info_requested_at", *CLOCK_FIELDS],
        )
    return case


@move(
    K.INFO_ADDED,
    Rule(frozenset(OPEN_STATUSES) - {S.ANSWERED, S.VERIFIED}, None, REQUESTERS, "requester"),
    label=_("补充信息"),
    action="add-info",
    form=f.InfoAddForm,
    primary=True,
    description="The requester answers a request for information (text and photos). Only "
    "the requester, and only while asked.",
)
def add_info(
    case: Case,
    *,
    actor: User,
    info: str,
    attachments: Iterable[tuple[str, Any]] = (),
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """补充信息: the requester's answer, with any photos; the question is then settled."""
    info = _require(info, "info", _("请填写补充内容。"))
    checked = attachment_checks.checked_attachments(attachments)
    with transaction.atomic():
        case = _lock(case, K.INFO_ADDED, actor, expected_version)
        now = timezone.now()
        case.info_requested_at = None
        clock = _run_clock(case, now)
        data = {"attachments": [name for name, _file in checked]} if checked else {}
        _move(
            case,
            K.INFO_ADDED,
            actor=actor,
            via=via,
            reason=info,
            now=now,
            data={**data, **clock} or None,
            fields=["info_requested_at", *CLOCK_FIELDS],
        )
        if checked:
            CaseAttachment.objects.bulk_create(
                CaseAttachment(case=case, name=name, file=file, uploaded_by=actor, uploaded_at=now)
                for name, file in checked
            )
    return case


@move(
    K.REOPENED,
    Rule(frozenset({S.VERIFIED}), S.IN_PROGRESS, DISPATCHERS, "region"),
    label=_("重办"),
    action="reopen",
    form=f.ReopenForm,
    description="Back to the same lead unit with a new deadline (the time limit from now, or "
    "the one given); the unit's list shows it as 重办. Dispatchers.",
)
def reopen_case(
    case: Case,
    *,
    actor: User,
    reason: str,
    deadline: datetime | None = None,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """重办: back to the same lead unit with a new deadline; rework when the visit failed."""
    reason = _require(reason, "reason", _("重办必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, K.REOPENED, actor, expected_version)
        now = timezone.now()
        failed = not case.visit_passed
        case.reopen_count += 1
        case.rework_count += int(failed)
        case.deadline, case.response_deadline, case.contact_deadline = _deadlines(
            case, deadline, now
        )
        case.is_overdue = False
        case.reminded_at = None
        case.clock_paused_at, case.clock_paused_by_hand = None, False
        case.escalation_level = 0
        case.visit_valid = False
        case.visit_contacted = case.visit_resolved = None
        case.visit_satisfaction = ""
        _move(
            case,
            K.REOPENED,
            actor=actor,
            via=via,
            reason=reason,
            now=now,
            data={"rework": failed, "deadline": _iso(case.deadline)},
            fields=[
                "reopen_count",
                "rework_count",
                "deadline",
                "response_deadline",
                "contact_deadline",
                "is_overdue",
                "reminded_at",
                "clock_paused_at",
                "clock_paused_by_hand",
                "escalation_level",
                "visit_valid",
                "visit_contacted",
                "visit_resolved",
                "visit_satisfaction",
            ],
        )
        _schedule_deadline_check(case)
    return case


@move(
    K.CLOSED,
    Rule(frozenset({S.VERIFIED}), S.CLOSED, DISPATCHERS, "region"),
    label=_("销号"),
    action="close",
    form=f.NoteForm,
    irreversible=True,
    primary=True,
    description="Close after the return visit; after a failed visit a note is required. "
    "Dispatchers.",
)
def close_case(
    case: Case,
    *,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """销号: after a passed return visit; closing after a failed one needs a written reason."""
    with transaction.atomic():
        case = _lock(case, K.CLOSED, actor, expected_version)
        if not case.visit_passed and not note.strip():
            raise invalid("note", _("回访未通过的事项销号必须说明理由。"), "required")
        case.closed_at = timezone.now()
        _move(
            case,
            K.CLOSED,
            actor=actor,
            via=via,
            reason=note,
            data={"visit_passed": case.visit_passed},
            fields=["closed_at"],
        )
    return case


@move(
    K.SUPERVISED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, SUPERVISORS, "region", system_allowed=True),
    label=_("督办"),
    action="supervise",
    form=f.SuperviseForm,
    description="A written supervision instruction (督办意见) to the units; each raises the "
    "level. Dispatchers and leaders; the overdue sweep supervises too.",
)
def supervise_case(
    case: Case,
    *,
    actor: User | None,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """督办: a written supervision instruction (督办意见); each one raises the level. A person
    must write one; the overdue sweep's own supervision says why in its data."""
    if actor is not None:
        note = _require(note, "note", _("请填写督办意见。"))
    with transaction.atomic():
        case = _lock(case, K.SUPERVISED, actor, expected_version)
        case.supervision_level += 1
        _move(
            case,
            K.SUPERVISED,
            actor=actor,
            via=via,
            reason=note,
            data={"level": case.supervision_level},
            fields=["supervision_level"],
        )
    return case


@move(
    K.MERGED,
    Rule(frozenset({S.REPORTED, S.TRIAGED}), S.MERGED, DISPATCHERS, "region"),
    label=_("合并"),
    action="merge",
    form=f.MergeForm,
    irreversible=True,
    description="This case duplicates `master` and counts there; the master's history records "
    "it and its return visit reaches this requester too. Dispatchers of both cases.",
)
def merge_case(
    case: Case,
    *,
    actor: User,
    master: Case,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """合并: a duplicate joins its master case and counts there. The master's history records
    the merge; the duplicate keeps its requester, whom the master's return visit reaches."""
    if master.pk == case.pk:
        raise invalid("master", _("不能与自身合并。"), "self")
    with transaction.atomic():
        # Lock both rows in id order, so two merges of the same pair cannot deadlock.
        if master.pk < case.pk:
            Case.objects.select_for_update(of=("self",)).filter(pk=master.pk).exists()
        case = _lock(case, K.MERGED, actor, expected_version)
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("region", "case_type")
            .filter(pk=master.pk)
            .first()
        )
        if locked is None or locked.status in (Status.MERGED, Status.REJECTED):
            raise invalid("master", _("主事项不存在或已合并/不予受理。"), "master_closed")
        master = locked
        if not (actor.is_admin or covers_region(actor, master, DISPATCHERS)):
            raise NotPermitted(_("主事项不在您的研判交办范围内。"), field="master")
        now = timezone.now()
        case.merged_into_id = master.pk
        case.closed_at = now
        _move(
            case,
            K.MERGED,
            actor=actor,
            via=via,
            reason=note,
            now=now,
            data={"master": master.pk},
            fields=["merged_into", "closed_at"],
        )
        _note_on_master(
            master, K.DUPLICATE_MERGED, case, actor=actor, via=via, reason=note, now=now
        )
    return case


# --- 拆分, 撤销合并, 催办 (issue 15) -----------------------------------------------------------


@move(
    K.SPLIT,
    Rule(frozenset({S.REPORTED, S.TRIAGED}), None, INTAKE, "region"),
    label=_("拆分"),
    action="split",
    form=f.SplitForm,
    description="One call holding several demands becomes several cases: the first part stays "
    "in this case (its title and text replace the case's; the event keeps the old ones), each "
    "other part becomes a new case of the same requester, place, channel, committee and type, "
    "linked to this one (`split_from`). Dispatchers and operators, before dispatch.",
)
def split_case(
    case: Case,
    *,
    actor: User,
    parts: list[dict[str, Any]],
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """拆分: a call that holds several demands. The original keeps the first demand (its title
    and text replaced, the old ones recorded in the event); each other demand becomes a new case
    through the intake's steps (numbered, reported, its own ``reported`` event naming the
    original), so each is triaged, dispatched and counted on its own. All or nothing."""
    checked = _split_parts(case, parts)
    with transaction.atomic():
        case = _lock(case, K.SPLIT, actor, expected_version)
        now = timezone.now()
        first = checked[0]
        created = [_split_off(case, part, actor=actor, via=via, now=now) for part in checked[1:]]
        data: dict[str, Any] = {
            "cases": [new.pk for new in created],
            "numbers": [new.number for new in created],
            "old_title": case.title,
            "title": first["title"],
            "old_description": case.description,
            "description": first["description"],
        }
        case.title, case.description = first["title"], first["description"]
        if first["category"] is not None:
            case.category = first["category"]
            data["category"] = case.category_id
        _move(
            case,
            K.SPLIT,
            actor=actor,
            via=via,
            now=now,
            data=data,
            fields=["title", "description", "category"],
        )
    return case


def _split_parts(case: Case, parts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parts of a split, checked (the form checks the same for the doors): two to
    ``MAX_SPLIT_PARTS``, each with a title and a text, a category of the case's type or none."""
    checked = []
    for number, part in enumerate(parts, start=1):
        title = str(part.get("title") or "").strip()
        description = str(part.get("description") or "").strip()
        category = part.get("category")
        if not title:
            raise invalid("parts", _("第 %(n)s 项：请填写标题。"), "required", n=number)
        if not description:
            raise invalid("parts", _("第 %(n)s 项：请填写诉求内容。"), "required", n=number)
        if category is not None and category.case_type_id != case.case_type_id:
            raise invalid(
                "parts", _("第 %(n)s 项：分类不存在或不属于该事项类型。"), "invalid", n=number
            )
        checked.append(
            {"title": title[: f.MAX_TITLE], "description": description, "category": category}
        )
    if len(checked) < 2:
        raise invalid(
            "parts",
            _("拆分至少需要两项诉求：第一项留在本事项，其余各项各成一件新事项。"),
            "too_few",
        )
    if len(checked) > f.MAX_SPLIT_PARTS:
        raise invalid("parts", _("一次最多拆分为 %(max)s 项。"), "too_many", max=f.MAX_SPLIT_PARTS)
    return checked


def _split_off(
    original: Case, part: dict[str, Any], *, actor: User, via: str, now: datetime
) -> Case:
    """One new case of a split: the original's requester, place, channel, committee, type,
    priority and privacy, numbered and reported as ``report_case`` does. Its reporter is the
    original's (who keeps seeing it); the event names who split it."""
    new = Case(
        case_type_id=original.case_type_id,
        category=part["category"],
        priority=original.priority,
        channel=original.channel,
        status=Status.REPORTED,
        title=part["title"],
        description=part["description"],
        requester_id=original.requester_id,
        requester_name=original.requester_name,
        requester_phone=original.requester_phone,
        enterprise_id=original.enterprise_id,
        household_id=original.household_id,
        station_id=original.station_id,
        region_id=original.region_id,
        address=original.address,
        latitude=original.latitude,
        longitude=original.longitude,
        committee_id=original.committee_id,
        meeting_id=original.meeting_id,
        reported_by_id=original.reported_by_id,
        anonymous_to_unit=original.anonymous_to_unit,
        is_public=original.is_public,
        split_from=original,
        reported_at=now,
        reported_month=_month_key(now),
    )
    _open(
        new,
        actor=actor,
        via=via,
        now=now,
        data={"channel": new.channel, "split_from": original.number},
    )
    return new


@move(
    K.UNMERGED,
    Rule(frozenset({S.MERGED}), None, DISPATCHERS, "region"),
    label=_("撤销合并"),
    action="unmerge",
    form=f.UnmergeForm,
    description="Undo a merge: the duplicate returns to the state it had before it (read from "
    "the merge's event), no longer counts in its master, and both histories record it "
    "(`unmerged` here, `duplicate_unmerged` on the master). Dispatchers of both cases.",
)
def unmerge_case(
    case: Case,
    *,
    actor: User,
    reason: str,
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """撤销合并: a duplicate merged by mistake goes back to where it was before the merge
    (已受理 or 已研判) and is handled on its own; the master's history records it leaving."""
    reason = _require(reason, "reason", _("撤销合并必须说明理由。"))
    with transaction.atomic():
        # Lock both rows in id order, as merge_case does, so the two cannot deadlock.
        master_id = case.merged_into_id
        if master_id is not None and master_id < case.pk:
            Case.objects.select_for_update(of=("self",)).filter(pk=master_id).exists()
        case = _lock(case, K.UNMERGED, actor, expected_version)
        master = (
            Case.objects.select_for_update(of=("self",))
            .select_related("region", "case_type")
            .filter(pk=case.merged_into_id)
            .first()
            if case.merged_into_id is not None
            else None
        )
        if master is None:
            raise InvalidTransition(_("该事项没有合并到其他事项。"), code="not_merged")
        if not (actor.is_admin or covers_region(actor, master, DISPATCHERS)):
            raise NotPermitted(_("主事项不在您的研判交办范围内。"))
        before = (
            CaseEvent.objects.filter(case=case, kind=K.MERGED)
            .order_by("-created_at", "-id")
            .values_list("from_status", flat=True)
            .first()
        )
        restored = before if before in CATALOGUE[K.MERGED].rule.sources else Status.REPORTED
        now = timezone.now()
        # Not _move: the state it returns to is the one before the merge, not a fixed target.
        from_status = case.status
        case.status, case.merged_into, case.closed_at = restored, None, None
        case.version += 1
        case.save(update_fields=["status", "version", "updated_at", "merged_into", "closed_at"])
        CaseEvent(
            case=case,
            kind=K.UNMERGED,
            actor=actor,
            via=via,
            from_status=from_status,
            to_status=restored,
            reason=reason,
            data={"master": master.pk, "number": master.number},
            created_at=now,
        ).save(force_insert=True)
        _note_on_master(
            master, K.DUPLICATE_UNMERGED, case, actor=actor, via=via, reason=reason, now=now
        )
    return case


@move(
    K.URGED,
    Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, SUPERVISORS, "region"),
    label=_("催办"),
    action="urge",
    form=f.UrgeForm,
    description="A reminder by hand (催办) to the lead unit, with an optional note; the state "
    "and the deadline stay as they are. Dispatchers and leaders.",
)
def urge_case(
    case: Case,
    *,
    actor: User,
    note: str = "",
    expected_version: int | None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """催办: the dispatcher or a leader reminds the lead unit by hand (the notification rules
    of ``urged`` reach it); lighter than 督办, it does not raise the supervision level."""
    with transaction.atomic():
        case = _lock(case, K.URGED, actor, expected_version)
        _move(
            case,
            K.URGED,
            actor=actor,
            via=via,
            reason=(note or "").strip(),
            data={"lead_unit": case.lead_unit_id, "deadline": _iso(case.deadline)},
        )
    return case


# --- The overdue sweep's moves -------------------------------------------------------------

SWEEP = Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, frozenset(), "system")


@move(
    K.ESCALATED,
    SWEEP,
    label=_("逐级督办"),
    action="",
    form=None,
    description="A rung of the escalation ladder (EscalationStep): the sweep tells the rung's "
    "target (handler, unit head, supervision board, leader) that a stage is late.",
)
def escalate_case(
    case: Case,
    *,
    stage: str,
    level: int,
    target: str,
    hours_past: float,
    actor: None = None,
    via: str = Via.SYSTEM,
) -> Case:
    """逐级督办: one rung of the ladder for one stage's deadline; the case keeps its highest."""
    with transaction.atomic():
        case = _lock(case, K.ESCALATED, None, None)
        if case.clock_paused_at is not None:
            raise InvalidTransition(_("计时已暂停。"), code="clock_paused")
        case.escalation_level = max(case.escalation_level, EscalationTarget.rank(target))
        hours = abs(round(hours_past))
        if hours_past < 0:
            when = _("距%(stage)s期限还有%(hours)s个工作小时") % {
                "stage": Stage(stage).label,
                "hours": hours,
            }
        elif hours == 0:
            when = _("已到%(stage)s期限") % {"stage": Stage(stage).label}
        else:
            when = _("已超过%(stage)s期限%(hours)s个工作小时") % {
                "stage": Stage(stage).label,
                "hours": hours,
            }
        reason = _("%(when)s，第%(level)s级督办，提醒%(target)s。") % {
            "when": when,
            "level": level,
            "target": EscalationTarget(target).label,
        }
        _move(
            case,
            K.ESCALATED,
            actor=None,
            via=via,
            reason=str(reason),
            data={
                "stage": stage,
                "level": level,
                "target": target,
                "hours_past": round(hours_past, 2),
            },
            fields=["escalation_level"],
        )
    return case


@move(K.REMINDED, SWEEP, label=_("到期提醒"), action="", form=None)
def remind_case(case: Case, *, actor: None = None, via: str = Via.SYSTEM) -> Case:
    """催办: a reminder shortly before the deadline (system)."""
    with transaction.atomic():
        case = _lock(case, K.REMINDED, None, None)
        case.reminded_at = timezone.now()
        _move(
            case,
            K.REMINDED,
            actor=None,
            via=via,
            fields=["reminded_at"],
            data={"deadline": _iso(case.deadline)},
        )
    return case


@move(K.OVERDUE, SWEEP, label=_("超期"), action="", form=None)
def mark_overdue(case: Case, *, actor: None = None, via: str = Via.SYSTEM) -> Case:
    with transaction.atomic():
        case = _lock(case, K.OVERDUE, None, None)
        case.is_overdue = True
        _move(
            case,
            K.OVERDUE,
            actor=None,
            via=via,
            fields=["is_overdue"],
            data={"deadline": _iso(case.deadline)},
        )
    return case


def _schedule_deadline_check(case: Case) -> None:
    """Enqueue the case's own overdue check for its deadline, in the move's transaction."""
    from cases.tasks import check_case_deadline, enqueue_with_move

    if case.deadline:
        enqueue_with_move(check_case_deadline.using(run_after=case.deadline), case.pk)


# The rules by kind, for code that reads them as data (tests, the pages' hints).
RULES: dict[str, Rule] = rules()
