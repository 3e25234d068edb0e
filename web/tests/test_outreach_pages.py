"""The outreach pages: the cadre's workbench, the one-form visit log (two demands, two cases;
a refused row saves nothing; a resubmission makes nothing twice), a visit's page, coverage and
its lists, briefings, the rhythm settings; scope and CSRF."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Meeting
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from outreach import services
from outreach.models import BriefingStatus, BriefingTask, EnterpriseVisit, Period, VisitRhythm
from outreach.tests.helpers import build, policy
from people.models import EnterpriseLink, EnterpriseLinkKind


@pytest.fixture
def ow(world):
    return build(world)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def visit_url(firm) -> str:
    return reverse("outreach:visit-new", args=[firm.pk])


def post_data(ow, *rows: dict, **fields) -> dict:
    world = ow.world
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "visitors": [str(ow.cadre.person_id)],
        "met": "总经理 王某",
        "findings": "企业生产正常，反映用气成本上升。",
        "form_token": str(uuid.uuid4()),
        "demands-TOTAL_FORMS": str(len(rows)),
        "demands-INITIAL_FORMS": "0",
        "demands-MIN_NUM_FORMS": "0",
        "demands-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(rows):
        data[f"demands-{i}-case_type"] = str(world.types["enterprise_demand"].pk)
        data[f"demands-{i}-category"] = str(world.category("enterprise_demand").pk)
        data[f"demands-{i}-form_token"] = row.get("token", str(uuid.uuid4()))
        data[f"demands-{i}-description"] = row["description"]
    data.update(fields)
    return data


TWO = (
    {"description": "天然气价格上涨，希望协调气源。"},
    {"description": "园区道路破损，货车进出困难。"},
)


def test_the_workbench_lists_the_cadres_firms(ow):
    ow.world.report(
        "enterprise_demand",
        enterprise=ow.firm,
        region=ow.firm.region,
        actor=ow.world.dispatcher,
    )
    page = client_for(ow.cadre).get(reverse("outreach:mine"))
    assert page.status_code == 200
    text = page.content.decode()
    assert ow.firm.name in text and ow.other_firm.name not in text
    assert "尚未走访" in text and "overdue" in text
    assert reverse("enterprises:enterprise-detail", args=[ow.firm.pk]) in text
    assert visit_url(ow.firm) in text


def test_the_workbench_is_for_linked_cadres(ow):
    assert client_for(ow.world.grid_worker).get(reverse("outreach:mine")).status_code == 403


def test_a_visit_with_two_demands_makes_two_cases(ow):
    client = client_for(ow.cadre)
    assert client.get(visit_url(ow.firm)).status_code == 200
    data = post_data(ow, *TWO)
    answer = client.post(visit_url(ow.firm), data)
    visit = EnterpriseVisit.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("outreach:visit-detail", args=[visit.pk])
    assert Case.objects.filter(meeting=visit.meeting).count() == 2
    # The same form again (a double submit, the back button): nothing new.
    again = client.post(visit_url(ow.firm), data)
    assert again["Location"] == answer["Location"]
    assert EnterpriseVisit.objects.count() == 1 and Case.objects.count() == 2
    detail = client.get(answer["Location"])
    assert detail.status_code == 200
    assert "天然气价格上涨" in detail.content.decode()


def test_a_refused_row_saves_nothing(ow):
    client = client_for(ow.cadre)
    used = str(uuid.uuid4())
    client.post(visit_url(ow.firm), post_data(ow, {"description": "第一次", "token": used}))
    assert Case.objects.count() == 1
    # A second visit whose second row carries a token of the first visit's row.
    answer = client.post(
        visit_url(ow.firm),
        post_data(ow, TWO[0], {"description": "第一次", "token": used}),
    )
    assert answer.status_code == 200
    assert "该诉求已在其他走访中登记" in answer.content.decode()
    assert EnterpriseVisit.objects.count() == 1 and Case.objects.count() == 1
    assert Meeting.objects.count() == 1


def test_a_future_date_is_refused_by_the_form(ow):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    answer = client_for(ow.cadre).post(visit_url(ow.firm), post_data(ow, visited_on=tomorrow))
    assert answer.status_code == 200 and "不能晚于今天" in answer.content.decode()
    assert not EnterpriseVisit.objects.exists()


def test_pending_briefings_are_ticked_on_the_visit(ow):
    services.push_briefings(
        policy(), actor=ow.world.admin, due_on=timezone.localdate() + timedelta(days=10)
    )
    task = BriefingTask.objects.get(cadre=ow.cadre.person)
    client = client_for(ow.cadre)
    form = client.get(visit_url(ow.firm)).content.decode()
    assert "德化县陶瓷企业设备更新补助" in form
    # Only the cadre's own task is offered, not the instructor's.
    assert len(re.findall(r'name="briefings"', form)) == 1
    client.post(visit_url(ow.firm), post_data(ow, briefings=[str(task.pk)]))
    task.refresh_from_db()
    assert task.status == BriefingStatus.DONE and task.visit == EnterpriseVisit.objects.get()


@pytest.mark.parametrize("who", ["commissioner", "town_dispatcher", "grid_worker", "liaison"])
def test_a_firm_outside_the_scope_is_not_found(ow, who):
    user = getattr(ow, who, None) or getattr(ow.world, who)
    client = client_for(user)
    assert client.get(visit_url(ow.firm)).status_code == 404
    assert client.post(visit_url(ow.firm), post_data(ow)).status_code == 404
    visit = services.log_visit(
        ow.firm,
        visited_on=timezone.localdate(),
        visitors=[ow.cadre.person],
        findings="正常",
        actor=ow.cadre,
    )
    assert client.get(reverse("outreach:visit-detail", args=[visit.pk])).status_code == 404


def test_a_leader_reads_the_coverage_but_logs_no_visit(ow):
    client = client_for(ow.world.leader)
    assert client.get(reverse("outreach:coverage")).status_code == 200
    assert client.get(visit_url(ow.firm)).status_code == 403


def test_posts_need_the_csrf_token(ow):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ow.cadre)
    assert client.post(visit_url(ow.firm), post_data(ow)).status_code == 403
    assert not EnterpriseVisit.objects.exists()


def test_coverage_numbers_open_their_lists(ow):
    services.log_visit(
        ow.firm,
        visited_on=timezone.localdate(),
        visitors=[ow.cadre.person],
        findings="正常",
        actor=ow.cadre,
    )
    client = client_for(ow.world.dispatcher)
    page = client.get(reverse("outreach:coverage"))
    assert page.status_code == 200
    text = page.content.decode()
    links = re.findall(r'href="(/outreach/coverage/firms/\?[^"]+)">(\d+)</a>', text)
    assert links
    for href, number in links:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200
        assert listed.context["lines"].__len__() == int(number), href


def test_coverage_is_for_overseers(ow):
    assert client_for(ow.cadre).get(reverse("outreach:coverage")).status_code == 403
    page = client_for(ow.town_dispatcher).get(reverse("outreach:coverage-firms"))
    assert [line.firm for line in page.context["lines"]] == [ow.other_firm]


def test_pushing_and_completing_briefings(ow):
    p = policy()
    client = client_for(ow.chain_dispatcher)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    answer = client.post(reverse("outreach:briefings-push"), {"policy": p.pk, "due_on": due})
    assert answer.status_code == 302
    assert set(BriefingTask.objects.values_list("cadre__name", flat=True)) == {"陈志明", "郑丽华"}
    client.post(reverse("outreach:briefings-push"), {"policy": p.pk, "due_on": due})
    assert BriefingTask.objects.count() == 2
    progress = client.get(answer["Location"])
    assert "0 / 2" in progress.content.decode()
    task = BriefingTask.objects.get(cadre=ow.cadre.person)
    mine = client_for(ow.cadre)
    assert p.title in mine.get(reverse("outreach:briefings")).content.decode()
    done = reverse("outreach:briefing-done", args=[task.pk])
    assert client_for(ow.instructor).post(done, {"note": "x"}).status_code == 404
    mine.post(done, {"note": "电话宣讲"})
    task.refresh_from_db()
    assert task.status == BriefingStatus.DONE and task.done_note == "电话宣讲"
    assert "1 / 2" in client.get(answer["Location"]).content.decode()


def test_a_cadre_may_not_push(ow):
    answer = client_for(ow.cadre).post(
        reverse("outreach:briefings-push"),
        {"policy": policy().pk, "due_on": timezone.localdate().isoformat()},
    )
    assert answer.status_code == 403


def test_the_rhythm_page_is_for_administrators(ow):
    row = VisitRhythm.objects.get(link_kind="linked_cadre")
    assert client_for(ow.world.dispatcher).get(reverse("outreach:rhythm")).status_code == 403
    client = client_for(ow.world.admin)
    assert client.get(reverse("outreach:rhythm")).status_code == 200
    client.post(reverse("outreach:rhythm"), {f"period-{row.pk}": Period.QUARTER})
    row.refresh_from_db()
    assert row.period == Period.QUARTER


def add_firms(ow, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        firm = Organisation.objects.create(
            kind=OrgKind.ENTERPRISE,
            name=f"德化页面测试瓷厂{i:02d}",
            region=ow.world.grid,
            credit_code=make_credit_code("9", "1", "350526", f"MA2Y4{i:04d}"),
        )
        EnterpriseLink.objects.create(
            person=ow.cadre.person, enterprise=firm, kind=EnterpriseLinkKind.LINKED_CADRE
        )
        services.log_visit(
            firm,
            visited_on=timezone.localdate(),
            visitors=[ow.cadre.person],
            findings="正常",
            demands=[
                services.Demand(case_type=ow.world.types["enterprise_demand"], description="诉求")
            ],
            actor=ow.cadre,
        )


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "who, url",
    [
        ("cadre", "outreach:mine"),
        ("dispatcher", "outreach:coverage"),
        ("dispatcher", "outreach:coverage-firms"),
    ],
)
def test_the_pages_queries_do_not_grow_with_the_firms(ow, who, url):
    client = client_for(getattr(ow, who, None) or getattr(ow.world, who))
    add_firms(ow, 1)
    few = queries(client, reverse(url))
    add_firms(ow, 10, start=1)
    assert queries(client, reverse(url)) == few
