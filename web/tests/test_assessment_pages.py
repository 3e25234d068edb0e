"""The assessment pages: the list, the 任务分解表 with totals and ranking, the unit's page to
report progress and answer rectifications, the office's 通报 and 限期整改 forms, the menu — and
the attacks: another unit's row, no CSRF token, bad numbers, html uploads, huge ids."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment import services
from assessment.models import (
    AssessmentEvent,
    AssessmentTask,
    Breakdown,
    Notice,
    ProgressReport,
    Rectification,
    RectificationStatus,
)
from assessment.tests.helpers import setup
from orgs.models import Organisation, OrgKind
from web.nav import nav_for

pytestmark = pytest.mark.django_db
LIST = reverse("assessment:task-list")


def detail(s) -> str:
    return reverse("assessment:task-detail", args=[s.task.pk])


def unit_url(s, unit) -> str:
    return reverse("assessment:unit-page", args=[s.task.pk, unit.pk])


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_menu_shows_for_readers_and_unit_staff(world):
    def has(user) -> bool:
        return any(item.url_name == "assessment:task-list" for item in nav_for(user))

    assert has(world.dispatcher) and has(world.leader) and has(world.admin)
    assert has(world.handler) and has(world.other_handler)
    assert not has(world.grid_worker) and not has(world.resident) and not has(world.liaison)
    assert not has(world.outsider)


def test_anonymous_sent_to_sign_in(world, client):
    s = setup(world)
    for url in (LIST, detail(s), unit_url(s, world.dept)):
        assert reverse("web:login") in client.get(url)["Location"]


def test_office_sees_the_table_with_totals_ranking_and_method(world):
    s = setup(world)
    services.report_progress(s.row, actor=world.handler, value="150")
    services.report_progress(s.other_row, actor=world.other_handler, value="50")
    client = signed_in(world.dispatcher)
    html = client.get(LIST).content.decode()
    assert s.task.title in html
    response = client.get(detail(s))
    assert response.status_code == 200
    html = response.content.decode()
    assert "任务分解表" in html and "计分与排名方法" in html and "名次" in html
    table = response.context["table"]
    assert [line.unit for line in table.lines] == [world.dept, world.other_dept]
    assert [line.rank for line in table.lines] == [1, 2]
    assert table.lines[0].total == Decimal("15.00")
    assert table.lines[0].full == Decimal("50.00")


def test_engine_actual_links_to_its_cases(world):
    s = setup(world)
    world.verified()
    client = signed_in(world.dispatcher)
    html = client.get(unit_url(s, world.dept)).content.decode()
    row = Breakdown.objects.get(pk=s.engine_row.pk)
    assert row.actual == Decimal("100.00")
    assert f"metric=on_time_rate&amp;part=num&amp;unit={world.dept.pk}" in html
    assert "part=den" in html
    month = s.task.start_month
    assert f"month={month}," in html
    # The link opens exactly the cases counted.
    url = reverse("caseviews:case-list") + (
        f"?metric=on_time_rate&part=num&unit={world.dept.pk}&region={world.county.code}"
        f"&month={','.join(str(m) for m in s.task.months)}"
    )
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["filter"].form.errors
    assert response.context["page"].paginator.count == 1
    den = client.get(url.replace("part=num", "part=den"))
    assert den.context["page"].paginator.count == 1


def test_unit_staff_report_progress_on_their_page(world):
    s = setup(world)
    client = signed_in(world.handler)
    response = client.get(detail(s))
    assert response.status_code == 200
    assert [line.unit for line in response.context["table"].lines] == [world.dept]
    assert "名次" not in response.content.decode()
    page = client.get(unit_url(s, world.dept))
    assert page.status_code == 200 and "报送进展" in page.content.decode()
    png = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")
    response = client.post(
        reverse("assessment:row-report", args=[s.row.pk]),
        {"value": "120.5", "note": "已完成 120 户", "file": png},
    )
    assert response.status_code == 302
    row = Breakdown.objects.get(pk=s.row.pk)
    assert row.actual == Decimal("120.50") and row.score == Decimal("12.05")
    report = ProgressReport.objects.get()
    download = client.get(reverse("assessment:report-file", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert "attachment" in download["Content-Disposition"]
    # another unit's staff cannot fetch it
    other = signed_in(world.other_handler)
    assert other.get(reverse("assessment:report-file", args=[report.pk])).status_code == 404


@pytest.mark.parametrize("value", ["abc", "-3", "1e40", "", "NaN"])
def test_bad_numbers_get_a_chinese_error(world, value):
    s = setup(world)
    response = signed_in(world.handler).post(
        reverse("assessment:row-report", args=[s.row.pk]), {"value": value}
    )
    assert response.status_code == 400
    errors = response.context["rows"][1].form.errors["value"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)
    assert not ProgressReport.objects.exists()


def test_html_upload_refused(world):
    s = setup(world)
    html = SimpleUploadedFile("a.pdf", b"<html><script>alert(1)</script></html>", "text/html")
    response = signed_in(world.handler).post(
        reverse("assessment:row-report", args=[s.row.pk]), {"value": "1", "file": html}
    )
    assert response.status_code == 400
    assert "类型不支持" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_another_units_row_is_a_404(world):
    s = setup(world)
    client = signed_in(world.handler)
    assert client.get(unit_url(s, world.other_dept)).status_code == 404
    response = client.post(reverse("assessment:row-report", args=[s.other_row.pk]), {"value": "1"})
    assert response.status_code == 404
    assert client.get(reverse("assessment:row-notice", args=[s.other_row.pk])).status_code == 404
    assert Breakdown.objects.get(pk=s.other_row.pk).actual is None


def test_outsiders_get_404(world):
    s = setup(world)
    for user in (world.outsider, world.grid_worker, world.resident):
        client = signed_in(user)
        for url in (LIST, detail(s), unit_url(s, world.dept)):
            assert client.get(url).status_code == 404
        assert (
            client.post(
                reverse("assessment:row-report", args=[s.row.pk]), {"value": "1"}
            ).status_code
            == 404
        )


def test_huge_and_unknown_ids_are_404(world):
    s = setup(world)
    client = signed_in(world.dispatcher)
    for url in (
        reverse("assessment:task-detail", args=[2**63]),
        reverse("assessment:unit-page", args=[s.task.pk, 2**64]),
        reverse("assessment:row-notice", args=[99999999]),
        reverse("assessment:rectification-answer", args=[2**70]),
    ):
        assert client.get(url).status_code in (404, 405)


def test_csrf_is_enforced(world):
    s = setup(world)
    client = signed_in(world.handler, csrf=True)
    response = client.post(reverse("assessment:row-report", args=[s.row.pk]), {"value": "1"})
    assert response.status_code == 403
    office = signed_in(world.dispatcher, csrf=True)
    response = office.post(reverse("assessment:row-notice", args=[s.row.pk]), {"text": "x"})
    assert response.status_code == 403
    assert not ProgressReport.objects.exists() and not Notice.objects.exists()


def test_office_issues_notice_and_rectification_unit_answers(world):
    s = setup(world)
    office = signed_in(world.dispatcher)
    notice_url = reverse("assessment:row-notice", args=[s.row.pk])
    assert office.get(notice_url).status_code == 200
    assert office.post(notice_url, {"text": ""}).status_code == 400
    assert office.post(notice_url, {"text": "改厕进度滞后，予以通报。"}).status_code == 302
    rectify_url = reverse("assessment:row-rectify", args=[s.row.pk])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = office.post(rectify_url, {"requirement": "限期补齐", "deadline": past})
    assert response.status_code == 400 and "整改期限须晚于今天" in response.content.decode()
    response = office.post(rectify_url, {"requirement": "限期补齐", "deadline": "2026-99-99"})
    assert response.status_code == 400 and "请填写有效的日期" in response.content.decode()
    soon = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert (
        office.post(rectify_url, {"requirement": "限期补齐台账", "deadline": soon}).status_code
        == 302
    )
    rectification = Rectification.objects.get()
    # the unit's staff may not issue either
    unit = signed_in(world.handler)
    assert unit.post(notice_url, {"text": "x"}).status_code == 403
    page = unit.get(unit_url(s, world.dept)).content.decode()
    assert "改厕进度滞后" in page and "限期补齐台账" in page and "反馈整改情况" in page
    answer_url = reverse("assessment:rectification-answer", args=[rectification.pk])
    assert signed_in(world.other_handler).post(answer_url, {"answer": "x"}).status_code == 404
    assert unit.post(answer_url, {"answer": ""}).status_code == 400
    assert unit.post(answer_url, {"answer": "已补齐台账并复核。"}).status_code == 302
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ANSWERED
    kinds = set(AssessmentEvent.objects.filter(row=s.row).values_list("kind", flat=True))
    assert {"notice_issued", "rectification_ordered", "rectification_answered"} <= kinds


def test_overdue_rectifications_are_visible(world):
    s = setup(world)
    services.order_rectification(
        s.row,
        actor=world.dispatcher,
        requirement="补齐",
        deadline=timezone.localdate() + timedelta(days=1),
    )
    Rectification.objects.update(deadline=timezone.localdate() - timedelta(days=2))
    html = signed_in(world.dispatcher).get(detail(s)).content.decode()
    assert 'id="overdue"' in html and "逾期整改 1" in html


def test_pages_cost_fixed_queries(world, django_assert_num_queries):
    """The table and the unit's page cost the same whatever the rows, reports and orders."""
    s = setup(world)
    client = signed_in(world.dispatcher)
    client.get(detail(s))  # the first view takes the engine's values in
    with django_assert_num_queries(13):
        client.get(detail(s))
    with django_assert_num_queries(12):
        client.get(unit_url(s, world.dept))
    third = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="德化县住建局")
    for indicator in (s.on_time, s.toilets):
        services.break_down(indicator, actor=world.dispatcher, units=[third], target=9, weight=5)
    for value in ("1", "2", "3"):
        services.report_progress(s.row, actor=world.handler, value=value)
    services.issue_notice(s.row, actor=world.dispatcher, text="通报")
    services.order_rectification(
        s.row,
        actor=world.dispatcher,
        requirement="整改",
        deadline=timezone.localdate() + timedelta(days=2),
    )
    client.get(detail(s))
    with django_assert_num_queries(13):
        client.get(detail(s))
    with django_assert_num_queries(12):
        client.get(unit_url(s, world.dept))


