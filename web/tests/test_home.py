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
