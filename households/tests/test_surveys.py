from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Case
from households import surveys
from households.models import HouseholdEvent, HouseholdEventKind, SurveyTask, SurveyTaskStatus
from people.models import Household, Role, RoleAssignment

pytestmark = pytest.mark.django_db

ITEMS = ["房屋安全", "用电安全"]
YES = {"房屋安全": "yes", "用电安全": {"answer": "no", "note": "电线老化"}}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        yield


def survey_of(hh, **overrides):
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


def events(kind):
    return HouseholdEvent.objects.filter(kind=kind).count()


def test_it_makes_one_task_per_household_for_the_grid_worker(hh):
    survey = survey_of(hh)
    home = task_of(survey, hh.home)
    assert home.grid == hh.world.grid
    assert home.assignee == hh.world.grid_worker.person
    assert home.status == SurveyTaskStatus.PENDING
    other = task_of(survey, hh.other_home)
    assert other.assignee == hh.world.other_grid_worker.person
    assert events(HouseholdEventKind.SURVEY_TASKED) == 2


def test_it_leaves_the_assignee_empty_without_a_grid_worker(hh):
    RoleAssignment.objects.filter(user=hh.world.grid_worker).update(is_active=False)
    assert task_of(survey_of(hh), hh.home).assignee is None


def test_it_takes_the_households_with_a_tag(hh):
    hh.home.tags.add(hh.monitored)
    survey = survey_of(hh, tag=hh.monitored)
    assert list(survey.tasks.values_list("household", flat=True)) == [hh.home.pk]


def test_a_grid_worker_may_not_start_a_survey(hh):
    with pytest.raises(PermissionDenied):
        survey_of(hh, actor=hh.world.grid_worker, region=hh.world.grid)


def test_it_refuses_an_empty_checklist(hh):
    with pytest.raises(ValidationError) as exc:
        survey_of(hh, items=[" "])
    assert exc.value.error_dict["items"][0].code == "required"


def test_a_visit_records_answers_and_raises_a_case_in_one_step(hh):
    task = task_of(survey_of(hh), hh.home)
    task = surveys.record_survey_visit(
        task,
        answers=YES,
        finding="东侧墙体开裂，雨季有倒塌风险。",
        raise_case=True,
        case_type=hh.world.types["resident_issue"],
        actor=hh.world.grid_worker,
    )
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.VISITED
    assert task.answers["用电安全"] == {"answer": "no", "note": "电线老化"}
    assert task.case is not None and task.case.household == hh.home
    assert events(HouseholdEventKind.SURVEY_VISITED) == 1


def test_a_refused_case_leaves_nothing(hh, monkeypatch):
    task = task_of(survey_of(hh), hh.home)

    def refuse(**kwargs):
        raise ValidationError({"title": ValidationError("bad", code="invalid")})

    monkeypatch.setattr(surveys.cases, "report_case", refuse)
    with pytest.raises(ValidationError):
        surveys.record_survey_visit(
            task,
            answers=YES,
            finding="墙体开裂",
            raise_case=True,
            case_type=hh.world.types["resident_issue"],
            actor=hh.world.grid_worker,
        )
    task.refresh_from_db()
    assert task.status == SurveyTaskStatus.PENDING and task.answers == {}
    assert events(HouseholdEventKind.SURVEY_VISITED) == 0
    assert not Case.objects.filter(household=hh.home).exists()


def test_it_refuses_incomplete_answers(hh):
    task = task_of(survey_of(hh), hh.home)
    with pytest.raises(ValidationError) as exc:
        surveys.record_survey_visit(task, answers={"房屋安全": "yes"}, actor=hh.world.grid_worker)
    assert exc.value.error_dict["answers"][0].code == "incomplete"


def test_a_grid_worker_may_not_visit_another_grid(hh):
    task = task_of(survey_of(hh), hh.other_home)
    with pytest.raises(PermissionDenied):
        surveys.record_survey_visit(task, answers=YES, actor=hh.world.grid_worker)


def test_the_visitor_may_not_recheck_their_own_visit(hh):
    task = task_of(survey_of(hh), hh.home)
    surveys.record_survey_visit(task, answers=YES, actor=hh.world.dispatcher)
    with pytest.raises(ValidationError) as exc:
        surveys.recheck_survey_task(task, ok=True, actor=hh.world.dispatcher)
    assert exc.value.error_dict["task"][0].code == "own_visit"


def test_a_grid_worker_may_not_recheck(hh):
    task = task_of(survey_of(hh), hh.home)
    surveys.record_survey_visit(task, answers=YES, actor=hh.world.dispatcher)
    with pytest.raises(PermissionDenied):
        surveys.recheck_survey_task(task, ok=True, actor=hh.world.grid_worker)


def test_a_recheck_passes_or_sends_the_task_back(hh):
    survey = survey_of(hh)
    task = task_of(survey, hh.home)
    surveys.record_survey_visit(task, answers=YES, actor=hh.world.grid_worker)
    task = surveys.recheck_survey_task(task, ok=False, note="漏填门牌", actor=hh.world.dispatcher)
    assert task.status == SurveyTaskStatus.PENDING
    surveys.record_survey_visit(task, answers=YES, actor=hh.world.grid_worker)
    task = surveys.recheck_survey_task(task, ok=True, actor=hh.world.dispatcher)
    assert task.status == SurveyTaskStatus.RECHECKED
    assert events(HouseholdEventKind.SURVEY_RECHECKED) == 2


