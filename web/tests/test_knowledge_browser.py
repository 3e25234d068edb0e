"""The knowledge base beside the answer in a real browser: a handler opens the answer move of a
case, picks a saved reply, searches the knowledge panel, inserts an article and submits; the
answer holds the rendered reply and the article with its citation. Nothing breaks the CSP."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Case, EventKind, Status
from web.tests.conftest import screenshot, sign_in
from web.tests.test_csp_browser import violations, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_handler_answers_with_a_saved_reply_and_an_article(chromium, live):
    from cases.tests.world import World
    from knowledge.models import ReplyScope
    from knowledge.tests.factories import article, reply

    world = World.build()
    case = world.in_status(Status.IN_PROGRESS, title="失业金没有到账", requester_name="王大明")
    saved = reply(
        world,
        scope=ReplyScope.UNIT,
        title="失业金答复",
        text="{requester_name}您好：您反映的{case_number}，{unit}已核实办理。",
        move_kind=EventKind.ANSWERED,
    )
    reply(world, scope=ReplyScope.PERSONAL, title="结束语", text="如有疑问请来电。")
    guide = article(
        world,
        title="失业保险金发放时间",
        body="失业保险金每月15日前发放到本人社保卡<金融账户>。",
        keywords="失业金到账",
    )
    article(world, title="医保缴费指南", body="每年9月至12月缴费。", keywords="医保")

    page, errors = watched_page(chromium)
    sign_in(page, live, "handler")
    page.goto(live + reverse("caseviews:case-detail", args=[case.pk]))
    page.click("details[data-move=answered] summary")
    page.click("details[data-move=answered] a[data-kb-page]")
    page.wait_for_url(live + reverse("caseviews:case-move", args=[case.pk, EventKind.ANSWERED]))

    # The panel opened with the case's title searched.
    panel = page.locator(".kb-panel")
    expect(panel.locator(".kb-hit h3")).to_contain_text(["失业保险金发放时间"])
    # A saved reply, rendered for this case (the requester's name masked).
    page.select_option("select[data-kb-replies]", str(saved.pk))
    answer = page.locator("#id_answer")
    rendered = f"王**您好：您反映的{case.number}，德化县人力资源和社会保障局已核实办理。"
    expect(answer).to_have_value(rendered)
    # Search again and insert the article after it.
    search = panel.locator("input[type=search]")
    search.fill("医保缴费")
    expect(panel.locator(".kb-hit h3").first).to_have_text("医保缴费指南")
    search.fill("失业金到账")
    hit = panel.locator(".kb-hit", has_text="失业保险金发放时间")
    expect(hit).to_have_count(1)
    hit.locator("button[data-kb-insert]").click()
    inserted = f"{guide.body}\n（引自知识库《{guide.title}》）"
    expect(answer).to_have_value(f"{rendered}\n{inserted}")
    screenshot(page, "knowledge-answer-move")

    page.click("form.move-form button[type=submit]")
    page.wait_for_url(live + reverse("caseviews:case-detail", args=[case.pk]))
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.ANSWERED
    sent = case.answer.replace("\r\n", "\n")  # a form sends its line breaks as CRLF
    assert sent == f"{rendered}\n{inserted}"
    assert "王大明" not in sent
    assert violations(page) == [] and errors == []
