import pytest
from django.urls import reverse

from web.tests.conftest import new_page, screenshot, sign_in


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_each_role_sees_its_own_menu_and_counts(world, client):
    world.answered()
    client.force_login(world.dispatcher)
    body = client.get(reverse("web:home")).content.decode()
    assert "研判交办" in body and "待研判交办" in body and "承办工作台" not in body
    client.force_login(world.handler)
    body = client.get(reverse("web:home")).content.decode()
    assert "承办工作台" in body and "研判交办" not in body


def test_the_home_page_costs_the_same_queries_with_more_cases(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.dispatcher)
    client.get(reverse("web:home"))
    for _ in range(5):
        world.report()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("web:home")).status_code == 200


def test_sign_in_with_a_wrong_password_says_so_in_chinese(world, client):
    response = client.post(reverse("web:login"), {"username": "dispatcher", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sign_in_and_out_in_a_real_browser(chromium, live):
    from cases.tests.world import World

    World.build()
    page = new_page(chromium)
    sign_in(page, live, "dispatcher")
    assert "dispatcher，您好" in page.content()
    screenshot(page, "home-dispatcher")
    page.click("text=退出")
    page.wait_for_url(f"{live}/login/")


def test_the_counts_equal_one_aggregate_over_every_visible_case(world, client):
    """The page reads the counted states through the status index and 我登记的 through the
    reporter index; the figures are those of one aggregate over all the cases the user sees."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    from cases import services
    from cases.models import HANDLING_STATUSES, Status, due_for_visit_q, overdue_q
    from cases.scope import visible_cases

    for status in Status.values:
        world.in_status(status)
    services.close_case(  # reported by the dispatcher (elsewhere than the grid), then closed
        world.verified(region=world.other_grid), actor=world.dispatcher
    )
    late = services.accept_case(world.assigned(), actor=world.handler)
    services.request_extension(
        late,
        actor=world.handler,
        until=timezone.now() + timedelta(days=20),
        reason="需协调供电公司施工。",
    )
    client.force_login(world.dispatcher)
    counts = client.get(reverse("web:home")).context["counts"]
    now = timezone.now()
    user = world.dispatcher
    expected = visible_cases(user).aggregate(
        to_triage=Count("pk", filter=Q(status__in=[Status.REPORTED, Status.TRIAGED])),
        in_handling=Count("pk", filter=Q(status__in=HANDLING_STATUSES)),
        overdue=Count("pk", filter=overdue_q(now)),
        to_visit=Count("pk", filter=due_for_visit_q(now)),
        to_close=Count("pk", filter=Q(status=Status.VERIFIED)),
        extensions=Count("pk", filter=Q(pending_extension_until__isnull=False)),
        mine=Count("pk", filter=Q(reported_by=user)),
    )
    assert counts == expected
    assert counts["extensions"] == 1 and counts["to_triage"] >= 2 and counts["mine"] > 0
