"""Every move through the one generic endpoint: its effect, its event, stale resubmits, the
confirmation step of irreversible moves, and errors shown beside their field."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseAssignment, CaseEvent, Status
from cases.moves import CATALOGUE
from cases.services import RULES


def move_url(case: Case, kind: str) -> str:
    return reverse("caseviews:case-move", args=[case.pk, kind])


def detail_url(case: Case) -> str:
    return reverse("caseviews:case-detail", args=[case.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def post(client, case: Case, kind: str, data: dict[str, Any] | None = None, **kwargs):
    return client.post(move_url(case, kind), {"version": case.version, **(data or {})}, **kwargs)


def test_every_user_move_of_the_engine_has_a_form_and_a_case_below():
    user_moves = {kind for kind, rule in RULES.items() if rule.scope != "system"}
    assert {kind for kind, spec in CATALOGUE.items() if spec.offered} == user_moves
    assert {row[0] for row in CASES} == user_moves


def in_progress(world, type_code: str = "resident_issue") -> Case:
    return services.accept_case(world.assigned(type_code), actor=world.handler)


def with_extension_request(world) -> Case:
    case = world.assigned()
    return services.request_extension(
        case, actor=world.handler, until=case.deadline + timedelta(days=3), reason="材料未齐"
    )


def deadline_of(case: Case) -> datetime:
    assert case.deadline is not None
    return case.deadline


def future(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


# kind, the case to start from, who moves, the form data, the expected state, a check on the case.
Check = Callable[[Any, Case], bool]
CASES: list[tuple[str, Callable, str, Callable[[Any, Case], dict], str, Check]] = [
    (
        "triaged",
        lambda w: w.report(),
        "dispatcher",
        lambda w, c: {"category": w.category().pk, "priority": "urgent", "note": "属实"},
        Status.TRIAGED,
        lambda w, c: c.priority == "urgent" and c.category == w.category(),
    ),
    (
        "assigned",
        lambda w: services.triage_case(w.report(), actor=w.dispatcher),
        "dispatcher",
        lambda w, c: {"lead_unit": w.dept.pk, "co_units": [w.other_dept.pk], "deadline": future(9)},
        Status.ASSIGNED,
        lambda w, c: (
            c.lead_unit == w.dept
            and CaseAssignment.objects.filter(
                case=c, unit=w.other_dept, is_lead=False, is_active=True
            ).exists()
        ),
    ),
    (
        "contacted",
        in_progress,
        "handler",
        lambda w, c: {"note": "已电话联系诉求人，约定明日上门。"},
        Status.IN_PROGRESS,
        lambda w, c: c.contacted_at is not None,
    ),
    (
        "clock_paused",
        in_progress,
        "dispatcher",
        lambda w, c: {"reason": "等待供电所鉴定。"},
        Status.IN_PROGRESS,
        lambda w, c: c.clock_paused_at is not None and c.clock_paused_by_hand,
    ),
    (
        "clock_resumed",
        lambda w: services.pause_clock(in_progress(w), actor=w.dispatcher, reason="等待鉴定。"),
        "dispatcher",
        lambda w, c: {"note": "鉴定结果已出。"},
        Status.IN_PROGRESS,
        lambda w, c: c.clock_paused_at is None,
    ),
    (
        "info_requested",
        in_progress,
        "handler",
        lambda w, c: {"question": "请补充现场照片。"},
        Status.IN_PROGRESS,
        lambda w, c: c.info_requested_at is not None,
    ),
    (
        "info_added",
        lambda w: services.request_info(
            w.report(actor=w.resident, channel="web", requester=w.resident.person),
            actor=w.dispatcher,
            question="路灯编号？",
        ),
        "resident",
        lambda w, c: {"info": "编号 XZ-017。"},
        Status.REPORTED,
        lambda w, c: c.info_requested_at is None,
    ),
    (
        "rated",
        lambda w: w.answered(actor=w.resident, channel="web", requester=w.resident.person),
        "resident",
        lambda w, c: {"contacted": "true", "resolved": "true", "satisfaction": "basic"},
        Status.VERIFIED,
        lambda w, c: c.visit_valid and c.visit_satisfaction == "basic",
    ),
    (
        "resolved_on_spot",
        lambda w: w.report(),
        "grid_worker",
        lambda w, c: {"answer": "当场修好了"},
        Status.ANSWERED,
        lambda w, c: c.resolved_on_spot,
    ),
    (
        "accepted",
        lambda w: w.assigned(),
        "handler",
        lambda w, c: {},
        Status.IN_PROGRESS,
        lambda w, c: c.accepted_at is not None,
    ),
    (
        "progress_noted",
        lambda w: w.assigned(),
        "handler",
        lambda w, c: {"note": "已到现场"},
        Status.ASSIGNED,
        lambda w, c: True,
    ),
    (
        "mediated",
        lambda w: in_progress(w, "dispute"),
        "handler",
        lambda w, c: {"note": "双方达成一致", "outcome": "success"},
        Status.IN_PROGRESS,
        lambda w, c: c.mediation_outcome == "success",
    ),
    (
        "answered",
        in_progress,
        "handler",
        lambda w, c: {"answer": "已修复路灯"},
        Status.ANSWERED,
        lambda w, c: c.answer == "已修复路灯",
    ),
    (
        "extension_requested",
        lambda w: w.assigned(),
        "handler",
        lambda w, c: {
            "until": timezone.localtime(deadline_of(c) + timedelta(days=5)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "reason": "需要采购配件",
        },
        Status.ASSIGNED,
        lambda w, c: c.pending_extension_until is not None,
    ),
    (
        "extension_approved",
        with_extension_request,
        "dispatcher",
        lambda w, c: {"note": "同意"},
        Status.ASSIGNED,
        lambda w, c: c.extension_count == 1 and not c.pending_extension_until,
    ),
    (
        "extension_refused",
        with_extension_request,
        "dispatcher",
        lambda w, c: {"reason": "可按期"},
        Status.ASSIGNED,
        lambda w, c: c.extension_count == 0 and not c.pending_extension_until,
    ),
    (
        "sent_back",
        lambda w: w.assigned(),
        "handler",
        lambda w, c: {"reason_code": "not_remit", "reason": "属供电公司职责"},
        Status.TRIAGED,
        lambda w, c: c.lead_unit_id is None and c.send_back_count == 1,
    ),
    (
        "visited",
        lambda w: w.answered(),
        "grid_worker",
        lambda w, c: {"contacted": "1", "resolved": "1", "satisfaction": "satisfied"},
        Status.VERIFIED,
        lambda w, c: c.visit_passed,
    ),
    (
        "visit_failed_to_reach",
        lambda w: w.answered(),
        "grid_worker",
        lambda w, c: {"note": "未接"},
        Status.ANSWERED,
        lambda w, c: not c.visit_valid,
    ),
    (
        "reopened",
        lambda w: w.verified(passed=False),
        "dispatcher",
        lambda w, c: {"reason": "群众不满意"},
        Status.IN_PROGRESS,
        lambda w, c: c.rework_count == 1,
    ),
    (
        "supervised",
        lambda w: w.assigned(),
        "leader",
        lambda w, c: {"note": "请加快"},
        Status.ASSIGNED,
        lambda w, c: c.supervision_level == 1,
    ),
    (
        "reassigned",
        lambda w: w.assigned(),
        "dispatcher",
        lambda w, c: {"lead_unit": w.other_dept.pk, "reason": "派错单位"},
        Status.ASSIGNED,
        lambda w, c: c.lead_unit == w.other_dept,
    ),
    (
        "recalled",
        lambda w: w.assigned(),
        "dispatcher",
        lambda w, c: {"reason": "需重新研判"},
        Status.TRIAGED,
        lambda w, c: c.lead_unit_id is None,
    ),
    (
        "closed",
        lambda w: w.verified(),
        "dispatcher",
        lambda w, c: {},
        Status.CLOSED,
        lambda w, c: c.closed_at is not None,
    ),
    (
        "rejected",
        lambda w: w.report(),
        "dispatcher",
        lambda w, c: {"reason": "不属受理范围"},
        Status.REJECTED,
        lambda w, c: c.closed_at is not None,
    ),
    (
        "merged",
        lambda w: w.report(),
        "dispatcher",
        lambda w, c: {"master": Case.objects.exclude(pk=c.pk).get().number, "note": "重复"},
        Status.MERGED,
        lambda w, c: c.merged_into_id is not None,
    ),
    (
        "split",
        lambda w: w.report(title="来电反映两件事"),
        "operator",
        lambda w, c: {
            "parts-0-title": "路灯不亮",
            "parts-0-description": "主路三盏路灯不亮。",
            "parts-1-title": "垃圾未清运",
            "parts-1-description": "村口垃圾三天未清运。",
            "parts-1-category": str(w.category().pk),
            "parts-2-title": "",  # a spare row of the page, left blank
            "parts-2-description": "",
        },
        Status.REPORTED,
        lambda w, c: (
            c.title == "路灯不亮"
            and [(s.title, s.category) for s in c.split_cases.all()]
            == [("垃圾未清运", w.category())]
        ),
    ),
    (
        "unmerged",
        lambda w: w.in_status(Status.MERGED),
        "dispatcher",
        lambda w, c: {"reason": "并非同一诉求"},
        Status.REPORTED,
        lambda w, c: c.merged_into_id is None and c.closed_at is None,
    ),
    (
        "urged",
        lambda w: w.assigned(),
        "leader",
        lambda w, c: {"note": "请今日内答复"},
        Status.ASSIGNED,
        lambda w, c: c.supervision_level == 0,
    ),
]


@pytest.mark.parametrize(
    "kind, start, actor, data, state, check", CASES, ids=[row[0] for row in CASES]
)
def test_each_move_through_the_generic_endpoint(
    world, client, kind, start, actor, data, state, check
):
    if kind == "merged":
        world.report(title="主事项")
    case = start(world)
    before = case.events.count()
    client.force_login(getattr(world, actor))
    response = post(client, case, kind, data(world, case))
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    case.refresh_from_db()
    assert case.status == state
    assert check(world, case)
    event = case.events.order_by("-created_at", "-id").first()
    assert case.events.count() == before + 1
    assert event.kind == kind and event.actor == getattr(world, actor)
    assert "已完成" in messages_of(response)[0]


def test_the_case_page_shows_the_move_in_the_timeline_after_the_redirect(world, client):
    case = world.assigned()
    client.force_login(world.handler)
    response = post(client, case, "progress_noted", {"note": "已联系供电所"}, follow=True)
    body = response.content.decode()
    assert "办理进展" in body and "已联系供电所" in body


def test_a_resubmitted_form_is_stale_and_shows_the_fresh_case(world, client):
    case = world.assigned()
    client.force_login(world.handler)
    post(client, case, "accepted")
    response = post(client, case, "accepted", follow=True)  # the same version again
    assert response.redirect_chain[-1][0] == detail_url(case)
    assert any("已被他人处理" in m for m in messages_of(response))
    body = response.content.decode()
    assert "已被他人处理" in body and case.case_type.label(Status.IN_PROGRESS) in body
    assert CaseEvent.objects.filter(case=case, kind="accepted").count() == 1


def test_a_move_made_by_someone_else_meanwhile_is_stale(world, client):
    case = world.report()
    services.triage_case(case, actor=world.dispatcher)  # bumps the version behind the form
    client.force_login(world.dispatcher)
    response = post(client, case, "rejected", {"reason": "重复"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.TRIAGED
    assert "已被他人处理" in messages_of(response)[0]


@pytest.mark.parametrize(
    "kind, start",
    [
        ("closed", lambda w: w.verified()),
        ("rejected", lambda w: w.report()),
        ("merged", lambda w: w.report()),
    ],
)
def test_irreversible_moves_show_a_confirmation_page_first(world, client, kind, start):
    case = start(world)
    client.force_login(world.dispatcher)
    response = client.get(move_url(case, kind))
    assert response.status_code == 200
    body = response.content.decode()
    assert "不能撤销" in body and "确认" in body and f'value="{case.version}"' in body
    case.refresh_from_db()
    assert case.events.filter(kind=kind).count() == 0  # GET shows, only POST acts


def test_a_required_field_error_is_shown_beside_the_field(world, client):
    case = in_progress(world)
    client.force_login(world.handler)
    response = post(client, case, "answered", {"answer": "  "})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["answer"]
    body = response.content.decode()
    field = body[body.index('for="id_answer"') :]
    assert field.index("请填写答复内容") < field.index('name="answer"')
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_services_validation_error_is_shown_beside_its_field(world, client):
    case = world.verified(passed=False)
    client.force_login(world.dispatcher)
    response = post(client, case, "closed", {"note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == ["回访未通过的事项销号必须说明理由。"]
    assert "回访未通过的事项销号必须说明理由" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.VERIFIED


def test_a_form_check_shows_a_late_extension_date_beside_its_field(world, client):
    case = world.assigned()
    client.force_login(world.handler)
    early = timezone.localtime(case.deadline - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = post(client, case, "extension_requested", {"until": early, "reason": "来不及"})
    assert response.context["form"].errors["until"] == ["延期后的期限必须晚于原办理期限。"]


def test_merging_into_an_unknown_number_is_an_error_beside_the_field(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = post(client, case, "merged", {"master": "LX000"})
    assert "未找到编号为" in response.context["form"].errors["master"][0]


def test_a_visible_move_the_user_may_not_make_is_forbidden(world, client):
    case = world.verified()
    client.force_login(world.leader)  # sees every case, closes none
    response = post(client, case, "closed", {"note": "结案"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.VERIFIED


def test_a_move_from_the_wrong_state_is_refused_with_a_message(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = post(client, case, "closed", {"note": "结案"})
    assert response.status_code == 302
    assert "不能执行该操作" in messages_of(response)[0]


def test_opening_a_move_the_user_may_not_make_now_goes_back_to_the_case(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = client.get(move_url(case, "closed"))
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assert "不能对该事项执行" in messages_of(response)[0]


def test_an_outsider_cannot_move_a_case_they_cannot_see(world, client):
    case = world.report()
    client.force_login(world.other_grid_worker)
    assert post(client, case, "resolved_on_spot", {"answer": "x"}).status_code == 404
    assert client.get(move_url(case, "resolved_on_spot")).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.REPORTED


def test_an_unknown_move_is_not_found(world, client):
    client.force_login(world.dispatcher)
    assert client.get(move_url(world.report(), "teleported")).status_code == 404


def test_an_anonymous_move_is_sent_to_sign_in(world, client):
    response = post(client, world.report(), "triaged")
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_a_visit_needs_all_three_answers(world, client):
    case = world.answered()
    client.force_login(world.dispatcher)
    response = post(client, case, "visited", {"contacted": "1", "satisfaction": "satisfied"})
    assert "resolved" in response.context["form"].errors
    assert 'value="basic"' in response.content.decode()
