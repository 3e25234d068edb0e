"""The case list: scope, every filter, sorting, pagination that keeps the filters, query counts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Channel, Status

URL = reverse("caseviews:case-list")
TZ = ZoneInfo("Asia/Shanghai")


def listed(client, query: str = "") -> list[int]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return [case.pk for case in response.context["page"].object_list]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_list_shows_only_cases_in_the_users_scope(world, client):
    mine = world.report(title="本网格的事")
    elsewhere = world.report(region=world.other_grid, title="别处的事")
    client.force_login(world.grid_worker)
    assert listed(client) == [mine.pk]
    client.force_login(world.outsider)
    assert listed(client) == []
    client.force_login(world.dispatcher)
    body = client.get(URL).content.decode()
    assert "本网格的事" in body and "别处的事" in body and elsewhere.number in body


def test_it_filters_by_type_category_and_channel(world, client):
    dispute = world.report("dispute", title="邻里纠纷")
    issue = world.report(channel=Channel.HOTLINE, actor=world.dispatcher)
    categorised = services.triage_case(
        world.report(), actor=world.dispatcher, category=world.category()
    )
    client.force_login(world.dispatcher)
    assert listed(client, "type=dispute") == [dispute.pk]
    assert listed(client, f"category={world.category().pk}") == [categorised.pk]
    assert listed(client, "channel=hotline") == [issue.pk]


def test_an_unknown_filter_value_is_shown_beside_its_field_and_ignored(world, client):
    case = world.report()
    client.force_login(world.dispatcher)
    response = client.get(f"{URL}?type=nope&month=2024-13")
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
    form = response.context["form"]
    assert "type" in form.errors and "month" in form.errors
    assert "格式错误" in response.content.decode()


def test_it_filters_by_one_state_a_comma_list_a_label_or_open(world, client):
    reported = world.report()
    assigned = world.assigned()
    closed = world.in_status(Status.CLOSED)
    client.force_login(world.dispatcher)
    assert listed(client, "status=assigned") == [assigned.pk]
    assert set(listed(client, "status=assigned,closed")) == {assigned.pk, closed.pk}
    assert listed(client, "status=已销号") == [closed.pk]
    assert set(listed(client, "status=open")) == {reported.pk, assigned.pk}
    # A comma list from a dashboard link stays selected in the form.
    body = client.get(f"{URL}?status=assigned,closed").content.decode()
    assert '<option value="assigned,closed" selected>已交办、已销号</option>' in body


def test_it_filters_by_lead_unit(world, client):
    ours = world.assigned()
    theirs = services.assign_case(
        services.triage_case(world.report(), actor=world.dispatcher),
        actor=world.dispatcher,
        lead_unit=world.other_dept,
        co_units=[world.dept],
    )
    client.force_login(world.dispatcher)
    assert listed(client, f"unit={world.dept.pk}") == [ours.pk]
    assert listed(client, f"unit={world.other_dept.pk}") == [theirs.pk]


def test_it_filters_by_region_subtree_and_offers_the_towns_and_villages_of_the_scope(world, client):
    here = world.report()
    there = world.report(region=world.other_grid)
    client.force_login(world.dispatcher)
    assert listed(client, f"region={world.town.code}") == [here.pk]
    assert listed(client, f"region={world.other_town.code}") == [there.pk]
    assert listed(client, f"region={world.grid.code}") == [here.pk]
    # A grid's code (below the villages the select offers) stays selected by its name.
    body = client.get(f"{URL}?region={world.grid.code}").content.decode()
    assert f'<option value="{world.grid.code}" selected>第一网格</option>' in body
    body = client.get(URL).content.decode()
    assert f'value="{world.village.code}"' in body and f'value="{world.other_town.code}"' in body
    # A grid worker's select offers only their own place.
    client.force_login(world.grid_worker)
    body = client.get(URL).content.decode()
    assert f'value="{world.grid.code}"' in body and world.other_town.code not in body


def test_it_filters_by_reported_period_and_by_month_lists(world, client):
    with time_machine.travel(datetime(2025, 3, 10, 10, tzinfo=TZ), tick=False):
        march = world.report()
    with time_machine.travel(datetime(2025, 4, 30, 23, tzinfo=TZ), tick=False):
        april = world.report()
    with time_machine.travel(datetime(2025, 5, 2, 9, tzinfo=TZ), tick=False):
        may = world.report()
    client.force_login(world.dispatcher)
    assert listed(client, "reported_from=2025-04-01&reported_to=2025-04-30") == [april.pk]
    assert set(listed(client, "reported_from=2025-04-01")) == {april.pk, may.pk}
    assert listed(client, "reported_to=2025-03-31") == [march.pk]
    assert listed(client, "month=202504") == [april.pk]
    assert set(listed(client, "month=202503,202505")) == {march.pk, may.pk}
    assert listed(client, "reported_from=9999-12-31") == [may.pk, april.pk, march.pk]


def test_it_filters_overdue_cases(world, client):
    late = world.assigned()
    world.report()
    client.force_login(world.dispatcher)
    assert listed(client, "overdue=1") == []
    with time_machine.travel(late.deadline + timedelta(hours=1), tick=False):
        assert listed(client, "overdue=1") == [late.pk]
        assert len(listed(client, "overdue=0")) == 2
        assert "超期" in client.get(URL).content.decode()


def test_mine_lists_what_i_reported(world, client):
    mine = world.report(actor=world.dispatcher)
    world.report()  # by the grid worker
    client.force_login(world.dispatcher)
    assert listed(client, "mine=1") == [mine.pk]


def test_it_searches_the_number_title_and_description(world, client):
    lamp = world.report(title="路灯不亮")
    road = world.report(title="道路破损", description="村口水泥路面塌陷")
    client.force_login(world.dispatcher)
    assert listed(client, "q=路灯") == [lamp.pk]
    assert listed(client, "q=塌陷") == [road.pk]
    assert listed(client, f"q={road.number[-6:]}") == [road.pk]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("-reported_at", ["c", "b", "a"]),
        ("reported_at", ["a", "b", "c"]),
        ("number", ["a", "b", "c"]),
        ("-number", ["c", "b", "a"]),
        ("deadline", ["b", "a", "c"]),  # cases without a deadline come last both ways
        ("-deadline", ["a", "b", "c"]),
        ("status", ["c", "a", "b"]),  # reported, assigned, in progress: the loop's order
        ("-status", ["b", "a", "c"]),
    ],
)
def test_each_sortable_column_sorts_both_ways(world, client, sort, expected):
    start = datetime(2025, 6, 2, 9, tzinfo=TZ)
    cases = {}
    for hour, name in enumerate("abc"):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            cases[name] = world.report()
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        for name, days in (("a", 9), ("b", 5)):
            case = services.triage_case(cases[name], actor=world.dispatcher)
            services.assign_case(
                case,
                actor=world.dispatcher,
                lead_unit=world.dept,
                deadline=start + timedelta(days=days),
            )
        services.accept_case(
            cases["b"].__class__.objects.get(pk=cases["b"].pk), actor=world.handler
        )
    names = {case.pk: name for name, case in cases.items()}
    client.force_login(world.dispatcher)
    assert [names[pk] for pk in listed(client, f"sort={sort}")] == expected


def test_column_headers_toggle_the_sort_and_keep_the_filters(world, client):
    world.report()
    client.force_login(world.dispatcher)
    body = client.get(f"{URL}?type=resident_issue&sort=number").content.decode()
    assert "?type=resident_issue&amp;sort=-number" in body  # clicking again reverses
    assert "?type=resident_issue&amp;sort=deadline" in body


def test_pages_hold_thirty_and_page_links_keep_the_filters(world, client):
    for i in range(31):
        world.report(title=f"事项{i}")
    world.report("dispute")
    client.force_login(world.dispatcher)
    response = client.get(f"{URL}?type=resident_issue&sort=number")
    assert len(response.context["page"].object_list) == 30
    assert response.context["page"].paginator.count == 31
    body = response.content.decode()
    assert "?type=resident_issue&amp;sort=number&amp;page=2" in body
    second = client.get(f"{URL}?type=resident_issue&sort=number&page=2")
    assert [c.title for c in second.context["page"].object_list] == ["事项30"]


def test_an_htmx_request_gets_only_the_results(world, client):
    world.report(title="局部刷新")
    client.force_login(world.dispatcher)
    body = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert 'id="results"' in body and "局部刷新" in body and "<html" not in body


def _queries(client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{URL}?{query}").status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("user", ["dispatcher", "handler", "admin"])
def test_the_list_costs_the_same_queries_for_3_and_30_rows(world, client, user):
    def make(n: int) -> None:
        for _ in range(n):
            world.assigned()

    make(3)
    client.force_login(getattr(world, user))
    query = "status=open&sort=deadline&region=" + world.county.code
    client.get(URL)  # warm the session
    few = _queries(client, query)
    make(27)
    many = _queries(client, query)
    assert len(client.get(f"{URL}?{query}").context["page"].object_list) == 30
    assert few == many


@pytest.mark.parametrize(
    "query",
    [
        "unit=99999999999999999999999",
        "category=99999999999999999999999",
        "page=99999999999999999999",
        "reported_from=0001-01-01",
        "reported_to=9999-12-31",
        "month=999912",
        "region=%00",
        "q=%00",
        "type=%00",
        "status=%00",
        "sort=bogus",
    ],
)
def test_hostile_query_values_are_errors_never_crashes(world, client, query):
    world.report()
    client.force_login(world.dispatcher)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert response.context["form"].errors or query.startswith("page")
    assert client.get(f"{reverse('caseviews:case-export')}?{query}").status_code in (200, 302)


def test_it_filters_by_enterprise_and_keeps_the_scope(world, client):
    theirs = world.report(title="企业的事", enterprise=world.enterprise)
    world.report(title="别的事")
    elsewhere = world.report(region=world.other_grid, enterprise=world.enterprise)
    client.force_login(world.dispatcher)
    assert listed(client, f"enterprise={world.enterprise.pk}") == [elsewhere.pk, theirs.pk]
    client.force_login(world.grid_worker)
    assert listed(client, f"enterprise={world.enterprise.pk}") == [theirs.pk]
    response = client.get(f"{URL}?enterprise=abc")
    assert response.status_code == 200 and response.context["form"].errors


def test_the_policy_filter_lists_the_cases_whose_answer_cited_it(world, client):
    """The count on a policy's page opens its list: the visible cases whose answer cited it."""
    from datetime import date

    from enterprises.models import Policy, PolicyStatus

    policy = Policy.objects.create(
        title="稳岗用工补贴",
        issuer="德化县人社局",
        valid_from=date(2026, 1, 1),
        status=PolicyStatus.PUBLISHED,
    )
    case = services.accept_case(world.assigned(), actor=world.handler)
    cited = services.answer_case(case, actor=world.handler, answer="已申报。", policy=policy)
    services.answer_case(
        services.accept_case(world.assigned(), actor=world.handler),
        actor=world.handler,
        answer="已处理。",
    )
    client.force_login(world.dispatcher)
    response = client.get(reverse("caseviews:case-list"), {"policy": policy.pk})
    assert [c.pk for c in response.context["page"].object_list] == [cited.pk]
    page = client.get(reverse("policies:policy-detail", args=[policy.pk])).content.decode()
    assert f"?policy={policy.pk}" in page


