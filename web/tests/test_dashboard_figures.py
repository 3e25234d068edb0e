"""Every figure opens exactly the cases it counts: numerator, base and the base's misses, for
every rate and count, by totals, unit, town, grid station and month, on the dashboard page and
on the case list behind it (the API's side: api/tests/test_metrics_figures.py).

The world (stats/tests/figures_world.py) is made by the engine under a set clock, with cases in
every corner of docs/metrics.md: visits of each answer, rework, overdue, extensions, send-backs,
on the spot, refusals, merged duplicates, disputes, a case at the county itself, and a town's
requests to a county department (吹哨报到).
"""

from __future__ import annotations

from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from cases.models import Case
from cases.scope import visible_cases
from stats import metrics
from stats.tests.figures_world import NOW, at, build
from web.caseviews.filters import CaseFilter
from web.dashboard import views as dashboard

URL = reverse("dashboard:index")
PERIOD = (203007 - 100, 203006)  # 2029-07 … 2030-06, the default 12 months


@pytest.fixture(scope="module")
def _built(_module_world, django_db_blocker):
    """The figures world, built once for the module inside a savepoint rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        build(_module_world)
        yield _module_world
        transaction.set_rollback(True)


@pytest.fixture
def figures(_built, db):
    with at(NOW):
        yield _built


def filtered(user, url: str) -> int:
    """How many cases the case list's filters (the same FilterSet as the page and its export)
    give for ``url``: the page itself is fetched for a sample (``listed``), the filters for all."""
    parts = urlsplit(url)
    assert parts.path == reverse("caseviews:case-list")
    found = CaseFilter(QueryDict(parts.query), queryset=visible_cases(user), user=user)
    assert found.form.is_valid(), (url, found.form.errors)
    return found.qs.count()


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    form = response.context["filter"].form if "filter" in response.context else None
    assert form is None or not form.errors, (url, form.errors)
    return response.context["page"].paginator.count


def every_figure(page) -> list[tuple[str, int, str]]:
    """(where, count, link) of every number the dashboard shows as a count of cases."""
    found = []
    context = page.context
    for tile in context["tiles"]:
        for detail in tile["details"]:
            found.append((f"tile {tile['key']} {detail['label']}", detail["value"], detail["url"]))
    tables = (
        "units",
        "units_apart",
        "regions",
        "regions_apart",
        "stations",
        "categories",
        "months",
    )
    for table in tables:
        for line in context[table]:
            for heading, item in zip(context["headings"], line.figures, strict=True):
                where = f"{table} {line.label} {heading}"
                if item.parts:
                    found += [(f"{where} {p.title}", int(p.text), p.url) for p in item.parts]
                elif item.text.isdigit():
                    found.append((where, int(item.text), item.url))
    for line in context["whistle"]:
        for heading, item in zip(context["whistle_headings"], line.figures, strict=True):
            where = f"whistle {line.label} {heading}"
            if item.parts:
                found += [(f"{where} {p.title}", int(p.text), p.url) for p in item.parts]
            elif item.text.isdigit():
                found.append((where, int(item.text), item.url))
    return found


def test_every_count_on_the_page_lists_as_many_cases(figures, client):
    client.force_login(figures.leader)
    page = client.get(URL)
    assert page.status_code == 200
    found = every_figure(page)
    context = page.context
    assert [line.label for line in context["whistle"]] == ["人社局"]  # the town's requests
    places = [line.label for line in [*context["regions"], *context["regions_apart"]]]
    assert "德化县" in places  # a case at the county itself opens that place alone
    assert len(found) > 300
    # Not a test of zeros: most figures count something.
    assert sum(1 for _w, count, _u in found if count) > 150
    wrong = [(where, count, filtered(figures.leader, url)) for where, count, url in found]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert wrong == []
    # The pages themselves, for a sample of one figure in fifteen.
    for where, count, url in found[::15]:
        assert listed(client, url) == count, where


def test_each_tile_opens_its_numerator_misses_and_base(figures, client):
    client.force_login(figures.leader)
    tiles = {t["key"]: t for t in client.get(URL).context["tiles"]}
    response = {d["label"]: d for d in tiles["response"]["details"]}
    # Two months in the period, each with two valid visits (the failed one was reopened and
    # left the base): one contacted (满意), one not (基本满意).
    assert (response["及时联系"]["value"], response["未响应"]["value"]) == (2, 2)
    assert response["有效回访"]["value"] == 4
    for words in ("及时联系", "未响应", "有效回访"):
        assert listed(client, response[words]["url"]) == response[words]["value"]
    on_spot = {d["label"]: d for d in tiles["on_spot"]["details"]}
    assert listed(client, on_spot["当场办结"]["url"]) == on_spot["当场办结"]["value"] == 2
    # The tile's own value opens the base.
    assert (
        listed(client, unescape(tiles["on_time"]["url"])) == tiles["on_time"]["details"][2]["value"]
    )


GROUPINGS = {
    "totals": (),
    "unit": ("lead_unit",),
    "town": ("region",),
    "station": ("station",),
    "month": ("month",),
}


def web_params(group: dict, regions: dict[str, tuple[str, int]]) -> dict[str, str]:
    params = {"month": ",".join(str(m) for m in dashboard.months_between(*PERIOD))}
    if "lead_unit" in group:
        params["unit"] = "null" if group["lead_unit"] is None else str(group["lead_unit"])
    if "region" in group:
        code, level = regions[group["region"]]
        params["place" if level < 2 else "region"] = code
    if "station" in group:
        params["station"] = str(group["station"])
    if "month" in group:
        params["month"] = str(group["month"])
    return params


@pytest.mark.parametrize("grouping", list(GROUPINGS))
def test_every_rate_part_by_grouping_matches_its_list_on_the_web(figures, client, grouping):
    from regions.models import PATH_SEPARATOR, Region

    client.force_login(figures.leader)
    cases = metrics.filter_cases(visible_cases(figures.leader, Case.objects.all()), months=PERIOD)
    if grouping == "station":
        cases = cases.filter(station__isnull=False)
    rows = metrics.rates(cases, group_by=GROUPINGS[grouping], region_level=2)
    regions = {
        path: (code, path.count(PATH_SEPARATOR))
        for path, code in Region.objects.values_list("path", "code")
    }
    assert rows and rows[0].received
    checked = 0
    for row in rows:
        params = web_params(row.group, regions)
        if grouping == "station":
            params["station"] = str(row.group["station"])
        for metric in metrics.METRICS:
            for part in metrics.PARTS:
                if not metrics.has_part(metric, part):
                    continue
                expected = row.count(metric, part)
                query = urlencode({**params, "metric": metric, "part": part})
                got = filtered(figures.leader, f"{reverse('caseviews:case-list')}?{query}")
                assert got == expected, (row.group, metric, part)
                checked += 1
    assert checked >= len(rows) * 30


def test_a_part_a_metric_does_not_have_is_refused_clearly(figures, client):
    client.force_login(figures.leader)
    response = client.get(reverse("caseviews:case-list"), {"metric": "received", "part": "den"})
    assert response.status_code == 200
    assert "没有" in response.content.decode()
