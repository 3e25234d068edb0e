"""The enterprise file: content, scope (404 outside it), the two forms, constant query count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.tests.helpers import local
from cases.tests.world import make_user
from enterprises import policies, services
from enterprises.models import EnterpriseEvent, EnterpriseEventKind, Honour, Policy, YearFigures
from enterprises.reference import ensure_honours
from outreach import services as outreach
from people.models import EnterpriseLink, EnterpriseLinkKind, Person, Role
from projects.tests.factories import make_project


@pytest.fixture
def honours(db) -> None:
    ensure_honours()


def url(world) -> str:
    return reverse("enterprises:enterprise-detail", args=[world.enterprise.pk])


def cadre(world) -> Person:
    person = Person.objects.create(name="陈建华", phone="13805951111")
    EnterpriseLink.objects.create(
        person=person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    return person


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    response = client.get(url(world))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_page_shows_profile_honours_figures_cadres_and_demands(world, client, honours):
    services.award_honour(
        world.enterprise, Honour.objects.get(code="high_tech"), 2024, actor=world.admin
    )
    services.record_year_figures(
        world.enterprise, 2024, output_value="5200.5", tax="310", actor=world.admin
    )
    cadre(world)
    case = world.report(title="用工缺口", enterprise=world.enterprise)
    world.report(title="别家的事")
    client.force_login(world.dispatcher)
    response = client.get(url(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.enterprise.credit_code in body and "高新技术企业 2024" in body
    assert "5200.50" in body and "310.00" in body
    assert "挂钩干部：陈建华" in body and "13805951111" in body  # a writer sees the phone
    assert reverse("caseviews:case-detail", args=[case.pk]) in body and "别家的事" not in body
    assert f"?enterprise={world.enterprise.pk}" in body
    assert response.context["case_total"] == 1
    assert dict(response.context["rates"])["受理数"] == "1"
    assert 'id="award-form"' in body and 'id="figures-form"' in body


def test_a_reader_who_may_not_write_sees_no_forms_and_masked_phones(world, client):
    cadre(world)
    client.force_login(make_user("town_chief", Role.GRID_CHIEF, region=world.town))
    body = client.get(url(world)).content.decode()
    assert "138****1111" in body and "13805951111" not in body
    assert 'id="award-form"' not in body


@pytest.mark.parametrize("who", ["other_dispatcher", "handler", "outsider", "other_grid_worker"])
def test_users_outside_the_scope_get_404(world, client, who):
    user = (
        make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town)
        if who == "other_dispatcher"
        else getattr(world, who)
    )
    client.force_login(user)
    assert client.get(url(world)).status_code == 404


def test_the_liaison_and_a_linked_cadre_may_read(world, client):
    client.force_login(world.liaison)
    assert client.get(url(world)).status_code == 200
    user = make_user("guagou", Role.LINKED_CADRE)
    EnterpriseLink.objects.create(
        person=user.person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    client.force_login(user)
    assert client.get(url(world)).status_code == 200


def test_another_organisation_is_not_an_enterprise_file(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("enterprises:enterprise-detail", args=[world.dept.pk]))
    assert response.status_code == 404


def test_the_award_form_calls_the_service(world, client, honours):
    honour = Honour.objects.get(code="little_giant")
    client.force_login(world.dispatcher)
    post = reverse("enterprises:enterprise-honour-award", args=[world.enterprise.pk])
    response = client.post(post, {"honour": honour.pk, "year": 2024, "note": "第五批"})
    assert response.status_code == 302 and response["Location"] == url(world)
    event = EnterpriseEvent.objects.get()
    assert event.kind == EnterpriseEventKind.HONOUR_AWARDED and event.actor == world.dispatcher
    again = client.post(post, {"honour": honour.pk, "year": 2024})
    assert again.status_code == 400 and "已登记" in again.content.decode()
    assert EnterpriseEvent.objects.count() == 1


def test_the_figures_form_creates_and_updates_a_year(world, client):
    client.force_login(world.dispatcher)
    post = reverse("enterprises:enterprise-figures-record", args=[world.enterprise.pk])
    client.post(post, {"year": 2024, "output_value": "100", "tax": "8"})
    response = client.post(post, {"year": 2024, "output_value": "120.5", "tax": "9"})
    assert response.status_code == 302
    figures = YearFigures.objects.get()
    assert (figures.output_value, figures.tax) == (Decimal("120.50"), Decimal("9.00"))
    bad = client.post(post, {"year": 1800, "output_value": "1", "tax": "1"})
    assert bad.status_code == 400 and "年度须在" in bad.content.decode()
    assert EnterpriseEvent.objects.count() == 2


def test_a_reader_may_not_post(world, client, honours):
    client.force_login(world.liaison)
    post = reverse("enterprises:enterprise-figures-record", args=[world.enterprise.pk])
    assert client.post(post, {"year": 2024, "output_value": "1", "tax": "1"}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(post, {"year": 2024, "output_value": "1", "tax": "1"}).status_code == 404
    assert not YearFigures.objects.exists()


@pytest.fixture
def clock(time_machine):
    """A Monday after the projects' signing day, so dates of record are in the past."""
    time_machine.move_to(local(2026, 11, 16, 10), tick=False)
    return time_machine