def test_progress_numbers_equal_their_lists(hh, django_assert_num_queries):
    third = Household.objects.create(head_name="郑三", region=hh.world.grid)
    survey = survey_of(hh)
    surveys.record_survey_visit(
        task_of(survey, hh.home), answers=YES, finding="墙体开裂", actor=hh.world.grid_worker
    )
    surveys.recheck_survey_task(task_of(survey, hh.home), ok=True, actor=hh.world.dispatcher)
    surveys.record_survey_visit(task_of(survey, third), answers=YES, actor=hh.world.grid_worker)
    user = hh.world.dispatcher
    user.role_assignments  # noqa: B018 - loaded once per request
    with django_assert_num_queries(1):
        rows = surveys.progress_by_grid(survey, user)
    by_grid = {r.grid_id: r for r in rows}
    mine = by_grid[hh.world.grid.pk]
    assert (mine.total, mine.visited, mine.rechecked, mine.finding) == (2, 2, 1, 1)
    for row in rows:
        tasks = surveys.visible_tasks(user).filter(survey=survey, grid_id=row.grid_id)
        for state in ("visited", "rechecked", "finding"):
            assert surveys.filter_state(tasks, state).count() == getattr(row, state)
        assert tasks.count() == row.total


def test_a_grid_worker_sees_only_their_grid(hh):
    survey = survey_of(hh)
    rows = surveys.progress_by_grid(survey, hh.world.grid_worker)
    assert [r.grid_id for r in rows] == [hh.world.grid.pk]
    assert list(
        surveys.visible_tasks(hh.world.grid_worker).values_list("household", flat=True)
    ) == [hh.home.pk]


def test_a_village_cadre_may_recheck_in_their_village(hh):
    from cases.tests.world import make_user

    cadre = make_user("cadre", Role.VILLAGE_CADRE, region=hh.world.village)
    task = task_of(survey_of(hh), hh.home)
    surveys.record_survey_visit(task, answers=YES, actor=hh.world.grid_worker)
    assert surveys.recheck_survey_task(task, ok=True, actor=cadre).rechecked_by == cadre


class TestClose:
    def test_the_creator_closes_it_with_an_event_per_household(self, hh):
        survey = survey_of(hh)
        closed = surveys.close_survey(survey, reason="汛期已过", actor=hh.world.dispatcher)
        assert closed.status == "closed" and closed.closed_by == hh.world.dispatcher
        assert closed.close_reason == "汛期已过" and closed.closed_at is not None
        logged = HouseholdEvent.objects.filter(kind=HouseholdEventKind.SURVEY_CLOSED)
        assert sorted(logged.values_list("household", flat=True)) == sorted(
            [hh.home.pk, hh.other_home.pk]
        )
        assert {e.data["status"] for e in logged} == {"pending"}

    def test_a_closed_survey_takes_no_visit_and_no_recheck(self, hh):
        survey = survey_of(hh)
        visited = task_of(survey, hh.home)
        surveys.record_survey_visit(visited, answers=YES, actor=hh.world.grid_worker)
        surveys.close_survey(survey, actor=hh.world.dispatcher)
        with pytest.raises(ValidationError) as exc:
            surveys.recheck_survey_task(visited, ok=True, actor=hh.world.dispatcher)
        assert exc.value.error_dict["survey"][0].code == "closed"
        assert "已结束" in exc.value.error_dict["survey"][0].message
        with pytest.raises(ValidationError) as exc:
            surveys.record_survey_visit(
                task_of(survey, hh.other_home), answers=YES, actor=hh.world.other_grid_worker
            )
        assert exc.value.error_dict["survey"][0].code == "closed"
        assert task_of(survey, hh.other_home).status == SurveyTaskStatus.PENDING

    def test_it_is_closed_once(self, hh):
        survey = survey_of(hh)
        surveys.close_survey(survey, actor=hh.world.dispatcher)
        with pytest.raises(ValidationError) as exc:
            surveys.close_survey(survey, actor=hh.world.dispatcher)
        assert exc.value.error_dict["survey"][0].code == "closed"
        assert events(HouseholdEventKind.SURVEY_CLOSED) == 2

    @pytest.mark.parametrize("who", ["grid_worker", "leader", "outsider"])
    def test_only_those_who_may_start_it_close_it(self, hh, who):
        survey = survey_of(hh)
        with pytest.raises(PermissionDenied):
            surveys.close_survey(survey, actor=getattr(hh.world, who))
        survey.refresh_from_db()
        assert survey.status == "open" and events(HouseholdEventKind.SURVEY_CLOSED) == 0

    def test_a_village_cadre_may_not_close_a_county_survey(self, hh):
        from cases.tests.world import make_user

        cadre = make_user("cadre", Role.VILLAGE_CADRE, region=hh.world.village)
        with pytest.raises(PermissionDenied):
            surveys.close_survey(survey_of(hh), actor=cadre)
        mine = survey_of(hh, region=hh.world.village, actor=cadre)
        assert surveys.close_survey(mine, actor=cadre).status == "closed"


class TestToken:
    def test_the_same_token_returns_the_survey_made(self, hh):
        import uuid

        token = uuid.uuid4()
        first = survey_of(hh, token=token)
        again = survey_of(hh, token=token, title="另一个标题")
        assert again.pk == first.pk and again.title == "汛前房屋安全摸排"
        assert events(HouseholdEventKind.SURVEY_TASKED) == 2

    def test_another_users_token_is_refused(self, hh):
        import uuid

        token = uuid.uuid4()
        survey_of(hh, token=token)
        with pytest.raises(ValidationError) as exc:
            survey_of(hh, token=token, actor=hh.world.admin)
        assert exc.value.error_dict["token"][0].code == "token_reused"
