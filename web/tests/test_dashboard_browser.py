"""The dashboard in Chromium: charts drawn by the vendored ECharts, numbers that click through."""

from __future__ import annotations

import re

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_reads_the_charts_and_follows_a_number(chromium, live, settings):
    from cases import services
    from cases.tests.world import World

    # One valid visit: ranked only with a minimum volume of one (docs/metrics.md, Rankings).
    settings.LIANXIN = {**settings.LIANXIN, "RANKING_MIN_VOLUME": 1}

    world = World.build()
    world.verified()
    services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="当场修好。")
    page = new_page(chromium)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live, "leader")
    page.goto(f"{live}/dashboard/")
    page.wait_for_selector("body[data-charts-ready]")
    assert page.locator("#trend-chart canvas").count() == 1
    assert page.locator("#ranking-chart canvas").count() == 1
    assert page.inner_text("[data-metric=received] b") == "2"
    assert page.inner_text("[data-metric=on_spot] b") == "50.0%"
    screenshot(page, "dashboard-leader")
    page.click("[data-metric=received] b a")
    page.wait_for_url(re.compile(r".*/cases/\?month=\d{6}.*&metric=received"))
    assert "共 2 件" in page.content()
    assert errors == []

    phone = new_page(chromium, PHONE)
    sign_in(phone, live, "leader")
    phone.goto(f"{live}/dashboard/")
    phone.wait_for_selector("body[data-charts-ready]")
    # Nothing wider than the phone but the tables, which scroll inside their frame.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    screenshot(phone, "dashboard-phone")
