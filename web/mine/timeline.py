"""A case's story for the person who raised it, in plain words.

Only what the requester should know: where the demand went, by when, the question they are
asked, the answer and their own words. Internal notes (督办 notes, extension and send-back
reasons, merge notes, progress notes, the dispatcher's opinions) are never read out; staff names
are masked when ``LIANXIN["MASK_STAFF_FOR_REQUESTERS"]`` is on (the default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, EventKind, Satisfaction
from cases.scope import REQUESTER_HIDDEN_KINDS
from orgs.models import Organisation
from people.masking import mask_name
from people.models import User

K = EventKind
# Events a requester never sees at all: internal steps, or someone else's case.
HIDDEN = REQUESTER_HIDDEN_KINDS
_UNIT_KEYS = ("lead_unit",)


@dataclass
class Step:
    """One line of the requester's timeline."""

    at: datetime
    text: str
    detail: str = ""  # words quoted as they were written: the answer, the question, their own
    who: str = ""  # the member of staff (masked) or "" for the system or the requester
    tone: str = ""  # ask (a question for them), answer, done, refused


def mask_staff() -> bool:
    return bool(settings.LIANXIN.get("MASK_STAFF_FOR_REQUESTERS", True))


def staff_name(actor: User | None, viewer: User) -> str:
    if actor is None or actor.pk == viewer.pk:
        return ""
    name = actor.display_name
    return mask_name(name) if mask_staff() else name


def unit_name(unit: Organisation | None) -> str:
    if unit is None:
        return _("办理单位")
    return unit.short_name or unit.name


def day(moment: datetime | str | None) -> str:
    """A deadline as the requester reads it: 12月10日."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = timezone.localtime(moment)
    return _("%(month)s月%(day)s日") % {"month": local.month, "day": local.day}


def requester_steps(case: Case, viewer: User) -> list[Step]:
    """The case's events as plain sentences, oldest first (two queries)."""
    events = list(
        CaseEvent.objects.filter(case=case)
        .exclude(kind__in=HIDDEN)
        .select_related("actor__person")
        .order_by("created_at", "id")
    )
    unit_ids = {
        e.data[k] for e in events for k in _UNIT_KEYS if isinstance((e.data or {}).get(k), int)
    }
    units = Organisation.objects.in_bulk(unit_ids) if unit_ids else {}
    lead: Organisation | None = None
    steps: list[Step] = []
    for event in events:
        data: dict[str, Any] = event.data or {}
        if isinstance(data.get("lead_unit"), int):
            lead = units.get(data["lead_unit"], lead)
        step = _step(case, event, data, unit_name(lead) if lead else "")
        if step is not None:
            step.who = step.who or (
                "" if event.kind in (K.RATED, K.INFO_ADDED) else staff_name(event.actor, viewer)
            )
            steps.append(step)
    return steps


def _step(case: Case, event: CaseEvent, data: dict[str, Any], unit: str) -> Step | None:
    at, kind = event.created_at, event.kind
    asker = unit or _("工作人员")
    unit = unit or _("办理单位")
    if kind == K.REPORTED:
        return Step(at, _("您的诉求已提交，编号 %(number)s。") % {"number": case.number})
    if kind == K.RESOLVED_ON_SPOT:
        return Step(at, _("工作人员已现场处理并答复。"), event.reason, tone="answer")
    if kind == K.REJECTED:
        return Step(at, _("您的诉求不予受理，原因如下。"), event.reason, tone="refused")
    if kind == K.TRIAGED:
        return Step(at, _("工作人员正在研究您的诉求，将尽快交给相关单位办理。"))
    if kind in (K.ASSIGNED, K.REASSIGNED, K.REOPENED):
        words = {
            K.ASSIGNED: _("您的诉求已交办至%(unit)s"),
            K.REASSIGNED: _("您的诉求已改由%(unit)s办理"),
            K.REOPENED: _("您的诉求已交%(unit)s重新办理"),
        }[EventKind(kind)] % {"unit": unit}
        if data.get("deadline"):
            words += _("，办理期限%(day)s") % {"day": day(data["deadline"])}
        return Step(at, words + _("。"))
    if kind in (K.RECALLED, K.SENT_BACK):
        return Step(at, _("您的诉求正在重新安排办理单位。"))
    if kind == K.ACCEPTED:
        return Step(at, _("%(unit)s已接收，正在办理。") % {"unit": unit})
    if kind == K.PROGRESS_NOTED:
        return Step(at, _("%(unit)s正在办理中。") % {"unit": unit})
    if kind == K.MEDIATED:
        return Step(at, _("工作人员已组织调解。"))
    if kind == K.EXTENSION_APPROVED:
        return Step(at, _("办理期限延长至%(day)s。") % {"day": day(data.get("to"))})
    if kind == K.ANSWERED:
        return Step(at, _("%(unit)s已答复：") % {"unit": unit}, event.reason, tone="answer")
    if kind == K.VISITED:
        return Step(at, _("工作人员已电话回访，您的评价：%(s)s。") % {"s": _satisfaction(data)})
    if kind == K.VISIT_FAILED_TO_REACH:
        return Step(at, _("工作人员回访时未能联系上您。"))
    if kind == K.RATED:
        return Step(
            at, _("您已评价：%(s)s。") % {"s": _satisfaction(data)}, event.reason, tone="done"
        )
    if kind == K.INFO_REQUESTED:
        return Step(at, _("%(unit)s请您补充信息：") % {"unit": asker}, event.reason, tone="ask")
    if kind == K.INFO_ADDED:
        return Step(at, _("您已补充信息："), event.reason)
    if kind == K.CLOSED:
        return Step(at, _("您的诉求已办结。"), tone="done")
    if kind == K.MERGED:
        return Step(at, _("您的诉求与相同问题的诉求合并办理，办理结果将一并告知您。"))
    return None


def _satisfaction(data: dict[str, Any]) -> str:
    return str(dict(Satisfaction.choices).get(data.get("satisfaction", ""), "—"))


def open_question(case: Case) -> str:
    """The question the requester is asked now (请补充信息), or ""."""
    if not case.info_requested_at:
        return ""
    event = (
        CaseEvent.objects.filter(case=case, kind=K.INFO_REQUESTED)
        .order_by("-created_at", "-id")
        .only("reason")
        .first()
    )
    return event.reason if event else ""
