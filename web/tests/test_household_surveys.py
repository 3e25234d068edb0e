"""The survey pages: the list and new-survey form, progress by grid with its lists, the task
form (visit, 转为事项) and the recheck form, and scope (another grid's task is a 404)."""

from datetime import date

import pytest
import time_machine

from cases.models import Case
from households import surveys
from households.models import (
    HouseholdEvent,
    HouseholdEventKind,
    Survey,
    SurveyTask,
    SurveyTaskStatus,
)
from households.tests.helpers import build

pytestmark = pytest.mark.django_db

ITEMS = ["房屋安全", "用电安全"]


@pytest.fixture
def hh(world):
    return build(world)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        yield


def make_survey(hh):
    return surveys.create_survey(
        title="汛前房屋安全摸排",
        items=ITEMS,
        region=hh.world.county,
        due_on=date(2026, 3, 31),
        actor=hh.world.dispatcher,
    )


def task_of(survey, household):
    return SurveyTask.objects.get(survey=survey, household=household)


VISIT = {"answer_0": "yes", "note_0": "", "answer_1": "no", "note_1": "电线老化"}


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get("/households/surveys/").status_code == 302


def test_an_outsider_is_refused(client, hh):
    client.force_login(hh.world.outsider)
    assert client.get("/households/surveys/").status_code == 403


