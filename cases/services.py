"""Every move of the closed loop. Nothing else writes a case's status or its events.

Each move: lock the case, check it is not stale, check the move is allowed from its state and
for this actor's role and scope, change the case and append one event, in one transaction.
A move costs a constant number of queries whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines
from cases.models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseEvent,
    CaseType,
    Category,
    Channel,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    SendBackReason,
    Status,
    TimeLimit,
)
from cases.scope import covers_region, unit_ids
from orgs.models import HANDLING_KINDS, Organisation
from people.models import COLLECTOR_ROLES, Person, Role, User
from regions.models import Region


class CaseError(Exception):
    """A move that cannot be made; the message is for the user (Chinese by default)."""

    code = "invalid"


class InvalidTransition(CaseError):
    code = "invalid_transition"


class StaleCase(CaseError):
    code = "stale"


class NotPermitted(CaseError):
    code = "forbidden"


S = Status
DISPATCH = frozenset({Role.DISPATCHER})
DEPT = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})
COLLECT = frozenset(COLLECTOR_ROLES)
VISIT = frozenset({Role.DISPATCHER, Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    roles: frozenset[str]
    scope: str  # "region": the case's place or committee; "lead": the lead unit; "unit": lead or co unit


# The moves are data, checked in one place (``_authorize``).
RULES: dict[str, Rule] = {
    "resolved_on_spot": Rule(frozenset({S.REPORTED}), S.ANSWERED, COLLECT, "region"),
    "rejected": Rule(frozenset({S.REPORTED, S.TRIAGED}), S.REJECTED, DISPATCH, "region"),
    "triaged": Rule(frozenset({S.REPORTED, S.TRIAGED}), S.TRIAGED, DISPATCH, "region"),
    "assigned": Rule(frozenset({S.TRIAGED}), S.ASSIGNED, DISPATCH, "region"),
    "accepted": Rule(frozenset({S.ASSIGNED}), S.IN_PROGRESS, DEPT, "lead"),
    "progress_noted": Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DEPT, "unit"),
    "mediated": Rule(frozenset({S.IN_PROGRESS}), None, DEPT | COLLECT, "unit_or_region"),
    "extension_requested": Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DEPT, "lead"),
    "extension_approved": Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DISPATCH, "region"),
    "extension_refused": Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DISPATCH, "region"),
    "sent_back": Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.TRIAGED, DEPT, "lead"),
    "answered": Rule(frozenset({S.IN_PROGRESS}), S.ANSWERED, DEPT, "lead"),
    "visited": Rule(frozenset({S.ANSWERED}), S.VERIFIED, VISIT, "region"),
    "visit_failed_to_reach": Rule(frozenset({S.ANSWERED}), None, VISIT, "region"),
    "reopened": Rule(frozenset({S.VERIFIED}), S.IN_PROGRESS, DISPATCH, "region"),
    "closed": Rule(frozenset({S.VERIFIED}), S.CLOSED, DISPATCH, "region"),
    "supervised": Rule(
        frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, DISPATCH | {Role.LEADER}, "region"
    ),
    "merged": Rule(frozenset({S.REPORTED, S.TRIAGED}), S.MERGED, DISPATCH, "region"),
    # System moves, made by the overdue sweep (actor None).
    "reminded": Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, frozenset(), "system"),
    "overdue": Rule(frozenset({S.ASSIGNED, S.IN_PROGRESS}), None, frozenset(), "system"),
}

SYSTEM_ALLOWED = {"reminded", "overdue", "supervised"}


def allowed_moves(case: Case, user: User) -> list[str]:
    """The moves ``user`` may make on ``case`` now (pages show only these)."""
    names = []
    for name, rule in RULES.items():
        if rule.scope == "system":
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
    rule = RULES[kind]
    if case.status not in rule.sources:
        raise InvalidTransition(
            _("事项当前为“%(status)s”，不能执行该操作。")
            % {"status": case.case_type.label(case.status)}
        )
    _authorize(case, kind, actor)
    _precondition(case, kind)


def _precondition(case: Case, kind: str) -> None:
    """The conditions of a move beyond its state and its actor (pages hide moves that fail them)."""
    if kind == "mediated" and not case.case_type.has_mediation:
        raise InvalidTransition(_("该类型事项不需要调解。"))
    if kind == "extension_requested":
        if case.pending_extension_until:
            raise InvalidTransition(_("已有延期申请待审批。"))
        if case.extension_count >= settings.LIANXIN.get("MAX_EXTENSIONS", 1):
            raise InvalidTransition(_("该事项延期次数已达上限。"))
        if case.deadline and timezone.now() > case.deadline:
            raise InvalidTransition(_("已超过办理期限，不能再申请延期。"))
    if kind in ("extension_approved", "extension_refused") and not case.pending_extension_until:
        raise InvalidTransition(_("没有待审批的延期申请。"))
    if kind == "reopened" and case.lead_unit_id is None:
        raise InvalidTransition(_("当场办结的事项没有主办单位，请重新受理。"))


def _authorize(case: Case, kind: str, actor: User | None) -> None:
    rule = RULES[kind]
    if actor is None:
        if kind in SYSTEM_ALLOWED:
            return
        raise NotPermitted(_("该操作必须由具体用户执行。"))
    if not actor.is_authenticated:
        raise NotPermitted(_("请先登录。"))
    if rule.scope == "system":
        raise NotPermitted(_("该操作只能由系统执行。"))
    if actor.is_admin:
        return
    if rule.scope in ("region", "unit_or_region") and covers_region(actor, case, rule.roles):
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


def _lock(case: Case, kind: str, actor: User | None) -> Case:
    """Reload and lock the case and check the move on the fresh row, before the service changes
    anything (a check after the change would judge the new state: a sent-back case no longer
    has the lead unit that sends it back). A case someone moved since it was read is stale."""
    fresh = (
        Case.objects.select_for_update(of=("self",))
        .select_related("region", "case_type")
        .get(pk=case.pk)
    )
    if fresh.version != case.version:
        raise StaleCase(
            _("该事项已被他人处理（当前状态：%(status)s），请刷新后查看最新情况。")
            % {"status": fresh.case_type.label(fresh.status)}
        )
    _check(fresh, kind, actor)
    return fresh


def _move(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    fields: Iterable[str] = (),
    now: datetime | None = None,
) -> CaseEvent:
    """Apply the state change and the given fields, and append its event.

    The caller locked the case with ``_lock(case, kind, actor)``, which checked the move.
    """
    rule = RULES[kind]
    if case.status not in rule.sources:  # a guard against a service that skipped _lock
        raise InvalidTransition(
            _("事项当前为“%(status)s”，不能执行该操作。")
            % {"status": case.case_type.label(case.status)}
        )
    from_status = case.status
    if rule.target:
        case.status = rule.target
    case.version += 1
    case.save(update_fields=["status", "version", "updated_at", *fields])
    event = CaseEvent(
        case=case,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        reason=reason,
        data=data or {},
        created_at=now or timezone.now(),
    )
    event.save(force_insert=True)
    return event


def _iso(moment: datetime | None) -> str | None:
    """A time in event data, always in local time: a value read back from the database is in UTC,
    a computed one is local, and one event log should not mix the two."""
    return timezone.localtime(moment).isoformat() if moment else None


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    return text


def _month_key(moment: datetime) -> int:
    local = timezone.localtime(moment)
    return local.year * 100 + local.month


def _limit(case: Case) -> TimeLimit | None:
    return TimeLimit.objects.filter(case_type_id=case.case_type_id, priority=case.priority).first()


# --- Intake -----------------------------------------------------------------------------------


def _authorize_report(actor: User, region: Region) -> None:
    """Anyone signed in may raise a case (residents, enterprises, cadres). A user whose only roles
    are tied to grids reports inside them: a grid worker cannot file into another grid."""
    if not actor.is_authenticated:
        raise NotPermitted(_("请先登录。"))
    assignments = actor.role_assignments
    if actor.is_admin or not assignments:
        return
    if any(a.region_id is None or a.role not in COLLECTOR_ROLES for a in assignments):
        return
    if not any(a.region.path <= region.path < a.region.path_range_end for a in assignments):
        raise NotPermitted(_("只能在本人负责的网格范围内上报事项。"))


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
    committee: Organisation | None = None,
    meeting=None,
    address: str = "",
    latitude=None,
    longitude=None,
    details: dict[str, Any] | None = None,
    attachments: Iterable[tuple[str, Any]] = (),
    source_key: str | None = None,
) -> Case:
    """Register a new case (受理). A repeated ``source_key`` returns the case it already made."""
    title = _require(title, _("请填写诉求标题。"))
    description = _require(description, _("请填写诉求内容。"))
    if channel not in Channel.values:
        raise ValidationError(_("来源渠道无效。"))
    if category is not None and category.case_type_id != case_type.pk:
        raise ValidationError(_("分类不属于该事项类型。"))
    if actor is not None:
        _authorize_report(actor, region)
    if source_key:
        existing = Case.objects.filter(source_key=source_key).order_by().first()
        if existing:
            return existing
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
    )
    try:
        with transaction.atomic():
            case.save(force_insert=True)
            case.number = f"LX{timezone.localtime(now):%Y%m%d}{case.pk:07d}"
            case.save(update_fields=["number"])
            CaseEvent(
                case=case,
                kind="reported",
                actor=actor,
                from_status="",
                to_status=Status.REPORTED,
                data={"channel": channel},
                created_at=now,
            ).save(force_insert=True)
            if attachments:
                CaseAttachment.objects.bulk_create(
                    CaseAttachment(
                        case=case, name=name, file=file, uploaded_by=actor, uploaded_at=now
                    )
                    for name, file in attachments
                )
    except IntegrityError:
        # Two submissions with one key raced; the other one made the case.
        if source_key:
            return Case.objects.get(source_key=source_key)
        raise
    return case


def resolve_on_spot(case: Case, *, actor: User, answer: str, mediation_outcome: str = "") -> Case:
    """当场办结: the collector solves it while there; it still gets a return visit.

    A dispute mediated on the spot records its outcome here, so it counts in 调处成功率.
    """
    answer = _require(answer, _("请填写现场处理情况。"))
    if mediation_outcome and mediation_outcome not in MediationOutcome.values:
        raise ValidationError(_("调处结果无效。"))
    with transaction.atomic():
        case = _lock(case, "resolved_on_spot", actor)
        if mediation_outcome and not case.case_type.has_mediation:
            raise ValidationError(_("该类型事项不需要调解。"))
        now = timezone.now()
        case.answer, case.resolved_on_spot = answer, True
        case.first_answered_at = case.answered_at = now
        case.handling_hours = 0.0
        case.mediation_outcome = mediation_outcome or case.mediation_outcome
        _move(
            case,
            "resolved_on_spot",
            actor=actor,
            reason=answer,
            now=now,
            data={"mediation_outcome": mediation_outcome} if mediation_outcome else None,
            fields=[
                "answer",
                "resolved_on_spot",
                "first_answered_at",
                "answered_at",
                "handling_hours",
                "mediation_outcome",
            ],
        )
    return case


def reject_case(case: Case, *, actor: User, reason: str) -> Case:
    """不予受理, with the reason the requester will be told."""
    reason = _require(reason, _("不予受理必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, "rejected", actor)
        case.closed_at = timezone.now()
        _move(case, "rejected", actor=actor, reason=reason, fields=["closed_at"])
    return case


def triage_case(
    case: Case,
    *,
    actor: User,
    category: Category | None = None,
    priority: str | None = None,
    risk_level: str = "",
    note: str = "",
) -> Case:
    """研判: classify, grade priority (and, for disputes, risk)."""
    if priority is not None and priority not in Priority.values:
        raise ValidationError(_("紧急程度无效。"))
    if risk_level and risk_level not in RiskLevel.values:
        raise ValidationError(_("风险等级无效。"))
    with transaction.atomic():
        case = _lock(case, "triaged", actor)
        if category is not None:
            if category.case_type_id != case.case_type_id:
                raise ValidationError(_("分类不属于该事项类型。"))
            case.category = category
        case.priority = priority or case.priority
        case.risk_level = risk_level or case.risk_level
        case.triaged_at = timezone.now()
        _move(
            case,
            "triaged",
            actor=actor,
            reason=note,
            data={
                "category": case.category_id,
                "priority": case.priority,
                "risk_level": case.risk_level,
            },
            fields=["category", "priority", "risk_level", "triaged_at"],
        )
    return case


def assign_case(
    case: Case,
    *,
    actor: User,
    lead_unit: Organisation,
    co_units: Iterable[Organisation] = (),
    deadline: datetime | None = None,
    note: str = "",
) -> Case:
    """交办: one lead unit, any co-units; the clock starts and an overdue check is scheduled."""
    co_units = [u for u in co_units if u.pk != lead_unit.pk]
    for unit in (lead_unit, *co_units):
        if unit.kind not in HANDLING_KINDS or not unit.is_active:
            raise ValidationError(_("“%(unit)s”不是可承办事项的单位。") % {"unit": unit})
    with transaction.atomic():
        case = _lock(case, "assigned", actor)
        now = timezone.now()
        limit = _limit(case)
        if deadline is None:
            if limit is None:
                raise ValidationError(_("该类型和紧急程度没有设置办理时限，请指定办理期限。"))
            deadline = deadlines.deadline_for(now, limit.amount, limit.unit)
        elif deadline <= now:
            raise ValidationError(_("办理期限必须晚于当前时间。"))
        case.lead_unit = lead_unit
        case.deadline = deadline
        case.response_deadline = deadlines.add_working_hours(
            now, limit.response_hours if limit else 2
        )
        case.assigned_at = now
        case.is_overdue = False
        case.reminded_at = None
        CaseAssignment.objects.filter(case=case, is_active=True).update(is_active=False)
        CaseAssignment.objects.bulk_create(
            [CaseAssignment(case=case, unit=lead_unit, is_lead=True, assigned_at=now)]
            + [CaseAssignment(case=case, unit=u, is_lead=False, assigned_at=now) for u in co_units]
        )
        _move(
            case,
            "assigned",
            actor=actor,
            reason=note,
            now=now,
            data={
                "lead_unit": lead_unit.pk,
                "co_units": [u.pk for u in co_units],
                "deadline": _iso(deadline),
            },
            fields=[
                "lead_unit",
                "deadline",
                "response_deadline",
                "assigned_at",
                "is_overdue",
                "reminded_at",
            ],
        )
        _schedule_deadline_check(case)
    return case


def accept_case(case: Case, *, actor: User) -> Case:
    """签收: the lead unit takes the order."""
    with transaction.atomic():
        case = _lock(case, "accepted", actor)
        now = timezone.now()
        case.accepted_at = now
        CaseAssignment.objects.filter(case=case, unit_id=case.lead_unit_id, is_active=True).update(
            accepted_at=now
        )
        _move(case, "accepted", actor=actor, now=now, fields=["accepted_at"])
    return case


def add_progress_note(case: Case, *, actor: User, note: str) -> Case:
    """A progress note from the lead or a co-handling unit; the state does not change."""
    note = _require(note, _("请填写办理进展。"))
    with transaction.atomic():
        case = _lock(case, "progress_noted", actor)
        _move(case, "progress_noted", actor=actor, reason=note)
    return case


def record_mediation(case: Case, *, actor: User, note: str, outcome: str = "") -> Case:
    """A mediation session (调解) of a dispute; a final outcome is recorded once reached."""
    note = _require(note, _("请填写调解情况。"))
    if outcome and outcome not in MediationOutcome.values:
        raise ValidationError(_("调处结果无效。"))
    with transaction.atomic():
        case = _lock(case, "mediated", actor)
        case.mediation_outcome = outcome or case.mediation_outcome
        _move(
            case,
            "mediated",
            actor=actor,
            reason=note,
            data={"outcome": outcome},
            fields=["mediation_outcome"],
        )
    return case


def request_extension(case: Case, *, actor: User, until: datetime, reason: str) -> Case:
    """延期申请: before the deadline, with a reason and a new date; usually only once."""
    reason = _require(reason, _("申请延期必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, "extension_requested", actor)
        now = timezone.now()
        if case.deadline and until <= case.deadline:
            raise ValidationError(_("延期后的期限必须晚于原办理期限。"))
        case.pending_extension_until = until
        _move(
            case,
            "extension_requested",
            actor=actor,
            reason=reason,
            data={"until": _iso(until)},
            fields=["pending_extension_until"],
            now=now,
        )
    return case


def approve_extension(case: Case, *, actor: User, note: str = "") -> Case:
    """延期审批通过: the new deadline replaces the old one and the overdue check moves with it."""
    with transaction.atomic():
        case = _lock(case, "extension_approved", actor)
        old = case.deadline
        case.deadline, case.pending_extension_until = case.pending_extension_until, None
        case.extension_count += 1
        case.is_overdue = False
        case.reminded_at = None
        _move(
            case,
            "extension_approved",
            actor=actor,
            reason=note,
            data={"from": _iso(old), "to": _iso(case.deadline)},
            fields=[
                "deadline",
                "pending_extension_until",
                "extension_count",
                "is_overdue",
                "reminded_at",
            ],
        )
        _schedule_deadline_check(case)
    return case


def refuse_extension(case: Case, *, actor: User, reason: str) -> Case:
    reason = _require(reason, _("不同意延期必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, "extension_refused", actor)
        case.pending_extension_until = None
        _move(
            case,
            "extension_refused",
            actor=actor,
            reason=reason,
            fields=["pending_extension_until"],
        )
    return case


def send_back(case: Case, *, actor: User, reason_code: str, reason: str) -> Case:
    """退单: the lead unit says the case is not its remit; it goes back to dispatch."""
    if reason_code not in SendBackReason.values:
        raise ValidationError(_("请选择退单原因。"))
    reason = _require(reason, _("退单必须说明理由和依据。"))
    with transaction.atomic():
        case = _lock(case, "sent_back", actor)
        unit = case.lead_unit_id
        case.send_back_count += 1
        case.lead_unit = None
        case.deadline = case.response_deadline = case.pending_extension_until = None
        case.is_overdue = False
        CaseAssignment.objects.filter(case=case, is_active=True).update(is_active=False)
        _move(
            case,
            "sent_back",
            actor=actor,
            reason=reason,
            data={"reason_code": reason_code, "unit": unit},
            fields=[
                "send_back_count",
                "lead_unit",
                "deadline",
                "response_deadline",
                "pending_extension_until",
                "is_overdue",
            ],
        )
    return case


def answer_case(case: Case, *, actor: User, answer: str) -> Case:
    """办结答复: the unit's reply; on time if given by the deadline in force."""
    answer = _require(answer, _("请填写答复内容。"))
    with transaction.atomic():
        case = _lock(case, "answered", actor)
        now = timezone.now()
        case.answer, case.answered_at = answer, now
        case.first_answered_at = case.first_answered_at or now
        case.answered_on_time = case.deadline is None or now <= case.deadline
        start = case.assigned_at or case.reported_at
        case.handling_hours = round((now - start).total_seconds() / 3600, 2)
        case.pending_extension_until = None
        _move(
            case,
            "answered",
            actor=actor,
            reason=answer,
            now=now,
            fields=[
                "answer",
                "answered_at",
                "first_answered_at",
                "answered_on_time",
                "handling_hours",
                "pending_extension_until",
            ],
        )
    return case


