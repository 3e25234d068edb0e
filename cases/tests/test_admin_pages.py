"""Every registry has a Chinese admin page that renders for an administrator."""

import pytest
from django.contrib import admin
from django.urls import reverse


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_each_registry_changelist_renders_in_chinese(world, client, model):
    world.answered()  # at least one case with events and assignments
    client.force_login(world.admin)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "管理后台" in response.content.decode() or "连心桥" in response.content.decode()


def test_the_case_page_shows_its_timeline_and_cannot_be_edited(world, client):
    case = world.answered()
    client.force_login(world.admin)
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "流转记录" in body and "answered" in body
    assert (
        client.post(reverse("admin:cases_case_change", args=[case.pk]), {"title": "改"}).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.title == "路灯不亮"


def test_the_calendar_page_warns_when_a_year_has_no_schedule(world, client, settings):
    import time_machine

    with time_machine.travel("2030-03-01 10:00 +0800", tick=False):
        client.force_login(world.admin)
        body = client.get(reverse("admin:cases_workcalendarday_changelist")).content.decode()
    assert "2030年的法定节假日安排尚未录入" in body
