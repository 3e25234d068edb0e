"""The doors over one engine: the case page, the workbenches and the API offer every move of the
catalogue and agree, input for input, on what each move accepts (issue: one engine door).

Each drift found before the catalogue has its test here: the extension date, the lead unit
ticked as a co-unit, the answer's length, the requester's mask in the API list and detail, the
mediation outcome of a dispute settled on the spot, and the case search.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import moves, services
from cases.forms import MAX_TEXT
from cases.models import Case, CaseEvent, EventKind, Status
from people.apikeys import create_api_key

K = EventKind


KEYS = itertools.count()


def api(user) -> APIClient:
    _, raw = create_api_key(f"door-{user.username}-{next(KEYS)}", user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def api_move(user, case: Case, kind: str, body: dict):
    action = moves.CATALOGUE[kind].action
    return api(user).post(
        f"/api/v1/cases/{case.pk}/{action}/", {"version": case.version, **body}, format="json"
    )


def page_move(client, case: Case, kind: str, data: dict):
    return client.post(
        reverse("caseviews:case-move", args=[case.pk, kind]), {"version": case.version, **data}
    )


def in_progress(world, type_code: str = "resident_issue") -> Case:
    return services.accept_case(world.assigned(type_code), actor=world.handler)


# --- Every door offers every move --------------------------------------------------------------


# The workbench pages that make a move, by kind: each binds the catalogue's form for it.
WORKBENCH = {
    K.TRIAGED: "dispatch:triage",
    K.ASSIGNED: "dispatch:triage",
    K.REJECTED: "dispatch:reject",
    K.MERGED: "dispatch:merge",
    K.EXTENSION_APPROVED: "dispatch:extension-approve",
    K.EXTENSION_REFUSED: "dispatch:extension-refuse",
    K.SUPERVISED: "dispatch:supervise",
    K.CLOSED: "dispatch:close",
    K.REOPENED: "dispatch:reopen",
    K.ACCEPTED: "department:accept",
    K.ANSWERED: "department:answer",
    K.EXTENSION_REQUESTED: "department:extension",
    K.SENT_BACK: "department:send-back",
    K.PROGRESS_NOTED: "department:note",
    K.MEDIATED: "department:mediation",
    K.RESOLVED_ON_SPOT: "grid:resolve",
    K.VISITED: "grid:visit",
    K.VISIT_FAILED_TO_REACH: "grid:visit",
    K.INFO_ADDED: "mine:add-info",
    K.RATED: "mine:rate",
}


def test_the_case_page_and_the_api_offer_every_move_of_the_catalogue(world, client):
    """Each move's page answers with its form, and its API endpoint exists (a POST without a
    version is refused by the move's own form, not a 404)."""
    client.force_login(world.admin)
    case = world.report()
    for spec in moves.offered():
        assert client.get(
            reverse("caseviews:case-move", args=[case.pk, spec.kind])
        ).status_code in (
            200,
            302,  # the page says the move is not possible now and goes back to the case
        )
        response = api(world.admin).post(
            reverse(f"api:case-{spec.action}", args=[case.pk]), {}, format="json"
        )
        assert response.status_code in (400, 409), (spec.kind, response.status_code)


def test_every_workbench_move_is_a_catalogue_move_with_a_page():
    for kind, url_name in WORKBENCH.items():
        assert moves.get(kind) is not None and moves.get(kind).offered, kind
        try:
            reverse(url_name, args=[1])
        except NoReverseMatch:  # pragma: no cover - a broken map is the failure itself
            pytest.fail(f"{kind}: no page {url_name}")


def test_the_moves_no_workbench_makes_are_the_dispatchers_corrections():
    """改派, 撤回, 请诉求人补充, 拆分, 撤销合并, 催办, 首次联系, 暂停计时 and 恢复计时 are made
    from the case page, which every workbench links to (催办 also from the case list, in bulk)."""
    left = {spec.kind for spec in moves.offered()} - set(WORKBENCH)
    assert left == {
        K.REASSIGNED,
        K.RECALLED,
        K.INFO_REQUESTED,
        K.SPLIT,
        K.UNMERGED,
        K.URGED,
        K.CONTACTED,
        K.CLOCK_PAUSED,
        K.CLOCK_RESUMED,
    }


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_move_records_the_door_it_came_through(world, client, door):
    case = world.assigned()
    if door == "page":
        client.force_login(world.handler)
        page_move(client, case, K.ACCEPTED, {})
    else:
        assert api_move(world.handler, case, K.ACCEPTED, {}).status_code == 200
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.kind, event.via) == (K.ACCEPTED, door if door == "api" else "web")


# --- Extension date: after now and after the deadline, on every door ------------------------


def _extension_case(world) -> Case:
    case = in_progress(world)
    assert case.deadline is not None and case.deadline > timezone.now()
    return case