def test_office_builds_a_task_list_on_the_pages(world):
    client = signed_in(world.dispatcher)
    assert "新建考核任务" in client.get(LIST).content.decode()
    new = reverse("assessment:task-new")
    assert client.get(new).status_code == 200
    body = {
        "title": "2026年度为民办实事考核",
        "year": "2026",
        "start_month": "202613",
        "end_month": "202612",
        "issuer": world.dept.pk,
        "region": world.county.pk,
    }
    response = client.post(new, body)
    assert response.status_code == 400 and "月份须为 YYYYMM" in response.content.decode()
    body["start_month"] = "2026-01"
    response = client.post(new, body)
    assert response.status_code == 302
    task = AssessmentTask.objects.get()
    assert (task.start_month, task.end_month) == (202601, 202612)
    indicator_url = reverse("assessment:indicator-new", args=[task.pk])
    response = client.post(
        indicator_url, {"name": "满意率", "kind": "engine", "metric": "", "direction": "higher"}
    )
    assert response.status_code == 400 and "请选择系统指标" in response.content.decode()
    response = client.post(
        indicator_url,
        {"name": "满意率", "kind": "engine", "metric": "satisfaction_rate", "direction": "higher"},
    )
    assert response.status_code == 302
    indicator = task.indicators.get()
    assert indicator.measure == "%"
    breakdown_url = reverse("assessment:breakdown-new", args=[task.pk])
    body = {"indicator": indicator.pk, "units": [world.dept.pk], "target": "abc", "weight": "30"}
    response = client.post(breakdown_url, body)
    assert response.status_code == 400 and "请填写数字" in response.content.decode()
    body["target"] = "90"
    assert client.post(breakdown_url, body).status_code == 302
    assert Breakdown.objects.filter(indicator=indicator, unit=world.dept).exists()


def test_unit_staff_cannot_build_task_lists(world):
    s = setup(world)
    client = signed_in(world.handler)
    assert "新建考核任务" not in client.get(LIST).content.decode()
    assert client.get(reverse("assessment:task-new")).status_code == 403
    assert client.get(reverse("assessment:indicator-new", args=[s.task.pk])).status_code == 403
    response = client.post(
        reverse("assessment:breakdown-new", args=[s.task.pk]),
        {"indicator": s.toilets.pk, "units": [world.other_dept.pk], "target": 1, "weight": 1},
    )
    assert response.status_code == 403
    outsider = signed_in(world.outsider)
    assert outsider.get(reverse("assessment:indicator-new", args=[s.task.pk])).status_code == 404
