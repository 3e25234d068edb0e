"""Attacks on the pages that landed with issue 11: CSRF, other offices' ids, uploads that would
run in the browser, the 免申即享 export, hostile search input, who sees the county's firm list."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enterprises import policies as policy_services
from enterprises.models import Policy, PolicyStatus
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from outreach import services as outreach_services
from outreach.models import BriefingTask, EnterpriseVisit
from outreach.tests.helpers import build, policy
from projects.models import Project
from projects.tests.factories import make_commissioner, make_project


@pytest.fixture
def ow(world):
    return build(world)


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_new_page_post_without_the_token_is_refused(world, ow):
    published = policy()
    draft = policy(status=PolicyStatus.DRAFT)
    project = make_project(world)
    milestone = project.milestones.order_by("pk").first()
    task = BriefingTask.objects.create(
        policy=published, enterprise=ow.firm, cadre=ow.cadre.person, due_on=timezone.localdate()
    )
    posts = [
        (world.admin, reverse("policies:policy-create")),
        (world.admin, reverse("policies:policy-edit", args=[draft.pk])),
        (world.admin, reverse("policies:policy-publish", args=[draft.pk])),
        (world.admin, reverse("policies:policy-withdraw", args=[published.pk])),
        (world.admin, reverse("policies:policy-grant", args=[published.pk])),
        (world.admin, reverse("policies:policy-attach", args=[published.pk])),
        (ow.cadre, reverse("outreach:visit-new", args=[ow.firm.pk])),
        (world.admin, reverse("outreach:briefings-push")),
        (ow.cadre, reverse("outreach:briefing-done", args=[task.pk])),
        (world.admin, reverse("outreach:rhythm")),
        (world.admin, reverse("projects:project-new")),
        (world.admin, reverse("projects:project-advance", args=[project.pk])),
        (world.admin, reverse("projects:milestone-complete", args=[milestone.pk])),
        (world.admin, reverse("projects:milestone-block", args=[milestone.pk])),
        (world.admin, reverse("projects:milestone-unblock", args=[milestone.pk])),
    ]
    for user, url in posts:
        response = signed_in(user, csrf=True).post(url, {"reason": "x", "note": "x"})
        assert response.status_code == 403, url
    draft.refresh_from_db()
    task.refresh_from_db()
    assert draft.status == PolicyStatus.DRAFT and task.status == "pending"
    assert Project.objects.count() == 1 and not EnterpriseVisit.objects.exists()


# --- Other offices' ids -------------------------------------------------------------------------


def test_another_grid_sees_no_project_and_moves_none(world):
    project = make_project(world)
    milestone = project.milestones.order_by("pk").first()
    for user in (world.other_grid_worker, world.resident, world.outsider):
        client = signed_in(user)
        assert client.get(reverse("projects:project-detail", args=[project.pk])).status_code == 404
        assert project.name not in client.get(reverse("projects:project-list")).content.decode()
        for name in ("milestone-complete", "milestone-block", "milestone-unblock"):
            url = reverse(f"projects:{name}", args=[milestone.pk])
            assert client.post(url, {"reason": "x"}).status_code == 404, (user, name)
        url = reverse("projects:project-advance", args=[project.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404


def test_a_reader_who_may_not_write_a_project_is_refused_with_a_403(world):
    project = make_project(world)
    milestone = project.milestones.order_by("pk").first()
    client = signed_in(world.liaison)  # the firm's liaison reads its projects
    assert client.get(reverse("projects:project-detail", args=[project.pk])).status_code == 200
    url = reverse("projects:milestone-complete", args=[milestone.pk])
    assert client.post(url, {}).status_code == 403
    milestone.refresh_from_db()
    assert milestone.status == "pending"


def test_residents_and_liaisons_cannot_open_the_project_form_with_every_firm(world, ow):
    """The form lists every firm of the county and its commissioners: only for those who could
    register a project."""
    for user in (world.resident, world.liaison, world.grid_worker):
        response = signed_in(user).get(reverse("projects:project-new"))
        assert response.status_code == 403, user
        assert ow.other_firm.name not in response.content.decode()
    for user in (world.dispatcher, world.handler, ow.commissioner):
        assert signed_in(user).get(reverse("projects:project-new")).status_code == 200


def test_naming_oneself_commissioner_of_another_firm_is_refused_in_the_form(world, ow):
    make_commissioner(world)  # a 驻厂专员 of world.enterprise, so the form offers commissioners
    data = {
        "name": "探路项目",
        "enterprise": ow.firm.pk,
        "region": world.town.pk,
        "investment": "100",
        "signed_on": "2026-11-20",
        "owner_unit": world.chain_committee.pk,
        "commissioner": ow.commissioner.person.pk,  # the 驻厂专员 of ow.other_firm
    }
    response = signed_in(ow.commissioner).post(reverse("projects:project-new"), data)
    assert response.status_code == 400
    assert "驻厂专员须为该企业的驻厂专员或挂钩干部。" in response.content.decode()
    assert not Project.objects.exists()


def test_another_firms_visits_are_404_for_cadres_and_invisible_to_liaisons(world, ow):
    visit = outreach_services.log_visit(
        ow.firm,
        visited_on=timezone.localdate(),
        visitors=[ow.cadre.person],
        findings="订单饱满。",
        actor=ow.cadre,
    )
    for user in (ow.commissioner, world.liaison, world.resident, world.other_grid_worker):
        client = signed_in(user)
        assert client.get(reverse("outreach:visit-detail", args=[visit.pk])).status_code == 404
        response = client.get(reverse("outreach:visit-new", args=[ow.firm.pk]))
        assert response.status_code in (403, 404), user
        response = client.post(
            reverse("outreach:visit-new", args=[ow.firm.pk]),
            {"visited_on": "2026-01-05", "findings": "x"},
        )
        assert response.status_code in (403, 404), user
    assert EnterpriseVisit.objects.count() == 1


def test_residents_and_liaisons_see_no_coverage_and_no_matched_firms(world, ow):
    published = policy(exempt_application=True)
    for user in (world.resident, world.liaison):
        client = signed_in(user)
        assert client.get(reverse("outreach:coverage")).status_code == 403
        assert client.get(reverse("outreach:coverage-firms")).status_code == 403
        page = client.get(reverse("policies:policy-detail", args=[published.pk]))
        assert ow.other_firm.name not in page.content.decode()
        export = reverse("policies:policy-exempt-export", args=[published.pk])
        assert client.get(export).status_code == 404


def test_a_briefing_done_by_someone_else_is_a_404(world, ow):
    task = BriefingTask.objects.create(
        policy=policy(), enterprise=ow.firm, cadre=ow.cadre.person, due_on=timezone.localdate()
    )
    for user in (ow.commissioner, world.liaison, ow.town_dispatcher):
        response = signed_in(user).post(reverse("outreach:briefing-done", args=[task.pk]))
        assert response.status_code == 404, user
    task.refresh_from_db()
    assert task.status == "pending"


# --- Uploads ------------------------------------------------------------------------------------

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("通知.html", b"<html><script>alert(1)</script></html>", "text/html"),
        ("图.svg", SVG, "image/svg+xml"),
        ("细则.pdf", b"<!DOCTYPE html><script>alert(1)</script>", "application/pdf"),
        ("细则.pdf", b" %PDF-1.7<script>", "application/pdf"),
        ("表.xlsx", b"PK\x03\x04not really a zip", "application/vnd.ms-excel"),
    ],
)
def test_an_attachment_that_would_run_in_the_browser_is_refused(
    world, settings, tmp_path, name, content, kind
):
    settings.MEDIA_ROOT = tmp_path
    published = policy()
    client = signed_in(world.admin)
    upload = SimpleUploadedFile(name, content, kind)
    response = client.post(reverse("policies:policy-attach", args=[published.pk]), {"file": upload})
    assert response.status_code == 400 and "类型不支持" in response.content.decode()
    assert not published.attachments.exists()


def test_attachments_are_served_to_readers_only_as_safe_downloads(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = policy(status=PolicyStatus.DRAFT)
    upload = SimpleUploadedFile("x.html", b"%PDF-1.7 <html><script>alert(1)</script>")
    attachment = policy_services.add_attachment(draft, upload, actor=world.admin)
    url = reverse("policies:policy-attachment", args=[draft.pk, attachment.pk])
    # A draft's attachment: writers only.
    for user in (world.grid_worker, world.liaison, world.resident):
        assert signed_in(user).get(url).status_code == 404
    response = signed_in(world.admin).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # The name's last extension is the type of the bytes, whatever the uploader called it.
    assert response["Content-Disposition"].rstrip('"').endswith(".pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Another policy's id with this attachment's id: 404.
    other = policy()
    url = reverse("policies:policy-attachment", args=[other.pk, attachment.pk])
    assert signed_in(world.admin).get(url).status_code == 404


# --- The 免申即享 export ----------------------------------------------------------------------------


def _firm(world, name: str, region, serial: str) -> Organisation:
    return Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name=name,
        region=region,
        credit_code=make_credit_code("9", "1", "350526", serial),
    )


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_the_exempt_export_writes_formula_looking_names_as_text_and_is_scoped(world, start):
    name = f"{start}cmd|' /C calc'!A0"
    _firm(world, name, world.grid, "MA2Y40001")  # the grid worker's own grid
    hidden = _firm(world, f"{start}1+1 龙浔", world.other_town, "MA2Y40002")
    published = policy(exempt_application=True, title=f"{start}SUM(1,1)")
    response = signed_in(world.grid_worker).get(
        reverse("policies:policy-exempt-export", args=[published.pk])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    names = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert name in names and hidden.name not in names
    assert sheet["A1"].value == f"{start}SUM(1,1)" and sheet["A1"].data_type == "s"


# --- Search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q", ["%", "_", "\\", "%%__", "' OR 1=1 --", "x" * 10_000, "设备\x00补助", "<script>"]
)
def test_the_search_page_takes_hostile_queries_and_leaks_no_draft(world, q):
    policy(status=PolicyStatus.DRAFT, title="草稿 % _ \\ 设备补助 ' OR 1=1 --")
    response = signed_in(world.grid_worker).get(reverse("search:search"), {"q": q})
    assert response.status_code == 200
    body = response.content.decode()
    assert "草稿 %" not in body and "<script>alert" not in body


def test_the_policy_list_takes_hostile_queries_and_leaks_no_draft(world):
    policy(status=PolicyStatus.DRAFT, title="草稿设备补助")
    client = signed_in(world.grid_worker)
    for q in ("%", "_", "\\", "草稿", "x" * 10_000, "a\x00b"):
        response = client.get(reverse("policies:policy-list"), {"q": q, "status": "draft"})
        assert response.status_code == 200
        assert "草稿设备补助" not in response.content.decode()


# --- Query counts -------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_briefings_page_does_not_grow_with_the_tasks(world, ow):
    """A pusher's page with one policy's tasks, at 2 and 20 tasks."""
    published = policy()
    client = signed_in(world.admin)
    url = reverse("outreach:briefings") + f"?policy={published.pk}"

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            firm = _firm(world, f"宣讲企业{i}", world.town, f"MA2Y5{i:04d}")
            BriefingTask.objects.create(
                policy=published, enterprise=firm, cadre=ow.cadre.person, due_on=date(2027, 1, 1)
            )

    add(2, 0)
    few = _queries(client, url)
    add(18, 2)
    assert _queries(client, url) == few


def test_the_visit_page_does_not_grow_with_its_cases_and_briefings(world, ow):
    def visit(n: int) -> EnterpriseVisit:
        return outreach_services.log_visit(
            ow.firm,
            visited_on=timezone.localdate() - timedelta(days=n),
            visitors=[ow.cadre.person, ow.instructor.person],
            findings="走访。",
            demands=[
                outreach_services.Demand(
                    case_type=world.types["enterprise_demand"], description=f"诉求{i}"
                )
                for i in range(n)
            ],
            actor=ow.cadre,
        )

    client = signed_in(world.dispatcher)
    few = _queries(client, reverse("outreach:visit-detail", args=[visit(2).pk]))
    assert _queries(client, reverse("outreach:visit-detail", args=[visit(20).pk])) == few


def test_policy_pages_do_not_grow_with_the_policies(world):
    client = signed_in(world.dispatcher)
    for i in range(2):
        policy(title=f"补助{i}")
    few = _queries(client, reverse("policies:policy-list"))
    for i in range(2, 20):
        policy(title=f"补助{i}")
    assert _queries(client, reverse("policies:policy-list")) == few
    assert Policy.objects.count() == 20


# --- The supervision board, phones, silent drops ------------------------------------------------


def test_the_supervision_board_shows_no_overdue_milestone_of_another_town(world, ow):
    project = make_project(world, signed_on=date(2026, 1, 5))  # its milestones long overdue
    assert project.milestones.filter(deadline__lt=timezone.now()).exists()
    mine = signed_in(world.dispatcher).get(reverse("dispatch:supervision")).content.decode()
    assert project.name in mine
    other = signed_in(ow.town_dispatcher).get(reverse("dispatch:supervision"))
    assert other.status_code == 200 and project.name not in other.content.decode()


def test_no_page_shows_a_cadres_or_commissioners_phone(world, ow):
    commissioner = make_commissioner(world)
    project = make_project(world, commissioner=commissioner)
    visit = outreach_services.log_visit(
        ow.firm,
        visited_on=timezone.localdate(),
        visitors=[ow.cadre.person],
        findings="订单饱满。",
        actor=ow.cadre,
    )
    BriefingTask.objects.create(
        policy=policy(), enterprise=ow.firm, cadre=ow.cadre.person, due_on=timezone.localdate()
    )
    phones = {ow.cadre.person.phone, commissioner.person.phone}
    pages = [
        (world.liaison, reverse("projects:project-detail", args=[project.pk])),
        (world.liaison, reverse("projects:project-list")),
        (world.leader, reverse("outreach:visit-detail", args=[visit.pk])),
        (world.leader, reverse("outreach:coverage-firms")),
        (world.admin, reverse("outreach:briefings") + "?policy=1"),
    ]
    for user, url in pages:
        response = signed_in(user).get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not any(phone in body for phone in phones), url


def test_a_briefing_note_too_long_is_refused_not_dropped(world, ow):
    task = BriefingTask.objects.create(
        policy=policy(), enterprise=ow.firm, cadre=ow.cadre.person, due_on=timezone.localdate()
    )
    client = signed_in(ow.cadre)
    response = client.post(
        reverse("outreach:briefing-done", args=[task.pk]), {"note": "讲" * 2001}, follow=True
    )
    task.refresh_from_db()
    assert task.status == "pending" and task.done_note == ""
    assert "2000" in response.content.decode()
    client.post(reverse("outreach:briefing-done", args=[task.pk]), {"note": "已讲解"})
    task.refresh_from_db()
    assert task.status == "done" and task.done_note == "已讲解"
