"""Extension requests to approve or refuse, and send-backs to dispatch again."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Status
from cases.tests.helpers import kinds, local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()
EXTENSIONS = reverse("dispatch:extensions")
SENT_BACK = reverse("dispatch:sent-back")


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def asking(world, **overrides) -> Case:
    """A case in progress whose lead unit asked for more time."""
    case = services.accept_case(world.assigned(**overrides), actor=world.handler)
    return services.request_extension(
        case, actor=world.handler, until=local(2026, 12, 15, 17), reason="需协调供电公司施工。"
    )


def post(client, name: str, case: Case, note: str = "", version: int | None = None):
    url = reverse(f"dispatch:{name}", args=[case.pk])
    data = {f"c{case.pk}-version": version or case.version, f"c{case.pk}-note": note}
    return client.post(url, data)


# --- The list ---------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert reverse("web:login") in client.get(EXTENSIONS)["Location"]
    assert reverse("web:login") in client.get(SENT_BACK)["Location"]


@pytest.mark.parametrize("who", ["outsider", "handler", "grid_worker"])
def test_the_lists_are_for_dispatchers(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(EXTENSIONS).status_code == 403
    assert client.get(SENT_BACK).status_code == 403


def test_the_list_shows_the_requested_date_reason_and_current_deadline(world, client):
    case = asking(world)
    world.assigned(title="没有申请延期的事项")
    client.force_login(world.dispatcher)
    response = client.get(EXTENSIONS)
    body = response.content.decode()
    assert [c.pk for c in response.context["cases"]] == [case.pk]
    assert "2026-12-15 17:00" in body and "需协调供电公司施工。" in body
    assert "2026-12-01 17:00" in body  # the deadline in force (5 working days)
    assert "剩余 5个工作日7小时" in body


def test_a_dispatcher_of_another_town_does_not_see_the_request(world, client):
    asking(world)
    client.force_login(make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert list(client.get(EXTENSIONS).context["cases"]) == []


def test_the_list_costs_the_same_queries_for_3_and_30_requests(
    world, client, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    for _ in range(3):
        asking(world)
    client.get(EXTENSIONS)
    with django_assert_num_queries(9) as three:
        client.get(EXTENSIONS)
    for _ in range(27):
        asking(world)
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(EXTENSIONS).context["cases"]) == 30


# --- Approve and refuse -----------------------------------------------------------------------


def test_approving_moves_the_deadline(world, client):
    case = asking(world)
    client.force_login(world.dispatcher)
    response = post(client, "extension-approve", case, note="同意")
    assert response.status_code == 302 and response["Location"] == EXTENSIONS
    case.refresh_from_db()
    assert case.deadline == local(2026, 12, 15, 17) and case.pending_extension_until is None
    assert case.extension_count == 1
    event = CaseEvent.objects.get(case=case, kind="extension_approved")
    assert event.actor == world.dispatcher and event.reason == "同意"


def test_refusing_needs_a_reason_beside_the_row(world, client):
    case = asking(world)
    client.force_login(world.dispatcher)
    response = post(client, "extension-refuse", case)
    assert response.status_code == 400
    [row] = response.context["cases"]
    assert row.form.errors["note"] == ["不同意延期必须说明理由。"]
    assert "extension_refused" not in kinds(case)
    response = post(client, "extension-refuse", case, note="原期限内可完成。")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pending_extension_until is None and case.deadline == local(2026, 12, 1, 17)
    assert CaseEvent.objects.get(case=case, kind="extension_refused").reason == "原期限内可完成。"


def test_approving_twice_gives_the_stale_message_and_one_event(world, client):
    case = asking(world)
    client.force_login(world.dispatcher)
    post(client, "extension-approve", case)
    response = post(client, "extension-approve", case)
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("该事项已被他人处理" in m for m in messages)
    assert kinds(case).count("extension_approved") == 1


def test_approving_is_for_dispatchers_of_the_case(world, client):
    case = asking(world)
    assert post(client, "extension-approve", case).status_code == 302  # anonymous
    client.force_login(world.handler)
    assert post(client, "extension-approve", case).status_code == 403
    client.force_login(make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert post(client, "extension-approve", case).status_code == 404
    assert post(client, "extension-refuse", case, note="不同意").status_code == 404
    assert "extension_approved" not in kinds(case)


# --- Send-backs -------------------------------------------------------------------------------


def test_send_backs_are_listed_with_the_units_reason_for_re_dispatch(world, client):
    case = world.assigned()
    services.send_back(
        case, actor=world.handler, reason_code="not_remit", reason="属市场监管职责。"
    )
    services.triage_case(world.report(title="普通待研判"), actor=world.dispatcher)
    client.force_login(world.dispatcher)
    response = client.get(SENT_BACK)
    body = response.content.decode()
    assert [c.pk for c in response.context["cases"]] == [case.pk]
    assert "属市场监管职责。" in body and "不属本单位职责" in body and world.dept.name in body
    assert reverse("dispatch:triage", args=[case.pk]) in body
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGED


def test_the_send_back_list_costs_the_same_queries_for_3_and_30(
    world, client, django_assert_num_queries
):
    def sent_back() -> None:
        services.send_back(world.assigned(), actor=world.handler, reason_code="other", reason="退")

    client.force_login(world.dispatcher)
    for _ in range(3):
        sent_back()
    client.get(SENT_BACK)
    with django_assert_num_queries(8) as three:
        client.get(SENT_BACK)
    for _ in range(27):
        sent_back()
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(SENT_BACK).context["cases"]) == 30
