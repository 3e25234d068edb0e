"""The rates API's rows link every figure to exactly the cases it counts: for every rate and
count, numerator, base and misses, by totals, unit, region, month and type × category, the
``cases`` links of ``GET /api/v1/metrics/`` list as many cases on ``GET /api/v1/cases/`` as the
row's own fields say. The world is stats/tests/figures_world.py (the engine, a set clock)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from api.base import scoped_cases
from api.filters import CaseFilter as ApiCaseFilter
from stats import metrics
from stats.tests.figures_world import NOW, at, build


@pytest.fixture(scope="module")
def _built(_module_world, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        build(_module_world)
        yield _module_world
        transaction.set_rollback(True)


@pytest.fixture
def figures(_built, db):
    with at(NOW):
        yield _built


def api_filtered(user, url: str) -> int:
    parts = urlsplit(url)
    assert parts.path == reverse("api:case-list")
    found = ApiCaseFilter(QueryDict(parts.query), queryset=scoped_cases(user))
    assert found.form.is_valid(), (url, found.form.errors)
    return found.qs.count()


def api_listed(client, url: str) -> int:
    total, pages = 0, 0
    url = f"{url}&page_size=200"
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        body = response.json()
        total += len(body["results"])
        url = body["next"]
        pages += 1
        assert pages < 20
    return total


@pytest.mark.parametrize("group_by", ["", "unit", "region", "month", "unit,month", "type,category"])
def test_every_rate_row_of_the_api_links_to_exactly_its_cases(figures, client, group_by):
    client.force_login(figures.leader)
    query = {"month_from": "2029-07", "month_to": "2030-06"}
    if group_by:
        query["group_by"] = group_by
    response = client.get(reverse("api:metrics"), query)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    rows = [*body["rows"], body["totals"]]
    checked = 0
    for row in rows:
        for metric, links in row["cases"].items():
            for part, url in links.items():
                if url is None:
                    assert not metrics.has_part(metric, part)
                    continue
                expected = metric_count(row, metric, part)
                got = api_filtered(figures.leader, url)
                assert got == expected, (row["group"], metric, part, url)
                checked += 1
    # The API's own list, for the failing cases of each rate of the totals.
    for metric in metrics.RATES:
        url = body["totals"]["cases"][metric]["miss"] or body["totals"]["cases"][metric]["den"]
        part = "miss" if body["totals"]["cases"][metric]["miss"] else "den"
        assert api_listed(client, url) == metric_count(body["totals"], metric, part)
    assert checked > 40


def metric_count(row: dict, metric: str, part: str) -> int:
    """The count a figure of an API row stands for, read from the row's own fields."""
    if metric in metrics.COUNTS:
        return row[metric]
    numerator, base = metrics.RATES[metric]
    if part == metrics.DEN:
        return row[base]
    counted = row["satisfied"] + row["basic"] if numerator == "pleased" else row[numerator]
    return counted if part == metrics.NUM else row[base] - counted


def test_the_api_rows_carry_the_row_filters_in_their_links(figures, client):
    client.force_login(figures.leader)
    body = client.get(
        reverse("api:metrics"), {"group_by": "unit,month", "month_from": "2030-03"}
    ).json()
    row = next(r for r in body["rows"] if r["group"]["unit"] == figures.dept.pk)
    link = urlsplit(row["cases"]["response_rate"]["miss"])
    assert link.path == reverse("api:case-list")
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert params == {
        "lead_unit": str(figures.dept.pk),
        "month_from": "2030-03",
        "month_to": "2030-03",
        "metric": "response_rate",
        "part": "miss",
    }
    assert row["cases"]["composite_score"]["num"] is None


def test_bad_figure_filters_are_refused_precisely(figures, client):
    client.force_login(figures.leader)
    response = client.get(reverse("api:case-list"), {"metric": "composite_score", "part": "num"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "part"
    response = client.get(reverse("api:case-list"), {"metric": "nonsense"})
    assert response.status_code == 400
    response = client.get(reverse("api:case-list"), {"month_from": "2030-13"})
    assert response.status_code == 400
    response = client.get(reverse("api:case-list"), {"place": "x" * 40})
    assert response.status_code == 400