def return_visit(
    case: Case,
    *,
    actor: User,
    reached: bool,
    contacted: bool | None = None,
    resolved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
) -> Case:
    """回访: was the requester contacted in time, is it solved, are they satisfied?

    A visit that does not reach the requester is recorded but leaves the case waiting for
    another visit; only a reached visit is valid (有效回访) and counts in the rates.
    """
    with transaction.atomic():
        case = _lock(case, "visited" if reached else "visit_failed_to_reach", actor)
        if not reached:
            _move(case, "visit_failed_to_reach", actor=actor, reason=note)
            return case
        if contacted is None or resolved is None or satisfaction not in Satisfaction.values:
            raise ValidationError(_("有效回访必须记录是否及时联系、是否解决和满意度。"))
        case.visit_valid, case.visit_contacted, case.visit_resolved = True, contacted, resolved
        case.visit_satisfaction = satisfaction
        case.visited_at = timezone.now()
        _move(
            case,
            "visited",
            actor=actor,
            reason=note,
            data={
                "contacted": contacted,
                "resolved": resolved,
                "satisfaction": satisfaction,
                "passed": case.visit_passed,
            },
            fields=[
                "visit_valid",
                "visit_contacted",
                "visit_resolved",
                "visit_satisfaction",
                "visited_at",
            ],
        )
    return case


