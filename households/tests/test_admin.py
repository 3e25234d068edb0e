import pytest

from households.models import HouseholdEvent, HouseholdMember

pytestmark = pytest.mark.django_db


def test_the_admin_lists_open(hh, client):
    client.force_login(hh.world.admin)
    for name in ("assistanceplan", "planreview", "householdvisit", "tagperiod", "householdevent"):
        assert client.get(f"/admin/households/{name}/").status_code == 200
        assert client.get(f"/admin/households/{name}/add/").status_code == 403


def test_a_member_added_in_the_admin_goes_through_the_service(hh, client):
    client.force_login(hh.world.admin)
    response = client.post(
        "/admin/households/householdmember/add/",
        {"household": hh.home.pk, "name": "李小芳", "relation": "女儿", "birth_year": 2008},
    )
    assert response.status_code == 302, response.content[:2000]
    assert HouseholdMember.objects.get().name == "李小芳"
    assert HouseholdEvent.objects.get().kind == "member.added"


def test_surveys_and_tasks_are_read_only_in_the_admin(hh, client):
    from datetime import date

    import time_machine

    from households import surveys
    from households.models import SurveyTask

    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        survey = surveys.create_survey(
            title="汛前摸排",
            items=["房屋安全"],
            region=hh.world.county,
            due_on=date(2026, 3, 31),
            actor=hh.world.dispatcher,
        )
    task = SurveyTask.objects.filter(survey=survey).first()
    client.force_login(hh.world.admin)
    for name, pk in (("survey", survey.pk), ("surveytask", task.pk)):
        assert client.get(f"/admin/households/{name}/").status_code == 200
        assert client.get(f"/admin/households/{name}/add/").status_code == 403
        assert client.get(f"/admin/households/{name}/{pk}/change/").status_code == 200
        assert client.post(f"/admin/households/{name}/{pk}/change/", {}).status_code == 403
        assert client.get(f"/admin/households/{name}/{pk}/delete/").status_code == 403


def test_the_admin_closes_a_survey_through_the_service(hh, client):
    from datetime import date

    import time_machine

    from households import surveys

    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        survey = surveys.create_survey(
            title="汛前摸排",
            items=["房屋安全"],
            region=hh.world.county,
            due_on=date(2026, 3, 31),
            actor=hh.world.dispatcher,
        )
    client.force_login(hh.world.admin)
    response = client.post(
        "/admin/households/survey/",
        {"action": "close_surveys", "_selected_action": [survey.pk]},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed" and survey.closed_by == hh.world.admin
    assert HouseholdEvent.objects.filter(kind="survey.closed").count() == 2
