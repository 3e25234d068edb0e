"""Every move of the engine as its own endpoint: ``POST /api/v1/cases/{id}/{action}/``.

A move is data: its URL action, the engine's RULES it makes, the serializer of its body and
the one service it calls. ``api.views.MoveView`` does the rest the same way for each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api import serializers as s
from cases import services
from cases.models import Case
from people.models import User

Call = Callable[[Case, User, dict[str, Any]], Case]


@dataclass(frozen=True)
class Move:
    action: str
    rules: tuple[str, ...]
    serializer: type
    call: Call
    summary: str
    description: str


MOVES: tuple[Move, ...] = (
    Move(
        "triage",
        ("triaged",),
        s.TriageSerializer,
        lambda case, user, d: services.triage_case(
            case,
            actor=user,
            category=d.get("category"),
            priority=d.get("priority"),
            risk_level=d.get("risk_level", ""),
            note=d["note"],
        ),
        "研判 Triage",
        "Classify and grade the case (category, priority, risk level). Dispatchers in scope.",
    ),
    Move(
        "assign",
        ("assigned",),
        s.AssignSerializer,
        lambda case, user, d: services.assign_case(
            case,
            actor=user,
            lead_unit=d["lead_unit"],
            co_units=d["co_units"],
            deadline=d.get("deadline"),
            note=d["note"],
        ),
        "交办 Assign",
        "Hand the case to one lead unit and any co-units; the deadline starts. Dispatchers.",
    ),
    Move(
        "accept",
        ("accepted",),
        s.VersionSerializer,
        lambda case, user, d: services.accept_case(case, actor=user),
        "签收 Accept",
        "The lead unit signs for the case. Handlers of the lead unit.",
    ),
    Move(
        "notes",
        ("progress_noted",),
        s.NoteRequiredSerializer,
        lambda case, user, d: services.add_progress_note(case, actor=user, note=d["note"]),
        "办理进展 Progress note",
        "A progress note by the lead or a co-unit; the state does not change.",
    ),
    Move(
        "mediation",
        ("mediated",),
        s.MediationSerializer,
        lambda case, user, d: services.record_mediation(
            case, actor=user, note=d["note"], outcome=d["outcome"]
        ),
        "调解 Mediation",
        "A mediation session of a dispute, with its outcome once reached.",
    ),
    Move(
        "extension-request",
        ("extension_requested",),
        s.ExtensionRequestSerializer,
        lambda case, user, d: services.request_extension(
            case, actor=user, until=d["until"], reason=d["reason"]
        ),
        "延期申请 Request an extension",
        "The lead unit asks for a later deadline, before the deadline passes.",
    ),
    Move(
        "extension-approve",
        ("extension_approved",),
        s.NoteOptionalSerializer,
        lambda case, user, d: services.approve_extension(case, actor=user, note=d["note"]),
        "延期审批通过 Approve the extension",
        "The pending extension becomes the deadline. Dispatchers.",
    ),
    Move(
        "extension-refuse",
        ("extension_refused",),
        s.ReasonSerializer,
        lambda case, user, d: services.refuse_extension(case, actor=user, reason=d["reason"]),
        "延期不予批准 Refuse the extension",
        "The pending extension is refused, with a reason. Dispatchers.",
    ),
    Move(
        "send-back",
        ("sent_back",),
        s.SendBackSerializer,
        lambda case, user, d: services.send_back(
            case, actor=user, reason_code=d["reason_code"], reason=d["reason"]
        ),
        "退单 Send back",
        "The lead unit says the case is not its remit; it goes back to triage.",
    ),
    Move(
        "answer",
        ("answered",),
        s.AnswerSerializer,
        lambda case, user, d: services.answer_case(case, actor=user, answer=d["answer"]),
        "答复 Answer",
        "The lead unit's reply; on time if given by the deadline in force.",
    ),
    Move(
        "return-visit",
        ("visited", "visit_failed_to_reach"),
        s.ReturnVisitSerializer,
        lambda case, user, d: services.return_visit(
            case,
            actor=user,
            reached=d["reached"],
            contacted=d["contacted"],
            resolved=d["resolved"],
            satisfaction=d["satisfaction"],
            note=d["note"],
        ),
        "回访 Return visit",
        "Was the requester reached, contacted in time, is it solved, are they satisfied? "
        "A visit that did not reach the requester is recorded and the case keeps waiting.",
    ),
    Move(
        "reopen",
        ("reopened",),
        s.ReasonSerializer,
        lambda case, user, d: services.reopen_case(case, actor=user, reason=d["reason"]),
        "重办 Reopen",
        "Back to the same lead unit with a fresh time limit. Dispatchers.",
    ),
    Move(
        "close",
        ("closed",),
        s.NoteOptionalSerializer,
        lambda case, user, d: services.close_case(case, actor=user, note=d["note"]),
        "销号 Close",
        "Close after the return visit; after a failed visit a note is required. Dispatchers.",
    ),
    Move(
        "supervise",
        ("supervised",),
        s.NoteOptionalSerializer,
        lambda case, user, d: services.supervise_case(case, actor=user, note=d["note"]),
        "督办 Supervise",
        "A written supervision notice; each raises the level. Dispatchers and leaders.",
    ),
    Move(
        "merge",
        ("merged",),
        s.MergeSerializer,
        lambda case, user, d: services.merge_case(
            case, actor=user, master=d["master"], note=d["note"]
        ),
        "合并 Merge",
        "This case duplicates `master` and counts there. Dispatchers of both cases.",
    ),
    Move(
        "reject",
        ("rejected",),
        s.ReasonSerializer,
        lambda case, user, d: services.reject_case(case, actor=user, reason=d["reason"]),
        "不予受理 Reject",
        "Refuse the case with the reason the requester will be told. Dispatchers.",
    ),
    Move(
        "resolve-on-spot",
        ("resolved_on_spot",),
        s.AnswerSerializer,
        lambda case, user, d: services.resolve_on_spot(case, actor=user, answer=d["answer"]),
        "当场办结 Resolve on the spot",
        "The collector solved it while there; it still gets a return visit.",
    ),
)

# The engine's move name → the action that makes it, for a case's ``allowed_moves``.
ACTION_OF_RULE: dict[str, str] = {rule: move.action for move in MOVES for rule in move.rules}


def allowed_actions(case: Case, user: User) -> list[dict[str, str]]:
    return [
        {"move": name, "action": ACTION_OF_RULE[name]}
        for name in services.allowed_moves(case, user)
        if name in ACTION_OF_RULE
    ]
