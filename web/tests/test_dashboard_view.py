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
    """The value, details (as text: "当场办结 1 受理 4") and link of one headline tile."""
    match = re.search(
        rf'<div class="tile[^"]*" data-metric="{key}">\s*'
        r'<span class="tile-label">[^<]*</span><b><a href="([^"]+)">([^<]*)</a></b>\s*'
        r'<small class="muted tile-parts">(.*?)</small>',
        body,
    )
    assert match, f"no tile {key}"
    detail = " ".join(re.sub(r"<[^>]+>", " ", match.group(3)).split())
    return match.group(2), detail, unescape(match.group(1))


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
    assert tile(body, "received")[:2] == ("4", "销号 1")
    assert tile(body, "on_spot")[:2] == ("25.0%", "当场办结 1 受理 4")
    assert tile(body, "response")[:2] == ("100.0%", "及时联系 3 未响应 0 有效回访 3")
    assert tile(body, "resolution")[:2] == ("66.7%", "已解决 2 未解决 1 有效回访 3")
    assert tile(body, "satisfaction")[1] == "满意 1 基本满意 1 不满意 1 有效回访 3"
    # 满意率 = (1 + 0.9 × 1) ÷ 3
    assert tile(body, "satisfaction")[0] == "63.3%"
    # composite = 100 × (0.1 × 1 + 0.5 × 2/3 + 0.4 × 1.9/3)
    assert tile(body, "composite")[0] == "68.7"
    assert tile(body, "on_time")[:2] == ("100.0%", "按期 3 未按期 0 应办结 3")
    assert tile(body, "rework")[:2] == ("0.0%", "返工 0 已答复 4")
    assert tile(body, "mediation")[:2] == ("—", "调处成功 0 未成功 0 已研判 0")
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


def rate_two_units(world):
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


def test_units_are_ranked_by_a_score_shrunk_toward_the_average(world, client, settings):
    """Composite 10 (人社局) and 100 (市场监管局), one visit each; the average over both is
    100 × (0.1 × 1 + 0.5 × 0.5 + 0.4 × 0.5) = 55. With k = 10 the scores are
    (1 × 100 + 10 × 55) ÷ 11 = 59.1 and (1 × 10 + 10 × 55) ÷ 11 = 50.9."""
    settings.LIANXIN = {**settings.LIANXIN, "RANKING_MIN_VOLUME": 1, "RANKING_PRIOR_WEIGHT": 10}
    rate_two_units(world)
    client.force_login(world.leader)
    body = client.get(URL).content.decode()
    ranking = chart_data(body)["ranking"]
    assert ranking["labels"] == ["1. 市场监管局", "2. 人社局"]
    assert ranking["scores"] == [59.1, 50.9]
    assert query(ranking["urls"][0])["unit"] == str(world.other_dept.pk)
    assert "k = 10" in body and "不少于 1 件" in body  # the method, on the page
    # The cases with no unit close the table, without rank, opening those cases.
    row = re.search(
        r'<tr><td class="num"></td><td class="num"></td><th scope="row"><a href="([^"]+)">'
        r"未交办（含当场办结）</a></th><td class=\"num\"><a href=\"([^\"]+)\">1</a>",
        body,
    )
    assert row and query(unescape(row.group(2)))["unit"] == "null"
    assert client.get(unescape(row.group(2))).context["page"].paginator.count == 1


def test_units_below_the_minimum_volume_are_listed_apart(world, client, settings):
    settings.LIANXIN = {**settings.LIANXIN, "RANKING_MIN_VOLUME": 2}
    rate_two_units(world)
    client.force_login(world.leader)
    response = client.get(URL)
    assert chart_data(response.content.decode())["ranking"]["labels"] == []
    assert [u.label for u in response.context["units_apart"]] == ["人社局", "市场监管局"]
    assert all(u.rank is None for u in response.context["units_apart"])
    assert "样本不足（有效回访少于 2 件，不排名）" in response.content.decode()
    # Towns too: 浔中镇 has both visits and is ranked; none below the minimum.
    assert [(t.label, t.rank) for t in response.context["regions"]] == [("浔中镇", 1)]