def reopen_case(case: Case, *, actor: User, reason: str) -> Case:
    """重办: back to the same lead unit with a fresh limit; rework when the visit failed."""
    reason = _require(reason, _("重办必须说明理由。"))
    with transaction.atomic():
        case = _lock(case, "reopened", actor)
        now = timezone.now()
        failed = not case.visit_passed
        case.reopen_count += 1
        case.rework_count += int(failed)
        limit = _limit(case)
        case.deadline = (
            deadlines.deadline_for(now, limit.amount, limit.unit) if limit else case.deadline
        )
        case.is_overdue = False
        case.reminded_at = None
        case.visit_valid = False
        case.visit_contacted = case.visit_resolved = None
        case.visit_satisfaction = ""
        _move(
            case,
            "reopened",
            actor=actor,
            reason=reason,
            now=now,
            data={
                "rework": failed,
                "deadline": _iso(case.deadline),
            },
            fields=[
                "reopen_count",
                "rework_count",
                "deadline",
                "is_overdue",
                "reminded_at",
                "visit_valid",
                "visit_contacted",
                "visit_resolved",
                "visit_satisfaction",
            ],
        )
        _schedule_deadline_check(case)
    return case


def close_case(case: Case, *, actor: User, note: str = "") -> Case:
    """销号: after a passed return visit; closing after a failed one needs a written reason."""
    with transaction.atomic():
        case = _lock(case, "closed", actor)
        if not case.visit_passed and not note.strip():
            raise ValidationError(_("回访未通过的事项销号必须说明理由。"))
        case.closed_at = timezone.now()
        _move(
            case,
            "closed",
            actor=actor,
            reason=note,
            data={"visit_passed": case.visit_passed},
            fields=["closed_at"],
        )
    return case


