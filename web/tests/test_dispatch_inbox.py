"""The dispatcher's inbox: cases to triage, sent-back ones marked, duplicate hints and merging."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Status
from cases.tests.helpers import kinds, local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role
from web.dispatch.duplicates import bigrams, similarity

module_world = module_world_fixture()
INBOX = reverse("dispatch:inbox")


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def rows(response) -> list[int]:
    return [case.pk for case in response.context["cases"]]


# --- Permission -------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("who", ["outsider", "handler", "grid_worker", "leader"])
def test_the_inbox_is_for_dispatchers(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(INBOX).status_code == 403


def test_a_dispatcher_sees_only_cases_of_their_region(world, client):
    here = world.report()
    there = world.report(region=world.other_grid, title="龙浔镇路面塌陷")
    client.force_login(make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town))
    assert rows(client.get(INBOX)) == [there.pk]
    client.force_login(world.dispatcher)
    assert set(rows(client.get(INBOX))) == {here.pk, there.pk}


def test_an_administrator_sees_the_inbox(world, client):
    case = world.report()
    client.force_login(world.admin)
    assert rows(client.get(INBOX)) == [case.pk]


# --- Content ----------------------------------------------------------------------------------


def test_it_lists_reported_and_triaged_cases_oldest_first(world, client, clock):
    first = world.report(title="路灯不亮")
    clock.shift(timedelta(minutes=5))
    second = services.triage_case(world.report(title="垃圾清运不及时"), actor=world.dispatcher)
    assigned = world.assigned(title="已交办的事项")
    client.force_login(world.dispatcher)
    response = client.get(INBOX)
    assert rows(response) == [first.pk, second.pk]
    assert f'href="/dispatch/cases/{assigned.pk}/triage/"' not in response.content.decode()
    assert response.context["tab_counts"]["inbox"] == 2


def test_a_sent_back_case_is_marked_with_the_units_reason(world, client):
    case = world.assigned()
    services.send_back(
        case, actor=world.handler, reason_code="wrong_place", reason="发生地属龙浔镇，请改派。"
    )
    client.force_login(world.dispatcher)
    body = client.get(INBOX).content.decode()
    assert "退单" in body and "发生地属龙浔镇，请改派。" in body
    assert "不属本辖区" in body and world.dept.name in body


def test_the_last_send_back_reason_is_the_one_shown(world, client):
    case = world.assigned()
    services.send_back(case, actor=world.handler, reason_code="other", reason="第一次退单理由")
    case = services.assign_case(
        Case.objects.get(pk=case.pk), actor=world.dispatcher, lead_unit=world.other_dept
    )
    services.send_back(case, actor=world.other_handler, reason_code="not_remit", reason="第二次")
    client.force_login(world.dispatcher)
    [row] = client.get(INBOX).context["cases"]
    assert row.sent_back_reason == "第二次" and row.sent_back_unit == world.other_dept.name
    assert row.sent_back_label == "不属本单位职责"


def test_duplicates_are_hinted_by_place_and_category_or_by_title(world, client, clock):
    category = world.category()
    older = world.report(title="浔中村主路路灯损坏", category=category)
    clock.shift(timedelta(hours=1))
    same_kind = world.report(title="垃圾桶满溢", category=category)
    similar_elsewhere = world.report(region=world.other_grid, title="浔中村主路路灯损坏了")
    unrelated = world.report("enterprise_demand", region=world.other_grid, title="企业用工招聘咨询")
    client.force_login(world.dispatcher)
    cases = {c.pk: c for c in client.get(INBOX).context["cases"]}
    hinted = {h.pk for h in cases[older.pk].hints}
    assert hinted == {same_kind.pk, similar_elsewhere.pk}
    assert {h.pk for h in cases[unrelated.pk].hints} == set()
    # Before triage (no category) the same type in the same place is a hint.
    assert {h.pk for h in cases[similar_elsewhere.pk].hints} == {older.pk}
    [title_hint] = [h for h in cases[older.pk].hints if h.pk == similar_elsewhere.pk]
    assert title_hint.reason == "标题相似" and not title_hint.same_kind


def test_cases_older_than_30_days_or_closed_are_not_hinted(world, client, clock):
    old = world.report(title="路灯不亮")
    clock.shift(timedelta(days=31))
    closed = world.in_status(Status.CLOSED, title="路灯不亮")
    new = world.report(title="路灯不亮")
    client.force_login(world.dispatcher)
    cases = {c.pk: c for c in client.get(INBOX).context["cases"]}
    assert {h.pk for h in cases[new.pk].hints} == set()
    assert old.pk in cases and closed.pk not in cases


def test_a_shared_place_name_alone_is_not_a_duplicate(world, client):
    """A bigram in many titles (a village's name) does not make two titles similar by itself."""
    for topic in [
        "排水沟堵塞",
        "垃圾清运",
        "井盖缺失",
        "广场噪音",
        "电线老化",
        "河道漂浮物",
        "违章搭建",
        "占道经营",
        "树木倒伏",
        "道路破损",
        "公厕脏乱",
    ]:
        world.report("enterprise_demand", region=world.other_grid, title=f"浔中村{topic}")
    lamp = world.report(title="浔中村路灯")
    committee = world.report("hazard", region=world.other_grid, title="浔中村委会")
    again = world.report("hazard", region=world.other_grid, title="浔中村路灯杆")
    client.force_login(world.dispatcher)
    cases = {c.pk: c for c in client.get(INBOX).context["cases"]}
    assert [h.pk for h in cases[lamp.pk].hints] == [again.pk]
    assert committee.pk not in {h.pk for h in cases[lamp.pk].hints}


def test_title_similarity_is_by_character_bigrams():
    assert bigrams("路灯 不亮！") == {"路灯", "灯不", "不亮"}
    assert similarity(bigrams("路灯不亮"), bigrams("村口路灯不亮了")) == pytest.approx(2 * 3 / 9)
    assert similarity(bigrams("路灯不亮"), bigrams("企业用工")) == 0


def test_the_inbox_costs_the_same_queries_for_3_and_30_cases(
    world, client, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    for _ in range(3):
        world.report()
    sent = world.assigned()
    services.send_back(sent, actor=world.handler, reason_code="other", reason="退回")
    client.get(INBOX)
    with django_assert_num_queries(9) as three:
        client.get(INBOX)
    for _ in range(26):
        world.report(title="另一件事")
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(INBOX)
    assert len(response.context["cases"]) == 30


# --- Merge ------------------------------------------------------------------------------------


def test_merging_shows_both_cases_then_merges_on_post(world, client):
    master = world.report(title="路灯不亮")
    duplicate = world.report(title="路灯不亮了")
    client.force_login(world.dispatcher)
    url = reverse("dispatch:merge", args=[duplicate.pk])
    page = client.get(url, {"into": master.pk})
    assert page.status_code == 200 and master.number in page.content.decode()
    assert kinds(duplicate) == ["reported"]  # GET changes nothing
    response = client.post(
        url, {"version": duplicate.version, "master": master.pk, "note": "同一路段"}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == master
    event = CaseEvent.objects.get(case=duplicate, kind="merged")
    assert event.data == {"master": master.pk} and event.actor == world.dispatcher


def test_merging_twice_gives_the_stale_message_and_one_event(world, client):
    master, duplicate = world.report(), world.report()
    client.force_login(world.dispatcher)
    url = reverse("dispatch:merge", args=[duplicate.pk])
    data = {"version": duplicate.version, "master": master.pk}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "该事项已被他人处理" in response.content.decode()
    assert kinds(duplicate).count("merged") == 1


def test_merging_into_itself_is_refused_beside_the_form(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    url = reverse("dispatch:merge", args=[case.pk])
    response = client.post(url, {"version": case.version, "master": case.pk})
    assert response.status_code == 400 and "不能与自身合并" in response.content.decode()
    assert kinds(case) == ["reported"]


def test_merging_is_for_dispatchers_of_both_cases(world, client):
    master = world.report()
    duplicate = world.report()
    elsewhere = world.report(region=world.other_grid, title="龙浔镇事项")
    url = reverse("dispatch:merge", args=[duplicate.pk])
    data = {"version": duplicate.version, "master": master.pk}
    assert client.post(url, data).status_code == 302  # anonymous: to sign in
    assert reverse("web:login") in client.post(url, data)["Location"]
    client.force_login(world.handler)
    assert client.post(url, data).status_code == 403
    town = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    client.force_login(town)
    assert client.post(url, data).status_code == 404
    other = reverse("dispatch:merge", args=[elsewhere.pk])
    assert client.get(other, {"into": master.pk}).status_code == 404  # master out of scope
    assert kinds(duplicate) == ["reported"]
