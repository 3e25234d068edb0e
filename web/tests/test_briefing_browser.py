"""Issue 13's "done when", in Chromium: the leader asks for March's briefing, downloads it as
.docx and PDF; every number in it equals the dashboard's for March and opens exactly its cases;
the ranking states its method."""

from __future__ import annotations

import io
import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from web.tests.conftest import new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TZ = ZoneInfo("Asia/Shanghai")
# Dashboard tile (data-metric) → the metric its main number reads.
TILE_METRICS = {
    "received": "received",
    "on_spot": "on_spot_rate",
    "response": "response_rate",
    "resolution": "resolution_rate",
    "satisfaction": "satisfaction_rate",
    "on_time": "on_time_rate",
    "rework": "rework_rate",
    "mediation": "mediation_success_rate",
    "composite": "composite_score",
    "overdue": "overdue_now",
}


def build_march():
    import time_machine

    from cases import services as moves
    from cases.models import Case, Satisfaction
    from cases.tests.world import World

    world = World.build()
    with time_machine.travel(datetime(2026, 3, 10, 9, 30, tzinfo=TZ), tick=False):
        for title in ("楼道灯坏", "井盖松动"):
            moves.resolve_on_spot(
                world.report(title=title),
                actor=world.grid_worker,
                answer="网格员当场联系物业更换灯泡并复位井盖，现场确认已恢复正常，群众表示满意。",
            )
        for passed in (True, True, False):
            world.verified(passed=passed)
        world.assigned(title="排水沟堵塞")
        world.report("dispute", title="邻里宅基地纠纷")
    with time_machine.travel(datetime(2026, 4, 2, 10, 0, tzinfo=TZ), tick=False):
        good = Case.objects.filter(visit_satisfaction=Satisfaction.SATISFIED).first()
        moves.close_case(good, actor=world.dispatcher)
    return world


def docx_links(content: bytes) -> list[tuple[str, str]]:
    """(text, url) of every hyperlink in a .docx."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(content))
    rels = document.part.rels
    links = []
    for node in document.element.body.iter(qn("w:hyperlink")):
        text = "".join(t.text or "" for t in node.iter(qn("w:t")))
        links.append((text, rels[node.get(qn("r:id"))].target_ref))
    return links


def listed(page) -> int:
    page.wait_for_selector("text=/共 \\d+ 件/")
    found = re.search(r"共 (\d+) 件", page.content())
    assert found is not None
    return int(found.group(1))


def test_the_leader_downloads_march_and_every_number_holds(chromium, live, settings):
    from briefings import services
    from briefings.models import Briefing

    build_march()
    site = settings.NOTIFY_SITE_URL.rstrip("/")
    page = new_page(chromium)
    sign_in(page, live, "leader")
    page.goto(f"{live}/briefings/")
    page.select_option("select[name=kind]", "month")
    page.select_option("select[name=month]", "202603")
    page.click("button:has-text('生成简报')")
    page.wait_for_selector("#briefing-pending")
    # The worker's turn: make what was asked.
    services.make_briefing(Briefing.objects.get())
    page.wait_for_selector("text=下载 Word", timeout=15000)
    assert "排名方法" in page.locator("#ranking-method").inner_text()
    screenshot(page, "briefing-detail")

    with page.expect_download() as word:
        page.click("text=下载 Word")
    with page.expect_download() as pdf:
        page.click("text=下载 PDF")
    docx_bytes = open(word.value.path(), "rb").read()
    pdf_bytes = open(pdf.value.path(), "rb").read()
    assert word.value.suggested_filename.endswith(".docx")
    assert pdf_bytes.startswith(b"%PDF")

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs)
    assert "排名方法" in text and "2026年3月" in text
    links = docx_links(docx_bytes)
    figures = {}
    for label, url in links:
        query = parse_qs(urlsplit(url).query)
        # The county's figures for March (the tables also link units' and other periods').
        if "metric" in query and "unit" not in query and query.get("month") == ["202603"]:
            figures.setdefault((query["metric"][0], query["part"][0]), (label, url))
    assert len(figures) >= 10
    # The PDF links the same figures.
    for (metric, part), _pair in figures.items():
        assert f"metric={metric}&part={part}".encode() in pdf_bytes, metric

    # Every number equals the dashboard's for March.
    page.goto(f"{live}/dashboard/?start=202603&end=202603")
    compared = 0
    for tile, metric in TILE_METRICS.items():
        value = page.locator(f"[data-metric={tile}] > b").inner_text().strip()
        mine = [label for (m, _part), (label, _url) in figures.items() if m == metric]
        if mine:
            assert mine[0] == value, (metric, mine[0], value)
            compared += 1
    assert compared >= 8

    # Every count opens exactly its cases.
    from stats import metrics

    opened = 0
    for (metric, _part), (label, url) in figures.items():
        if metric in metrics.COUNTS and label.isdigit():
            page.goto(url.replace(site, live))
            assert listed(page) == int(label), metric
            opened += 1
    assert opened >= 8

    # And on the page, a number is a click away from its cases.
    page.goto(f"{live}/briefings/{Briefing.objects.get().pk}/")
    on_spot = page.locator("#summary a[data-key=on_spot]").first
    count = int(on_spot.inner_text())
    on_spot.click()
    assert listed(page) == count == 2
