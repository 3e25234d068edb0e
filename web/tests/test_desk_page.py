"""The desk (登记诉求): who may use it, and the three ways a call ends — 直接答复, 研判交办 and
仅登记 — each in one transaction, once per form."""

from __future__ import annotations

import uuid

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, CaseEvent, Channel, Priority, Status, TimeLimit, Via
from cases.tests.helpers import kinds, local
from cases.tests.world import make_user
from people.models import Role

URL = reverse("desk:desk")


@pytest.fixture(autouse=True)
def clock():
    # Tuesday 24 November 2026, 10:00 in Dehua: 一般 (5 working days) ends on 1 December.
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def category(world):
    category = world.category()
    category.suggested_unit = world.dept
    category.save()
    return category


def call(world, chosen, outcome: str, **overrides) -> dict:
    data = {
        "form_token": str(uuid.uuid4()),
        "requester_phone": "13700001111",
        "requester_name": "陈先生",
        "channel": Channel.HOTLINE,
        "case_type": world.types["resident_issue"].pk,
        "place": "德化县 › 浔中镇 › 浔中村",
        "region": world.village.pk,
        "address": "浔中村委会旁",
        "category": chosen.pk,
        "title": "",
        "description": "村委会旁路灯坏了三天。晚上很黑。",
        "priority": "",
        "answer": "",
        "lead_unit": "",
        "deadline": "",
        "note": "",
        "outcome": outcome,
    }
    data.update(overrides)
    return data


def only_case() -> Case:
    [case] = Case.objects.filter(requester_phone="13700001111")
    return case


def via(case: Case) -> set[str]:
    return set(CaseEvent.objects.filter(case=case).values_list("via", flat=True))


# --- Who may use it ---------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("who", ["grid_worker", "resident", "handler", "outsider"])
def test_other_roles_are_refused(world, client, category, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, call(world, category, "register")).status_code == 403
    for endpoint in ("desk:caller", "desk:regions", "desk:deadline"):
        assert client.get(reverse(endpoint), {"q": "xzc"}).status_code == 403
    assert not Case.objects.filter(requester_phone="13700001111").exists()


