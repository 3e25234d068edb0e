"""The grid pages' outbox meets the server: the service worker's script, the JSON answers to a
replayed submission (X-Offline-Replay), exactly once per form token for the three forms, and the
CSRF token taken from the cookie at send time."""

from __future__ import annotations

import json
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseAttachment, CaseEvent, EventKind, Satisfaction, Status
from households.models import HouseholdVisit
from households.tests.helpers import build
from web.models import MoveReceipt

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
REPLAY = {"HTTP_X_OFFLINE_REPLAY": "1", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report_data(world, token, **overrides):
    data = {
        "case_type": world.types["resident_issue"].pk,
        "region": world.grid.pk,
        "description": "浔中村第一网格主路三盏路灯不亮，夜间出行不便。",
        "form_token": str(token),
    }
    data.update(overrides)
    return data


def photo():
    return SimpleUploadedFile("lamp.jpg", JPEG, content_type="image/jpeg")


# --- The service worker ---------------------------------------------------------------------------


def test_the_worker_is_served_at_the_root_uncached_with_the_shell_it_keeps(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert {"/static/web/offline-queue.js", "/static/vendor/htmx.min.js"} <= set(config["precache"])
    assert config["pages"] == ["/grid/", "/grid/report/", "/grid/visits/"]
    assert sorted(config["forms"].values()) == ["household-visit", "report", "visit"]
    assert 'self.addEventListener("fetch"' in body
    # The site's policy lets it run: a worker from this site, no inline script needed.
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "script-src 'self'" in policy


def test_the_worker_changes_when_the_shell_does(client, settings, monkeypatch):
    from web import offline

    settings.DEBUG = True  # built per request, as in development
    first = client.get("/sw.js").content
    monkeypatch.setattr(offline, "SHELL_STATIC", (*offline.SHELL_STATIC, "web/mine.css"))
    assert client.get("/sw.js").content != first


def test_the_grid_pages_carry_the_banner_and_the_forms_their_offline_kind(world, client):
    answered = world.answered()
    client.force_login(world.grid_worker)
    report = client.get(reverse("grid:report")).content.decode()
    assert "data-offline-banner" in report and 'data-offline="report"' in report
    assert f'data-user="{world.grid_worker.pk}"' in report
    assert "/static/web/offline.js" in report and "<script>" not in report
    visits = client.get(reverse("grid:visit-list")).content.decode()
    assert 'data-offline="visit"' in visits and 'name="form_token"' in visits
    assert answered.number in visits
    assert "data-offline-banner" in client.get(reverse("grid:home")).content.decode()


# --- 上报事项 ------------------------------------------------------------------------------------


def test_a_replayed_report_answers_json_and_the_same_key_twice_makes_one_case(world, client, media):
    client.force_login(world.grid_worker)
    token = uuid.uuid4()
    url = reverse("grid:report")
    first = client.post(url, {**report_data(world, token), "photo": photo()}, **REPLAY)
    assert first.status_code == 201
    case = Case.objects.get()
    assert first.json() == {
        "ok": True,
        "number": case.number,
        "url": reverse("grid:report-done", args=[case.pk]),
        "replayed": False,
        "message": "",
    }
    again = client.post(url, {**report_data(world, token), "photo": photo()}, **REPLAY)
    assert again.status_code == 200
    assert again.json()["replayed"] is True and again.json()["number"] == case.number
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REPORTED).count() == 1
    assert CaseAttachment.objects.filter(case=case).count() == 1
    assert case.source_key == f"web-form:{token}"


def test_a_refused_report_answers_its_errors_by_field(world, client):
    client.force_login(world.grid_worker)
    data = report_data(world, uuid.uuid4(), description="", region=world.other_grid.pk)
    response = client.post(reverse("grid:report"), data, **REPLAY)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert set(body["errors"]) == {"description", "region"}
    assert "只能选择本人负责网格内的地点。" in body["errors"]["region"]
    assert body["message"]
    assert not Case.objects.exists()


def test_a_report_changed_after_it_was_received_is_refused_not_a_second_case(world, client):
    client.force_login(world.grid_worker)
    token = uuid.uuid4()
    client.post(reverse("grid:report"), report_data(world, token), **REPLAY)
    changed = report_data(world, token, description="另一件事：村口垃圾无人清运。")
    response = client.post(reverse("grid:report"), changed, **REPLAY)
    assert response.status_code == 400
    assert "内容与原提交不同" in response.json()["message"]
    assert Case.objects.count() == 1


def test_another_users_token_never_answers_with_their_case(world, client):
    token = uuid.uuid4()
    client.force_login(world.grid_worker)
    client.post(reverse("grid:report"), report_data(world, token), **REPLAY)
    client.force_login(world.admin)
    response = client.post(reverse("grid:report"), report_data(world, token), **REPLAY)
    assert response.status_code == 400
    assert "form_token" in response.json()["errors"]
    assert Case.objects.get().number not in response.content.decode()


def test_a_normal_report_still_redirects_to_the_confirmation(world, client):
    client.force_login(world.grid_worker)
    response = client.post(reverse("grid:report"), report_data(world, uuid.uuid4()))
    assert response.status_code == 302
    assert response["Location"] == reverse("grid:report-done", args=[Case.objects.get().pk])


def test_a_replay_is_accepted_with_the_cookies_csrf_token_and_no_form_field(world):
    """The phone strips the page's stale csrfmiddlewaretoken and sends the cookie's in the
    header, read when the signal returns (a new sign-in meanwhile rotated it)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.grid_worker)
    client.get(reverse("grid:report"))  # sets the CSRF cookie, as the page did
    token = client.cookies["csrftoken"].value
    data = report_data(world, uuid.uuid4())
    refused = client.post(reverse("grid:report"), data, **REPLAY)
    assert refused.status_code == 403 and not Case.objects.exists()
    response = client.post(reverse("grid:report"), data, HTTP_X_CSRFTOKEN=token, **REPLAY)
    assert response.status_code == 201 and Case.objects.count() == 1


def test_anonymous_replays_go_to_sign_in_and_make_nothing(world, client):
    response = client.post(reverse("grid:report"), report_data(world, uuid.uuid4()), **REPLAY)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Case.objects.exists()


# --- 回访 ---------------------------------------------------------------------------------------

REACHED = {
    "reached": "1",
    "contacted": "1",
    "resolved": "1",
    "satisfaction": Satisfaction.SATISFIED,
    "note": "电话回访，群众表示路灯已亮。",
}


def visit_data(case, token, **overrides):
    return {"version": case.version, "form_token": str(token), **REACHED, **overrides}


def test_a_replayed_visit_is_made_once_and_the_copy_gets_the_same_answer(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    token = uuid.uuid4()
    url = reverse("grid:visit", args=[case.pk])
    first = client.post(url, visit_data(case, token), **REPLAY)
    assert first.status_code == 201
    assert first.json() == {
        "ok": True,
        "number": case.number,
        "url": reverse("caseviews:case-detail", args=[case.pk]),
        "replayed": False,
        "message": f"已完成回访：{case.number}。",
    }
    # The copy carries the version the phone saw: stale for the engine, known by its token.
    again = client.post(url, visit_data(case, token), **REPLAY)
    assert again.status_code == 200 and again.json()["replayed"] is True
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    assert CaseEvent.objects.filter(case=case, kind=EventKind.VISITED).count() == 1
    receipt = MoveReceipt.objects.get()
    assert (receipt.key, receipt.user, receipt.case, receipt.kind) == (
        token,
        world.grid_worker,
        case,
        EventKind.VISITED,
    )


def test_a_visit_posted_by_the_page_then_replayed_by_the_outbox_is_one_visit(world, client):
    """The worker's post got through although the phone saw no answer; the outbox's copy finds
    the receipt the page's post left."""
    case = world.answered()
    client.force_login(world.grid_worker)
    token = uuid.uuid4()
    url = reverse("grid:visit", args=[case.pk])
    assert client.post(url, visit_data(case, token)).status_code == 302
    again = client.post(url, visit_data(case, token), **REPLAY)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert CaseEvent.objects.filter(case=case, kind=EventKind.VISITED).count() == 1
    # And a page's second post of the same form: the list again, not the stale-case message.
    third = client.post(url, visit_data(case, token))
    assert third["Location"] == reverse("grid:visit-list")


def test_a_visit_failed_to_reach_is_kept_once_too(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    token = uuid.uuid4()
    url = reverse("grid:visit", args=[case.pk])
    data = {"version": case.version, "form_token": str(token), "reached": "0", "note": "无人接听"}
    assert client.post(url, data, **REPLAY).status_code == 201
    assert client.post(url, data, **REPLAY).json()["replayed"] is True
    assert CaseEvent.objects.filter(case=case, kind=EventKind.VISIT_FAILED_TO_REACH).count() == 1


def test_a_visit_to_a_case_moved_meanwhile_is_a_conflict(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    seen = case.version
    client.post(reverse("grid:visit", args=[case.pk]), visit_data(case, uuid.uuid4()), **REPLAY)
    late = {"version": seen, "form_token": str(uuid.uuid4()), **REACHED}
    response = client.post(reverse("grid:visit", args=[case.pk]), late, **REPLAY)
    assert response.status_code == 409
    assert response.json()["ok"] is False and response.json()["message"]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.VISITED).count() == 1


def test_a_refused_visit_answers_its_errors(world, client):
    case = world.answered()
    client.force_login(world.grid_worker)
    data = visit_data(case, uuid.uuid4(), satisfaction="")
    response = client.post(reverse("grid:visit", args=[case.pk]), data, **REPLAY)
    assert response.status_code == 400
    assert "satisfaction" in response.json()["errors"]
    assert not MoveReceipt.objects.exists()


def test_a_visits_token_cannot_answer_for_another_case(world, client):
    first, second = world.answered(), world.answered()
    client.force_login(world.grid_worker)
    token = uuid.uuid4()
    client.post(reverse("grid:visit", args=[first.pk]), visit_data(first, token), **REPLAY)
    response = client.post(
        reverse("grid:visit", args=[second.pk]), visit_data(second, token), **REPLAY
    )
    assert response.status_code == 400 and "form_token" in response.json()["errors"]
    second.refresh_from_db()
    assert second.status == Status.ANSWERED


# --- 入户走访 -------------------------------------------------------------------------------------


@pytest.fixture
def hh(world):
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        yield build(world)


def test_a_replayed_household_visit_is_one_visit_with_its_cases(hh, client):
    client.force_login(hh.world.grid_worker)
    url = f"/households/{hh.home.pk}/visit/"
    data = {
        "visited_on": "2026-03-10",
        "findings": "老人腿脚不便。",
        "case_type": hh.world.types["resident_issue"].pk,
        "demands": "门前路灯不亮\n申请临时救助",
        "form_token": str(uuid.uuid4()),
    }
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        first = client.post(url, data, **REPLAY)
        again = client.post(url, data, **REPLAY)
    assert first.status_code == 201 and again.status_code == 200
    numbers = sorted(Case.objects.filter(household=hh.home).values_list("number", flat=True))
    assert len(numbers) == 2
    assert first.json()["number"] == " ".join(numbers) == again.json()["number"]
    assert first.json()["url"] == f"/households/{hh.home.pk}/"
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert HouseholdVisit.objects.count() == 1
    assert CaseEvent.objects.filter(kind=EventKind.REPORTED).count() == 2


def test_a_refused_household_visit_answers_its_errors(hh, client):
    client.force_login(hh.world.grid_worker)
    data = {"visited_on": "2026-03-10", "findings": "", "form_token": str(uuid.uuid4())}
    with time_machine.travel("2026-03-10 10:00 +08:00", tick=False):
        response = client.post(f"/households/{hh.home.pk}/visit/", data, **REPLAY)
    assert response.status_code == 400 and "findings" in response.json()["errors"]
    assert not HouseholdVisit.objects.exists()


def test_a_replay_refused_outright_is_told_in_json_and_a_page_still_gets_its_403(world, client):
    case = world.answered(region=world.other_grid)
    client.force_login(world.grid_worker)
    url = reverse("grid:visit", args=[case.pk])
    response = client.post(url, visit_data(case, uuid.uuid4()), **REPLAY)
    assert response.status_code == 404
    assert response.json()["ok"] is False and response.json()["message"]
    client.force_login(world.handler)  # no grid role
    refused = client.post(reverse("grid:report"), report_data(world, uuid.uuid4()), **REPLAY)
    assert refused.status_code == 403 and "网格员" in refused.json()["message"]
    page = client.post(reverse("grid:report"), report_data(world, uuid.uuid4()))
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")
