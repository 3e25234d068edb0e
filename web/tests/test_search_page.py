"""The search page (/search/?q=): who may use it, what each reader finds, the order, the cost."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.models import Policy, PolicyStatus

URL = reverse("search:search")
# The session, the user, their roles, the cases, the policies; the header's unread count and name.
QUERIES = 7


def policy(title: str, *, status: str = PolicyStatus.PUBLISHED, **fields) -> Policy:
    values = {"issuer": "德化县工业和信息化局", "valid_from": date(2026, 1, 1), **fields}
    return Policy.objects.create(title=title, status=status, **values)


def found(client, q: str) -> tuple[list[int], list[int]]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    context = response.context
    return [c.pk for c in context["cases"]], [p.pk for p in context["policies"]]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL, {"q": "路灯"})
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_an_empty_query_shows_a_hint_and_searches_nothing(world, client):
    world.report()
    client.force_login(world.dispatcher)
    for q in ("", "   ", "\x00"):
        response = client.get(URL, {"q": q})
        assert response.status_code == 200
        assert "cases" not in response.context and "policies" not in response.context
        assert "输入关键词" in response.content.decode()


def test_it_only_answers_get(world, client):
    client.force_login(world.dispatcher)
    assert client.post(URL, {"q": "路灯"}).status_code == 405


def test_it_finds_only_the_cases_the_user_may_see(world, client):
    here = world.report(title="井盖松动")
    world.report(region=world.other_grid, title="井盖丢失")
    client.force_login(world.grid_worker)
    assert found(client, "井盖")[0] == [here.pk]
    client.force_login(world.outsider)
    assert found(client, "井盖")[0] == []


def test_cases_come_best_first_and_link_to_their_page(world, client):
    in_text = world.report(title="人行道破损", description="井盖松动，行人易绊倒")
    in_title = world.report(title="井盖缺失", description="人行道上有一处缺口")
    older_in_title = world.report(title="井盖松动", description="井盖松动")
    client.force_login(world.dispatcher)
    assert found(client, "井盖松动")[0] == [older_in_title.pk, in_text.pk, in_title.pk]
    body = client.get(URL, {"q": "井盖"}).content.decode()
    assert f'href="{reverse("caseviews:case-detail", args=[in_title.pk])}"' in body


def test_a_case_number_finds_its_case(world, client):
    case = world.report(title="路灯不亮")
    world.report(title="另一件", description="无关")
    client.force_login(world.dispatcher)
    assert found(client, case.number)[0] == [case.pk]


def test_readers_find_published_policies_and_writers_drafts_too(world, client):
    published = policy("陶瓷企业设备更新补助")
    draft = policy("陶瓷企业用电补助", status=PolicyStatus.DRAFT)
    client.force_login(world.grid_worker)  # reads policies, writes none
    assert found(client, "陶瓷补助")[1] == [published.pk]
    client.force_login(world.dispatcher)  # writes policies
    assert sorted(found(client, "陶瓷补助")[1]) == sorted([published.pk, draft.pk])
    assert "草稿" in client.get(URL, {"q": "陶瓷补助"}).content.decode()
    client.force_login(world.outsider)  # no role: reads none
    assert found(client, "陶瓷补助")[1] == []


def test_policies_come_best_first_and_link_to_their_page(world, client):
    in_summary = policy("企业用电补助", summary="陶瓷企业窑炉电价优惠")
    in_title = policy("陶瓷企业窑炉改造补助")
    by_number = policy("人才引进奖励", document_number="德政〔2025〕12号")
    policy("人才住房补贴", document_number="德政〔2025〕13号")
    client.force_login(world.grid_worker)
    assert found(client, "窑炉改造")[1] == [in_title.pk, in_summary.pk]
    assert found(client, "德政〔2025〕12号")[1][0] == by_number.pk
    body = client.get(URL, {"q": "窑炉"}).content.decode()
    assert f'href="{reverse("policies:policy-detail", args=[in_title.pk])}"' in body


def test_nothing_found_says_so(world, client):
    client.force_login(world.dispatcher)
    body = client.get(URL, {"q": "噪音扰民"}).content.decode()
    assert "没有找到相关事项" in body and "没有找到相关政策" in body


def test_a_long_or_odd_query_is_safe(world, client):
    client.force_login(world.dispatcher)
    for q in ("路灯" * 600, "％_%\\'\"<script>", "路\x00灯", "？！"):
        response = client.get(URL, {"q": q})
        assert response.status_code == 200
        assert len(response.context["q"]) <= 100
    assert "<script>" not in client.get(URL, {"q": "<script>"}).content.decode()


def test_it_shows_at_most_20_of_each(world, client):
    for n in range(21):
        world.report(title=f"井盖松动{n}")
        policy(f"井盖改造补助{n}")
    client.force_login(world.dispatcher)
    cases, policies = found(client, "井盖")
    assert len(cases) == 20 and len(policies) == 20


@pytest.mark.parametrize("rows", [1, 6])
def test_the_page_costs_the_same_queries_whatever_it_finds(world, client, rows):
    for n in range(rows):
        world.report(title=f"井盖松动{n}", region=world.other_grid if n % 2 else world.grid)
        policy(f"井盖改造补助{n}", status=PolicyStatus.DRAFT if n % 2 else PolicyStatus.PUBLISHED)
    client.force_login(world.dispatcher)
    client.get(URL, {"q": "井盖"})  # the session and the user's roles, as on every later page
    with CaptureQueriesContext(connection) as captured:
        cases, policies = found(client, "井盖")
    assert len(cases) == rows and len(policies) == rows
    assert len(captured.captured_queries) == QUERIES, [q["sql"] for q in captured]
