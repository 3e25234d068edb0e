"""The assessment API: task lists with their rows, progress reports, 通报, 限期整改 and the
unit's answer; scope (404), refusals (403, 409) and the error bodies (400 in both languages)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.tests.helpers import assert_error
from assessment import services
from assessment.models import Breakdown, Notice, ProgressReport, Rectification
from assessment.tests.helpers import setup

pytestmark = pytest.mark.django_db


def url(name: str, *args: int) -> str:
    return reverse(f"api:assessment-{name}", args=args)


def test_office_lists_and_reads_the_whole_table(world, client_for):
    s = setup(world)
    services.report_progress(s.row, actor=world.handler, value="150")
    client = client_for(world.dispatcher)
    listed = client.get(url("task-list"))
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["results"]] == [s.task.pk]
    detail = client.get(url("task-detail", s.task.pk))
    assert detail.status_code == 200
    data = detail.json()
    assert [i["name"] for i in data["indicators"]] == ["按期办结率", "无害化卫生厕所改造"]
    assert len(data["rows"]) == 4
    row = next(r for r in data["rows"] if r["id"] == s.row.pk)
    assert (row["actual"], row["score"], row["status"]) == ("150.00", "15.00", "reported")
    units = {u["unit"]["id"]: u for u in data["units"]}
    assert units[world.dept.pk]["rank"] == 1 and units[world.dept.pk]["total"] == "15.00"
    assert "得分" in data["method"]


def test_unit_staff_see_only_their_rows_and_no_rank(world, client_for):
    s = setup(world)
    data = client_for(world.handler).get(url("task-detail", s.task.pk)).json()
    assert {r["unit"]["id"] for r in data["rows"]} == {world.dept.pk}
    assert [u["rank"] for u in data["units"]] == [None]
    assert client_for(world.handler).get(url("row-detail", s.other_row.pk)).status_code == 404


def test_outsiders_get_404(world, client_for):
    s = setup(world)
    for user in (world.outsider, world.grid_worker, world.resident):
        client = client_for(user)
        assert client.get(url("task-list")).json()["results"] == []
        assert_error(client.get(url("task-detail", s.task.pk)), 404, "not_found")
        response = client.post(url("progress", s.row.pk), {"value": 1}, format="json")
        assert_error(response, 404, "not_found")
    assert_error(client_for(world.dispatcher).get(url("task-detail", 2**63)), 404, "not_found")


def test_unit_reports_progress(world, client_for):
    s = setup(world)
    client = client_for(world.handler)
    response = client.post(
        url("progress", s.row.pk), {"value": "120.5", "note": "已完成"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["actual"] == "120.50" and response.json()["score"] == "12.05"
    assert ProgressReport.objects.get().reported_by == world.handler


def test_progress_refusals(world, client_for):
    s = setup(world)
    handler = client_for(world.handler)
    for value in ("abc", -1, "NaN", "1e40", True, None):
        response = handler.post(url("progress", s.row.pk), {"value": value}, format="json")
        assert response.status_code == 400, (value, response.content)
        (item,) = response.json()["errors"]
        assert item["field"] == "value" and item["message"] and item["message_en"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in item["message"])
    assert_error(handler.post(url("progress", s.row.pk), [1], format="json"), 400, "invalid")
    engine = handler.post(url("progress", s.engine_row.pk), {"value": 99}, format="json")
    assert_error(engine, 400, "engine", "value")
    office = client_for(world.dispatcher).post(
        url("progress", s.row.pk), {"value": 1}, format="json"
    )
    assert_error(office, 403, "permission_denied")
    other = client_for(world.other_handler).post(
        url("progress", s.row.pk), {"value": 1}, format="json"
    )
    assert_error(other, 404, "not_found")
    assert not ProgressReport.objects.exists()
    assert Breakdown.objects.get(pk=s.row.pk).actual is None


def test_notice_rectification_and_answer(world, client_for):
    s = setup(world)
    office, unit = client_for(world.dispatcher), client_for(world.handler)
    assert_error(
        unit.post(url("notice", s.row.pk), {"text": "x"}, format="json"), 403, "permission_denied"
    )
    notice = office.post(url("notice", s.row.pk), {"text": "进度滞后，予以通报。"}, format="json")
    assert notice.status_code == 201 and Notice.objects.count() == 1
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    body = {"requirement": "补齐台账", "deadline": past}
    assert_error(office.post(url("rectification", s.row.pk), body, format="json"), 400, "past")
    body["deadline"] = (timezone.localdate() + timedelta(days=7)).isoformat()
    made = office.post(url("rectification", s.row.pk), body, format="json")
    assert made.status_code == 201 and made.json()["status"] == "open"
    assert made.json()["overdue"] is False
    again = office.post(url("rectification", s.row.pk), body, format="json")
    assert_error(again, 409, "open")
    order = Rectification.objects.get()
    answer_url = url("answer", order.pk)
    assert_error(office.post(answer_url, {"answer": "x"}, format="json"), 403, "permission_denied")
    other = client_for(world.other_handler).post(answer_url, {"answer": "x"}, format="json")
    assert_error(other, 404, "not_found")
    done = unit.post(answer_url, {"answer": "已补齐台账。"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "answered"
    assert_error(unit.post(answer_url, {"answer": "再答"}, format="json"), 409, "answered")
    row = unit.get(url("row-detail", s.row.pk)).json()
    assert row["status"] == "rectified" and len(row["notices"]) == 1
    assert row["rectifications"][0]["answer"] == "已补齐台账。"


def test_detail_query_count_is_fixed(world, client_for, django_assert_num_queries):
    s = setup(world)
    client = client_for(world.dispatcher)
    client.get(url("task-detail", s.task.pk))
    with django_assert_num_queries(8):
        client.get(url("task-detail", s.task.pk))
    services.report_progress(s.row, actor=world.handler, value=3)
    services.issue_notice(s.row, actor=world.dispatcher, text="通报")
    with django_assert_num_queries(8):
        client.get(url("task-detail", s.task.pk))