def test_a_dispatcher_starts_a_survey(client, hh):
    client.force_login(hh.world.dispatcher)
    assert client.get("/households/surveys/").status_code == 200
    response = client.post(
        "/households/surveys/",
        {
            "title": "汛前摸排",
            "items": "房屋安全\n用电安全\n",
            "region": hh.world.county.pk,
            "due_on": "2026-03-31",
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/households/surveys/{survey.pk}/"
    assert survey.items == ITEMS and survey.tasks.count() == 2


def test_a_grid_worker_may_not_start_a_survey(client, hh):
    client.force_login(hh.world.grid_worker)
    assert client.get("/households/surveys/").status_code == 200
    response = client.post("/households/surveys/", {"title": "x"})
    assert response.status_code == 403


def test_progress_numbers_open_lists_of_that_many(client, hh):
    survey = make_survey(hh)
    surveys.record_survey_visit(
        task_of(survey, hh.home),
        answers={"房屋安全": "yes", "用电安全": "no"},
        finding="墙体开裂",
        actor=hh.world.grid_worker,
    )
    client.force_login(hh.world.dispatcher)
    page = client.get(f"/households/surveys/{survey.pk}/")
    assert page.status_code == 200
    for row in page.context["rows"]:
        for state in ("all", "visited", "rechecked", "finding"):
            listed = client.get(
                f"/households/surveys/{survey.pk}/tasks/", {"grid": row.grid_id, "state": state}
            )
            number = row.total if state == "all" else getattr(row, state)
            assert len(listed.context["tasks"]) == number


def test_another_grids_task_is_not_found(client, hh):
    survey = make_survey(hh)
    client.force_login(hh.world.grid_worker)
    other = task_of(survey, hh.other_home)
    assert client.get(f"/households/surveys/tasks/{other.pk}/").status_code == 404
    assert client.post(f"/households/surveys/tasks/{other.pk}/", VISIT).status_code == 404


def test_the_grid_worker_records_a_visit_and_raises_a_case(client, hh):
    survey = make_survey(hh)
    task = task_of(survey, hh.home)
    client.force_login(hh.world.grid_worker)
    assert client.get(f"/households/surveys/tasks/{task.pk}/").status_code == 200
    response = client.post(
        f"/households/surveys/tasks/{task.pk}/",
        {
            **VISIT,
            "finding": "东侧墙体开裂，雨季有倒塌风险。",
            "raise_case": "on",
            "case_type": hh.world.types["resident_issue"].pk,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.VISITED
    assert Case.objects.get(household=hh.home) == task.case
    assert HouseholdEvent.objects.filter(kind=HouseholdEventKind.SURVEY_VISITED).count() == 1


def test_an_incomplete_checklist_shows_the_form_again(client, hh):
    task = task_of(make_survey(hh), hh.home)
    client.force_login(hh.world.grid_worker)
    response = client.post(f"/households/surveys/tasks/{task.pk}/", {"answer_0": "yes"})
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.PENDING


def test_the_dispatcher_rechecks_the_visit(client, hh):
    task = task_of(make_survey(hh), hh.home)
    surveys.record_survey_visit(
        task, answers={"房屋安全": "yes", "用电安全": "no"}, actor=hh.world.grid_worker
    )
    client.force_login(hh.world.dispatcher)
    assert client.get(f"/households/surveys/tasks/{task.pk}/").status_code == 200
    response = client.post(f"/households/surveys/tasks/{task.pk}/", {"ok": "1", "note": ""})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.RECHECKED and task.rechecked_by == hh.world.dispatcher


def test_the_visitor_may_not_recheck_their_visit(client, hh):
    task = task_of(make_survey(hh), hh.home)
    surveys.record_survey_visit(
        task, answers={"房屋安全": "yes", "用电安全": "no"}, actor=hh.world.dispatcher
    )
    client.force_login(hh.world.dispatcher)
    response = client.post(f"/households/surveys/tasks/{task.pk}/", {"ok": "1"})
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.VISITED


def test_the_grid_worker_gets_no_recheck_form(client, hh):
    task = task_of(make_survey(hh), hh.home)
    surveys.record_survey_visit(
        task, answers={"房屋安全": "yes", "用电安全": "no"}, actor=hh.world.dispatcher
    )
    client.force_login(hh.world.grid_worker)
    assert client.post(f"/households/surveys/tasks/{task.pk}/", {"ok": "1"}).status_code == 403


def test_the_dispatcher_closes_the_survey_from_its_page(client, hh):
    survey = make_survey(hh)
    client.force_login(hh.world.dispatcher)
    page = client.get(f"/households/surveys/{survey.pk}/").content.decode()
    assert f'action="/households/surveys/{survey.pk}/close/"' in page
    response = client.post(f"/households/surveys/{survey.pk}/close/", {"reason": "汛期已过"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed" and survey.close_reason == "汛期已过"
    page = client.get(f"/households/surveys/{survey.pk}/").content.decode()
    assert "/close/" not in page and "汛期已过" in page
    again = client.post(f"/households/surveys/{survey.pk}/close/", follow=True)
    assert "该摸排已结束。" in again.content.decode()
    assert HouseholdEvent.objects.filter(kind=HouseholdEventKind.SURVEY_CLOSED).count() == 2


def test_a_closed_survey_shows_no_form_and_takes_no_visit(client, hh):
    survey = make_survey(hh)
    task = task_of(survey, hh.home)
    surveys.close_survey(survey, actor=hh.world.dispatcher)
    client.force_login(hh.world.grid_worker)
    page = client.get(f"/households/surveys/tasks/{task.pk}/")
    assert page.context["visit_form"] is None and "该摸排已结束" in page.content.decode()
    response = client.post(f"/households/surveys/tasks/{task.pk}/", VISIT, follow=True)
    assert "该摸排已结束，不能再登记走访或复核。" in response.content.decode()
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.PENDING


def test_only_who_may_start_it_closes_it_and_only_by_post(client, hh):
    survey = make_survey(hh)
    client.force_login(hh.world.grid_worker)
    assert "/close/" not in client.get(f"/households/surveys/{survey.pk}/").content.decode()
    assert client.post(f"/households/surveys/{survey.pk}/close/").status_code == 403
    client.force_login(hh.world.dispatcher)
    assert client.get(f"/households/surveys/{survey.pk}/close/").status_code == 405
    client.force_login(hh.world.outsider)
    assert client.post(f"/households/surveys/{survey.pk}/close/").status_code == 403
    survey.refresh_from_db()
    assert survey.status == "open"


def test_closing_needs_csrf(hh):
    from django.test import Client

    survey = make_survey(hh)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(hh.world.dispatcher)
    assert strict.post(f"/households/surveys/{survey.pk}/close/").status_code == 403
    survey.refresh_from_db()
    assert survey.status == "open"


def test_the_task_list_pages_keep_their_filters_with_fixed_queries(
    client, hh, django_assert_num_queries
):
    from households.models import SurveyTask
    from people.models import Household
    from web.households.survey_views import TASKS_PER_PAGE

    Household.objects.bulk_create(
        Household(head_name=f"张{i}", region=hh.world.grid) for i in range(TASKS_PER_PAGE + 5)
    )
    survey = make_survey(hh)
    assert SurveyTask.objects.filter(survey=survey, grid=hh.world.grid).count() == 56
    client.force_login(hh.world.dispatcher)
    base = f"/households/surveys/{survey.pk}/tasks/"
    first = client.get(base, {"grid": hh.world.grid.pk, "state": "pending"})
    assert len(first.context["tasks"]) == TASKS_PER_PAGE
    link = f'href="?grid={hh.world.grid.pk}&amp;state=pending&amp;page=2"'
    assert link in first.content.decode()
    second = client.get(base, {"grid": hh.world.grid.pk, "state": "pending", "page": "2"})
    assert len(second.context["tasks"]) == 6
    assert "page=1" in second.content.decode()
    shown = {t.pk for t in first.context["tasks"]} | {t.pk for t in second.context["tasks"]}
    assert len(shown) == 56
    # A page number out of range or not a number shows a page, never an error.
    assert client.get(base, {"page": "999"}).status_code == 200
    assert client.get(base, {"page": "x", "grid": "9" * 40}).status_code == 200
    with django_assert_num_queries(8) as few:
        client.get(base, {"state": "all"})
    Household.objects.bulk_create(
        Household(head_name=f"王{i}", region=hh.world.other_grid) for i in range(5)
    )
    make_survey(hh)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(base, {"state": "all", "page": "2"})
