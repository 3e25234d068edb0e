"""``POST /api/v1/cases/bulk/``: one move on many cases, per-case outcomes, input checked once,
scope (an id the caller may not see is ``not_found``), and the 500 cap."""

from __future__ import annotations

from api.tests.helpers import assert_error
from cases.models import Case, CaseEvent, EventKind, Status
from cases.tests.world import make_user
from people.models import Role

K = EventKind
URL = "/api/v1/cases/bulk/"


def post(client, action: str, ids: list, arguments: dict | None = None):
    body: dict = {"action": action, "ids": ids}
    if arguments is not None:
        body["arguments"] = arguments
    return client.post(URL, body, format="json")


def test_one_move_on_many_cases_answers_per_case(world, client_for):
    first, second = world.assigned(), world.assigned()
    reported = world.report()
    response = post(
        client_for(world.dispatcher),
        "supervise",
        [first.pk, reported.pk, second.pk, first.pk],
        {"note": "请本周内办结"},
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["action"], data["move"], data["total"], data["succeeded"], data["failed"]) == (
        "supervise",
        "supervised",
        3,
        2,
        1,
    )
    ok, refused, also_ok = data["results"]
    assert ok == {
        "id": first.pk,
        "ok": True,
        "number": first.number,
        "status": Status.ASSIGNED,
        "version": first.version + 1,
        "errors": [],
    }
    assert also_ok["ok"] and also_ok["id"] == second.pk
    assert (refused["ok"], refused["number"], refused["status"]) == (
        False,
        reported.number,
        Status.REPORTED,
    )
    [error] = refused["errors"]
    assert error["code"] == "invalid_transition" and "不能执行该操作" in error["message"]
    assert error["message_en"].startswith("The case is currently")
    for case in (first, second):
        event = CaseEvent.objects.filter(case=case).latest("id")
        assert (event.kind, event.reason, event.via) == (K.SUPERVISED, "请本周内办结", "api")
    assert not CaseEvent.objects.filter(case=reported, kind=K.SUPERVISED).exists()


def test_the_move_may_be_named_by_its_kind(world, client_for):
    case = world.assigned()
    response = post(client_for(world.leader), "urged", [case.pk], {"note": "请加快"})
    assert response.json()["results"][0]["ok"] and response.json()["action"] == "urge"


def test_an_id_the_caller_may_not_see_reveals_nothing(world, client_for):
    town = make_user("api_bulk_town", Role.DISPATCHER, region=world.town)
    mine = world.assigned()
    theirs = world.assigned(region=world.other_grid)
    response = post(client_for(town), "supervise", [theirs.pk, mine.pk, 99_999_999], {"note": "x"})
    results = response.json()["results"]
    not_found = {
        "ok": False,
        "number": None,
        "status": None,
        "version": None,
        "errors": [
            {
                "field": None,
                "code": "not_found",
                "message": "不存在或无权查看",
                "message_en": "Not found, or not visible to you.",
            }
        ],
    }
    assert results[0] == {"id": theirs.pk, **not_found}
    assert results[2] == {"id": 99_999_999, **not_found}
    assert results[1]["ok"]
    assert not CaseEvent.objects.filter(case=theirs, kind=K.SUPERVISED).exists()


def test_more_than_500_ids_is_a_400_and_moves_nothing(world, client_for):
    case = world.assigned()
    ids = [case.pk, *range(1_000_000, 1_000_500)]
    response = post(client_for(world.dispatcher), "supervise", ids, {"note": "x"})
    body = assert_error(response, 400, "too_many", field="ids")
    assert "一次最多批量处理 500 件事项，本次有 501 件" in body["errors"][0]["message"]
    assert not CaseEvent.objects.filter(case=case, kind=K.SUPERVISED).exists()
    # Repeated ids count once: 500 distinct are fine.
    assert (
        post(client_for(world.dispatcher), "supervise", [case.pk] * 600, {"note": "x"}).json()[
            "total"
        ]
        == 1
    )


def test_input_wrong_for_every_case_is_a_400_and_moves_nothing(world, client_for):
    case = world.assigned()
    client = client_for(world.dispatcher)
    assert_error(post(client, "supervise", [case.pk], {}), 400, "required", field="arguments.note")
    assert_error(
        post(client, "supervise", [case.pk], {"note": 5}),
        400,
        "invalid_type",
        field="arguments.note",
    )
    triaged = world.in_status(Status.TRIAGED)
    assert_error(
        post(client, "assign", [triaged.pk], {"lead_unit": world.enterprise.pk}),
        400,
        "invalid_choice",
        field="arguments.lead_unit",
    )
    assert not CaseEvent.objects.filter(case=case, kind=K.SUPERVISED).exists()
    assert not CaseEvent.objects.filter(case=triaged, kind=K.ASSIGNED).exists()


def test_a_move_not_offered_in_bulk_or_a_bad_body_is_a_400(world, client_for):
    client = client_for(world.dispatcher)
    case = world.report()
    assert_error(post(client, "merge", [case.pk], {}), 400, "invalid_choice", field="action")
    assert_error(post(client, "supervise", [], {"note": "x"}), 400, "empty", field="ids")
    assert_error(post(client, "supervise", ["a"], {"note": "x"}), 400, "invalid", field="ids.0")
    assert_error(post(client, "supervise", [0], {"note": "x"}), 400, "min_value", field="ids.0")
    response = client.post(
        URL, {"action": "supervise", "ids": [case.pk], "arguments": []}, format="json"
    )
    assert_error(response, 400, "not_a_dict", field="arguments")


def test_assign_and_close_in_bulk(world, client_for):
    client = client_for(world.dispatcher)
    triaged = [world.in_status(Status.TRIAGED) for _ in range(2)]
    response = post(client, "assign", [c.pk for c in triaged], {"lead_unit": world.dept.pk})
    assert response.json()["succeeded"] == 2
    assert {c.lead_unit_id for c in Case.objects.filter(pk__in=[c.pk for c in triaged])} == {
        world.dept.pk
    }
    passed, failed = world.verified(), world.verified(passed=False)
    results = post(client, "close", [passed.pk, failed.pk], {}).json()["results"]
    assert [r["ok"] for r in results] == [True, False]
    assert results[1]["errors"][0]["code"] == "visit_not_passed"


def test_a_caller_without_the_role_gets_forbidden_per_case(world, client_for):
    case = world.assigned()
    results = post(client_for(world.handler), "supervise", [case.pk], {"note": "x"}).json()
    assert results["results"][0]["errors"][0]["code"] == "forbidden"
    assert not CaseEvent.objects.filter(case=case, kind=K.SUPERVISED).exists()


def test_anonymous_is_refused(client, db):
    assert client.post(URL, {}, content_type="application/json").status_code in (401, 403)
