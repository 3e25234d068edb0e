"""Creating, listing and reading cases: shapes, filters, sorting, cursor pages, masking, ETag."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from api.tests.helpers import assert_error, case_url
from cases import services
from cases.models import Case, CaseEvent, Channel, Status
from cases.tests.helpers import local, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


LIST_KEYS = {
    "id", "number", "title", "status", "status_label", "case_type", "category", "priority",
    "channel", "region", "lead_unit", "enterprise", "requester_name", "deadline", "is_overdue",
    "supervision_level", "reported_at", "updated_at", "version",
}  # fmt: skip


def new_case(world, **overrides):
    return {
        "case_type": "resident_issue",
        "region": world.grid.code,
        "title": "路灯不亮",
        "description": "第一网格主路三盏路灯不亮。",
        "requester_name": "张三",
        "requester_phone": "13912345678",
        **overrides,
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


# --- Create -----------------------------------------------------------------------------------


def test_creating_a_case_reports_it_through_the_engine(world, client_for):
    response = client_for(world.grid_worker).post(
        "/api/v1/cases/", new_case(world, category=world.category().pk, details={"路段": "主路"}),
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert response["Location"] == f"/api/v1/cases/{case.pk}/"
    assert (case.status, case.channel, case.reported_by_id) == (
        Status.REPORTED,
        Channel.API,
        world.grid_worker.pk,
    )
    assert case.details == {"路段": "主路"}
    assert data["number"] == case.number and data["version"] == 1
    assert [e["kind"] for e in data["events"]] == ["reported"]
    assert CaseEvent.objects.filter(case=case, kind="reported").count() == 1
    # The reporter may act on it (resolve on the spot), so sees the requester in full.
    assert data["requester_phone"] == "13912345678"
    assert data["allowed_moves"] == [{"move": "resolved_on_spot", "action": "resolve-on-spot"}]


def test_creating_without_title_and_with_an_unknown_type_is_a_400_per_field(world, client_for):
    response = client_for(world.dispatcher).post(
        "/api/v1/cases/", new_case(world, title="", case_type="nope"), format="json"
    )
    body = assert_error(response, 400, "blank", field="title")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"title", "case_type"}
    assert fields["case_type"]["code"] == "does_not_exist"
    assert fields["title"]["message_en"] == "This field may not be blank."
    assert Case.objects.count() == 0


def test_a_category_of_another_type_is_refused_by_the_engine(world, client_for):
    response = client_for(world.dispatcher).post(
        "/api/v1/cases/", new_case(world, category=world.category("dispute").pk), format="json"
    )
    body = assert_error(response, 400, "invalid", field="category")
    assert body["errors"][0]["message_en"] == "The category does not belong to this case type."


def test_a_grid_worker_cannot_report_into_another_grid(world, client_for):
    response = client_for(world.grid_worker).post(
        "/api/v1/cases/", new_case(world, region=world.other_grid.code), format="json"
    )
    assert_error(response, 403, "forbidden", field="region")


def test_far_future_dates_and_nul_characters_are_400_not_500(world, client_for):
    client = client_for(world.dispatcher)
    response = client.post("/api/v1/cases/", new_case(world, title="路灯\x00"), format="json")
    assert_error(response, 400, "null_characters_not_allowed", field="title")
    response = client.post("/api/v1/cases/", new_case(world, details={"a": "\x00"}), format="json")
    assert_error(response, 400, "null_characters_not_allowed", field="details")
    case = world.in_status(Status.TRIAGED)
    response = client.post(
        case_url(case.pk, "assign"),
        {"version": case.version, "lead_unit": world.dept.pk, "deadline": "9999-12-31T23:59:59+14:00"},
        format="json",
    )  # fmt: skip
    assert_error(response, 400, "invalid", field="deadline")


# --- List -------------------------------------------------------------------------------------


def test_the_list_shows_visible_cases_newest_first_with_masked_requesters(world, client_for):
    with time_machine.travel(local(2025, 3, 3, 10), tick=False):
        older = world.report()
    with time_machine.travel(local(2025, 3, 4, 10), tick=False):
        newer = world.report()
    world.report(region=world.other_grid)  # not the grid worker's

    response = client_for(world.grid_worker).get("/api/v1/cases/")

    assert ids(response) == [newer.pk, older.pk]
    row = response.json()["results"][0]
    assert set(row) == LIST_KEYS
    assert row["requester_name"] == "张三"  # the grid worker calls the requester back
    assert row["region"] == {"id": world.grid.pk, "code": world.grid.code, "name": world.grid.name}
    leader_row = client_for(world.leader).get("/api/v1/cases/").json()["results"][0]
    assert leader_row["requester_name"] == "张*"


def test_the_list_and_the_detail_unmask_the_requester_for_the_same_people(world, client_for):
    case = world.assigned()
    for who in ("dispatcher", "handler", "grid_worker", "leader", "other_handler", "admin"):
        client = client_for(getattr(world, who))
        detail = client.get(f"/api/v1/cases/{case.pk}/")
        rows = client.get("/api/v1/cases/").json()["results"]
        if detail.status_code == 404:
            assert case.pk not in [r["id"] for r in rows], who
            continue
        row = next(r for r in rows if r["id"] == case.pk)
        assert row["requester_name"] == detail.json()["requester_name"], who


def test_an_administrator_sees_requesters_unmasked(world, client_for):
    world.report()
    response = client_for(world.admin).get("/api/v1/cases/")
    assert response.json()["results"][0]["requester_name"] == "张三"


def test_filters_by_type_category_status_channel_unit_and_region(world, client_for):
    dispute = world.report("dispute", channel=Channel.HOTLINE, actor=world.dispatcher)
    assigned = world.assigned()  # lead unit: dept
    co_handled = services.triage_case(world.report(), actor=world.dispatcher)
    co_handled = services.assign_case(
        co_handled, actor=world.dispatcher, lead_unit=world.other_dept, co_units=[world.dept]
    )
    elsewhere = world.report(region=world.other_grid)
    client = client_for(world.dispatcher)

    assert ids(client.get("/api/v1/cases/?type=dispute")) == [dispute.pk]
    assert ids(client.get(f"/api/v1/cases/?category={world.category().pk}")) == [assigned.pk]
    assert set(ids(client.get("/api/v1/cases/?status=assigned"))) == {assigned.pk, co_handled.pk}
    assert ids(client.get("/api/v1/cases/?channel=hotline")) == [dispute.pk]
    assert set(ids(client.get(f"/api/v1/cases/?unit={world.dept.pk}"))) == {
        assigned.pk,
        co_handled.pk,
    }
    assert ids(client.get(f"/api/v1/cases/?region={world.other_town.code}")) == [elsewhere.pk]
    assert len(ids(client.get(f"/api/v1/cases/?region={world.town.code}"))) == 3
    assert ids(client.get("/api/v1/cases/?region=000000")) == []
    assert set(ids(client.get("/api/v1/cases/?status=reported&status=triaged"))) == {
        dispute.pk,
        elsewhere.pk,
    }


def test_filters_by_enterprise_inside_the_scope(world, client_for):
    theirs = world.report(enterprise=world.enterprise)
    world.report()
    elsewhere = world.report(region=world.other_grid, enterprise=world.enterprise)
    url = f"/api/v1/cases/?enterprise={world.enterprise.pk}"
    assert sorted(ids(client_for(world.dispatcher).get(url))) == [theirs.pk, elsewhere.pk]
    assert ids(client_for(world.grid_worker).get(url)) == [theirs.pk]
    assert client_for(world.dispatcher).get("/api/v1/cases/?enterprise=0").status_code == 400


def test_filters_by_period_overdue_and_text(world, client_for):
    with time_machine.travel(local(2025, 3, 3, 23, 30), tick=False):
        march = world.assigned(title="三月路灯")
    with time_machine.travel(local(2025, 4, 1, 0, 30), tick=False):
        april = world.report(title="四月噪音", description="夜间施工噪音扰民")
    client = client_for(world.dispatcher)

    assert ids(client.get("/api/v1/cases/?reported_to=2025-03-31")) == [march.pk]
    assert ids(client.get("/api/v1/cases/?reported_from=2025-04-01")) == [april.pk]
    with time_machine.travel(local(2025, 6, 1, 10), tick=False):
        assert ids(client.get("/api/v1/cases/?overdue=true")) == [march.pk]
        assert ids(client.get("/api/v1/cases/?overdue=false")) == [april.pk]
    assert ids(client.get("/api/v1/cases/?q=施工")) == [april.pk]
    assert ids(client.get(f"/api/v1/cases/?q={march.number}")) == [march.pk]


def test_sorting_by_deadline_puts_cases_without_one_last(world, client_for):
    late = world.assigned()
    early = services.triage_case(world.report(), actor=world.dispatcher)
    early = services.assign_case(
        early, actor=world.dispatcher, lead_unit=world.dept,
        deadline=timezone.now() + timedelta(hours=3),
    )  # fmt: skip
    none = world.report()
    client = client_for(world.dispatcher)
    assert ids(client.get("/api/v1/cases/?ordering=deadline")) == [early.pk, late.pk, none.pk]
    assert ids(client.get("/api/v1/cases/?ordering=-deadline")) == [none.pk, late.pk, early.pk]
    assert_error(
        client.get("/api/v1/cases/?ordering=title"), 400, "invalid_choice", field="ordering"
    )


def test_cursor_pages_walk_every_case_once(world, client_for):
    made = {world.report().pk for _ in range(7)}
    client = client_for(world.dispatcher)
    seen: list[int] = []
    url = "/api/v1/cases/?page_size=3&ordering=deadline"
    while url:
        response = client.get(url)
        seen += ids(response)
        url = response.json()["next"]
    assert sorted(seen) == sorted(made)


def test_a_made_up_cursor_is_a_400(world, client_for):
    response = client_for(world.dispatcher).get("/api/v1/cases/?cursor=bm9wZQ")
    assert_error(response, 400, "invalid", field="cursor")
    response = client_for(world.dispatcher).get("/api/v1/cases/?cursor=cD1hYmM%3D")  # p=abc
    assert_error(response, 400, "invalid", field="cursor")


def test_bad_filter_values_are_400_in_both_languages(world, client_for):
    response = client_for(world.dispatcher).get(
        "/api/v1/cases/?status=nope&unit=99999999999999999999&reported_from=9999-01-01"
    )
    body = assert_error(response, 400, "invalid_choice", field="status")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"status", "unit", "reported_from"}
    assert (
        "nope" in fields["status"]["message_en"]
        and fields["status"]["message"] != (fields["status"]["message_en"])
    )


# --- Detail, ETag, events ---------------------------------------------------------------------


def test_the_detail_has_the_timeline_the_units_and_the_callers_moves(world, client_for):
    case = services.accept_case(world.assigned(), actor=world.handler)
    response = client_for(world.handler).get(case_url(case.pk))
    data = response.json()
    assert [e["kind"] for e in data["events"]] == ["reported", "triaged", "assigned", "accepted"]
    assert data["assignments"][0]["unit"]["id"] == world.dept.pk
    assert data["assignments"][0]["is_lead"] is True
    assert [m["action"] for m in data["allowed_moves"]] == [
        "notes",
        "contact",
        "extension-request",
        "send-back",
        "answer",
        "request-info",
    ]


def test_a_viewer_who_cannot_act_sees_the_requester_masked(world, client_for):
    case = services.accept_case(world.assigned(), actor=world.handler)
    data = client_for(world.leader).get(case_url(case.pk)).json()
    assert data["allowed_moves"] == [
        {"move": "supervised", "action": "supervise"},
        {"move": "urged", "action": "urge"},
    ]
    case = world.report()
    data = client_for(world.leader).get(case_url(case.pk)).json()
    assert data["allowed_moves"] == []
    assert (data["requester_name"], data["requester_phone"]) == ("张*", "139****5678")


def test_if_none_match_answers_304_until_the_case_moves(world, client_for):
    case = world.report()
    client = client_for(world.dispatcher)
    first = client.get(case_url(case.pk))
    etag = first["ETag"]
    assert etag == f'"case-{case.pk}-v1-u{world.dispatcher.pk}"'

    again = client.get(case_url(case.pk), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag

    services.triage_case(case, actor=world.dispatcher)
    moved = client.get(case_url(case.pk), HTTP_IF_NONE_MATCH=etag)
    assert moved.status_code == 200 and moved["ETag"] != etag
    assert moved.json()["version"] == 2


def test_the_events_of_a_case_come_in_cursor_pages(world, client_for):
    case = world.answered()
    client = client_for(world.handler)
    first = client.get(case_url(case.pk, "events") + "?page_size=2").json()
    second = client.get(first["next"]).json()
    kinds = [e["kind"] for e in first["results"] + second["results"]]
    assert kinds[:4] == ["reported", "triaged", "assigned", "accepted"]
    only = client.get(case_url(case.pk, "events") + "?kind=answered").json()["results"]
    assert [e["kind"] for e in only] == ["answered"]


def test_the_event_feed_holds_only_visible_cases(world, client_for):
    mine = world.report()
    other = world.report(region=world.other_grid)
    feed = client_for(world.grid_worker).get("/api/v1/events/").json()["results"]
    assert {e["case"] for e in feed} == {mine.pk}
    everything = client_for(world.admin).get("/api/v1/events/").json()["results"]
    assert {e["case"] for e in everything} == {mine.pk, other.pk}


def test_case_types_list_their_categories(world, client_for):
    data = client_for(world.outsider).get("/api/v1/case-types/").json()
    dispute = next(t for t in data if t["code"] == "dispute")
    assert dispute["has_mediation"] is True and dispute["categories"]


def test_me_names_the_account_and_its_roles(world, client_for):
    data = client_for(world.handler).get("/api/v1/me/").json()
    assert data["username"] == "handler" and data["is_admin"] is False
    assert data["roles"][0]["role"] == "dept_handler"
    assert data["roles"][0]["organisation"]["id"] == world.dept.pk


def test_the_api_masks_the_requester_by_the_pages_rule(world, client_for):
    # A leader may supervise but never needs to call the requester; the region's dispatcher does.
    case = services.accept_case(world.assigned(), actor=world.handler)
    leader = client_for(world.leader).get(case_url(case.pk)).json()
    assert leader["allowed_moves"] and leader["requester_phone"] == "139****5678"
    dispatcher = client_for(world.dispatcher).get(case_url(case.pk)).json()
    assert dispatcher["requester_phone"] == "13912345678"


def test_a_requester_reads_no_internal_step_nor_staff_name(world, client_for):
    """The phone pages' rule through the API: no 督办 or extension steps, no staff names, and
    only the texts written for the requester."""
    case = world.assigned(actor=world.resident, channel="web", requester=world.resident.person)
    case = services.supervise_case(case, actor=world.dispatcher, note="内部督办意见：请加快。")
    case = services.accept_case(case, actor=world.handler)
    services.add_progress_note(case, actor=world.handler, note="内部记录：已联系施工方。")
    for url in (case_url(case.pk), case_url(case.pk) + "events/", "/api/v1/events/"):
        response = client_for(world.resident).get(url)
        assert response.status_code == 200, url
        body = response.json()
        events = body.get("events") or body["results"]
        kinds = [e["kind"] for e in events]
        assert "supervised" not in kinds and "progress_noted" in kinds, url
        text = response.content.decode()
        assert "内部督办意见" not in text and "内部记录" not in text, url
        staff = [e for e in events if e["kind"] != "reported"]
        assert all(e["actor"] is None for e in staff), url
    # Staff read everything as before.
    staff_view = client_for(world.dispatcher).get(case_url(case.pk) + "events/").json()
    assert "supervised" in [e["kind"] for e in staff_view["results"]]


def test_the_list_filters_by_the_policy_an_answer_cited(world, client_for):
    from datetime import date

    from enterprises.models import Policy, PolicyStatus

    policy = Policy.objects.create(
        title="设备更新补助",
        issuer="德化县工信局",
        valid_from=date(2026, 1, 1),
        status=PolicyStatus.PUBLISHED,
    )
    case = services.accept_case(world.assigned(), actor=world.handler)
    cited = services.answer_case(case, actor=world.handler, answer="已申报。", policy=policy)
    world.assigned()
    data = client_for(world.dispatcher).get("/api/v1/cases/", {"policy": policy.pk}).json()
    assert [row["id"] for row in data["results"]] == [cited.pk]
    detail = client_for(world.dispatcher).get(case_url(cited.pk)).json()
    assert detail["policy"] == policy.pk


def test_the_detail_carries_the_staged_clocks_and_the_split_link(world, client_for):
    case = services.pause_clock(world.assigned(), actor=world.dispatcher, reason="等待供电所鉴定。")
    data = client_for(world.dispatcher).get(case_url(case.pk)).json()
    case.refresh_from_db()
    assert datetime.fromisoformat(data["contact_deadline"]) == case.contact_deadline
    assert datetime.fromisoformat(data["clock_paused_at"]) == case.clock_paused_at
    assert data["contacted_at"] is None and data["clock_paused_at"] is not None
    assert (data["escalation_level"], data["split_from"]) == (0, None)
