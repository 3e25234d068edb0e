"""The handling page of one case: answer, extension, send back, progress note, mediation."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, MediationOutcome, SendBackReason, Status
from cases.tests.helpers import kinds, local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def handling(world, type_code: str = "resident_issue", **overrides) -> Case:
    return services.accept_case(world.assigned(type_code, **overrides), actor=world.handler)


def page(case: Case) -> str:
    return reverse("department:case", args=[case.pk])


def move(client, name: str, url_name: str, case: Case, **fields):
    data = {f"{name}-version": fields.pop("version", case.version)}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(reverse(f"department:{url_name}", args=[case.pk]), data)


# --- The page ---------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    case = handling(world)
    assert reverse("web:login") in client.get(page(case))["Location"]
    assert reverse("web:login") in move(client, "answered", "answer", case, answer="好")["Location"]
    assert kinds(case)[-1] == "accepted"


def test_the_lead_unit_sees_its_moves_and_the_requester(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = client.get(page(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert [p["name"] for p in response.context["panels"]] == [
        "answered",
        "progress_noted",
        "extension_requested",
        "sent_back",
    ]
    assert "13912345678" in body  # the lead unit must contact the requester
    assert "签收" in body and "剩余 5个工作日7小时" in body  # the timeline and the clock


def test_a_co_unit_may_only_add_progress_notes_and_sees_the_requester_masked(world, client):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.other_dept, co_units=[world.dept]
    )
    case = services.accept_case(case, actor=world.other_handler)
    client.force_login(world.handler)
    response = client.get(page(case))
    assert [p["name"] for p in response.context["panels"]] == ["progress_noted"]
    body = response.content.decode()
    assert "13912345678" not in body and "139****5678" in body
    assert move(client, "answered", "answer", case, answer="已办").status_code == 403
    response = move(client, "progress_noted", "note", case, note="已配合现场核查。")
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="progress_noted")
    assert event.actor == world.handler and event.reason == "已配合现场核查。"


@pytest.mark.parametrize("who", ["outsider", "dispatcher", "grid_worker"])
def test_people_without_a_department_role_are_refused(world, client, who):
    case = handling(world)
    client.force_login(getattr(world, who))
    assert client.get(page(case)).status_code == 403
    assert move(client, "answered", "answer", case, answer="已办").status_code == 403


def test_another_department_does_not_find_the_case(world, client):
    case = handling(world)
    client.force_login(world.other_handler)
    assert client.get(page(case)).status_code == 404
    assert move(client, "answered", "answer", case, answer="已办").status_code == 404
    assert move(client, "progress_noted", "note", case, note="进展").status_code == 404
    assert kinds(case)[-1] == "accepted"


def test_the_case_page_costs_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
):
    case = handling(world)
    for index in range(10):
        services.add_progress_note(
            Case.objects.get(pk=case.pk), actor=world.handler, note=f"进展{index}"
        )
    client.force_login(world.handler)
    with django_assert_max_num_queries(14):
        assert client.get(page(case)).status_code == 200


# --- Answer -----------------------------------------------------------------------------------


def test_answering_records_the_reply(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = move(client, "answered", "answer", case, answer="已更换灯泡，恢复照明。")
    assert response.status_code == 302 and response["Location"] == reverse("department:in-progress")
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.answer == "已更换灯泡，恢复照明。"
    assert case.answered_on_time is True
    event = CaseEvent.objects.get(case=case, kind="answered")
    assert event.actor == world.handler and event.reason == "已更换灯泡，恢复照明。"


def test_an_empty_answer_is_shown_beside_the_field(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = move(client, "answered", "answer", case, answer="")
    assert response.status_code == 400
    [panel] = [p for p in response.context["panels"] if p["name"] == "answered"]
    assert panel["form"].errors["answer"]
    assert "answered" not in kinds(case)


def test_answering_twice_gives_the_stale_message_and_one_event(world, client):
    case = handling(world)
    client.force_login(world.handler)
    move(client, "answered", "answer", case, answer="已办")
    response = move(client, "answered", "answer", case, answer="已办")
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    follow = client.get(response["Location"])
    assert "该事项已被他人处理（当前状态：反馈）" in follow.content.decode()
    assert kinds(case).count("answered") == 1


# --- Extension --------------------------------------------------------------------------------


def test_an_extension_is_requested_with_a_date_and_reason(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = move(
        client,
        "extension_requested",
        "extension",
        case,
        until="2026-12-15T17:00",
        reason="需等待供电公司排期。",
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pending_extension_until == local(2026, 12, 15, 17)
    event = CaseEvent.objects.get(case=case, kind="extension_requested")
    assert event.reason == "需等待供电公司排期。" and event.actor == world.handler
    body = client.get(page(case)).content.decode()
    assert "延期待批：至 2026-12-15 17:00" in body
    assert "extension_requested" not in [
        p["name"] for p in client.get(page(case)).context["panels"]
    ]


def test_an_extension_before_the_current_deadline_is_refused_beside_the_date(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = move(
        client, "extension_requested", "extension", case, until="2026-11-30T12:00", reason="需要"
    )
    assert response.status_code == 400
    [panel] = [p for p in response.context["panels"] if p["name"] == "extension_requested"]
    assert panel["form"].errors["until"] == ["延期后的期限必须晚于原办理期限。"]
    assert "extension_requested" not in kinds(case)


# --- Send back --------------------------------------------------------------------------------


def test_a_case_is_sent_back_with_a_reason_code_and_text(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = move(
        client,
        "sent_back",
        "send-back",
        case,
        reason_code=SendBackReason.NOT_REMIT,
        reason="路灯属城管局管理。",
    )
    assert response.status_code == 302 and response["Location"] == reverse("department:queue")
    case.refresh_from_db()
    assert case.status == Status.TRIAGED and case.lead_unit is None
    event = CaseEvent.objects.get(case=case, kind="sent_back")
    assert event.data == {"reason_code": "not_remit", "unit": world.dept.pk}
    assert event.reason == "路灯属城管局管理。"


def test_a_send_back_needs_a_known_reason_code(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = move(client, "sent_back", "send-back", case, reason_code="bogus", reason="不归我们")
    assert response.status_code == 400
    assert "sent_back" not in kinds(case)


# --- Progress and mediation -------------------------------------------------------------------


def test_the_lead_unit_notes_progress(world, client):
    case = handling(world)
    client.force_login(world.handler)
    response = move(client, "progress_noted", "note", case, note="已联系供电所。")
    assert response.status_code == 302 and response["Location"] == page(case)
    assert CaseEvent.objects.get(case=case, kind="progress_noted").reason == "已联系供电所。"
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS


def test_a_dispute_records_its_mediation(world, client):
    case = handling(world, "dispute", title="邻里排水纠纷")
    client.force_login(world.handler)
    assert "mediated" in [p["name"] for p in client.get(page(case)).context["panels"]]
    response = move(
        client,
        "mediated",
        "mediation",
        case,
        note="双方达成调解协议。",
        outcome=MediationOutcome.SUCCESS,
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.mediation_outcome == MediationOutcome.SUCCESS
    assert CaseEvent.objects.get(case=case, kind="mediated").data == {"outcome": "success"}


def test_a_department_head_may_answer(world, client):
    case = handling(world)
    client.force_login(make_user("head", Role.DEPT_HEAD, organisation=world.dept))
    assert move(client, "answered", "answer", case, answer="已办结").status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED


@pytest.mark.parametrize(
    ("name", "url_name", "fields"),
    [
        ("progress_noted", "note", {"note": "已联系"}),
        ("extension_requested", "extension", {"until": "2026-12-15T17:00", "reason": "需要"}),
        ("sent_back", "send-back", {"reason_code": "other", "reason": "不归本局"}),
    ],
)
def test_a_resubmitted_move_is_stale_and_writes_no_second_event(
    world, client, name, url_name, fields
):
    case = handling(world)
    client.force_login(world.handler)
    assert move(client, name, url_name, case, **fields).status_code == 302
    events = CaseEvent.objects.filter(case=case).count()
    response = move(client, name, url_name, case, **fields)  # the same form, the old version
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("该事项已被他人处理" in m for m in messages)
    assert CaseEvent.objects.filter(case=case).count() == events
