"""Every change of the outreach app: one transaction each, with its ``OutreachEvent``.

Errors leave as data: ``ValidationError`` keyed by field with a code (a demand's error as
``demands.<row>.<field>``), ``PermissionDenied`` for a caller outside ``outreach.scope``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import services as cases
from cases.models import CaseType, Category, Channel, Meeting, Via
from enterprises.matching import firms_for
from enterprises.models import Policy, PolicyStatus
from orgs.models import Organisation, OrgKind
from outreach import scope
from outreach.models import (
    DEFAULT_RHYTHMS,
    VISITING_KINDS,
    BriefingStatus,
    BriefingTask,
    EnterpriseVisit,
    OutreachEvent,
    OutreachEventKind,
    Period,
    VisitRhythm,
)
from people.models import EnterpriseLink, EnterpriseLinkKind, Person, User

TITLE_LENGTH = 20


def _error(field: str, message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def _log(kind: str, actor: User | None, **fields: Any) -> OutreachEvent:
    return OutreachEvent.objects.create(kind=kind, actor=actor, **fields)


@dataclass(frozen=True)
class Demand:
    """One demand raised during a visit: it becomes one case (channel 走访)."""

    case_type: CaseType
    description: str
    category: Category | None = None
    requester_name: str = ""
    requester_phone: str = ""
    # The case's idempotency key (the form row's one-time token): a resubmission makes no case twice.
    source_key: str | None = None


def derive_title(text: str) -> str:
    """The case title from the demand's first sentence, as the meeting form derives it."""
    first = re.split(r"[。！？!?\n]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    if len(first) <= TITLE_LENGTH:
        return first
    head = first[:TITLE_LENGTH]
    cut = max(head.rfind(mark) for mark in "，,、；;：:")
    return head[:cut] if cut >= TITLE_LENGTH // 3 else head + "…"


def liaison_of(enterprise: Organisation) -> Person | None:
    """The firm's liaison (企业联络员), who becomes the requester of what a visit raises."""
    link = (
        EnterpriseLink.objects.filter(enterprise=enterprise, kind=EnterpriseLinkKind.LIAISON)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return link.person if link else None


def _visit_moment(visited_on: date) -> datetime:
    """The meeting's time: now for a visit today, else nine in the morning of that day."""
    if visited_on == timezone.localdate():
        return timezone.now().replace(second=0, microsecond=0)
    return timezone.make_aware(datetime.combine(visited_on, time(9, 0)))


def _check_visit(
    enterprise: Organisation,
    visited_on: date,
    visitors: Sequence[Person],
    findings: str,
    actor: User,
) -> None:
    if visited_on > timezone.localdate():
        raise _error("visited_on", _("走访日期不能晚于今天。"), "future")
    # Organisation has no founding date yet; honour one as soon as the registry carries it.
    founded = getattr(enterprise, "founded_on", None)
    if founded is not None and visited_on < founded:
        raise _error(
            "visited_on",
            _("走访日期不能早于企业成立日期（%(founded)s）。"),
            "before_founded",
            founded=founded,
        )
    if not visitors:
        raise _error("visitors", _("请选择走访人员。"), "required")
    allowed = set(
        EnterpriseLink.objects.filter(enterprise=enterprise, kind__in=VISITING_KINDS).values_list(
            "person_id", flat=True
        )
    )
    if actor.person_id is not None:
        allowed.add(actor.person_id)
    if any(p.pk not in allowed for p in visitors):
        raise _error(
            "visitors",
            _("走访人员只能是该企业的挂钩干部、驻厂专员、党建指导员或登记人本人。"),
            "not_linked",
        )
    if not findings.strip():
        raise _error("findings", _("请填写走访情况。"), "required")


def _report_demands(
    visit: EnterpriseVisit,
    meeting: Meeting,
    demands: Sequence[Demand],
    actor: User,
    via: str,
) -> None:
    enterprise = visit.enterprise
    region = enterprise.region
    if not demands:
        return
    if region is None:
        raise _error("enterprise", _("该企业未登记所在区域，无法登记诉求。"), "no_region")
    requester = liaison_of(enterprise)
    errors: dict[str, list[ValidationError]] = {}
    for row, demand in enumerate(demands):
        description = demand.description.strip()
        try:
            case = cases.report_case(
                actor=actor,
                via=via,
                case_type=demand.case_type,
                category=demand.category,
                region=region,
                title=derive_title(description),
                description=description,
                # A name typed on the row is the person who asked; else the firm's liaison.
                requester=None if demand.requester_name.strip() else requester,
                requester_name=demand.requester_name.strip(),
                requester_phone=demand.requester_phone.strip(),
                enterprise=enterprise,
                meeting=meeting,
                channel=Channel.VISIT,
                source_key=demand.source_key,
            )
        except cases.NotPermitted as exc:
            errors.setdefault(f"demands.{row}", []).append(
                ValidationError(str(exc), code="not_permitted")
            )
            continue
        except ValidationError as exc:
            for field, messages in exc.update_error_dict({}).items():
                name = f"demands.{row}" if field in (None, "__all__") else f"demands.{row}.{field}"
                errors.setdefault(name, []).extend(messages)
            continue
        if case.meeting_id != meeting.pk:
            # Its token already made a case of another visit: a forged or reused token.
            errors.setdefault(f"demands.{row}", []).append(
                ValidationError(_("该诉求已在其他走访中登记。"), code="token_reused")
            )
    if errors:
        raise ValidationError(errors)


def log_visit(
    enterprise: Organisation,
    *,
    visited_on: date,
    visitors: Iterable[Person],
    met: str = "",
    findings: str,
    demands: Sequence[Demand] = (),
    briefings: Iterable[BriefingTask] = (),
    token: uuid.UUID | str | None = None,
    actor: User,
    via: str = Via.WEB,
) -> EnterpriseVisit:
    """Record a visit to ``enterprise`` with the demands raised (each a case of the visit's
    meeting, kind 走访) and the pending briefings done during it, all or nothing.

    A ``token`` names the submission: sent again, it returns the visit it made, and nothing is
    created twice."""
    if enterprise.kind != OrgKind.ENTERPRISE:
        raise _error("enterprise", _("只能登记对企业的走访。"), "not_enterprise")
    if not scope.may_log_visit(actor, enterprise):
        raise PermissionDenied(_("您不是该企业的挂钩干部，无权登记走访。"))
    if token is not None:
        earlier = _earlier(token, enterprise)
        if earlier is not None:
            return earlier
    visitors = list(dict.fromkeys(visitors))
    _check_visit(enterprise, visited_on, visitors, findings, actor)
    briefings = list(briefings)
    met = met.strip()
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                kind=Meeting.Kind.VISIT,
                title=f"走访{enterprise.name}"[:150],  # data, in the county's language
                held_at=_visit_moment(visited_on),
                region=enterprise.region,
                host=enterprise.chain if enterprise.chain_id else None,
                enterprise=enterprise,
                attendees="、".join(p.name for p in visitors) + (f"；{met}" if met else ""),
                notes=findings.strip(),
                created_by=actor,
            )
            visit = EnterpriseVisit.objects.create(
                enterprise=enterprise,
                visited_on=visited_on,
                met=met,
                findings=findings.strip(),
                meeting=meeting,
                token=token,
                created_by=actor,
            )
            visit.visitors.set(visitors)
            _report_demands(visit, meeting, demands, actor, via)
            for task in briefings:
                if task.enterprise_id != enterprise.pk:
                    raise _error("briefings", _("只能勾选本企业的宣讲任务。"), "other_enterprise")
                complete_briefing(task, actor=actor, visit=visit)
            _log(
                OutreachEventKind.VISIT_LOGGED,
                actor,
                enterprise=enterprise,
                visit=visit,
                data={
                    "visited_on": visited_on.isoformat(),
                    "visitors": [p.pk for p in visitors],
                    "cases": list(meeting.cases.order_by("pk").values_list("pk", flat=True)),
                    "briefings": [t.pk for t in briefings],
                    "via": via,
                },
            )
    except IntegrityError:
        # A parallel submission with the same token made the visit first.
        if token is not None:
            earlier = _earlier(token, enterprise)
            if earlier is not None:
                return earlier
        raise
    return visit


def _earlier(token: uuid.UUID | str, enterprise: Organisation) -> EnterpriseVisit | None:
    """The visit this token already made; a token of another firm's visit is refused."""
    earlier = EnterpriseVisit.objects.filter(token=token).first()
    if earlier is not None and earlier.enterprise_id != enterprise.pk:
        raise _error(
            "token", _("该表单已用于其他企业的走访，请刷新页面后重新填写。"), "token_reused"
        )
    return earlier


# --- Briefings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    firms: int  # firms that qualify and are the pusher's
    created: int  # tasks made now
    existing: int  # tasks there already (a push is idempotent)
    without_cadre: int  # qualifying firms with no linked cadre to brief them


def push_briefings(policy: Policy, *, actor: User, due_on: date) -> PushResult:
    """Give every linked cadre of every firm that qualifies for ``policy`` (among the firms the
    actor oversees) a task to explain it there; tasks that exist are kept as they are."""
    if not scope.may_push(actor):
        raise PermissionDenied(_("您无权下发政策宣讲任务。"))
    if policy.status != PolicyStatus.PUBLISHED:
        raise _error("policy", _("只能下发已发布政策的宣讲任务。"), "not_published")
    if due_on < timezone.localdate():
        raise _error("due_on", _("完成期限不能早于今天。"), "past")
    firms = Organisation.objects.enterprises().filter(pk__in=firms_for(policy))
    mine = scope.overseen_q(actor)
    if mine is not None:
        firms = firms.filter(mine)
    firm_ids = set(firms.values_list("pk", flat=True))
    pairs = set(
        EnterpriseLink.objects.filter(enterprise_id__in=firm_ids, kind__in=VISITING_KINDS)
        .values_list("enterprise_id", "person_id")
        .distinct()
    )
    with transaction.atomic():
        there = set(
            BriefingTask.objects.filter(policy=policy, enterprise_id__in=firm_ids).values_list(
                "enterprise_id", "cadre_id"
            )
        )
        new = sorted(pairs - there)
        # ignore_conflicts: a parallel push of the same policy makes each task once.
        BriefingTask.objects.bulk_create(
            [
                BriefingTask(
                    policy=policy, enterprise_id=e, cadre_id=p, due_on=due_on, created_by=actor
                )
                for e, p in new
            ],
            ignore_conflicts=True,
        )
        result = PushResult(
            firms=len(firm_ids),
            created=len(new),
            existing=len(pairs & there),
            without_cadre=len(firm_ids - {e for e, _p in pairs}),
        )
        _log(
            OutreachEventKind.BRIEFING_PUSHED,
            actor,
            policy=policy,
            data={
                "due_on": due_on.isoformat(),
                "firms": result.firms,
                "created": result.created,
                "existing": result.existing,
            },
        )
    return result


def may_complete(user: User, task: BriefingTask) -> bool:
    """The task's own cadre, or a manager of its firm (``task.enterprise`` loaded)."""
    if user.person_id is not None and user.person_id == task.cadre_id:
        return True
    return scope.manages(user, task.enterprise)


def complete_briefing(
    task: BriefingTask, *, actor: User, note: str = "", visit: EnterpriseVisit | None = None
) -> BriefingTask:
    """Mark a briefing task done (宣讲完成), optionally as part of a visit to its firm."""
    with transaction.atomic():
        locked = (
            BriefingTask.objects.select_for_update(of=("self",))
            .select_related("enterprise__region")
            .get(pk=task.pk)
        )
        if not may_complete(actor, locked):
            raise PermissionDenied(_("只有该任务的宣讲人或研判交办员可以完成该任务。"))
        if locked.status == BriefingStatus.DONE:
            raise _error("status", _("该宣讲任务已完成。"), "already_done")
        if visit is not None and visit.enterprise_id != locked.enterprise_id:
            raise _error("visit", _("所选走访不是该企业的走访。"), "other_enterprise")
        locked.status = BriefingStatus.DONE
        locked.done_at = timezone.now()
        locked.done_note = note.strip()
        locked.visit = visit
        locked.save(update_fields=["status", "done_at", "done_note", "visit"])
        _log(
            OutreachEventKind.BRIEFING_DONE,
            actor,
            enterprise_id=locked.enterprise_id,
            visit=visit,
            policy_id=locked.policy_id,
            data={"task": locked.pk, "cadre": locked.cadre_id, "note": locked.done_note},
        )
    return locked


# --- Rhythm -----------------------------------------------------------------------------------


def ensure_rhythms() -> list[VisitRhythm]:
    """One row per visiting link kind (the migration seeds them; a flushed table gets the
    defaults back)."""
    for kind, period in DEFAULT_RHYTHMS.items():
        VisitRhythm.objects.get_or_create(link_kind=kind, defaults={"period": period})
    return list(VisitRhythm.objects.order_by("link_kind"))


def set_rhythm(rhythm: VisitRhythm, period: str, *, actor: User) -> VisitRhythm:
    """Change how often a kind of link is expected to visit (administrators only)."""
    if not actor.is_admin:
        raise PermissionDenied(_("只有管理员可以调整走访频次。"))
    if period not in Period.values:
        raise _error("period", _("走访周期无效。"), "invalid_choice")
    with transaction.atomic():
        locked = VisitRhythm.objects.select_for_update().get(pk=rhythm.pk)
        before = locked.period
        if before == period:
            return locked
        locked.period = period
        locked.save(update_fields=["period", "updated_at"])
        _log(
            OutreachEventKind.RHYTHM_CHANGED,
            actor,
            data={"link_kind": locked.link_kind, "from": before, "to": period},
        )
    return locked