@pytest.mark.parametrize("who", ["operator", "dispatcher", "admin"])
def test_the_desk_opens_for_operators_and_dispatchers(world, client, who):
    client.force_login(getattr(world, who))
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "登记诉求" in body and 'role="combobox"' in body and "autofocus" in body
    # The keyboard order: phone first, then name, channel, type, place … the three outcomes.
    order = [
        'name="requester_phone"',
        'name="requester_name"',
        'name="channel"',
        'name="case_type"',
        'id="id_place"',
        'name="address"',
        'name="category"',
        'name="title"',
        'name="description"',
        'name="priority"',
        'value="answer"',
        'value="assign"',
        'value="register"',
    ]
    positions = [body.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The deadline an assignment would get is shown before submitting.
    assert "办理期限：" in body


def test_an_operator_lands_on_the_desk_and_finds_it_in_the_menu(world, client):
    client.force_login(world.operator)
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == URL
    assert "登记诉求" in client.get(URL).content.decode()
    client.force_login(world.dispatcher)
    assert 'href="/desk/"' in client.get(reverse("web:home")).content.decode()


# --- The three outcomes -----------------------------------------------------------------------


def test_answer_on_the_spot_registers_and_resolves_in_one_step(world, client, category):
    client.force_login(world.operator)
    data = call(world, category, "answer", answer="已告知路灯报修电话，并联系村委会当日修复。")
    response = client.post(URL, data)
    case = only_case()
    assert response.status_code == 302 and response["Location"] == f"{URL}?done={case.pk}"
    assert kinds(case) == ["reported", "resolved_on_spot"]
    assert via(case) == {Via.WEB}
    assert case.status == Status.ANSWERED and case.resolved_on_spot
    assert case.answer.startswith("已告知") and case.channel == Channel.HOTLINE
    assert case.reported_by == world.operator and case.requester_name == "陈先生"
    assert case.title == "村委会旁路灯坏了三天"  # derived from the first sentence
    page = client.get(response["Location"]).content.decode()
    assert f"已登记 {case.number}，已直接答复（当场办结）" in page
    assert reverse("caseviews:case-detail", args=[case.pk]) in page


def test_answer_on_the_spot_needs_the_answer(world, client, category):
    client.force_login(world.operator)
    response = client.post(URL, call(world, category, "answer"))
    assert response.status_code == 400
    assert response.context["form"].errors["answer"] == ["直接答复须填写答复内容。"]
    assert not Case.objects.filter(requester_phone="13700001111").exists()


def test_triage_and_assign_goes_to_the_suggested_unit_with_its_deadline(world, client, category):
    client.force_login(world.operator)
    data = call(world, category, "assign", channel=Channel.WALK_IN, note="请尽快修复。")
    response = client.post(URL, data)
    case = only_case()
    assert response.status_code == 302
    assert kinds(case) == ["reported", "triaged", "assigned"]
    assert via(case) == {Via.WEB}
    assert case.status == Status.ASSIGNED and case.lead_unit == world.dept
    assert case.channel == Channel.WALK_IN and case.category == category
    assert case.priority == Priority.NORMAL and case.deadline == local(2026, 12, 1, 17)
    page = client.get(response["Location"]).content.decode()
    assert f"已登记 {case.number}，已交办至{world.dept}，办理期限 2026年12月1日 17:00。" in page


def test_triage_and_assign_takes_the_chosen_unit_priority_and_co_units(world, client, category):
    client.force_login(world.dispatcher)
    data = call(
        world,
        category,
        "assign",
        lead_unit=world.other_dept.pk,
        co_units=[world.dept.pk],
        priority=Priority.IMPORTANT,
    )
    assert client.post(URL, data).status_code == 302
    case = only_case()
    assert case.lead_unit == world.other_dept and case.priority == Priority.IMPORTANT
    assert list(case.assignments.filter(is_lead=False).values_list("unit", flat=True)) == [
        world.dept.pk
    ]
    assert case.deadline == local(2026, 11, 27, 17)  # 重要: 3 working days


def test_triage_and_assign_needs_a_category(world, client, category):
    client.force_login(world.operator)
    response = client.post(URL, call(world, category, "assign", category=""))
    assert response.status_code == 400
    assert response.context["form"].errors["category"] == ["研判交办须选择分类。"]


def test_register_only_leaves_the_case_for_the_dispatcher(world, client, category):
    client.force_login(world.operator)
    response = client.post(URL, call(world, category, "register"))
    case = only_case()
    assert response.status_code == 302
    assert kinds(case) == ["reported"] and via(case) == {Via.WEB}
    assert case.status == Status.REPORTED and case.lead_unit is None
    assert "待研判交办" in client.get(response["Location"]).content.decode()
    client.force_login(world.dispatcher)
    assert case.number in client.get(reverse("dispatch:inbox")).content.decode()


def test_an_engine_refusal_of_the_second_step_stores_nothing(world, client, category):
    """Report + 研判交办 is one transaction: no time limit, no deadline, no case at all."""
    TimeLimit.objects.filter(
        case_type=world.types["resident_issue"], priority=Priority.NORMAL
    ).delete()
    client.force_login(world.operator)
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    data = call(world, category, "assign")
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors["deadline"]
    assert "请指定办理期限" in response.content.decode()
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)
    # The operator names a deadline and sends the same form again: now it goes through.
    data["deadline"] = "2026-12-04T17:00"
    assert client.post(URL, data).status_code == 302
    assert kinds(only_case()) == ["reported", "triaged", "assigned"]


def test_a_double_submit_makes_one_case(world, client, category):
    client.force_login(world.operator)
    data = call(world, category, "assign")
    first = client.post(URL, data)
    second = client.post(URL, data)
    case = only_case()
    assert first["Location"] == second["Location"] == f"{URL}?done={case.pk}"
    assert kinds(case) == ["reported", "triaged", "assigned"]