def test_the_tiles_compare_with_the_period_before_and_a_year_before(world, client):
    with time_machine.travel(datetime(2029, 3, 5, 10, 0, tzinfo=TZ), tick=False):
        world.verified()  # a year before: in the 环比 period (2028-07…2029-06) too
    with time_machine.travel(datetime(2029, 6, 5, 10, 0, tzinfo=TZ), tick=False):
        world.verified(passed=False)
    with time_machine.travel(datetime(2030, 3, 5, 10, 0, tzinfo=TZ), tick=False):
        world.verified()
        world.verified(passed=False)
        world.report()
    client.force_login(world.leader)
    response = client.get(URL)
    tiles = {t["key"]: t for t in response.context["tiles"]}
    received = {c["label"]: c for c in tiles["received"]["compared"]}
    # 3 cases now against 2 before: +50 %.
    assert received["环比"]["value"] == "2" and received["环比"]["change"] == "+50.0%"
    resolution = {c["label"]: c for c in tiles["resolution"]["compared"]}
    # 解决率 1/2 now and 1/2 before.
    assert resolution["同比"]["value"] == "50.0%"
    assert resolution["同比"]["change"] == "+0.0个百分点"
    link = query(resolution["同比"]["url"])
    assert link["metric"] == "resolution_rate" and link["part"] == "den"
    assert link["month"].split(",")[0] == "202807" and link["month"].endswith("202906")
    assert client.get(resolution["同比"]["url"]).context["page"].paginator.count == 2
    # A shorter period compares with the months just before it.
    response = client.get(URL, {"start": "203003", "end": "203004"})
    tiles = {t["key"]: t for t in response.context["tiles"]}
    previous = {c["label"]: c for c in tiles["received"]["compared"]}["环比"]
    assert query(previous["url"])["month"] == "203001,203002" and previous["value"] == "0"
    assert previous["change"] == "—"
    # The trend line of a tile: one point a month, gaps where a rate has no base.
    assert tiles["received"]["spark"] and len(tiles["received"]["spark"][0].split()) == 2


# --- Where each number leads ----------------------------------------------------------------


def test_every_number_links_to_the_cases_behind_it(world, client):
    world.answered()
    client.force_login(world.leader)
    body = client.get(URL).content.decode()
    targets = [query(link) for link in links(body)]
    assert targets and all(t["month"] for t in targets)
    assert all(t.get("metric") for t in targets)
    unit = [t for t in targets if t.get("unit") == str(world.dept.pk)]
    assert unit and all(t["month"] == PERIOD for t in unit if "whistle" not in t)
    assert {t["metric"] for t in unit} >= {
        "received",
        "on_spot_rate",
        "response_rate",
        "on_time_rate",
        "rework_rate",
        "mediation_success_rate",
        "avg_handling_hours",
        "overdue_now",
        "closed",
    }
    # A rate opens its numerator and its base, each on its own.
    assert {t.get("part", "num") for t in unit if t["metric"] == "on_time_rate"} == {"num", "den"}
    town = [t for t in targets if t.get("region") == world.town.code]
    assert town, "the town row links by region code"
    category = world.category()
    assert any(
        t.get("category") == str(category.pk) and t.get("type") == "resident_issue" for t in targets
    )
    assert any(t["month"] == "203006" for t in targets)  # the month table, one month each
    _value, _detail, overdue = tile(body, "overdue")
    assert query(overdue) == {"month": PERIOD, "metric": "overdue_now"}
    _value, _detail, visits = tile(body, "response")
    assert query(visits) == {"month": PERIOD, "metric": "response_rate", "part": "den"}


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
    cells = re.findall(r'<td class="num"><a href="([^"]+)">([^<]+)</a>', row)
    received_link, received = cells[0]
    closed_link, closed = cells[10]
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
