"""Every move of the engine through its own endpoint: the status, the case it answers with, the
event it writes; a stale version and a move not allowed now answer 409 and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.tests.helpers import assert_error, case_url, last_kind
from cases import moves, services
from cases.models import Case, CaseEvent, Satisfaction, Status
from cases.tests.helpers import module_world_fixture, snapshot
from cases.tests.world import World, make_user
from people.models import Role

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


# The shape of a case detail, pinned: a change here is a change of the API's contract.
DETAIL_KEYS = {
    "id", "number", "title", "status", "status_label", "case_type", "category", "priority",
    "channel", "region", "lead_unit", "enterprise", "requester_name", "deadline", "is_overdue",
    "supervision_level", "reported_at", "updated_at", "version", "description",
    "requester_phone", "address", "latitude", "longitude", "committee", "reported_by",
    "response_deadline", "contact_deadline", "contacted_at", "clock_paused_at",
    "escalation_level", "pending_extension_until", "extension_count", "send_back_count",
    "reopen_count", "rework_count", "triaged_at", "assigned_at", "accepted_at",
    "first_answered_at", "answered_at", "visited_at", "closed_at", "answer", "policy", "station", "resolved_on_spot",
    "answered_on_time", "handling_hours", "visit_valid", "visit_contacted", "visit_resolved",
    "visit_satisfaction", "risk_level", "mediation_outcome", "merged_into", "split_from",
    "details",
    "assignments", "events", "allowed_moves",
}  # fmt: skip


def _in_progress(w: World, type_code: str = "resident_issue") -> Case:
    return w.in_status(Status.IN_PROGRESS, type_code)


def _deadline(case: Case) -> datetime:
    assert case.deadline is not None
    return case.deadline


def _pending_extension(w: World) -> Case:
    case = _in_progress(w)
    return services.request_extension(
        case, actor=w.handler, until=_deadline(case) + timedelta(days=10), reason="需协调。"
    )


def _residents_answered(w: World) -> Case:
    """A demand the resident filed on the phone, answered by the unit."""
    return w.answered(actor=w.resident, channel="web", requester=w.resident.person)


def _residents_asked(w: World) -> Case:
    case = w.in_status(
        Status.IN_PROGRESS, actor=w.resident, channel="web", requester=w.resident.person
    )
    return services.request_info(case, actor=w.handler, question="请补充照片。")


@dataclass(frozen=True)
class Scenario:
    action: str
    prepare: Callable[[World], Case]
    actor: str
    body: Callable[[World, Case], dict[str, Any]]
    kind: str
    status: str


SCENARIOS = [
    Scenario(
        "triage",
        lambda w: w.report(),
        "dispatcher",
        lambda w, c: {"category": w.category().pk, "priority": "urgent", "note": "紧急"},
        "triaged",
        Status.TRIAGED,
    ),
    Scenario(
        "assign",
        lambda w: w.in_status(Status.TRIAGED),
        "dispatcher",
        lambda w, c: {"lead_unit": w.dept.pk, "co_units": [w.other_dept.pk], "note": "请办理"},
        "assigned",
        Status.ASSIGNED,
    ),
    Scenario("accept", lambda w: w.assigned(), "handler", lambda w, c: {}, "accepted", Status.IN_PROGRESS),
    Scenario(
        "notes", _in_progress, "handler", lambda w, c: {"note": "已联系群众。"}, "progress_noted",
        Status.IN_PROGRESS,
    ),
    Scenario(
        "mediation",
        lambda w: _in_progress(w, "dispute"),
        "handler",
        lambda w, c: {"note": "组织双方调解。", "outcome": "success"},
        "mediated",
        Status.IN_PROGRESS,
    ),
    Scenario(
        "extension-request",
        _in_progress,
        "handler",
        lambda w, c: {"until": (_deadline(c) + timedelta(days=5)).isoformat(), "reason": "需协调。"},
        "extension_requested",
        Status.IN_PROGRESS,
    ),
    Scenario(
        "extension-approve", _pending_extension, "dispatcher", lambda w, c: {},
        "extension_approved", Status.IN_PROGRESS,
    ),
    Scenario(
        "extension-refuse", _pending_extension, "dispatcher", lambda w, c: {"reason": "时限内可完成。"},
        "extension_refused", Status.IN_PROGRESS,
    ),
    Scenario(
        "send-back",
        _in_progress,
        "handler",
        lambda w, c: {"reason_code": "not_remit", "reason": "不属本单位职责。"},
        "sent_back",
        Status.TRIAGED,
    ),
    Scenario(
        "answer", _in_progress, "handler", lambda w, c: {"answer": "已修复。"}, "answered",
        Status.ANSWERED,
    ),
    Scenario(
        "return-visit",
        lambda w: w.answered(),
        "dispatcher",
        lambda w, c: {"contacted": True, "resolved": True, "satisfaction": "basic"},
        "visited",
        Status.VERIFIED,
    ),
    Scenario(
        "return-visit-unreached", lambda w: w.answered(), "dispatcher",
        lambda w, c: {"note": "电话无人接听。"}, "visit_failed_to_reach", Status.ANSWERED,
    ),
    Scenario(
        "reassign", lambda w: w.assigned(), "dispatcher",
        lambda w, c: {"lead_unit": w.other_dept.pk, "reason": "派错单位。"}, "reassigned",
        Status.ASSIGNED,
    ),
    Scenario(
        "recall", lambda w: w.assigned(), "dispatcher", lambda w, c: {"reason": "需重新研判。"},
        "recalled", Status.TRIAGED,
    ),
    Scenario(
        "reopen",
        lambda w: w.verified(passed=False),
        "dispatcher",
        lambda w, c: {"reason": "群众不满意。"},
        "reopened",
        Status.IN_PROGRESS,
    ),
    Scenario("close", lambda w: w.verified(), "dispatcher", lambda w, c: {}, "closed", Status.CLOSED),
    Scenario(
        "supervise", lambda w: w.assigned(), "dispatcher", lambda w, c: {"note": "请加快办理。"},
        "supervised", Status.ASSIGNED,
    ),
    Scenario(
        "merge",
        lambda w: w.report(),
        "dispatcher",
        lambda w, c: {"master": w.report().pk, "note": "重复反映。"},
        "merged",
        Status.MERGED,
    ),
    Scenario(
        "reject", lambda w: w.report(), "dispatcher", lambda w, c: {"reason": "不属受理范围。"},
        "rejected", Status.REJECTED,
    ),
    Scenario(
        "resolve-on-spot", lambda w: w.report(), "grid_worker", lambda w, c: {"answer": "已现场处理。"},
        "resolved_on_spot", Status.ANSWERED,
    ),
    Scenario(
        "rate", _residents_answered, "resident",
        lambda w, c: {"contacted": True, "resolved": True, "satisfaction": "satisfied", "comment": "很好"},
        "rated", Status.VERIFIED,
    ),
    Scenario(
        "contact", _in_progress, "handler", lambda w, c: {"note": "已电话联系诉求人。"},
        "contacted", Status.IN_PROGRESS,
    ),
    Scenario(
        "pause-clock", _in_progress, "dispatcher", lambda w, c: {"reason": "等待供电所鉴定。"},
        "clock_paused", Status.IN_PROGRESS,
    ),
    Scenario(
        "resume-clock",
        lambda w: services.pause_clock(_in_progress(w), actor=w.dispatcher, reason="等待鉴定。"),
        "dispatcher", lambda w, c: {"note": "鉴定结果已出。"},
        "clock_resumed", Status.IN_PROGRESS,
    ),
    Scenario(
        "request-info", _in_progress, "handler", lambda w, c: {"question": "请补充现场照片。"},
        "info_requested", Status.IN_PROGRESS,
    ),
    Scenario(
        "add-info", _residents_asked, "resident", lambda w, c: {"info": "路灯在村委会东侧。"},
        "info_added", Status.IN_PROGRESS,
    ),
    Scenario(
        "split",
        lambda w: w.report(title="来电反映两件事"),
        "dispatcher",
        lambda w, c: {"parts": [
            {"title": "路灯不亮", "description": "主路三盏路灯不亮。"},
            {"title": "垃圾未清运", "description": "村口垃圾三天未清运。", "category": None},
        ]},
        "split",
        Status.REPORTED,
    ),
    Scenario(
        "unmerge", lambda w: w.in_status(Status.MERGED), "dispatcher",
        lambda w, c: {"reason": "并非同一诉求。"}, "unmerged", Status.REPORTED,
    ),
    Scenario(
        "urge", lambda w: w.assigned(), "leader", lambda w, c: {"note": "请今日内答复。"},
        "urged", Status.ASSIGNED,
    ),
]  # fmt: skip


def test_every_engine_move_has_an_endpoint_and_a_scenario():
    user_moves = {name for name, rule in services.RULES.items() if rule.scope != "system"}
    assert {spec.kind for spec in moves.offered()} == user_moves
    assert {s.action for s in SCENARIOS} == {spec.action for spec in moves.offered()}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.action)
def test_the_move_answers_the_moved_case_and_writes_its_event(world, client_for, scenario):
    case = scenario.prepare(world)
    actor = getattr(world, scenario.actor)
    body = {"version": case.version, **scenario.body(world, case)}

    response = client_for(actor).post(case_url(case.pk, scenario.action), body, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert set(data) == DETAIL_KEYS
    assert data["id"] == case.pk
    assert data["status"] == scenario.status
    assert data["version"] == case.version + 1
    assert response["ETag"] == f'"case-{case.pk}-v{case.version + 1}-u{actor.pk}"'
    event = CaseEvent.objects.filter(case_id=case.pk).latest("id")
    assert (event.kind, event.actor_id, event.to_status) == (
        scenario.kind,
        actor.pk,
        scenario.status,
    )
    assert data["events"][-1]["id"] == event.pk
    assert (data["events"][-1]["via"], event.via) == ("api", "api")
    assert data["events"][-1]["kind_label"] == event.get_kind_display()
    assert data["events"][-1]["actor"] == {"id": actor.pk, "name": actor.display_name}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.action)
def test_a_stale_version_is_a_409_and_changes_nothing(world, client_for, scenario):
    case = scenario.prepare(world)
    body = {**scenario.body(world, case), "version": case.version - 1 or 99}
    before = snapshot(case)

    response = client_for(getattr(world, scenario.actor)).post(
        case_url(case.pk, scenario.action), body, format="json"
    )

    assert_error(response, 409, "stale", field=None)
    assert snapshot(case) == before


def test_a_move_not_allowed_from_the_state_is_a_409(world, client_for):
    case = world.verified()
    response = client_for(world.dispatcher).post(
        case_url(case.pk, "triage"), {"version": case.version}, format="json"
    )
    body = assert_error(response, 409, "invalid_transition", field=None)
    assert "不能执行该操作" in body["errors"][0]["message"]
    assert "not allowed" in body["errors"][0]["message_en"]


def test_a_failed_return_visit_keeps_the_case_waiting(world, client_for):
    case = world.answered()
    response = client_for(world.grid_worker).post(
        case_url(case.pk, "return-visit-unreached"),
        {"version": case.version, "note": "无人接听"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.ANSWERED
    assert last_kind(case.pk) == "visit_failed_to_reach"


def test_a_reached_visit_must_say_contacted_resolved_and_satisfaction(world, client_for):
    case = world.answered()
    response = client_for(world.dispatcher).post(
        case_url(case.pk, "return-visit"), {"version": case.version, "reached": True}, format="json"
    )
    body = assert_error(response, 400, "required", field="satisfaction")
    assert {e["field"] for e in body["errors"]} == {"contacted", "resolved", "satisfaction"}


def test_a_missing_version_is_a_400_naming_the_field(world, client_for):
    case = world.report()
    response = client_for(world.dispatcher).post(
        case_url(case.pk, "reject"), {"reason": "x"}, format="json"
    )
    body = assert_error(response, 400, "required", field="version")
    assert body["errors"][0]["message_en"] == "This field is required."


def test_an_engine_validation_error_names_its_field(world, client_for):
    case = world.in_status(Status.IN_PROGRESS)
    response = client_for(world.handler).post(
        case_url(case.pk, "extension-request"),
        {"version": case.version, "until": (case.deadline - timedelta(hours=1)).isoformat(),
         "reason": "需协调。"},
        format="json",
    )  # fmt: skip
    body = assert_error(response, 400, "not_later", field="until")
    assert body["errors"][0]["message_en"] == (
        "The extended deadline must be later than the original deadline."
    )


def test_assigning_to_an_enterprise_is_refused(world, client_for):
    case = world.in_status(Status.TRIAGED)
    response = client_for(world.dispatcher).post(
        case_url(case.pk, "assign"), {"version": case.version, "lead_unit": world.enterprise.pk},
        format="json",
    )  # fmt: skip
    assert_error(response, 400, "invalid_choice", field="lead_unit")


def test_merging_into_a_case_outside_the_callers_scope_is_a_400_on_master(world, client_for):
    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    case = world.report()  # in the town
    hidden = world.report(region=world.other_grid)  # in another town
    response = client_for(town_dispatcher).post(
        case_url(case.pk, "merge"), {"version": case.version, "master": hidden.pk}, format="json"
    )
    assert_error(response, 400, "does_not_exist", field="master")


def test_a_user_who_may_not_merge_is_refused_before_the_body_is_read(world, client_for):
    case = world.report()
    response = client_for(world.grid_worker).post(
        case_url(case.pk, "merge"), {"version": case.version, "master": "x"}, format="json"
    )
    assert_error(response, 403, "forbidden")


def test_the_master_of_a_merge_is_recorded(world, client_for):
    case, master = world.report(), world.report()
    response = client_for(world.dispatcher).post(
        case_url(case.pk, "merge"), {"version": case.version, "master": master.pk}, format="json"
    )
    assert response.json()["merged_into"] == master.pk


def test_a_closed_case_offers_no_moves(world, client_for):
    case = services.close_case(world.verified(), actor=world.dispatcher)
    response = client_for(world.dispatcher).get(case_url(case.pk))
    assert response.json()["allowed_moves"] == []


def test_satisfaction_is_recorded_as_sent(world, client_for):
    case = world.answered()
    client_for(world.dispatcher).post(
        case_url(case.pk, "return-visit"),
        {"version": case.version, "reached": True, "contacted": True, "resolved": False,
         "satisfaction": "unsatisfied", "note": "仍未修好"},
        format="json",
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.visit_resolved, case.visit_satisfaction) == (False, Satisfaction.UNSATISFIED)