def test_a_place_outside_the_scope_is_refused(world, client, category):
    operator = make_user("town_operator", Role.OPERATOR, region=world.town)
    client.force_login(operator)
    response = client.post(URL, call(world, category, "register", region=world.other_grid.pk))
    assert response.status_code == 400
    assert response.context["form"].errors["region"] == ["只能选择本人负责范围内的地点。"]
    missing = client.post(URL, call(world, category, "register", region=""))
    assert "请选择地点" in missing.context["form"].errors["region"][0]
    assert not Case.objects.filter(requester_phone="13700001111").exists()


def test_a_channel_the_desk_does_not_take_is_refused(world, client, category):
    client.force_login(world.operator)
    response = client.post(URL, call(world, category, "register", channel=Channel.GRID))
    assert response.status_code == 400 and response.context["form"].errors["channel"]


def test_a_repeat_call_is_linked_to_the_open_case(world, client, category):
    earlier = world.report(requester_phone="13700001111", title="路灯不亮")
    client.force_login(world.operator)
    data = call(world, category, "register", repeat_of=earlier.number)
    response = client.post(URL, data)
    new = Case.objects.exclude(pk=earlier.pk).get(requester_phone="13700001111")
    assert new.details == {"repeat_caller": True, "repeat_of": earlier.number}
    page = client.get(response["Location"]).content.decode()
    assert f"重复来电，关联事项 {earlier.number}" in page


def test_a_link_to_a_case_the_user_does_not_see_is_refused(world, client, category):
    hidden = world.report(requester_phone="13700001111")
    operator = make_user("other_operator", Role.OPERATOR, region=world.other_town)
    client.force_login(operator)
    data = call(world, category, "register", region=world.other_grid.pk, repeat_of=hidden.number)
    response = client.post(URL, data)
    assert response.status_code == 400 and response.context["form"].errors["repeat_of"]


def test_a_confirmation_of_someone_elses_case_is_not_shown(world, client):
    case = world.report()
    client.force_login(make_user("other_operator", Role.OPERATOR, region=world.other_town))
    body = client.get(URL, {"done": case.pk}).content.decode()
    assert case.number not in body
    assert client.get(URL, {"done": "x" * 30}).status_code == 200


def test_a_registered_residents_call_is_theirs_to_follow_and_rate_on_the_phone(
    world, client, category
):
    """The caller's number belongs to a resident who signs in on the phone pages: the case
    names them as requester, so it is on their 我的诉求 and they may rate its answer."""
    client.force_login(world.operator)
    client.post(URL, call(world, category, "register", requester_phone="13959001234"))
    [case] = Case.objects.filter(requester_phone="13959001234")
    assert case.requester == world.resident.person
    assert case.requester_name == "陈先生"  # the name the caller gave is kept
    client.force_login(world.resident)
    assert case.number in client.get(reverse("mine:list")).content.decode()


def test_a_staff_members_number_names_no_requester(world, client, category):
    """Only residents and enterprise liaisons are linked; a shared or staff number is not."""
    client.force_login(world.operator)
    client.post(URL, call(world, category, "register", requester_phone="13800000000"))
    [case] = Case.objects.filter(requester_phone="13800000000")
    assert case.requester is None


def test_a_dispute_answered_at_once_records_its_mediation_outcome(world, client):
    """As on the case page, a dispute settled on the call counts in 调处成功率 with its outcome."""
    dispute = world.category("dispute")
    client.force_login(world.operator)
    data = call(
        world,
        dispute,
        "answer",
        case_type=world.types["dispute"].pk,
        description="邻居装修噪音扰民，电话沟通后双方同意调整施工时间。",
        answer="已电话调解，双方同意每天8时至18时施工。",
    )
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors["mediation_outcome"] == [
        "纠纷类事项直接答复须选择调处结果。"
    ]
    assert not Case.objects.filter(requester_phone="13700001111").exists()
    client.post(URL, {**data, "mediation_outcome": "success", "form_token": str(uuid.uuid4())})
    case = only_case()
    assert case.resolved_on_spot and case.mediation_outcome == "success"