# --- A bounded count --------------------------------------------------------------------------


@pytest.fixture
def small_bound(monkeypatch):
    """Pages of 2 and a count bound of 5: the list counts to (page + 5) × 2 rounded up to 5s."""
    from web.caseviews import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    monkeypatch.setattr(views, "COUNT_BOUND", 5)


def test_a_long_list_says_how_far_it_counted(world, client, small_bound):
    reported = [world.report() for _ in range(16)]
    client.force_login(world.dispatcher)
    response = client.get(URL)
    paginator = response.context["page"].paginator
    assert paginator.bounded and paginator.count == 15  # (1 + 5) × 2 = 12, rounded up to 15
    body = response.content.decode()
    assert "共 15+ 件" in body and "第 1 页" in body and "共 15 件" not in body
    # The rows stay exact, newest first; a page beyond the bound counts further.
    assert listed(client) == [c.pk for c in reported[::-1][:2]]
    deep = client.get(f"{URL}?page=8")
    assert deep.context["page"].number == 8 and not deep.context["page"].paginator.bounded
    assert [c.pk for c in deep.context["page"].object_list] == [c.pk for c in reported[1::-1]]


def test_a_short_list_and_a_figures_list_are_counted_exactly(world, client, small_bound):
    for _ in range(4):
        world.report()
    client.force_login(world.dispatcher)
    response = client.get(URL)
    assert not response.context["page"].paginator.bounded
    assert "共 4 件" in response.content.decode()
    for _ in range(12):
        world.report()
    client.force_login(world.grid_worker)  # who reported them (我登记的)
    for query in ("metric=received", "mine=1"):
        paginator = client.get(f"{URL}?{query}").context["page"].paginator
        assert not paginator.bounded and paginator.count == 16, query