@pytest.mark.parametrize(
    ("until", "code"),
    [(lambda c: timezone.now() - timedelta(hours=1), "past"), (lambda c: c.deadline, "not_later")],
    ids=["before-now", "not-after-the-deadline"],
)
def test_every_door_refuses_the_same_extension_dates(world, client, until, code):
    case = _extension_case(world)
    moment = timezone.localtime(until(case))
    response = api_move(
        world.handler,
        case,
        K.EXTENSION_REQUESTED,
        {"until": moment.isoformat(), "reason": "需协调"},
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("until", code)]
    client.force_login(world.handler)
    text = moment.strftime("%Y-%m-%dT%H:%M")
    on_workbench = client.post(
        reverse("department:extension", args=[case.pk]),
        {
            "extension_requested-version": case.version,
            "extension_requested-until": text,
            "extension_requested-reason": "需协调",
        },
    )
    assert on_workbench.status_code == 400
    form = next(
        p["form"] for p in on_workbench.context["panels"] if p["name"] == K.EXTENSION_REQUESTED
    )
    assert [e.code for e in form.errors.as_data()["until"]] == [code]
    on_page = page_move(client, case, K.EXTENSION_REQUESTED, {"until": text, "reason": "需协调"})
    assert [e.code for e in on_page.context["form"].errors.as_data()["until"]] == [code]
    assert Case.objects.get(pk=case.pk).pending_extension_until is None


# --- The lead unit ticked as a co-unit: an error on every door ------------------------------


def test_every_door_refuses_the_lead_unit_as_a_co_unit(world, client):
    triaged = services.triage_case(
        world.report(), actor=world.dispatcher, category=world.category()
    )
    response = api_move(
        world.dispatcher,
        triaged,
        K.ASSIGNED,
        {"lead_unit": world.dept.pk, "co_units": [world.dept.pk]},
    )
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("co_units", "lead_is_co_unit")
    ]
    client.force_login(world.dispatcher)
    on_page = page_move(
        client, triaged, K.ASSIGNED, {"lead_unit": world.dept.pk, "co_units": [world.dept.pk]}
    )
    assert "co_units" in on_page.context["form"].errors
    reported = world.report()
    on_triage = client.post(
        reverse("dispatch:triage", args=[reported.pk]),
        {
            "version": reported.version,
            "category": world.category().pk,
            "priority": "normal",
            "lead_unit": world.dept.pk,
            "co_units": [world.dept.pk],
        },
    )
    assert on_triage.status_code == 400
    assert "co_units" in on_triage.context["form"].errors
    assert Case.objects.get(pk=reported.pk).status == Status.REPORTED


# --- One bound for an answer ------------------------------------------------------------------


@pytest.mark.parametrize("length, accepted", [(MAX_TEXT, True), (MAX_TEXT + 1, False)])
def test_every_door_takes_an_answer_up_to_the_same_length(world, client, length, accepted):
    text = "办" * length
    by_api = in_progress(world)
    response = api_move(world.handler, by_api, K.ANSWERED, {"answer": text})
    assert (response.status_code == 200) is accepted
    client.force_login(world.handler)
    on_workbench = in_progress(world)
    client.post(
        reverse("department:answer", args=[on_workbench.pk]),
        {"answered-version": on_workbench.version, "answered-answer": text},
    )
    on_page = in_progress(world)
    page_move(client, on_page, K.ANSWERED, {"answer": text})
    states = {Case.objects.get(pk=c.pk).status for c in (by_api, on_workbench, on_page)}
    assert states == {Status.ANSWERED if accepted else Status.IN_PROGRESS}


# --- A dispute settled on the spot records its outcome, on every door -------------------------


def test_every_door_records_the_mediation_outcome_of_a_dispute_settled_on_the_spot(world, client):
    by_api = world.report("dispute")
    missing = api_move(world.grid_worker, by_api, K.RESOLVED_ON_SPOT, {"answer": "已调解"})
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [
        ("mediation_outcome", "required")
    ]
    response = api_move(
        world.grid_worker,
        by_api,
        K.RESOLVED_ON_SPOT,
        {"answer": "已调解", "mediation_outcome": "success"},
    )
    assert response.status_code == 200
    client.force_login(world.grid_worker)
    on_phone = world.report("dispute")
    client.post(
        reverse("grid:resolve", args=[on_phone.pk]),
        {"version": on_phone.version, "answer": "已调解", "mediation_outcome": "success"},
    )
    outcomes = {Case.objects.get(pk=c.pk).mediation_outcome for c in (by_api, on_phone)}
    assert outcomes == {"success"}


# --- One search ---------------------------------------------------------------------------------


def test_the_pages_and_the_api_find_a_case_by_part_of_its_number(world, client):
    case = world.report()
    world.report(title="另一件")
    part = case.number[-7:]
    rows = api(world.dispatcher).get("/api/v1/cases/", {"q": part}).json()["results"]
    client.force_login(world.dispatcher)
    listed = client.get(reverse("caseviews:case-list"), {"q": part}).context["page"].object_list
    assert [r["id"] for r in rows] == [c.pk for c in listed] == [case.pk]
