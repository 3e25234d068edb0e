"""The one-screen triage and assignment (研判交办), its deadline preview, and 不予受理."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case, CaseAssignment, CaseEvent, Priority, RiskLevel, Status
from cases.tests.helpers import kinds, local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    # Tuesday 24 November 2026, 10:00 in Dehua: 3 working days end on Friday the 27th.
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def triage_url(case: Case) -> str:
    return reverse("dispatch:triage", args=[case.pk])


def form_data(world, case: Case, **overrides) -> dict:
    data = {
        "version": case.version,
        "category": world.category(case.case_type.code).pk,
        "priority": Priority.IMPORTANT,
        "lead_unit": world.dept.pk,
        "co_units": [world.other_dept.pk],
        "deadline": "",
        "note": "请三个工作日内答复。",
    }
    data.update(overrides)
    return data


# --- Permission -------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    case = world.report()
    response = client.get(triage_url(case))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "handler", "grid_worker"])
def test_people_without_the_dispatcher_role_are_refused(world, client, who):
    case = world.report()
    client.force_login(getattr(world, who))
    assert client.get(triage_url(case)).status_code == 403
    assert client.post(triage_url(case), form_data(world, case)).status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.REPORTED


def test_a_dispatcher_of_another_town_does_not_find_the_case(world, client):
    case = world.report()
    other = make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town)
    client.force_login(other)
    assert client.get(triage_url(case)).status_code == 404
    assert client.post(triage_url(case), form_data(world, case)).status_code == 404
    assert kinds(case) == ["reported"]


# --- The screen -------------------------------------------------------------------------------


def test_the_screen_shows_the_case_and_preselects_the_suggested_unit(world, client):
    category = world.category()
    category.suggested_unit = world.other_dept
    category.save()
    case = world.report(category=category)
    client.force_login(world.dispatcher)
    response = client.get(triage_url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.title in body and case.description in body
    form = response.context["form"]
    assert form["lead_unit"].value() == world.other_dept.pk
    assert f'data-unit="{world.other_dept.pk}"' in body  # the page follows a category change
    # The deadline of the case's current priority (一般: 5 working days) is shown before submitting.
    assert "办理期限：2026年12月1日 17:00（5个工作日）" in body
    # A dispatcher must reach the requester: shown unmasked.
    assert "13912345678" in body


def test_risk_level_is_asked_for_disputes_only(world, client):
    client.force_login(world.dispatcher)
    assert "risk_level" not in client.get(triage_url(world.report())).context["form"].fields
    dispute = world.report("dispute", title="邻里宅基地纠纷")
    assert "risk_level" in client.get(triage_url(dispute)).context["form"].fields


def test_the_deadline_preview_follows_the_priority_chosen(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    url = reverse("dispatch:deadline-preview", args=[case.pk])
    response = client.get(url, {"priority": Priority.IMPORTANT}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        response.content.decode()
        .strip()
        .endswith("办理期限：2026年11月27日 17:00（3个工作日）</strong>")
    )
    urgent = client.get(url, {"priority": Priority.URGENT}).content.decode()
    assert "办理期限：2026年11月24日 14:00（4个工作小时）" in urgent
    manual = client.get(url, {"priority": Priority.NORMAL, "deadline": "2026-12-10T12:00"})
    assert "办理期限：2026年12月10日 12:00（人工指定）" in manual.content.decode()


def test_the_deadline_preview_is_for_dispatchers_of_the_case_only(world, client):
    case = world.report()
    url = reverse("dispatch:deadline-preview", args=[case.pk])
    client.force_login(world.handler)
    assert client.get(url, {"priority": Priority.URGENT}).status_code == 403
    client.force_login(make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert client.get(url, {"priority": Priority.URGENT}).status_code == 404


# --- Triage and assign ------------------------------------------------------------------------


def test_submitting_triages_and_assigns_in_one_request(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = client.post(triage_url(case), form_data(world, case))
    assert response.status_code == 302 and response["Location"] == reverse("dispatch:inbox")
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    assert case.category == world.category() and case.priority == Priority.IMPORTANT
    assert case.lead_unit == world.dept
    assert case.deadline == local(2026, 11, 27, 17)
    assert set(
        CaseAssignment.objects.filter(case=case, is_active=True).values_list("unit", "is_lead")
    ) == {(world.dept.pk, True), (world.other_dept.pk, False)}
    assert kinds(case) == ["reported", "triaged", "assigned"]
    assigned = CaseEvent.objects.get(case=case, kind="assigned")
    assert assigned.actor == world.dispatcher and assigned.reason == "请三个工作日内答复。"
    page = client.get(reverse("dispatch:inbox")).content.decode()
    assert "已交办至" in page and "2026年11月27日 17:00" in page


def test_a_dispute_is_graded_for_risk(world, client):
    case = world.report("dispute", title="邻里宅基地纠纷")
    client.force_login(world.dispatcher)
    data = form_data(world, case, risk_level=RiskLevel.HIGH)
    assert client.post(triage_url(case), data).status_code == 302
    case.refresh_from_db()
    assert case.risk_level == RiskLevel.HIGH and case.status == Status.ASSIGNED
    missing = world.report("dispute", title="土地界址纠纷")
    response = client.post(triage_url(missing), form_data(world, missing))
    assert response.status_code == 400 and response.context["form"].errors["risk_level"]


def test_a_deadline_override_replaces_the_computed_one(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    client.post(triage_url(case), form_data(world, case, deadline="2026-12-10T12:00"))
    case.refresh_from_db()
    assert case.deadline == local(2026, 12, 10, 12)


def test_a_failed_assignment_leaves_the_case_untriaged(world, client, monkeypatch):
    """All or nothing: the triage is rolled back when the assignment after it fails."""
    case = world.report()
    client.force_login(world.dispatcher)

    def refuse(*args, **kwargs):
        raise services.InvalidTransition("交办失败")

    monkeypatch.setattr(services, "assign_case", refuse)
    response = client.post(triage_url(case), form_data(world, case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPORTED and case.triaged_at is None
    assert kinds(case) == ["reported"]


def test_a_deadline_in_the_past_is_shown_beside_the_field(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = client.post(triage_url(case), form_data(world, case, deadline="2026-11-20T12:00"))
    assert response.status_code == 400
    assert response.context["form"].errors["deadline"] == ["办理期限必须晚于当前时间。"]
    assert kinds(case) == ["reported"]


def test_a_resubmitted_form_is_refused_as_stale_without_a_second_move(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    data = form_data(world, case)
    client.post(triage_url(case), data)
    events = CaseEvent.objects.filter(case=case).count()
    response = client.post(triage_url(case), data, follow=True)
    assert "该事项已被他人处理（当前状态：交办）" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("caseviews:case-detail", args=[case.pk])
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_sent_back_case_can_be_dispatched_again(world, client):
    case = world.assigned()
    services.send_back(case, actor=world.handler, reason_code="not_remit", reason="不属本局职责")
    case.refresh_from_db()
    client.force_login(world.dispatcher)
    body = client.get(triage_url(case)).content.decode()
    assert "退单" in body and "不属本局职责" in body and "不属本单位职责" in body
    client.post(
        triage_url(case), form_data(world, case, lead_unit=world.other_dept.pk, co_units=[])
    )
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.lead_unit == world.other_dept


def test_the_screen_has_a_constant_number_of_queries(world, client, django_assert_max_num_queries):
    case = world.report()
    client.force_login(world.dispatcher)
    client.get(triage_url(case))
    with django_assert_max_num_queries(14):
        assert client.get(triage_url(case)).status_code == 200


# --- 不予受理 ------------------------------------------------------------------------------------


def test_a_case_is_rejected_with_a_reason(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    url = reverse("dispatch:reject", args=[case.pk])
    response = client.post(url, {"version": case.version, "reason": "属于司法程序，不予受理。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REJECTED
    event = CaseEvent.objects.get(case=case, kind="rejected")
    assert event.reason == "属于司法程序，不予受理。" and event.actor == world.dispatcher


def test_rejecting_needs_a_reason_shown_beside_the_field(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = client.post(reverse("dispatch:reject", args=[case.pk]), {"version": case.version})
    assert response.status_code == 400
    assert response.context["reject_form"].errors["reason"]
    assert kinds(case) == ["reported"]


def test_rejecting_twice_gives_the_stale_message_and_one_event(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    url = reverse("dispatch:reject", args=[case.pk])
    data = {"version": case.version, "reason": "重复反映"}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "该事项已被他人处理" in response.content.decode()
    assert kinds(case).count("rejected") == 1


def test_rejecting_is_for_dispatchers_of_the_case(world, client):
    case = world.report()
    url = reverse("dispatch:reject", args=[case.pk])
    data = {"version": case.version, "reason": "不予受理"}
    assert client.post(url, data).status_code == 302  # anonymous: to sign in
    client.force_login(world.handler)
    assert client.post(url, data).status_code == 403
    client.force_login(make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert client.post(url, data).status_code == 404
    assert kinds(case) == ["reported"]
