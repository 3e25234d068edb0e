"""当场办结 and 调解 from the phone: one service each, the version guards a replay."""

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, MediationOutcome, Status


def events(case, kind):
    return list(CaseEvent.objects.filter(case_id=case.pk, kind=kind))


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- 当场办结 -----------------------------------------------------------------------------


def test_the_resolve_page_shows_the_case_and_asks_what_was_done(world, client):
    case = world.report()
    client.force_login(world.grid_worker)
    response = client.get(reverse("grid:resolve", args=[case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.number in body and "现场处理情况" in body and "调处结果" not in body
    assert f'name="version" value="{case.version}"' in body


def test_resolving_on_the_spot_answers_the_case_and_records_the_event(world, client):
    case = world.report()
    client.force_login(world.grid_worker)
    response = client.post(
        reverse("grid:resolve", args=[case.pk]),
        {"version": case.version, "answer": "已联系电工当场更换灯泡。"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("grid:home")
    case.refresh_from_db()
    assert (case.status, case.resolved_on_spot, case.answer) == (
        Status.ANSWERED,
        True,
        "已联系电工当场更换灯泡。",
    )
    (event,) = events(case, "resolved_on_spot")
    assert (event.actor, event.from_status, event.to_status) == (
        world.grid_worker,
        "reported",
        "answered",
    )
    assert f"已当场办结：{case.number}。" in messages_of(response)


def test_a_dispute_resolved_on_the_spot_records_its_mediation_outcome(world, client):
    case = world.report("dispute")
    client.force_login(world.grid_worker)
    assert "调处结果" in client.get(reverse("grid:resolve", args=[case.pk])).content.decode()
    client.post(
        reverse("grid:resolve", args=[case.pk]),
        {"version": case.version, "answer": "双方当场达成协议。", "mediation_outcome": "success"},
    )
    case.refresh_from_db()
    assert (case.status, case.mediation_outcome) == (Status.ANSWERED, MediationOutcome.SUCCESS)
    assert events(case, "resolved_on_spot")[0].data == {"mediation_outcome": "success"}


def test_a_dispute_needs_its_outcome_and_an_answer(world, client):
    case = world.report("dispute")
    client.force_login(world.grid_worker)
    response = client.post(reverse("grid:resolve", args=[case.pk]), {"version": case.version})
    assert set(response.context["form"].errors) == {"answer", "mediation_outcome"}
    assert Case.objects.get(pk=case.pk).status == Status.REPORTED


def test_a_second_tap_is_told_the_case_was_already_moved(world, client):
    case = world.report()
    client.force_login(world.grid_worker)
    data = {"version": case.version, "answer": "已处理。"}
    client.post(reverse("grid:resolve", args=[case.pk]), data)
    response = client.post(reverse("grid:resolve", args=[case.pk]), data)
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert any("已被他人处理" in m for m in messages_of(response))
    assert len(events(case, "resolved_on_spot")) == 1


def test_a_case_past_reporting_cannot_be_resolved_on_the_spot(world, client):
    case = world.assigned()
    client.force_login(world.grid_worker)
    response = client.get(reverse("grid:resolve", args=[case.pk]))
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert any("不能当场办结" in m for m in messages_of(response))


def test_someone_who_sees_the_case_but_may_not_resolve_it_gets_403(world, client):
    case = world.report()
    client.force_login(world.leader)
    assert client.get(reverse("grid:resolve", args=[case.pk])).status_code == 403
    response = client.post(
        reverse("grid:resolve", args=[case.pk]), {"version": case.version, "answer": "x"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.REPORTED


# --- 调解 -----------------------------------------------------------------------------------


def test_the_mediation_list_shows_the_grids_disputes_in_progress(world, client):
    mine = world.in_status(Status.IN_PROGRESS, "dispute", title="宅基地边界纠纷")
    services.record_mediation(mine, actor=world.grid_worker, note="第一次调解")
    world.in_status(Status.IN_PROGRESS, title="路灯")  # not a dispute
    world.report("dispute", title="刚摸排的纠纷")  # not yet in mediation
    theirs = world.in_status(Status.IN_PROGRESS, "dispute", region=world.other_grid)
    client.force_login(world.grid_worker)
    response = client.get(reverse("grid:mediation-list"))
    assert [c.pk for c in response.context["page"]] == [mine.pk]
    assert response.context["page"][0].sessions == 1
    body = response.content.decode()
    assert "宅基地边界纠纷" in body and "已调解 1 次" in body and theirs.number not in body


def test_recording_a_mediation_keeps_the_state_and_records_the_session(world, client):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    client.force_login(world.grid_worker)
    assert "调解情况" in client.get(reverse("grid:mediation", args=[case.pk])).content.decode()
    response = client.post(
        reverse("grid:mediation", args=[case.pk]),
        {"version": case.version, "note": "组织双方第二次协商，分歧缩小。", "outcome": ""},
    )
    assert response["Location"] == reverse("grid:mediation-list")
    case.refresh_from_db()
    assert (case.status, case.mediation_outcome) == (Status.IN_PROGRESS, "")
    (event,) = events(case, "mediated")
    assert (event.actor, event.reason, event.data) == (
        world.grid_worker,
        "组织双方第二次协商，分歧缩小。",
        {"outcome": ""},
    )


def test_an_outcome_is_recorded_and_shown_in_the_history(world, client):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    client.force_login(world.grid_worker)
    client.post(
        reverse("grid:mediation", args=[case.pk]),
        {"version": case.version, "note": "双方签订调解协议书。", "outcome": "success"},
    )
    case.refresh_from_db()
    assert case.mediation_outcome == MediationOutcome.SUCCESS
    body = client.get(reverse("grid:mediation", args=[case.pk])).content.decode()
    assert "双方签订调解协议书。" in body and "调解成功" in body


def test_a_mediation_needs_a_note(world, client):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    client.force_login(world.grid_worker)
    response = client.post(reverse("grid:mediation", args=[case.pk]), {"version": case.version})
    assert "note" in response.context["form"].errors
    assert not events(case, "mediated")


def test_a_case_that_is_not_a_dispute_has_no_mediation_page(world, client):
    case = world.in_status(Status.IN_PROGRESS)
    client.force_login(world.grid_worker)
    assert client.get(reverse("grid:mediation", args=[case.pk])).status_code == 404


def test_a_stale_mediation_form_records_nothing(world, client):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    client.force_login(world.grid_worker)
    stale = case.version
    services.record_mediation(case, actor=world.handler, note="承办单位调解")
    response = client.post(
        reverse("grid:mediation", args=[case.pk]), {"version": stale, "note": "重复提交"}
    )
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert [e.reason for e in events(case, "mediated")] == ["承办单位调解"]


def test_the_mediation_list_costs_the_same_queries_with_more_disputes(world, client):
    client.force_login(world.grid_worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("grid:mediation-list")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        world.in_status(Status.IN_PROGRESS, "dispute")
    few = count()
    for _ in range(27):
        world.in_status(Status.IN_PROGRESS, "dispute")
    assert count() == few <= 8
