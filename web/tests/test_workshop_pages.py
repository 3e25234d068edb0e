"""The workshop pages: scope (another town's workshop is a 404), masking, the forms through the
services, the report's numbers opening their lists, the workbook's text cells, query counts."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import Organisation, OrgKind
from workshops import services
from workshops.models import (
    HelpedHousehold,
    JobPosting,
    Placement,
    PostingStatus,
    WorkshopType,
    WorkshopYear,
)
from workshops.tests.helpers import build


@pytest.fixture
def ws(world):
    return build(world)


def signed(client, user):
    client.force_login(user)
    return client


def test_list_and_filters(client, ws):
    page = signed(client, ws.org_dept).get(reverse("workshops:list") + "?year=2026&quarter=1")
    assert page.status_code == 200
    body = page.content.decode()
    assert "甜蜜站共富工坊" in body and "青创园共富工坊" in body
    page = client.get(reverse("workshops:list"), {"type": WorkshopType.PROCESSING})
    body = page.content.decode()
    assert "青创园共富工坊" in body and "甜蜜站共富工坊" not in body


def test_other_towns_workshop_is_404(client, ws):
    signed(client, ws.town_dispatcher)
    assert client.get(reverse("workshops:detail", args=[ws.shop.pk])).status_code == 200
    assert client.get(reverse("workshops:detail", args=[ws.other_shop.pk])).status_code == 404
    assert client.get(reverse("workshops:detail", args=[ws.shop.pk])).status_code == 200
    signed(client, ws.lead)
    assert client.get(reverse("workshops:detail", args=[ws.other_shop.pk])).status_code == 404


def test_outsider_is_refused(client, ws, world):
    assert signed(client, world.handler).get(reverse("workshops:list")).status_code == 403


def test_households_masked_for_those_who_may_not_contact(client, ws):
    HelpedHousehold.objects.create(workshop=ws.shop, household=ws.disabled, since=date(2025, 1, 1))
    url = reverse("workshops:detail", args=[ws.shop.pk])
    body = signed(client, ws.org_dept).get(url).content.decode()
    assert "郑小红" not in body and "郑**" in body and "139****5678" in body
    body = signed(client, ws.town_dispatcher).get(url).content.decode()
    assert "郑小红" in body and "13912345678" in body
    job = reverse("workshops:job-detail", args=[ws.posting.pk])
    body = signed(client, ws.org_dept).get(job).content.decode()
    assert "郑小红" not in body and "郑**" in body


def test_figures_form_goes_through_the_service(client, ws):
    url = reverse("workshops:figures", args=[ws.shop.pk])
    data = {
        "year": 2026,
        "quarter": 2,
        "jobs": 12,
        "households": 50,
        "income": "20",
        "output": "60",
    }
    response = signed(client, ws.lead).post(url, data)
    assert response.status_code == 302
    assert WorkshopYear.objects.get(workshop=ws.shop, quarter=2).households == 50
    response = client.post(url, {**data, "quarter": 7})
    assert response.status_code == 200 and "figures_form" in response.context
    assert response.context["figures_form"].errors["quarter"]


def test_leader_reads_but_cannot_write(client, ws, world):
    url = reverse("workshops:figures", args=[ws.shop.pk])
    data = {"year": 2026, "quarter": 2, "jobs": 1, "households": 1, "income": "1", "output": "1"}
    assert signed(client, world.leader).post(url, data).status_code == 403


def test_helped_form(client, ws):
    url = reverse("workshops:helped", args=[ws.shop.pk])
    response = signed(client, ws.lead).post(
        url, {"household": ws.poor.pk, "since": "2025-06-01", "note": "养蜂"}
    )
    assert response.status_code == 302
    assert HelpedHousehold.objects.filter(workshop=ws.shop, household=ws.poor).exists()
    # Another town's household is not even a choice.
    response = client.post(url, {"household": ws.far.pk, "since": "2025-06-01"})
    assert response.status_code == 200 and response.context["helped_form"].errors["household"]


def test_placement_form_places_a_member(client, ws):
    url = reverse("workshops:job-detail", args=[ws.posting.pk])
    page = signed(client, ws.town_dispatcher).get(url)
    choices = set(page.context["form"].fields["member"].queryset)
    assert choices == {ws.worker, ws.by_id, ws.unknown_age}  # not the elder, child, poor
    body = page.content.decode()
    assert "郑大勇" in body and "郑老伯" not in body and "陈二山" not in body
    assert "年龄不详" in body or "不详" in body
    response = client.post(url, {"member": ws.worker.pk, "placed_on": "2026-03-05"})
    assert response.status_code == 302
    placed = Placement.objects.get()
    assert placed.recorded_by == ws.town_dispatcher
    assert (placed.member, placed.household, placed.person_name) == (
        ws.worker,
        ws.disabled,
        "郑大勇",
    )
    # Placed once: no longer a choice, so posting again is a clear form error, not a 500.
    response = client.post(url, {"member": ws.worker.pk, "placed_on": "2026-03-05"})
    assert response.status_code == 200
    assert "请从符合条件的人员中选择" in response.content.decode()
    assert Placement.objects.count() == 1


@pytest.mark.parametrize("member", ["elder", "child", "poor_member"])
def test_an_unmatched_member_is_not_placed(client, ws, member):
    url = reverse("workshops:job-detail", args=[ws.posting.pk])
    data = {"member": getattr(ws, member).pk, "placed_on": "2026-03-05"}
    response = signed(client, ws.town_dispatcher).post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["member"]
    assert not Placement.objects.exists()


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", ""])
def test_bad_member_ids_are_form_errors(client, ws, value):
    url = reverse("workshops:job-detail", args=[ws.posting.pk])
    response = signed(client, ws.town_dispatcher).post(
        url, {"member": value, "placed_on": "2026-03-05"}
    )
    assert response.status_code == 200 and not Placement.objects.exists()


def test_members_are_masked_for_readers_who_may_not_contact_them(client, ws):
    url = reverse("workshops:job-detail", args=[ws.posting.pk])
    body = signed(client, ws.org_dept).get(url).content.decode()
    assert "郑大勇" not in body and "郑**" in body
    assert "13800001111" not in body and "138****1111" in body
    body = signed(client, ws.town_dispatcher).get(url).content.decode()
    assert "郑大勇" in body and "13800001111" in body


def test_report_numbers_open_their_lists(client, ws):
    signed(client, ws.org_dept)
    page = client.get(reverse("workshops:report"), {"year": 2026, "quarter": 1})
    assert page.status_code == 200
    for row in page.context["rows"]:
        listed = client.get(
            reverse("workshops:list"),
            {"type": row.type, "town": row.town_id, "year": 2026, "quarter": 1},
        ).context["rows"]
        assert len(listed) == row.totals.count
        assert sum(w.figures.households for w in listed if w.figures) == row.totals.households
    assert page.context["grand"].count == 2


def test_report_xlsx_has_no_formulas(client, ws, world):
    evil = Organisation.objects.create(
        kind=OrgKind.WORKSHOP, name="=HYPERLINK(1)", region=world.grid
    )
    services.register_workshop(evil, type=WorkshopType.BRAND, actor=None)
    world.town.name = "=cmd|' /C calc'!A0"
    world.town.save()
    try:
        response = signed(client, ws.org_dept).get(
            reverse("workshops:report-xlsx"), {"year": 2026, "quarter": 1}
        )
        sheet = load_workbook(BytesIO(response.content)).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
        assert any(c.value == "=cmd|' /C calc'!A0" for c in cells)
        assert all(c.data_type != "f" for c in cells)
    finally:
        world.town.refresh_from_db()


def test_jobs_pages_and_totals(client, ws):
    signed(client, ws.org_dept)
    assert "蜂蜜分装工" in client.get(reverse("workshops:jobs")).content.decode()
    totals = client.get(reverse("workshops:job-totals"))
    assert totals.status_code == 200
    tag = ws.tags["残疾"].pk
    assert len(client.get(reverse("workshops:jobs"), {"tag": tag}).context["rows"]) == 1
    assert client.get(reverse("workshops:placements"), {"tag": tag}).status_code == 200
    assert (
        signed(client, ws.world.other_grid_worker)
        .get(reverse("workshops:job-detail", args=[ws.posting.pk]))
        .status_code
        == 404
    )


def test_query_counts_do_not_grow_with_rows(client, ws, world, django_assert_num_queries):
    signed(client, ws.org_dept)
    client.get(reverse("workshops:list"))  # warm the session
    for n in range(5):
        org = Organisation.objects.create(kind=OrgKind.WORKSHOP, name=f"工坊{n}", region=world.grid)
        services.register_workshop(org, type=WorkshopType.BRAND, actor=None)
    for h in (ws.poor, ws.disabled, ws.plain):
        services.add_household(ws.shop, h, since=date(2025, 1, 1), actor=None)
    services.place(ws.posting, ws.worker, placed_on=date(2026, 3, 5), actor=None)
    pins = [
        (reverse("workshops:list"), 8),
        (reverse("workshops:report"), 6),
        (reverse("workshops:report-xlsx"), 4),
        (reverse("workshops:detail", args=[ws.shop.pk]), 11),
        (reverse("workshops:jobs"), 8),
        (reverse("workshops:job-detail", args=[ws.posting.pk]), 11),
        (reverse("workshops:placements"), 6),
    ]
    for url, count in pins:
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_posting_form_and_close(client, ws, world):
    signed(client, ws.town_dispatcher)
    page = client.get(reverse("workshops:job-new"))
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.fields["region"].queryset) == {world.town}  # their town only
    assert ws.other_shop.organisation not in form.fields["employer"].queryset
    response = client.post(
        reverse("workshops:job-new"),
        {
            "employer": ws.shop.organisation.pk,
            "title": "蜂箱清洁工",
            "positions": 2,
            "region": world.town.pk,
            "tags": [ws.tags["脱贫户"].pk],
            "posted_on": "2026-04-01",
        },
    )
    assert response.status_code == 302
    posting = JobPosting.objects.get(title="蜂箱清洁工")
    assert posting.created_by == ws.town_dispatcher
    response = client.post(
        reverse("workshops:job-new"),
        {
            "employer": ws.shop.organisation.pk,
            "title": "x",
            "positions": 1,
            "region": world.other_town.pk,  # not a choice
            "tags": [ws.tags["脱贫户"].pk],
            "posted_on": "2026-04-01",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["region"]
    client.post(reverse("workshops:job-close", args=[posting.pk]))
    posting.refresh_from_db()
    assert posting.status == PostingStatus.CLOSED
    signed(client, world.leader)
    assert client.get(reverse("workshops:job-new")).status_code == 403


def test_the_job_page_takes_the_same_queries_for_more_people(client, ws, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people.models import Household

    url = reverse("workshops:job-detail", args=[ws.posting.pk])
    signed(client, ws.town_dispatcher).get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        h = Household.objects.create(head_name=f"林{n}", phone="13912340000", region=world.grid)
        h.tags.set([ws.tags["低保"]])
        for i in range(2):
            services.member_model().objects.create(
                household=h, name=f"林{n}{i}", relation="子女", birth_year=1980 + i
            )
    with CaptureQueriesContext(connection) as more:
        page = client.get(url)
    assert len(page.context["matched"]) == 3 + 8
    assert len(more.captured_queries) == len(few.captured_queries)
