"""The IP pages: the overview and its counts, the registries' lists, forms and details, the
licence status form, the enforcement action form linking cases by number, and the case page's
facts partial with its POST."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from cases.tests.helpers import local
from ip.models import (
    EnforcementAction,
    GiLicence,
    InfringementFacts,
    IpEvent,
    IpEventKind,
    IpRegistration,
    LicenceStatus,
)
from ip.tests.factories import (
    copyright_office,
    ip_case,
    make_action,
    make_licence,
    make_officer,
    make_registration,
)

NOW = local(2026, 11, 10, 10)
OVERVIEW = reverse("ip:overview")
REGISTRATIONS = reverse("ip:registration-list")
LICENCES = reverse("ip:licence-list")
ACTIONS = reverse("ip:action-list")


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(world):
    return make_officer(world)


# --- Who sees what ----------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    for url in (OVERVIEW, REGISTRATIONS, LICENCES, ACTIONS, reverse("ip:licence-new")):
        assert reverse("web:login") in client.get(url)["Location"]


def test_outsiders_get_a_404(world, client, officer):
    licence = make_licence(world, officer)
    for user in (world.outsider, world.resident, world.grid_worker):
        client.force_login(user)
        for url in (OVERVIEW, LICENCES, reverse("ip:licence-detail", args=[licence.pk])):
            assert client.get(url).status_code == 404


def test_a_liaison_sees_their_own_licence_but_no_form_or_actions(world, client, officer):
    licence = make_licence(world, officer)
    action = make_action(world, officer)
    client.force_login(world.liaison)
    response = client.get(reverse("ip:licence-detail", args=[licence.pk]))
    assert response.status_code == 200 and "status-form" not in response.content.decode()
    assert client.get(reverse("ip:action-detail", args=[action.pk])).status_code == 404
    assert client.get(reverse("ip:licence-new")).status_code == 403


def test_a_dispatcher_reads_but_does_not_write(world, client, officer):
    licence = make_licence(world, officer)
    client.force_login(world.dispatcher)
    assert client.get(reverse("ip:licence-detail", args=[licence.pk])).status_code == 200
    url = reverse("ip:licence-status", args=[licence.pk])
    assert client.post(url, {"status": "revoked", "reason": "x"}).status_code == 403
    assert GiLicence.objects.get(pk=licence.pk).status == LicenceStatus.ACTIVE


# --- The overview -----------------------------------------------------------------------------


def test_the_overview_counts_and_links(world, client, officer):
    make_registration(world, officer)
    make_licence(world, officer, valid_until=date(2026, 12, 20))
    make_action(world, officer)
    client.force_login(officer)
    response = client.get(OVERVIEW)
    html = response.content.decode()
    assert response.context["overview"].licences_expiring == 1
    assert f"{REGISTRATIONS}?kind=design&amp;year=2026" in html
    assert f"{LICENCES}?expiring=1" in html
    assert f"{ACTIONS}?year=2026" in html
    assert "type=ip_infringement" in html


# --- Registrations ----------------------------------------------------------------------------


def test_the_officer_registers_a_design(world, client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("ip:registration-new"),
        {
            "enterprise": world.enterprise.pk,
            "kind": "design",
            "title": "青花茶具",
            "number": "ZL2026-0001",
            "registered_on": "2026-10-01",
        },
    )
    registration = IpRegistration.objects.get()
    assert response["Location"] == reverse("ip:registration-detail", args=[registration.pk])
    assert IpEvent.objects.get().kind == IpEventKind.REGISTRATION_CREATED


def test_a_duplicate_number_shows_beside_the_field(world, client, officer):
    make_registration(world, officer, number="ZL2026-0001")
    client.force_login(officer)
    response = client.post(
        reverse("ip:registration-new"),
        {
            "enterprise": world.enterprise.pk,
            "kind": "design",
            "title": "青花茶具",
            "number": "ZL2026-0001",
            "registered_on": "2026-10-01",
        },
    )
    assert response.status_code == 400
    assert "已登记" in str(response.context["form"].errors["number"])


def test_the_registration_list_filters_by_kind_and_year(world, client, officer):
    make_registration(world, officer)
    make_registration(world, officer, kind="copyright", number="C1", registered_on=date(2025, 1, 2))
    client.force_login(officer)
    rows = client.get(REGISTRATIONS, {"kind": "copyright"}).context["rows"]
    assert [r.number for r in rows] == ["C1"]
    assert len(client.get(REGISTRATIONS, {"year": "2026"}).context["rows"]) == 1


def test_the_registration_list_costs_fixed_queries(
    world, client, officer, django_assert_num_queries
):
    for i in range(3):
        make_registration(world, officer, number=f"A{i}")
    client.force_login(officer)
    client.get(REGISTRATIONS)
    with django_assert_num_queries(7) as three:
        client.get(REGISTRATIONS)
    for i in range(20):
        make_registration(world, officer, number=f"B{i}")
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(REGISTRATIONS).context["rows"]) == 23


# --- Licences ---------------------------------------------------------------------------------


def test_the_officer_records_a_licence_and_suspends_it(world, client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("ip:licence-new"),
        {
            "licensee": world.enterprise.pk,
            "mark_name": "德化白瓷",
            "number": "DHBC-2026-068",
            "valid_from": "2026-01-01",
            "valid_until": "2028-12-31",
        },
    )
    licence = GiLicence.objects.get()
    assert response["Location"] == reverse("ip:licence-detail", args=[licence.pk])
    status_url = reverse("ip:licence-status", args=[licence.pk])
    response = client.post(status_url, {"status": "suspended", "reason": ""})
    assert response.status_code == 400
    assert "原因" in str(response.context["status_form"].errors["reason"])
    client.post(status_url, {"status": "suspended", "reason": "抽检不合格"})
    assert GiLicence.objects.get().status == LicenceStatus.SUSPENDED


def test_the_licence_list_filters_by_derived_state(world, client, officer):
    make_licence(world, officer)
    make_licence(
        world, officer, number="OLD", valid_from=date(2023, 1, 1), valid_until=date(2025, 1, 1)
    )
    client.force_login(officer)
    rows = client.get(LICENCES, {"state": "expired"}).context["rows"]
    assert [r.number for r in rows] == ["OLD"]
    assert "到期" in client.get(LICENCES, {"state": "expired"}).content.decode()


def test_the_licence_list_costs_fixed_queries(world, client, officer, django_assert_num_queries):
    for i in range(3):
        make_licence(world, officer, number=f"A{i}")
    client.force_login(officer)
    client.get(LICENCES)
    with django_assert_num_queries(7) as three:
        client.get(LICENCES)
    for i in range(20):
        make_licence(world, officer, number=f"B{i}")
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(LICENCES).context["rows"]) == 23


# --- Enforcement actions ----------------------------------------------------------------------


def action_data(world, **overrides):
    data = {
        "acted_on": "2026-11-05",
        "place": "浔中镇陶瓷街",
        "region": world.town.pk,
        "units": [copyright_office(world).pk, world.other_dept.pk],
        "result": "查处仿冒茶具销售点 2 处",
        "seized": "仿冒茶具 320 套",
        "cases": "",
    }
    data.update(overrides)
    return data


def test_the_officer_records_an_action_linked_by_case_number(world, client, officer):
    case = ip_case(world)
    client.force_login(officer)
    response = client.post(reverse("ip:action-new"), action_data(world, cases=f" {case.number}，"))
    action = EnforcementAction.objects.get()
    assert response["Location"] == reverse("ip:action-detail", args=[action.pk])
    assert list(action.cases.all()) == [case]


def test_an_unknown_or_other_case_number_is_an_error(world, client, officer):
    other = world.report()
    client.force_login(world.admin)
    response = client.post(
        reverse("ip:action-new"), action_data(world, cases=f"{other.number} X-1")
    )
    assert response.status_code == 400
    message = str(response.context["form"].errors["cases"])
    assert other.number in message and "X-1" in message
    assert not EnforcementAction.objects.exists()


def test_the_action_list_costs_fixed_queries(world, client, officer, django_assert_num_queries):
    case = ip_case(world)
    for _ in range(3):
        make_action(world, officer, cases=[case])
    client.force_login(officer)
    client.get(ACTIONS)
    with django_assert_num_queries(9) as three:
        client.get(ACTIONS)
    for _ in range(20):
        make_action(world, officer, cases=[case])
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get(ACTIONS).context["rows"]) == 23


# --- The case's facts -------------------------------------------------------------------------


def facts_url(case) -> str:
    return reverse("ip:case-facts", args=[case.pk])


def test_the_dispatcher_records_the_facts_and_returns_to_the_case(world, client):
    case = ip_case(world)
    client.force_login(world.dispatcher)
    response = client.post(
        facts_url(case),
        {
            "right_type": "design_patent",
            "holder_enterprise": world.enterprise.pk,
            "infringer_name": "某经营部",
        },
    )
    assert response["Location"] == reverse("caseviews:case-detail", args=[case.pk])
    assert InfringementFacts.objects.get(case=case).infringer_name == "某经营部"


def test_a_bad_post_leaves_a_message_and_no_facts(world, client):
    case = ip_case(world)
    client.force_login(world.dispatcher)
    response = client.post(facts_url(case), {"right_type": "design_patent"}, follow=False)
    assert response.status_code == 302
    assert not InfringementFacts.objects.exists()


def test_facts_are_refused_outside_the_case(world, client):
    case = ip_case(world)
    client.force_login(world.outsider)
    assert client.post(facts_url(case), {"right_type": "gi_mark"}).status_code == 404
    client.force_login(world.liaison)  # sees the firm's case, may not act on it
    assert client.post(facts_url(case), {"right_type": "gi_mark"}).status_code == 403


def render_partial(case, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "web/ip/_case_facts.html" %}')
    return template.render(Context({"case": case, "request": request, "csrf_token": "x"}))


def test_the_partial_shows_the_form_to_writers_only(world, officer):
    case = ip_case(world)
    assert 'id="ip-facts-form"' in render_partial(case, world.dispatcher)
    html = render_partial(case, world.liaison)
    assert "尚未记录侵权事实" in html and 'id="ip-facts-form"' not in html
    assert render_partial(world.report(), world.dispatcher).strip() == ""


# --- Details and corrections ------------------------------------------------------------------


def test_the_detail_pages_show_the_record_and_its_log(world, client, officer):
    registration = make_registration(world, officer)
    licence = make_licence(world, officer)
    case = ip_case(world)
    action = make_action(world, officer, cases=[case])
    client.force_login(world.dispatcher)
    html = client.get(reverse("ip:registration-detail", args=[registration.pk])).content.decode()
    assert registration.number in html and "登记知识产权" in html
    html = client.get(reverse("ip:licence-detail", args=[licence.pk])).content.decode()
    assert "有效" in html and "status-form" not in html
    html = client.get(reverse("ip:action-detail", args=[action.pk])).content.decode()
    # The dispatcher may open the case: its number is a link.
    assert reverse("caseviews:case-detail", args=[case.pk]) in html


def test_the_officer_corrects_a_licence_period(world, client, officer):
    licence = make_licence(world, officer)
    client.force_login(officer)
    url = reverse("ip:licence-edit", args=[licence.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "licensee": world.enterprise.pk,
            "mark_name": "德化白瓷",
            "number": licence.number,
            "valid_from": "2026-01-01",
            "valid_until": "2029-12-31",
        },
    )
    assert response.status_code == 302
    assert GiLicence.objects.get().valid_until == date(2029, 12, 31)
    assert IpEvent.objects.filter(kind=IpEventKind.LICENCE_UPDATED).count() == 1


def test_the_officer_corrects_an_action(world, client, officer):
    action = make_action(world, officer)
    case = ip_case(world)
    client.force_login(officer)
    url = reverse("ip:action-edit", args=[action.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, action_data(world, cases=case.number, result="复查：已整改"))
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.result, list(action.cases.all())) == ("复查：已整改", [case])


def test_the_overview_costs_fixed_queries(world, client, officer, django_assert_num_queries):
    make_registration(world, officer)
    make_licence(world, officer)
    make_action(world, officer)
    client.force_login(officer)
    client.get(OVERVIEW)
    # The sign-in's queries, then one for each block of counts, whatever the records.
    with django_assert_num_queries(9):
        client.get(OVERVIEW)


def test_the_partial_shows_recorded_facts(world):
    from ip import services
    from ip.models import RightType

    case = ip_case(world)
    services.record_infringement_facts(
        case,
        actor=world.dispatcher,
        right_type=RightType.GI_MARK,
        holder_name="德化县陶瓷行业协会",
        infringer_name="外地某商行",
    )
    html = render_partial(case, world.liaison)
    assert "地理标志证明商标" in html and "德化县陶瓷行业协会" in html
