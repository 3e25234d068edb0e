"""The department's duty list (履职清单): a printable page and an .xlsx of the same rows."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from cases import services
from cases.models import Case
from cases.tests.helpers import local, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()
PAGE = reverse("department:duty-list")
XLSX = reverse("department:duty-list-xlsx")


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


def co_handled(world, **overrides) -> Case:
    case = services.triage_case(world.report(**overrides), actor=world.dispatcher)
    return services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.other_dept, co_units=[world.dept]
    )


def workbook_rows(response) -> list[tuple]:
    sheet = load_workbook(BytesIO(response.content), read_only=True).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def duties(world):
    """One case per state a unit answers for, in two categories, plus cases it does not."""
    category = world.category()
    return {
        "assigned": world.assigned(title="路灯不亮"),
        "in_progress": services.accept_case(world.assigned(title="井盖缺失"), actor=world.handler),
        "answered": world.answered(title="垃圾清运"),
        "co": co_handled(world, title="协办事项"),
        "hazard": world.assigned("hazard", title="窑炉燃气泄漏隐患"),
        # Not the unit's: closed, sent back, or another unit's only.
        "closed": world.in_status("closed", title="已销号"),
        "other": services.assign_case(
            services.triage_case(world.report(title="他局事项"), actor=world.dispatcher),
            actor=world.dispatcher,
            lead_unit=world.other_dept,
        ),
        "category": category,
    }


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert reverse("web:login") in client.get(PAGE)["Location"]
    assert reverse("web:login") in client.get(XLSX)["Location"]


@pytest.mark.parametrize("who", ["outsider", "dispatcher", "grid_worker", "leader"])
def test_the_duty_list_is_for_department_staff(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(PAGE).status_code == 403
    assert client.get(XLSX).status_code == 403


def test_the_page_groups_current_assignments_by_category(world, client, duties):
    client.force_login(world.handler)
    response = client.get(PAGE)
    groups = response.context["groups"]
    names = [group.name for group in groups]
    category = duties["category"].name
    assert names == [f"民情诉求 · {category}", "民情诉求 · 未分类", "安全隐患 · 消防安全"]
    titles = [row.case.title for group in groups for row in group.rows]
    assert sorted(titles) == sorted(
        ["路灯不亮", "井盖缺失", "垃圾清运", "协办事项", "窑炉燃气泄漏隐患"]
    )
    roles = {row.case.title: row.role for group in groups for row in group.rows}
    assert roles["协办事项"] == "协办" and roles["路灯不亮"] == "主办"
    body = response.content.decode()
    assert "window.print()" in body and XLSX in body
    assert "剩余 5个工作日7小时" in body and "反馈" in body  # time left, and the answered state
    assert "他局事项" not in body and "已销号" not in body


def test_another_department_gets_its_own_list(world, client, duties):
    client.force_login(world.other_handler)
    groups = client.get(PAGE).context["groups"]
    titles = {row.case.title for group in groups for row in group.rows}
    assert titles == {"协办事项", "他局事项"}


def test_the_xlsx_has_the_same_rows_with_chinese_headers(world, client, duties):
    client.force_login(world.handler)
    response = client.get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%B1%A5%E8%81%8C%E6%B8%85%E5%8D%95" in response["Content-Disposition"]  # 履职清单
    title, headers, *rows = workbook_rows(response)
    assert title[0].startswith("德化县人力资源和社会保障局 履职清单（2026-11-24）")
    assert headers[:6] == ("事项类型", "分类", "编号", "标题", "承办单位", "主办/协办")
    page_rows = [
        (row.case.number, row.role)
        for group in client.get(PAGE).context["groups"]
        for row in group.rows
    ]
    assert [(row[2], row[5]) for row in rows] == page_rows
    by_title = {row[3]: row for row in rows}
    lamp = by_title["路灯不亮"]
    assert lamp[0] == "民情诉求" and lamp[4] == "人社局" and lamp[8] == "交办"
    assert lamp[7].strftime("%Y-%m-%d %H:%M") == "2026-12-01 17:00"  # local wall time
    assert lamp[9] == "剩余 5个工作日7小时"
    assert by_title["垃圾清运"][9] is None  # answered: no clock
    assert "他局事项" not in by_title


def test_an_empty_list_still_downloads(world, client):
    client.force_login(make_user("idle", Role.DEPT_HANDLER, organisation=world.other_dept))
    title, headers, *rows = workbook_rows(client.get(XLSX))
    assert headers[0] == "事项类型" and rows == []
    assert "本单位当前没有交办事项" in client.get(PAGE).content.decode()


# The lists read each type × tier's yellow share once (cases.clocks.WarnShares) for the staged
# clocks' lights, on the page and in the download.
def test_the_page_and_download_cost_the_same_queries_for_3_and_30_rows(
    world, client, django_assert_num_queries
):
    client.force_login(world.handler)
    for _ in range(3):
        world.assigned()
    client.get(PAGE)
    with django_assert_num_queries(8) as page_three:
        client.get(PAGE)
    with django_assert_num_queries(5) as xlsx_three:
        client.get(XLSX)
    for index in range(27):
        world.assigned("hazard" if index % 2 else "resident_issue")
    with django_assert_num_queries(len(page_three.captured_queries)):
        groups = client.get(PAGE).context["groups"]
    assert sum(len(g.rows) for g in groups) == 30
    with django_assert_num_queries(len(xlsx_three.captured_queries)):
        assert len(workbook_rows(client.get(XLSX))) == 32
