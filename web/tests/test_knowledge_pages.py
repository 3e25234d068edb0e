"""知识库 pages: who opens them, the ranked search and the 待复核 filter, the keepers' forms,
another unit's article (403/404), escaped bodies, the search panel beside a move's text box,
saved replies (auto-filled on the answer move), and the residents' self-service step."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, EventKind, Status
from cases.tests.helpers import local
from knowledge import services
from knowledge.models import (
    Article,
    ArticleEvent,
    ArticleStatus,
    ReplyScope,
    SavedReply,
    SelfServiceAnswer,
)
from knowledge.tests.factories import article, reply
from web.nav import nav_for

NOW = local(2026, 3, 20, 10)
LIST = reverse("knowledge:article-list")
PANEL = reverse("knowledge:panel")
ASK = reverse("knowledge:ask")
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def answer_url(case: Case) -> str:
    return reverse("caseviews:case-move", args=[case.pk, EventKind.ANSWERED])


def textarea(content: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', content, re.S)
    assert found, name
    return html.unescape(found.group(1)).strip()


# --- Who opens the pages ----------------------------------------------------------------------


def test_staff_open_the_knowledge_base_and_residents_do_not(world, client):
    assert reverse("web:login") in client.get(LIST)["Location"]
    for user in (world.resident, world.liaison, world.outsider):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get(PANEL, {"q": "失业"}).status_code == 403
        assert "知识库" not in {str(item.label) for item in nav_for(user)}
    for user in (world.handler, world.dispatcher, world.grid_worker, world.operator, world.admin):
        client.force_login(user)
        assert "知识库" in {str(item.label) for item in nav_for(user)}, user
        assert "知识库" in page(client, LIST)


# --- The list ---------------------------------------------------------------------------------


def test_the_search_ranks_and_the_due_filter_shows_the_due(world, client):
    due = article(
        world,
        title="城乡医保缴费",
        body="医保缴费时间和渠道。",
        keywords="",
        review_by=NOW.date() - timedelta(days=3),
    )
    fresh = article(world)
    client.force_login(world.other_handler)
    content = page(client, LIST, q="怎么领失业金")
    assert f'id="article-{fresh.pk}"' in content and f'id="article-{due.pk}"' not in content
    content = page(client, LIST)
    row = content.split(f'id="article-{due.pk}"')[1].split("</tr>")[0]
    assert "待复核" in row
    assert "待复核" not in content.split(f'id="article-{fresh.pk}"')[1].split("</tr>")[0]
    content = page(client, LIST, due="on")
    assert f'id="article-{due.pk}"' in content and f'id="article-{fresh.pk}"' not in content


def test_another_units_draft_is_not_listed(world, client):
    draft = article(world, publish=False, title="人社局草稿")
    client.force_login(world.other_handler)
    assert f'id="article-{draft.pk}"' not in page(client, LIST)
    client.force_login(world.handler)
    assert f'id="article-{draft.pk}"' in page(client, LIST)


# --- The keepers' forms -----------------------------------------------------------------------


def test_a_unit_creates_publishes_and_reviews_its_article(world, client):
    client.force_login(world.handler)
    form = page(client, reverse("knowledge:article-create"))
    assert world.other_dept.name not in form  # only its own unit to choose
    response = client.post(
        reverse("knowledge:article-create"),
        {
            "title": "社保卡补办",
            "kind": "guide",
            "body": "携带身份证到社保窗口办理，当场补卡。",
            "keywords": "社保卡 补卡",
            "owner_unit": world.dept.pk,
            "review_by": "2027-01-31",
            "is_public": "on",
        },
    )
    made = Article.objects.get(title="社保卡补办")
    assert response["Location"] == reverse("knowledge:article-detail", args=[made.pk])
    assert made.status == ArticleStatus.DRAFT and made.created_by == world.handler
    client.post(reverse("knowledge:article-publish", args=[made.pk]))
    client.post(
        reverse("knowledge:article-review", args=[made.pk]),
        {"review_by": "2027-06-30", "note": "已核对"},
    )
    made.refresh_from_db()
    assert made.status == ArticleStatus.PUBLISHED
    assert str(made.review_by) == "2027-06-30"
    assert list(made.events.values_list("kind", flat=True)) == ["created", "published", "reviewed"]


def test_a_unit_cannot_file_an_article_under_another_unit(world, client):
    client.force_login(world.handler)
    response = client.post(
        reverse("knowledge:article-create"),
        {
            "title": "冒名",
            "kind": "faq",
            "body": "x",
            "owner_unit": world.other_dept.pk,
            "review_by": "2027-01-31",
        },
    )
    assert response.status_code == 400
    assert not Article.objects.filter(title="冒名").exists()


def test_another_units_article_is_403_to_change_and_its_draft_404(world, client):
    published = article(world)
    draft = article(world, publish=False, title="草稿")
    client.force_login(world.other_handler)
    assert client.get(reverse("knowledge:article-detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("knowledge:article-edit", args=[published.pk])).status_code == 403
    for name in ("article-publish", "article-archive", "article-review"):
        assert client.post(reverse(f"knowledge:{name}", args=[published.pk])).status_code == 403
        assert client.post(reverse(f"knowledge:{name}", args=[draft.pk])).status_code == 404
    response = client.post(
        reverse("knowledge:article-edit", args=[published.pk]),
        {"title": "改", "kind": "faq", "body": "x", "review_by": "2027-01-01"},
    )
    assert response.status_code == 403
    assert client.get(reverse("knowledge:article-detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("knowledge:article-detail", args=[10**12])).status_code == 404
    published.refresh_from_db()
    assert published.title == "失业保险金申领办法"
    assert ArticleEvent.objects.filter(actor=world.other_handler).count() == 0


def test_a_body_with_markup_is_escaped_where_shown_and_where_inserted(world, client):
    made = article(world, title="<b>标题</b>", body=f"说明{XSS}")
    client.force_login(world.other_handler)
    for content in (
        page(client, reverse("knowledge:article-detail", args=[made.pk])),
        page(client, LIST),
        page(client, PANEL, q="说明"),
    ):
        assert "<script>alert" not in content and "<img src=x" not in content
        assert "<b>标题</b>" not in content
    panel = page(client, PANEL, q="说明")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in panel  # in data-text, as text
    # A saved reply's markup too, in the list and in the dropdown beside the answer.
    reply(world, scope=ReplyScope.PERSONAL, title=f"模板{XSS}", text=f"您好{XSS}")
    case = world.in_status(Status.IN_PROGRESS)
    client.force_login(world.handler)
    for content in (page(client, reverse("knowledge:reply-list")), page(client, answer_url(case))):
        assert "模板&lt;script&gt;" in content
        assert "<script>alert" not in content and "<img src=x" not in content


# --- The panel and the saved replies beside a move's text box ---------------------------------


def test_the_panel_lists_published_matches_with_their_insert_text(world, client):
    made = article(world)
    article(world, publish=False, title="失业保险草稿")
    client.force_login(world.handler)
    content = page(client, PANEL, q="失业保险")
    assert f'data-article="{made.pk}"' in content
    assert "失业保险草稿" not in content
    texts = [html.unescape(t) for t in re.findall(r'data-text="([^"]*)"', content)]
    assert texts == [f"{made.body}\n（引自知识库《{made.title}》）"]
    assert "没有找到" in page(client, PANEL, q="风马牛")
    assert "输入关键词" in page(client, PANEL, q="  ")


def test_the_answer_move_opens_with_the_auto_filled_reply(world, client):
    case = world.in_status(Status.IN_PROGRESS, requester_name="李小龙")
    reply(
        world,
        title="办结模板",
        text="{requester_name}您好，您反映的{case_number}已由{unit}办结。",
        move_kind=EventKind.ANSWERED,
        auto_fill=True,
    )
    reply(
        world,
        actor=world.dispatcher,
        scope=ReplyScope.OFFICE,
        title="通用致谢",
        text="感谢您的支持。",
    )
    article(world, title="路灯不亮怎么报修", body="拨打12345。")
    client.force_login(world.handler)
    content = page(client, answer_url(case))
    expected = f"李**您好，您反映的{case.number}已由德化县人力资源和社会保障局办结。"
    assert textarea(content, "answer") == expected
    assert "李小龙" not in content
    # The dropdown holds every usable reply, rendered for this case; the panel searched its title.
    assert "data-kb-replies" in content and "通用致谢（全县通用）" in content
    assert 'data-kb-target="id_answer"' in content
    assert "路灯不亮怎么报修" in content
    assert "web/knowledge.js" in content
    # The case page's inline form starts with it too, and links to the move page.
    detail = page(client, reverse("caseviews:case-detail", args=[case.pk]))
    assert textarea(detail, "answer") == expected
    assert answer_url(case) in detail
    # The handler sends it (edited or not): the answer is what was posted.
    response = client.post(
        answer_url(case), {"version": case.version, "answer": expected + "谢谢。"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.answer == expected + "谢谢。"


def test_another_unit_gets_no_auto_fill_and_a_move_without_text_no_aids(world, client):
    case = world.assigned()
    reply(
        world,
        scope=ReplyScope.PERSONAL,
        text="个人的",
        move_kind=EventKind.ANSWERED,
        auto_fill=True,
    )
    client.force_login(world.handler)
    accept = page(client, reverse("caseviews:case-move", args=[case.pk, EventKind.ACCEPTED]))
    assert "data-kb-target" not in accept
    client.post(
        reverse("caseviews:case-move", args=[case.pk, EventKind.ACCEPTED]),
        {"version": case.version},
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert textarea(page(client, answer_url(case)), "answer") == "个人的"
    # A dispatcher (no personal reply) sees the replies' dropdown but none of the handler's.
    client.force_login(world.dispatcher)
    content = page(client, reverse("caseviews:case-move", args=[case.pk, EventKind.SUPERVISED]))
    assert "个人的" not in content


def test_the_desk_shows_the_panel_beside_its_answer(world, client):
    client.force_login(world.operator)
    content = page(client, reverse("desk:desk"))
    assert 'data-kb-target="id_answer"' in content
    assert f'hx-get="{PANEL}"' in content


# --- Saved reply pages ------------------------------------------------------------------------


def test_an_unknown_variable_is_shown_beside_the_text(world, client):
    client.force_login(world.handler)
    response = client.post(
        reverse("knowledge:reply-create"),
        {"title": "坏模板", "text": "{姓名}您好", "scope": "personal"},
    )
    assert response.status_code == 400
    assert "回复中有未知的变量：{姓名}" in response.content.decode()
    assert not SavedReply.objects.exists()
    response = client.post(
        reverse("knowledge:reply-create"),
        {"title": "好模板", "text": "{requester_name}您好", "scope": "personal"},
    )
    assert response.status_code == 302
    assert SavedReply.objects.get().owner == world.handler


def test_nobody_else_opens_a_personal_reply(world, client):
    mine = reply(world, scope=ReplyScope.PERSONAL, title="只给我")
    for user in (world.other_handler, world.dispatcher, world.admin):
        client.force_login(user)
        assert "只给我" not in page(client, reverse("knowledge:reply-list"))
        assert client.get(reverse("knowledge:reply-edit", args=[mine.pk])).status_code == 404
        assert client.post(reverse("knowledge:reply-retire", args=[mine.pk])).status_code == 404
    client.force_login(world.handler)
    assert "只给我" in page(client, reverse("knowledge:reply-list"))


def test_a_unit_cannot_make_a_reply_for_another_unit(world, client):
    client.force_login(world.handler)
    response = client.post(
        reverse("knowledge:reply-create"),
        {"title": "x", "text": "y", "scope": "unit", "owner_unit": world.other_dept.pk},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("knowledge:reply-create"), {"title": "x", "text": "y", "scope": "office"}
    )
    assert response.status_code == 400  # not a choice for a unit's staff
    assert not SavedReply.objects.exists()


# --- Residents' self-service ------------------------------------------------------------------


def test_a_resident_reads_an_answer_and_needs_no_case(world, client):
    public = article(world)
    internal = article(world, title="失业金内部口径", is_public=False)
    client.force_login(world.resident)
    assert ASK in page(client, reverse("mine:list"))
    content = page(client, ASK, q="我想申领失业金")
    assert f'id="answer-{public.pk}"' in content and f'id="answer-{internal.pk}"' not in content
    assert "先看看这些解答" in content and "没有解决，继续提交" in content
    response = client.post(
        reverse("knowledge:ask-solved"), {"article": public.pk, "q": "我想申领失业金"}
    )
    assert "很高兴帮到您" in response.content.decode()
    answer = SelfServiceAnswer.objects.get()
    assert (answer.article, answer.user, answer.query) == (public, world.resident, "我想申领失业金")
    assert not Case.objects.exists()
    client.force_login(world.dispatcher)
    tile = page(client, LIST).split('id="self-service"')[1].split("</div>")[0]
    assert "<b>1</b>" in tile


def test_not_solved_continues_to_the_form_with_the_words_kept(world, client):
    article(world)
    client.force_login(world.resident)
    content = page(client, ASK, q="失业金什么时候到账？")
    link = html.unescape(re.search(r'id="continue" href="([^"]+)"', content).group(1))
    assert link.startswith(reverse("mine:report") + "?description=")
    assert textarea(page(client, link), "description") == "失业金什么时候到账？"
    assert "没有找到相关解答" in page(client, ASK, q="风马牛不相及")


def test_the_step_is_skipped_when_nothing_is_public(world, client):
    client.force_login(world.resident)
    assert client.get(ASK)["Location"] == reverse("mine:report")


def test_self_service_refuses_bad_ids_staff_and_internal_articles(world, client):
    internal = article(world, is_public=False)
    client.force_login(world.resident)
    solved = reverse("knowledge:ask-solved")
    assert client.post(solved, {"article": internal.pk}).status_code == 404
    assert client.post(solved, {"article": "abc"}).status_code == 404
    assert client.post(solved, {"article": str(2**40)}).status_code == 404
    client.force_login(world.handler)
    assert client.get(ASK).status_code == 403
    assert client.post(solved, {"article": internal.pk}).status_code == 403
    assert not SelfServiceAnswer.objects.exists()


def test_the_count_function_is_what_the_page_shows(world):
    from knowledge.selectors import self_service_count

    public = article(world)
    services.record_self_service(public, user=world.resident, query="q")
    assert self_service_count(NOW.date(), NOW.date()) == 1
