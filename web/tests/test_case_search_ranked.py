"""Ranked case search (``CaseQuerySet.search`` over ``textsearch``) through the case list and the
API: numbers as typed, Chinese words anywhere in the title, description or answer, best first."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case
from people.apikeys import create_api_key

URL = reverse("caseviews:case-list")
KEYS = itertools.count()


def listed(client, **params) -> list[int]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [case.pk for case in response.context["page"].object_list]


def api_ids(user, **params) -> list[int]:
    _, raw = create_api_key(f"search-{user.username}-{next(KEYS)}", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = client.get("/api/v1/cases/", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def signed_in(world, client):
    client.force_login(world.dispatcher)
    return client


def test_it_finds_the_words_of_a_query_apart(world, signed_in):
    found = world.report(title="井盖松动", description="人行道上的井盖一踩就响，需要尽快维修。")
    world.report(title="路灯不亮", description="主路路灯不亮。")
    assert listed(signed_in, q="井盖 维修") == [found.pk]
    assert listed(signed_in, q="维修井盖") == [found.pk]
    assert api_ids(world.dispatcher, q="维修井盖") == [found.pk]


def test_it_searches_the_answer_too(world, signed_in):
    answered = world.answered(title="夜间照明")
    world.report(title="道路破损", description="村口水泥路面塌陷")
    assert listed(signed_in, q="恢复照明") == [answered.pk]


def test_it_leaves_out_cases_without_any_word(world, signed_in):
    world.report(title="道路破损", description="村口水泥路面塌陷")
    assert listed(signed_in, q="噪音扰民") == []
    assert api_ids(world.dispatcher, q="噪音扰民") == []


def test_a_punctuation_only_or_very_long_query_is_safe(world, signed_in):
    case = world.report(title="道路破损", description="村口水泥路面塌陷")
    assert listed(signed_in, q="？！，。") == []
    assert listed(signed_in, q="路面塌陷" * 25) == [case.pk]  # 100 characters, the most allowed


def test_a_case_number_finds_its_case_whole_or_in_part(world, signed_in):
    case = world.report(title="路灯不亮")
    world.report(title="另一件", description="与别的事项无关")
    for part in (case.number, case.number[-7:], case.number.lower()):
        assert listed(signed_in, q=part) == [case.pk]
        assert api_ids(world.dispatcher, q=part) == [case.pk]


def test_the_year_in_a_query_does_not_find_every_case_numbered_that_year(world, signed_in):
    lamp = world.report(title="路灯不亮", description="主路路灯不亮。")
    world.report(title="道路破损", description="村口水泥路面塌陷")
    year = lamp.number[2:6]
    assert listed(signed_in, q=f"{year}年路灯") == [lamp.pk]


def test_a_chosen_sort_wins_over_relevance(world, signed_in):
    in_title = world.report(title="井盖缺失", description="人行道上有一处缺口")
    in_text = world.report(title="人行道破损", description="井盖松动，行人易绊倒")
    assert listed(signed_in, q="井盖", sort="reported_at") == [in_title.pk, in_text.pk]
    assert listed(signed_in, q="井盖", sort="-reported_at") == [in_text.pk, in_title.pk]
    ids = api_ids(world.dispatcher, q="井盖", ordering="-reported_at")
    assert ids == [in_text.pk, in_title.pk]


def test_search_costs_the_same_queries_as_the_plain_list(world, signed_in):
    for n in range(3):
        world.report(title=f"井盖缺失{n}", description="人行道上有一处缺口")

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(URL, params).status_code == 200
        return len(captured.captured_queries)

    assert queries(q="井盖 缺口 人行道") == queries()


def test_the_relevance_is_the_weighted_sum_of_the_words_found(world):
    case = world.report(title="井盖松动", description="人行道的井盖松动了")
    world.report(title="路灯不亮", description="主路路灯不亮。")
    found = Case.objects.search("井盖松动")
    # 井盖, 松动 in the title (3 each) and the description (1 each); the phrase in both
    # (2 × the field's weight); the numbers are not tried with the words.
    assert [(c.pk, c.relevance) for c in found] == [(case.pk, 3 + 3 + 1 + 1 + 6 + 2)]


# --- The order: best first, unless the user chose one ------------------------------------------


def test_the_list_puts_a_title_match_before_a_description_match(world, signed_in):
    in_title = world.report(title="井盖缺失", description="人行道上有一处缺口")
    in_text = world.report(title="人行道破损", description="井盖松动，行人易绊倒")
    assert listed(signed_in, q="井盖") == [in_title.pk, in_text.pk]


def test_the_list_puts_more_words_found_before_fewer(world, signed_in):
    both = world.report(title="井盖松动", description="人行道")
    one = world.report(title="井盖丢失", description="人行道")
    assert listed(signed_in, q="井盖松动") == [both.pk, one.pk]


def test_the_list_puts_the_case_with_the_number_before_one_that_mentions_it(world, signed_in):
    case = world.report(title="路灯不亮")
    mention = world.report(title="重复来电", description=f"与{case.number}为同一事项")
    assert listed(signed_in, q=case.number) == [case.pk, mention.pk]


def test_the_api_lists_the_best_matches_first_across_cursor_pages(world, client):
    # Reported best last, so the newest-first order would be the reverse of the expected one.
    both = world.report(title="井盖松动", description="井盖松动，行人易绊倒")
    in_text = world.report(title="人行道破损", description="井盖松动，行人易绊倒")
    in_title = world.report(title="井盖缺失", description="人行道上有一处缺口")
    _, raw = create_api_key(f"search-pages-{next(KEYS)}", user=world.dispatcher)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    page = api.get("/api/v1/cases/", {"q": "井盖松动", "page_size": 1}).json()
    seen = [row["id"] for row in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == [both.pk, in_text.pk, in_title.pk]