def _policy(world, title: str) -> Policy:
    policy = policies.create_policy(
        actor=world.admin,
        title=title,
        issuer="德化县工业和信息化局",
        valid_from=date(2026, 1, 1),
        conditions=[{"attribute": "honour", "values": ["tech_sme"]}],
    )
    return policies.publish_policy(policy, actor=world.admin)


def _grow(world, person: Person, n: int) -> None:
    """``n`` more of everything the file lists: demands, visits, policies with grants, projects."""
    for i in range(n):
        world.assigned(enterprise=world.enterprise)
        outreach.log_visit(
            world.enterprise,
            visited_on=date(2026, 9, 1 + i),
            visitors=[person],
            met="总经理",
            findings="生产正常。",
            actor=world.admin,
        )
        policy = _policy(world, f"科技型中小企业研发补助{i}")
        policies.record_grant(
            policy, world.enterprise, "10", date(2026, 9, 1 + i), actor=world.admin
        )
        make_project(world, name=f"智能化生产线项目{i}")


def test_the_page_costs_the_same_queries_whatever_its_length(
    world, client, honours, clock, django_assert_max_num_queries
):
    person = cadre(world)
    services.award_honour(
        world.enterprise, Honour.objects.get(code="tech_sme"), 2025, actor=world.admin
    )
    client.force_login(world.dispatcher)
    _grow(world, person, 2)
    client.get(url(world))  # warm the caches (sessions, reference data)
    with django_assert_max_num_queries(27) as few:
        response = client.get(url(world))
    _grow(world, person, 10)
    for _ in range(8):
        world.assigned(enterprise=world.enterprise)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(world))
    assert len(response.context["latest"]) == 10
    assert len(response.context["visits"]) == 10
    assert len(response.context["policies"]) == 12 and len(response.context["grants"]) == 12
    assert len(response.context["projects"]) == 12


def test_the_file_shows_visits_policies_grants_and_projects(world, client, honours, clock):
    person = cadre(world)
    services.award_honour(
        world.enterprise, Honour.objects.get(code="tech_sme"), 2025, actor=world.admin
    )
    _grow(world, person, 1)
    other = policies.publish_policy(
        policies.create_policy(
            actor=world.admin,
            title="专精特新奖励",
            issuer="德化县工业和信息化局",
            valid_from=date(2026, 1, 1),
            conditions=[{"attribute": "honour", "values": ["provincial_specialised"]}],
        ),
        actor=world.admin,
    )
    client.force_login(world.dispatcher)
    body = client.get(url(world)).content.decode()
    visit = world.enterprise.visits.get()
    assert reverse("outreach:visit-detail", args=[visit.pk]) in body and "生产正常。" in body
    assert reverse("outreach:visit-new", args=[world.enterprise.pk]) in body  # may log one
    assert "科技型中小企业研发补助0" in body and other.title not in body  # it qualifies for one
    assert "10.00" in body  # the grant
    assert "智能化生产线项目0" in body


def test_the_case_page_and_the_registry_link_to_the_file(world, client):
    case = world.report(enterprise=world.enterprise)
    client.force_login(world.dispatcher)
    detail = client.get(reverse("caseviews:case-detail", args=[case.pk])).content.decode()
    assert url(world) in detail
    listing = client.get(reverse("registry:enterprise-list")).content.decode()
    assert url(world) in listing


def test_who_may_not_open_the_file_sees_the_name_without_a_link(world, client):
    # A unit's handler reads the registry but not the firm's file.
    client.force_login(world.handler)
    listing = client.get(reverse("registry:enterprise-list")).content.decode()
    assert world.enterprise.name in listing and url(world) not in listing
    # A linked cadre's own firm is linked, with one query for all the rows.
    cadre = make_user("cadre_link", Role.LINKED_CADRE, person_name="联系干部")
    EnterpriseLink.objects.create(
        person=cadre.person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    client.force_login(cadre)
    assert url(world) in client.get(reverse("registry:enterprise-list")).content.decode()