# --- A figure's list counted from the rollup ----------------------------------------------------


def _figures(months: str, **extra: str) -> list[dict[str, str]]:
    from stats import metrics

    params = []
    for metric in metrics.METRICS:
        parts = (metrics.NUM, metrics.DEN, metrics.MISS) if metric in metrics.RATES else ("",)
        for part in parts:
            params.append(
                {"metric": metric, "month": months, **extra, **({"part": part} if part else {})}
            )
    return params


def test_a_figures_list_counts_from_the_rollup_exactly_the_cases_it_lists(world, client):
    from stats.rollup import refresh

    wednesday = datetime(2026, 9, 16, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(wednesday - timedelta(days=40), tick=False):
        world.verified(passed=False)
        services.close_case(world.verified(), actor=world.dispatcher)
        world.assigned()  # past its deadline by September: overdue now
    with time_machine.travel(wednesday, tick=False):
        world.answered()
        world.in_status(Status.REJECTED)
        world.in_status(Status.IN_PROGRESS, "dispute")
        world.report()
        refresh()
        months = "202608,202609"
        checked = 0
        for user, extra in (
            (world.leader, {}),
            (world.leader, {"type": "resident_issue"}),
            (world.dispatcher, {"unit": str(world.dept.pk)}),
        ):
            client.force_login(user)
            for params in _figures(months, **extra):
                paginator = client.get(URL, params).context["page"].paginator
                exact = paginator.cases.count()
                if paginator.known is None:  # the composite's and the average's numerators
                    assert params["metric"] in ("composite_score", "avg_handling_hours"), params
                    continue
                assert paginator.known == exact, params
                checked += 1
        assert checked > 100
        # Any other filter, or months that are not one run, is counted live.
        client.force_login(world.leader)
        for params in (
            {"metric": "received", "month": months, "q": "路灯"},
            {"metric": "received", "month": "202607,202609"},
            {"metric": "received"},
        ):
            paginator = client.get(URL, params).context["page"].paginator
            assert paginator.known is None and paginator.count == paginator.cases.count()


def test_a_department_heads_figure_list_is_counted_live(world, client):
    """A department's view is not whole region subtrees: the rollup cannot hold it."""
    from cases.tests.world import make_user
    from people.models import Role

    head = make_user("head", Role.DEPT_HEAD, organisation=world.dept)
    world.answered()
    client.force_login(head)
    month = timezone.localdate().strftime("%Y%m")
    paginator = client.get(URL, {"metric": "received", "month": month}).context["page"].paginator
    assert paginator.known is None and paginator.count == 1