def supervise_case(case: Case, *, actor: User | None, note: str = "") -> Case:
    """督办: a written supervision notice; each one raises the level."""
    with transaction.atomic():
        case = _lock(case, "supervised", actor)
        case.supervision_level += 1
        _move(
            case,
            "supervised",
            actor=actor,
            reason=note,
            data={"level": case.supervision_level},
            fields=["supervision_level"],
        )
    return case


def merge_case(case: Case, *, actor: User, master: Case, note: str = "") -> Case:
    """合并: a duplicate joins its master case and counts there."""
    with transaction.atomic():
        case = _lock(case, "merged", actor)
        if master.pk == case.pk:
            raise ValidationError(_("不能与自身合并。"))
        master = Case.objects.select_related("region").filter(pk=master.pk).first()
        if master is None or master.status in (Status.MERGED, Status.REJECTED):
            raise ValidationError(_("主事项不存在或已合并/不予受理。"))
        if not (actor.is_admin or covers_region(actor, master, DISPATCH)):
            raise NotPermitted(_("主事项不在您的研判交办范围内。"))
        case.merged_into_id = master.pk
        case.closed_at = timezone.now()
        _move(
            case,
            "merged",
            actor=actor,
            reason=note,
            data={"master": master.pk},
            fields=["merged_into", "closed_at"],
        )
    return case


# --- The overdue sweep's moves -------------------------------------------------------------


def remind_case(case: Case) -> Case:
    """催办: a reminder shortly before the deadline (system)."""
    with transaction.atomic():
        case = _lock(case, "reminded", None)
        case.reminded_at = timezone.now()
        _move(
            case,
            "reminded",
            actor=None,
            fields=["reminded_at"],
            data={"deadline": _iso(case.deadline)},
        )
    return case


def mark_overdue(case: Case) -> Case:
    with transaction.atomic():
        case = _lock(case, "overdue", None)
        case.is_overdue = True
        _move(
            case,
            "overdue",
            actor=None,
            fields=["is_overdue"],
            data={"deadline": _iso(case.deadline)},
        )
    return case


def _schedule_deadline_check(case: Case) -> None:
    """Enqueue the case's own overdue check for its deadline, in the move's transaction."""
    from cases.tasks import check_case_deadline

    if case.deadline:
        check_case_deadline.using(run_after=case.deadline).enqueue(case.pk)
