"""The leaders' dashboard: who may read it, what it counts, and where each number leads.

Cases come from the engine (World); the clock is frozen so "the last 12 months" is fixed.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Satisfaction
from cases.tests.world import make_user
from people.models import Role

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2030, 6, 12, 10, 0, tzinfo=TZ)  # a Wednesday
URL = reverse("dashboard:index")
CASE_LIST = reverse("caseviews:case-list")
PERIOD = ",".join(str(m) for m in [*range(202907, 202913), *range(203001, 203007)])


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def tile(body: str, key: str) -> tuple[str, str, str]:
    """The value, detail and link of one headline tile."""
    match = re.search(
        rf'<a class="tile[^"]*" href="([^"]+)" data-metric="{key}">\s*'
        r'<span class="tile-label">[^<]*</span><b>([^<]*)</b><small class="muted">([^<]*)</small>',
        body,
    )
    assert match, f"no tile {key}"
    return match.group(2), match.group(3), unescape(match.group(1))


def query(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.path == CASE_LIST
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def links(body: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="(/cases/\?[^"]*)"', body)]


def chart_data(body: str) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', body)
    assert match
    return json.loads(match.group(1))


# --- Who may read it ------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("who", ["handler", "grid_worker", "outsider"])
def test_those_who_do_not_assess_are_refused(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("who", ["leader", "dispatcher", "admin"])
def test_leaders_dispatchers_and_administrators_read_it(world, client, who):
    world.report()
    client.force_login(getattr(world, who))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "统计考核" in body and "2029年7月 — 2030年6月" in body
    assert tile(body, "received")[0] == "1"


def test_a_department_head_sees_only_the_cases_of_the_department(world, client):
    head = make_user("dept_head", Role.DEPT_HEAD, organisation=world.dept)
    world.answered()
    other = services.triage_case(world.report(title="市场监管事项"), actor=world.dispatcher)
    services.assign_case(other, actor=world.dispatcher, lead_unit=world.other_dept)
    client.force_login(head)
    body = client.get(URL).content.decode()
    assert tile(body, "received")[0] == "1"
    assert "人社局" in body and "市场监管局" not in body
    client.force_login(world.leader)
    body = client.get(URL).content.decode()
    assert tile(body, "received")[0] == "2" and "市场监管局" in body


# --- What it counts -------------------------------------------------------------------------


def test_the_tiles_show_the_rates_of_the_period(world, client):
    """3 valid visits: 3 contacted, 2 resolved, 1 满意 + 1 基本满意 + 1 不满意; one on the spot."""
    passed = world.verified()
    services.close_case(passed, actor=world.dispatcher)
    world.verified(passed=False)
    basic = world.answered()
    services.return_visit(
        basic,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASIC,
    )
    services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="当场修好。")
    client.force_login(world.leader)
    body = client.get(URL).content.decode()
    assert tile(body, "received")[:2] == ("4", "销号 1 件")
    assert tile(body, "on_spot")[:2] == ("25.0%", "1 / 4")
    assert tile(body, "response")[:2] == ("100.0%", "3 / 3")
    assert tile(body, "resolution")[:2] == ("66.7%", "2 / 3")
    # 满意率 = (1 + 0.9 × 1) ÷ 3
    assert tile(body, "satisfaction")[0] == "63.3%"
    # composite = 100 × (0.1 × 1 + 0.5 × 2/3 + 0.4 × 1.9/3)
    assert tile(body, "composite")[0] == "68.7"
    assert tile(body, "on_time")[:2] == ("100.0%", "3 / 3")
    assert tile(body, "rework")[:2] == ("0.0%", "0 / 4")
    assert tile(body, "mediation")[:2] == ("—", "0 / 0")
    assert tile(body, "overdue")[0] == "0"


def test_a_month_without_cases_is_a_gap_not_a_zero(world, client):
    with time_machine.travel(datetime(2030, 3, 5, 10, 0, tzinfo=TZ), tick=False):
        world.verified()
    client.force_login(world.leader)
    trend = chart_data(client.get(URL).content.decode())["trend"]
    assert len(trend["labels"]) == 12 and trend["labels"][0] == "2029年7月"
    march = trend["labels"].index("2030年3月")
    assert trend["received"][march] == 1 and trend["received"][march + 1] == 0
    response = trend["series"][0]
    assert response["name"] == "响应率"
    assert response["data"][march] == 100.0 and response["data"][march + 1] is None


def test_the_period_and_type_filters_narrow_the_cases(world, client):
    with time_machine.travel(datetime(2029, 1, 8, 10, 0, tzinfo=TZ), tick=False):
        world.report()  # older than the last 12 months
    world.report()
    world.report("enterprise_demand", enterprise=world.enterprise, title="用工需求")
    client.force_login(world.leader)
    assert tile(client.get(URL).content.decode(), "received")[0] == "2"
    body = client.get(URL, {"start": "202901", "end": "203006"}).content.decode()
    assert tile(body, "received")[0] == "3" and "2029年1月 — 2030年6月" in body
    body = client.get(URL, {"type": "enterprise_demand"}).content.decode()
    value, _detail, link = tile(body, "received")
    assert value == "1" and query(link)["type"] == "enterprise_demand"


def test_a_reversed_period_is_refused_beside_the_field(world, client):
    client.force_login(world.leader)
    body = client.get(URL, {"start": "203005", "end": "203001"}).content.decode()
    assert "截止月份不能早于起始月份" in body
    assert "2029年7月 — 2030年6月" in body  # the default period, not an empty page


def test_units_are_ranked_by_composite_score(world, client):
    world.verified(passed=False)  # 人社局: resolved no, unsatisfied
    good = services.triage_case(world.report(), actor=world.dispatcher)
    good = services.assign_case(good, actor=world.dispatcher, lead_unit=world.other_dept)
    good = services.accept_case(good, actor=world.other_handler)
    good = services.answer_case(good, actor=world.other_handler, answer="已处理。")
    services.return_visit(
        good,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="当场修好。")
    client.force_login(world.leader)
    body = client.get(URL).content.decode()
    ranking = chart_data(body)["ranking"]
    assert ranking["labels"] == ["1. 市场监管局", "2. 人社局"]
    assert ranking["scores"] == [100.0, 10.0]
    assert query(ranking["urls"][0])["unit"] == str(world.other_dept.pk)
    # The on-the-spot case has no unit: its row closes the table, without rank or link.
    assert re.search(
        r'<tr class="unlinked"[^>]*><td></td><th scope="row">未交办（含当场办结）</th>'
        r'<td class="num">1</td>',
        body,
    )


# --- Where each number leads ----------------------------------------------------------------


def test_every_number_links_to_the_cases_behind_it(world, client):
    world.answered()
    client.force_login(world.leader)
    body = client.get(URL).content.decode()
    targets = [query(link) for link in links(body)]
    assert targets and all(t["month"] for t in targets)
    unit = [t for t in targets if t.get("unit") == str(world.dept.pk)]
    assert unit and all(t["month"] == PERIOD for t in unit)
    assert {t["status"] for t in unit} == {"open,closed", "closed", "verified,closed"}
    assert any(t.get("overdue") == "1" for t in unit)
    town = [t for t in targets if t.get("region") == world.town.code]
    assert town, "the town row links by region code"
    category = world.category()
    assert any(
        t.get("category") == str(category.pk) and t.get("type") == "resident_issue" for t in targets
    )
    assert any(t["month"] == "203006" for t in targets)  # the month table, one month each
    _value, _detail, overdue = tile(body, "overdue")
    assert query(overdue) == {"month": PERIOD, "overdue": "1", "status": "open,closed"}
    _value, _detail, visits = tile(body, "response")
    assert query(visits) == {"month": PERIOD, "status": "verified,closed"}


def test_the_page_draws_its_charts_from_the_vendored_echarts(world, client):
    client.force_login(world.leader)
    body = client.get(URL).content.decode()
    assert "/static/vendor/echarts.min.js" in body and "/static/web/dashboard.js" in body
    assert "http" not in re.findall(r'<script src="([^"]+)"', body)[-1]
    assert 'id="trend-chart"' in body and 'id="ranking-chart"' in body


def test_a_followed_number_lists_as_many_cases_as_it_says(world, client):
    """The case list behind a figure holds exactly the cases counted: refusals and merged
    duplicates count nowhere (docs/metrics.md), so the links leave them out too."""
    services.close_case(world.verified(), actor=world.dispatcher)
    world.verified(passed=False)
    world.answered()
    world.in_status("rejected")
    world.in_status("merged")  # a master case and its duplicate
    client.force_login(world.leader)
    body = client.get(URL).content.decode()

    def listed(link: str) -> int:
        response = client.get(link)
        assert response.status_code == 200
        return response.context["page"].paginator.count

    for key, expected in (("received", 4), ("response", 2), ("overdue", 0)):
        value, _detail, link = tile(body, key)
        assert listed(link) == expected
    assert tile(body, "received")[0] == "4"
    row = re.search(r'<th scope="row"><a href="[^"]+">人社局</a></th>(.*?)</tr>', body).group(1)
    cells = re.findall(r'<td class="num"><a href="([^"]+)">([^<]+)</a></td>', row)
    received_link, received = cells[0]
    closed_link, closed = cells[9]
    assert (received, closed) == ("3", "1")
    assert listed(unescape(received_link)) == 3 and listed(unescape(closed_link)) == 1


def test_the_figures_per_grid_station_open_their_cases(world, client):
    """按网格驿站: each station's received figure opens exactly the cases it took in."""
    from regions.models import GridStation

    station = GridStation.objects.create(name="浔中村网格驿站", region=world.grid)
    for _ in range(2):
        services.report_case(
            actor=world.grid_worker,
            case_type=world.category().case_type,
            region=world.grid,
            title="路灯不亮",
            description="驿站接报。",
            station=station,
        )
    world.report()  # not taken in at a station
    client.force_login(world.dispatcher)
    response = client.get(URL)
    stations = response.context["stations"]
    assert [line.label for line in stations] == ["浔中村网格驿站"]
    received = stations[0].figures[0]
    assert received.text == "2"
    listed = client.get(unescape(received.url)).context["page"].paginator.count
    assert listed == 2
