"""Every move from every state outside its RULES sources is refused with InvalidTransition and
changes nothing — not even for an administrator, whose role would allow it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import time_machine

from cases import services
from cases.models import Case, Satisfaction, SendBackReason, Status
from cases.tests.helpers import local, module_world_fixture, snapshot

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


# Each move with valid input, so that only the case's state can stand in its way.
MOVES: dict[str, Callable] = {
    "resolved_on_spot": lambda w, c, a: services.resolve_on_spot(c, actor=a, answer="已现场处理。"),
    "rejected": lambda w, c, a: services.reject_case(c, actor=a, reason="不属受理范围。"),
    "triaged": lambda w, c, a: services.triage_case(c, actor=a),
    "assigned": lambda w, c, a: services.assign_case(c, actor=a, lead_unit=w.dept),
    "reassigned": lambda w, c, a: services.reassign_case(
        c, actor=a, lead_unit=w.dept, reason="派错单位。"
    ),
    "recalled": lambda w, c, a: services.recall_case(c, actor=a, reason="需重新研判。"),
    "accepted": lambda w, c, a: services.accept_case(c, actor=a),
    "progress_noted": lambda w, c, a: services.add_progress_note(c, actor=a, note="已联系当事人。"),
    "mediated": lambda w, c, a: services.record_mediation(c, actor=a, note="组织双方调解。"),
    "extension_requested": lambda w, c, a: services.request_extension(
        c, actor=a, until=local(2026, 12, 31, 17), reason="需协调多个部门。"
    ),
    "extension_approved": lambda w, c, a: services.approve_extension(c, actor=a),
    "extension_refused": lambda w, c, a: services.refuse_extension(
        c, actor=a, reason="时限内可完成。"
    ),
    "sent_back": lambda w, c, a: services.send_back(
        c, actor=a, reason_code=SendBackReason.NOT_REMIT, reason="不属本单位职责。"
    ),
    "answered": lambda w, c, a: services.answer_case(c, actor=a, answer="已办结。"),
    "visited": lambda w, c, a: services.return_visit(
        c, actor=a, reached=True, contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED
    ),
    "visit_failed_to_reach": lambda w, c, a: services.return_visit(c, actor=a, reached=False),
    "rated": lambda w, c, a: services.rate_case(
        c, actor=a, contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED
    ),
    "info_requested": lambda w, c, a: services.request_info(c, actor=a, question="请补充照片。"),
    "info_added": lambda w, c, a: services.add_info(c, actor=a, info="照片已补充。"),
    "reopened": lambda w, c, a: services.reopen_case(c, actor=a, reason="群众不满意。"),
    "closed": lambda w, c, a: services.close_case(c, actor=a, note="同意销号。"),
    "supervised": lambda w, c, a: services.supervise_case(c, actor=a, note="请加快办理。"),
    "merged": lambda w, c, a: services.merge_case(
        c, actor=a, master=w.report("dispute"), note="重复"
    ),
    "contacted": lambda w, c, a: services.record_contact(c, actor=a, note="已电话联系诉求人。"),
    "clock_paused": lambda w, c, a: services.pause_clock(c, actor=a, reason="等待第三方鉴定。"),
    "clock_resumed": lambda w, c, a: services.resume_clock(c, actor=a),
    "escalated": lambda w, c, a: services.escalate_case(
        c, stage="finish", level=1, target="handler", hours_past=0
    ),
    "split": lambda w, c, a: services.split_case(
        c,
        actor=a,
        parts=[
            {"title": "路灯不亮", "description": "主路路灯不亮。", "category": None},
            {"title": "垃圾未清运", "description": "村口垃圾未清运。", "category": None},
        ],
    ),
    "unmerged": lambda w, c, a: services.unmerge_case(c, actor=a, reason="误合并。"),
    "urged": lambda w, c, a: services.urge_case(c, actor=a, note="请加快办理。"),
    "reminded": lambda w, c, a: services.remind_case(c),
    "overdue": lambda w, c, a: services.mark_overdue(c),
}

ILLEGAL = [
    pytest.param(kind, status, id=f"{kind}-from-{status}")
    for kind, rule in services.RULES.items()
    for status in Status.values
    if status not in rule.sources
]


def test_every_move_in_the_rules_is_covered():
    assert set(MOVES) == set(services.RULES)
    assert len(ILLEGAL) == sum(len(Status.values) - len(r.sources) for r in services.RULES.values())


@pytest.mark.parametrize("kind, status", ILLEGAL)
def test_a_move_from_a_state_outside_its_sources_is_refused(world, kind, status):
    with time_machine.travel(local(2026, 9, 14, 10), tick=False):
        case = world.in_status(status, "dispute")
        assert case.status == status
        actor = None if services.RULES[kind].scope == "system" else world.admin
        before = snapshot(case)
        with pytest.raises(services.InvalidTransition) as refused:
            MOVES[kind](world, case, actor)
    # The message names the state in the case type's own words (a dispute says 调解, 结案, …).
    label = case.case_type.label(status)
    assert str(refused.value) == f"事项当前为“{label}”，不能执行该操作。"
    assert snapshot(case) == before


@pytest.mark.parametrize("kind", [k for k, r in services.RULES.items() if r.scope != "system"])
def test_a_legal_move_succeeds_from_each_of_its_sources(world, kind):
    """The other half of the table: every source state really allows the move."""
    with time_machine.travel(local(2026, 9, 14, 10), tick=False):
        for status in sorted(services.RULES[kind].sources):
            case = world.in_status(status, "dispute")
            if kind in ("extension_approved", "extension_refused"):
                case = services.request_extension(
                    case, actor=world.handler, until=local(2026, 12, 31, 17), reason="需协调。"
                )
            if kind == "info_added":
                case = services.request_info(case, actor=world.dispatcher, question="请补充。")
            if kind == "clock_resumed":
                case = services.pause_clock(case, actor=world.dispatcher, reason="等待鉴定。")
            moved = MOVES[kind](world, case, world.admin)
            target = services.RULES[kind].target or status
            if kind == "unmerged":
                target = Status.REPORTED  # back to the state before the merge
            assert Case.objects.get(pk=case.pk).status == target == moved.status
