"""The whole closed loop in Chromium, by four people on their own pages.

A grid worker reports on a phone, the dispatcher triages and assigns, the department accepts
and answers, the grid worker makes the return visit on the phone, the dispatcher closes, and
the leader sees the rates move on the dashboard. Only the preconditions (the world and one
earlier case whose visit failed) are made with the services; every step of the loop is a click
in the browser. Screenshots: screenshots/loop-01-report.png … loop-07-dashboard.png.
"""

from __future__ import annotations

import re

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

DESCRIPTION = "浔中村第一网格主路旁排水沟堵塞，雨天积水漫上路面，村民出行不便。"
ANSWER = "已组织人员疏通排水沟并清运淤泥，路面积水已排净。"


def tile(page, key: str) -> str:
    return page.inner_text(f"[data-metric={key}] b").strip()


def tile_detail(page, key: str) -> str:
    return page.inner_text(f"[data-metric={key}] small").strip()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_case_goes_round_the_whole_loop_in_the_browser(chromium, live):
    from cases.models import Case, CaseEvent, Status
    from cases.tests.world import World

    world = World.build()
    # An earlier case whose return visit failed, so the rates have a value to move from.
    world.verified(passed=False, title="旧事项")
    category = world.category()

    # The leader reads the dashboard first.
    leader = new_page(chromium)
    sign_in(leader, live, "leader")
    leader.goto(f"{live}/dashboard/")
    leader.wait_for_selector("body[data-charts-ready]")
    before = {key: tile(leader, key) for key in ("received", "resolution", "satisfaction")}
    assert before == {"received": "1", "resolution": "0.0%", "satisfaction": "0.0%"}
    assert tile_detail(leader, "received") == "销号 0"

    # 1. The grid worker reports on a phone.
    grid = new_page(chromium, PHONE)
    sign_in(grid, live, "grid_worker")
    grid.goto(f"{live}/grid/report/")
    grid.check(f"input[name=case_type][value='{world.types['resident_issue'].pk}']")
    grid.select_option("select[name=category]", str(category.pk))
    assert grid.input_value("select[name=region]") == str(world.grid.pk)  # the only place
    grid.fill("textarea[name=description]", DESCRIPTION)
    grid.fill("input[name=requester_name]", "王五")
    grid.fill("input[name=requester_phone]", "13900001111")
    screenshot(grid, "loop-01-report")
    grid.click("button:has-text('提交上报')")
    grid.wait_for_url(re.compile(r".*/grid/cases/\d+/reported/$"))
    pk = int(re.search(r"/grid/cases/(\d+)/reported/", grid.url).group(1))
    case = Case.objects.get(pk=pk)
    assert case.status == Status.REPORTED and case.reported_by == world.grid_worker
    assert case.number in grid.inner_text(".case-number")

    # 2. The dispatcher triages and assigns it to the department.
    dispatcher = new_page(chromium)
    sign_in(dispatcher, live, "dispatcher")
    dispatcher.goto(f"{live}/dispatch/")
    dispatcher.click(f"#case-{pk} a:has-text('研判交办')")
    dispatcher.wait_for_url(f"{live}/dispatch/cases/{pk}/triage/")
    dispatcher.select_option("#id_category", str(category.pk))
    dispatcher.select_option("#id_lead_unit", str(world.dept.pk))
    dispatcher.fill("#id_note", "请人社局牵头，三个工作日内答复。")
    screenshot(dispatcher, "loop-02-triage")
    dispatcher.click("button:has-text('研判并交办')")
    dispatcher.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.lead_unit == world.dept
    assert case.deadline is not None

    # 3. The department accepts it from its queue.
    dept = new_page(chromium)
    sign_in(dept, live, "handler")
    dept.goto(f"{live}/dept/")
    dept.click(f"#case-{pk} button:has-text('签收')")
    dept.wait_for_url(f"{live}/dept/cases/{pk}/")
    assert "已签收" in dept.inner_text(".messages")
    screenshot(dept, "loop-03-accept")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS

    # 4. … and answers it.
    dept.fill("#answered textarea", ANSWER)
    screenshot(dept, "loop-04-answer")
    dept.click("#answered button:has-text('办结答复')")
    dept.wait_for_load_state()
    assert "已答复" in dept.inner_text(".messages")
    case.refresh_from_db()
    assert case.status == Status.ANSWERED and case.answer == ANSWER

    # 5. The grid worker makes the return visit on the phone.
    grid.goto(f"{live}/grid/visits/")
    card = grid.locator(f"#case-{pk}")
    assert ANSWER in card.inner_text()
    card.locator("input[name=reached][value='1']").check()
    card.locator("input[name=contacted][value='1']").check()
    card.locator("input[name=resolved][value='1']").check()
    card.locator("input[name=satisfaction][value='satisfied']").check()
    card.locator("textarea[name=note]").fill("电话回访王五，排水沟已疏通，表示满意。")
    screenshot(grid, "loop-05-visit")
    card.locator("button:has-text('提交回访')").click()
    grid.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.visit_passed

    # 6. The dispatcher closes it.
    dispatcher.goto(f"{live}/dispatch/closing/")
    dispatcher.click(f"#case-{pk} button:has-text('销号')")
    dispatcher.wait_for_load_state()
    assert "已销号" in dispatcher.inner_text(".messages")
    screenshot(dispatcher, "loop-06-close")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["reported", "triaged", "assigned", "accepted", "answered", "visited", "closed"]

    # 7. The leader sees the rates move.
    leader.reload()
    leader.wait_for_selector("body[data-charts-ready]")
    after = {key: tile(leader, key) for key in ("received", "resolution", "satisfaction")}
    assert after == {"received": "2", "resolution": "50.0%", "satisfaction": "50.0%"}
    assert tile_detail(leader, "received") == "销号 1"
    assert tile(leader, "on_time") == "100.0%"
    screenshot(leader, "loop-07-dashboard")
