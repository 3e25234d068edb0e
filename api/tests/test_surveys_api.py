"""Surveys (摸排) over the API: scope as 404 (another grid's task), progress by grid, a survey
started once per token, a visit that raises a case, the recheck by someone else, closing, and
wrong types or values as precise 400s; fixed queries on the lists."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import time_machine

from api.tests.helpers import assert_error
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
from people.models import Household

pytestmark = pytest.mark.django_db

ITEMS = ["房屋安全", "用电安全"]
ANSWERS = {"房屋安全": {"answer": "yes"}, "用电安全": {"answer": "no", "note": "电线老化"}}


@pytest.fixture
def hh(world):
    return build(world)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        yield


def make_survey(hh, **overrides):
    fields = {
        "title": "汛前房屋安全摸排",
        "items": ITEMS,
        "region": hh.world.county,
        "due_on": date(2026, 3, 31),
        "actor": hh.world.dispatcher,
    }
    fields.update(overrides)
    return surveys.create_survey(**fields)


def task_of(survey, household):
    return SurveyTask.objects.get(survey=survey, household=household)


def body(hh, **overrides):
    data = {
        "title": "汛前摸排",
        "items": ITEMS,
        "region": hh.world.county.pk,
        "due_on": "2026-03-31",
    }
    data.update(overrides)
    return data


class TestRead:
    def test_a_grid_worker_sees_the_survey_and_only_their_grid(self, hh, client_for):
        survey = make_survey(hh)
        client = client_for(hh.world.grid_worker)
        rows = client.get("/api/v1/surveys/").json()["results"]
        assert [r["id"] for r in rows] == [survey.pk] and rows[0]["status"] == "open"
        detail = client.get(f"/api/v1/surveys/{survey.pk}/").json()
        assert [g["grid"] for g in detail["grids"]] == [hh.world.grid.pk]
        assert detail["grids"][0]["total"] == 1 and detail["may_close"] is False
        tasks = client.get(f"/api/v1/surveys/{survey.pk}/tasks/").json()["results"]
        assert [t["household"] for t in tasks] == [hh.home.pk]
        assert tasks[0]["head_name"] == "李**"

    def test_another_grids_task_is_a_404(self, hh, client_for):
        survey = make_survey(hh)
        other = task_of(survey, hh.other_home)
        client = client_for(hh.world.grid_worker)
        assert_error(client.get(f"/api/v1/survey-tasks/{other.pk}/"), 404, "not_found")
        visit = client.post(
            f"/api/v1/survey-tasks/{other.pk}/visit/", {"answers": ANSWERS}, format="json"
        )
        assert_error(visit, 404, "not_found")
        recheck = client.post(
            f"/api/v1/survey-tasks/{other.pk}/recheck/", {"ok": True}, format="json"
        )
        assert_error(recheck, 404, "not_found")
        assert_error(client.get("/api/v1/survey-tasks/99999999999999999999/"), 404, "not_found")
        other.refresh_from_db()
        assert other.status == SurveyTaskStatus.PENDING

    def test_another_towns_survey_is_a_404(self, hh, client_for):
        from cases.tests.world import make_user
        from people.models import Role

        cadre = make_user("other_cadre", Role.VILLAGE_CADRE, region=hh.world.other_grid)
        theirs = make_survey(hh, region=hh.world.other_grid, actor=cadre)
        client = client_for(hh.world.grid_worker)
        assert_error(client.get(f"/api/v1/surveys/{theirs.pk}/"), 404, "not_found")
        assert_error(client.get(f"/api/v1/surveys/{theirs.pk}/tasks/"), 404, "not_found")
        assert_error(client.post(f"/api/v1/surveys/{theirs.pk}/close/"), 404, "not_found")

    def test_the_task_shows_the_name_to_who_goes_to_the_door(self, hh, client_for):
        task = task_of(make_survey(hh), hh.home)
        worker = client_for(hh.world.grid_worker).get(f"/api/v1/survey-tasks/{task.pk}/").json()
        assert worker["head_name"] == "李春生"
        leader = client_for(hh.world.leader).get(f"/api/v1/survey-tasks/{task.pk}/").json()
        assert leader["head_name"] == "李**"

    def test_outsiders_are_refused(self, hh, client_for):
        make_survey(hh)
        assert_error(client_for(hh.world.outsider).get("/api/v1/surveys/"), 403, "forbidden")

    def test_bad_filters_are_400s(self, hh, client_for):
        survey = make_survey(hh)
        client = client_for(hh.world.dispatcher)
        url = f"/api/v1/surveys/{survey.pk}/tasks/"
        assert_error(client.get(url, {"state": "done"}), 400, "invalid_choice", "state")
        assert_error(client.get(url, {"grid": "x"}), 400, "invalid", "grid")
        assert_error(client.get(url, {"grid": "9" * 30}), 400, "invalid", "grid")
        assert_error(client.get(url, {"cursor": "garbage"}), 400, "invalid", "cursor")

    def test_progress_numbers_equal_their_lists(self, hh, client_for):
        survey = make_survey(hh)
        surveys.record_survey_visit(
            task_of(survey, hh.home),
            answers=ANSWERS,
            finding="墙体开裂",
            actor=hh.world.grid_worker,
        )
        client = client_for(hh.world.dispatcher)
        for row in client.get(f"/api/v1/surveys/{survey.pk}/").json()["grids"]:
            for state in ("visited", "rechecked", "finding"):
                listed = client.get(
                    f"/api/v1/surveys/{survey.pk}/tasks/", {"grid": row["grid"], "state": state}
                ).json()["results"]
                assert len(listed) == row[state]

    def test_the_lists_cost_fixed_queries(self, hh, client_for, django_assert_num_queries):
        survey = make_survey(hh)
        client = client_for(hh.world.dispatcher)
        client.get("/api/v1/surveys/")
        with django_assert_num_queries(3) as few:
            client.get("/api/v1/surveys/")
        with django_assert_num_queries(4) as few_tasks:
            client.get(f"/api/v1/surveys/{survey.pk}/tasks/")
        Household.objects.bulk_create(
            Household(head_name=f"张{i}", region=hh.world.grid) for i in range(8)
        )
        for _ in range(3):
            make_survey(hh)
        with django_assert_num_queries(len(few.captured_queries)):
            assert len(client.get("/api/v1/surveys/").json()["results"]) == 4
        newest = Survey.objects.order_by("-pk").first()
        with django_assert_num_queries(len(few_tasks.captured_queries)):
            assert len(client.get(f"/api/v1/surveys/{newest.pk}/tasks/").json()["results"]) == 10


class TestCreate:
    def test_a_dispatcher_starts_a_survey_once_per_token(self, hh, client_for):
        client = client_for(hh.world.dispatcher)
        token = str(uuid.uuid4())
        first = client.post("/api/v1/surveys/", body(hh, token=token), format="json")
        assert first.status_code == 201, first.content
        assert first.json()["items"] == ITEMS and first.json()["may_close"] is True
        assert sum(g["total"] for g in first.json()["grids"]) == 2
        again = client.post("/api/v1/surveys/", body(hh, token=token), format="json")
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        assert Survey.objects.count() == 1
        assert HouseholdEvent.objects.filter(kind=HouseholdEventKind.SURVEY_TASKED).count() == 2
        survey = Survey.objects.get()
        assert survey.created_by == hh.world.dispatcher
        assert HouseholdEvent.objects.filter(via="api").count() == 2

    def test_another_users_token_is_refused(self, hh, client_for):
        token = str(uuid.uuid4())
        client_for(hh.world.dispatcher).post(
            "/api/v1/surveys/", body(hh, token=token), format="json"
        )
        response = client_for(hh.world.admin).post(
            "/api/v1/surveys/", body(hh, token=token), format="json"
        )
        assert_error(response, 400, "token_reused", "token")

    def test_a_grid_worker_may_not_start_one(self, hh, client_for):
        response = client_for(hh.world.grid_worker).post(
            "/api/v1/surveys/", body(hh, region=hh.world.grid.pk), format="json"
        )
        assert_error(response, 403, "forbidden")
        assert not Survey.objects.exists()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"items": "房屋安全"}, "items"),
            ({"items": []}, "items"),
            ({"items": [["x"]]}, "items.0"),
            ({"items": ["x" * 101]}, "items.0"),
            ({"items": ["一"] * 51}, "items"),
            ({"region": "德化县"}, "region"),
            ({"region": 99999999}, "region"),
            ({"region": 10**30}, "region"),
            ({"due_on": "31/03/2026"}, "due_on"),
            ({"title": ""}, "title"),
            ({"title": {"a": 1}}, "title"),
            ({"tag": "监测对象"}, "tag"),
            ({"token": "not-a-uuid"}, "token"),
        ],
    )
    def test_wrong_types_are_400s_with_the_field(self, hh, client_for, change, field):
        response = client_for(hh.world.dispatcher).post(
            "/api/v1/surveys/", body(hh, **change), format="json"
        )
        assert_error(response, 400, response.json()["errors"][0]["code"], field)
        assert not Survey.objects.exists()

    def test_the_services_refusals_are_400s(self, hh, client_for):
        client = client_for(hh.world.dispatcher)
        past = client.post("/api/v1/surveys/", body(hh, due_on="2026-03-01"), format="json")
        assert_error(past, 400, "past", "due_on")
        twice = client.post("/api/v1/surveys/", body(hh, items=["a", "a"]), format="json")
        assert_error(twice, 400, "duplicate", "items")
        empty = client.post("/api/v1/surveys/", body(hh, tag=hh.monitored.pk), format="json")
        assert_error(empty, 400, "empty", "households")

    def test_a_json_array_body_is_a_400(self, hh, client_for):
        response = client_for(hh.world.dispatcher).post("/api/v1/surveys/", [1, 2], format="json")
        assert response.status_code == 400


class TestVisitAndRecheck:
    def test_the_grid_worker_visits_and_raises_a_case_then_the_dispatcher_rechecks(
        self, hh, client_for
    ):
        task = task_of(make_survey(hh), hh.home)
        worker = client_for(hh.world.grid_worker)
        response = worker.post(
            f"/api/v1/survey-tasks/{task.pk}/visit/",
            {
                "answers": ANSWERS,
                "finding": "东侧墙体开裂，雨季有倒塌风险。",
                "raise_case": True,
                "case_type": "resident_issue",
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        data = response.json()
        case = Case.objects.get(household=hh.home)
        assert data["status"] == "visited" and data["case"] == case.pk
        assert data["answers"]["用电安全"] == {"answer": "no", "note": "电线老化"}
        own = worker.post(f"/api/v1/survey-tasks/{task.pk}/recheck/", {"ok": True}, format="json")
        assert_error(own, 403, "forbidden")
        dispatcher = client_for(hh.world.dispatcher)
        response = dispatcher.post(
            f"/api/v1/survey-tasks/{task.pk}/recheck/", {"ok": True}, format="json"
        )
        assert response.status_code == 200 and response.json()["status"] == "rechecked"
        detail = dispatcher.get(f"/api/v1/surveys/{task.survey_id}/").json()
        mine = next(g for g in detail["grids"] if g["grid"] == hh.world.grid.pk)
        assert (mine["visited"], mine["rechecked"], mine["finding"]) == (1, 1, 1)

    def test_a_second_visit_and_a_recheck_before_the_visit_are_400s(self, hh, client_for):
        task = task_of(make_survey(hh), hh.home)
        dispatcher = client_for(hh.world.dispatcher)
        early = dispatcher.post(
            f"/api/v1/survey-tasks/{task.pk}/recheck/", {"ok": True}, format="json"
        )
        assert_error(early, 400, "not_visited", "task")
        worker = client_for(hh.world.grid_worker)
        url = f"/api/v1/survey-tasks/{task.pk}/visit/"
        assert worker.post(url, {"answers": ANSWERS}, format="json").status_code == 200
        assert_error(
            worker.post(url, {"answers": ANSWERS}, format="json"), 400, "already_visited", "task"
        )
        failed = dispatcher.post(
            f"/api/v1/survey-tasks/{task.pk}/recheck/", {"ok": False}, format="json"
        )
        assert_error(failed, 400, "required", "note")

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"answers": ["yes", "no"]}, "answers"),
            ({"answers": {"房屋安全": {"answer": "maybe"}}}, "answers.房屋安全.answer"),
            ({"answers": {"房屋安全": "yes"}}, "answers.房屋安全"),
            ({"answers": ANSWERS, "raise_case": "yes"}, "raise_case"),
            ({"answers": ANSWERS, "raise_case": True, "case_type": 1}, "case_type"),
            ({"answers": ANSWERS, "finding": "x" * 4001}, "finding"),
            ({"answers": {"房屋安全": {"answer": "yes"}}}, "answers"),
            ({"answers": {**ANSWERS, "别的": {"answer": "yes"}}}, "answers"),
            ({"answers": ANSWERS, "raise_case": True}, "finding"),
            ({"answers": ANSWERS, "raise_case": True, "finding": "漏水"}, "case_type"),
        ],
    )
    def test_wrong_visits_are_400s_and_change_nothing(self, hh, client_for, payload, field):
        task = task_of(make_survey(hh), hh.home)
        response = client_for(hh.world.grid_worker).post(
            f"/api/v1/survey-tasks/{task.pk}/visit/", payload, format="json"
        )
        assert response.status_code == 400, response.content
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
        task.refresh_from_db()
        assert task.status == SurveyTaskStatus.PENDING and not Case.objects.exists()

    @pytest.mark.parametrize("ok", ["true", 1, "yes", None, [True]])
    def test_the_recheck_takes_a_json_boolean_only(self, hh, client_for, ok):
        task = task_of(make_survey(hh), hh.home)
        surveys.record_survey_visit(task, answers=ANSWERS, actor=hh.world.grid_worker)
        response = client_for(hh.world.dispatcher).post(
            f"/api/v1/survey-tasks/{task.pk}/recheck/", {"ok": ok}, format="json"
        )
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "ok"
        task.refresh_from_db()
        assert task.status == SurveyTaskStatus.VISITED


class TestClose:
    def test_the_dispatcher_closes_it_and_it_takes_no_more_visits(self, hh, client_for):
        survey = make_survey(hh)
        task = task_of(survey, hh.home)
        assert_error(
            client_for(hh.world.grid_worker).post(f"/api/v1/surveys/{survey.pk}/close/"),
            403,
            "forbidden",
        )
        client = client_for(hh.world.dispatcher)
        response = client.post(
            f"/api/v1/surveys/{survey.pk}/close/", {"reason": "汛期已过"}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "closed" and response.json()["may_close"] is False
        assert_error(client.post(f"/api/v1/surveys/{survey.pk}/close/"), 400, "closed", "survey")
        visit = client_for(hh.world.grid_worker).post(
            f"/api/v1/survey-tasks/{task.pk}/visit/", {"answers": ANSWERS}, format="json"
        )
        body = assert_error(visit, 400, "closed", "survey")
        assert "已结束" in body["errors"][0]["message"]
        assert HouseholdEvent.objects.filter(kind=HouseholdEventKind.SURVEY_CLOSED).count() == 2

    def test_a_too_long_reason_is_a_400(self, hh, client_for):
        survey = make_survey(hh)
        response = client_for(hh.world.dispatcher).post(
            f"/api/v1/surveys/{survey.pk}/close/", {"reason": "长" * 201}, format="json"
        )
        assert_error(response, 400, "max_length", "reason")
