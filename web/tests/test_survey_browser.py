"""On a 375 px phone, in Chromium: a grid worker opens his survey task (摸排), records the visit
with the checklist's answers and a finding made a case in the same step; the town's dispatcher
re-checks (复核) it; the survey's progress by grid shows it visited and re-checked."""

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_grid_worker_visits_a_survey_task_and_another_user_rechecks_it(chromium, live):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Case
    from cases.tests.world import World
    from households import surveys
    from households.models import SurveyTask, SurveyTaskStatus
    from households.tests.helpers import build

    hh = build(World.build())
    survey = surveys.create_survey(
        title="汛前房屋安全摸排",
        items=["房屋安全", "用电安全"],
        region=hh.world.county,
        due_on=timezone.localdate() + timedelta(days=20),
        actor=hh.world.dispatcher,
    )
    task = SurveyTask.objects.get(survey=survey, household=hh.home)

    page = new_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/households/surveys/")
    page.click("a:has-text('汛前房屋安全摸排')")
    page.wait_for_selector(f"#grid-{hh.world.grid.pk}")
    # The grid worker sees his grid only, and no close button.
    assert page.locator(f"#grid-{hh.world.other_grid.pk}").count() == 0
    assert page.locator("#survey-close").count() == 0
    assert fits(page)
    page.click(f"#grid-{hh.world.grid.pk} a:has-text('总户数')")
    page.click(f"#task-{task.pk} a")
    page.wait_for_selector("text=摸排事项")
    page.check("input[name=answer_0][value=yes]")
    page.check("input[name=answer_1][value=no]")
    page.fill("input[name=note_1]", "电线老化")
    page.fill("textarea[name=finding]", "东侧墙体开裂，雨季有倒塌风险。")
    page.check("input[name=raise_case]")
    page.select_option("select[name=case_type]", label=hh.world.types["resident_issue"].name)
    screenshot(page, "survey-task-visit")
    assert fits(page)
    page.click("button:has-text('登记走访')")
    page.wait_for_selector("text=走访已登记")
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.VISITED
    case = Case.objects.get(household=hh.home)
    assert task.case == case
    assert page.locator(f"a[href='/cases/{case.pk}/']").count() == 1
    # The visitor gets no recheck form on his own visit.
    assert page.locator("button:has-text('保存复核')").count() == 0
    assert fits(page)

    checker = new_page(chromium, PHONE)
    sign_in(checker, live, "dispatcher")
    checker.goto(f"{live}/households/surveys/tasks/{task.pk}/")
    checker.wait_for_selector("text=电线老化")
    checker.check("input[name=ok][value='1']")
    checker.fill("input[name=note]", "已电话核实")
    assert fits(checker)
    checker.click("button:has-text('保存复核')")
    checker.wait_for_selector("text=复核已登记")
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.RECHECKED and task.rechecked_by == hh.world.dispatcher

    checker.goto(f"{live}/households/surveys/{survey.pk}/")
    card = checker.locator(f"#grid-{hh.world.grid.pk}")
    assert card.locator("a:has-text('已走访') b").inner_text() == "1"
    assert card.locator("a:has-text('已复核') b").inner_text() == "1"
    assert card.locator("a:has-text('发现问题') b").inner_text() == "1"
    assert checker.locator("#survey-close").count() == 1
    screenshot(checker, "survey-progress")
    assert fits(checker)
