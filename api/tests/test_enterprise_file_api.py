"""The enterprise file over the API: its shape, scope (404 outside, 403 for readers who may not
write), masking, the three changes through the services, their errors, constant query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tests.helpers import assert_error
from cases.models import Status
from cases.tests.helpers import module_world_fixture
from cases.tests.world import make_user
from enterprises import services
from enterprises.models import (
    EnterpriseEvent,
    EnterpriseEventKind,
    Honour,
    HonourAward,
    YearFigures,
)
from enterprises.reference import ensure_honours
from people.models import EnterpriseLink, EnterpriseLinkKind, Person, Role

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    ensure_honours()
    return module_world


def file_url(world) -> str:
    return f"/api/v1/enterprises/{world.enterprise.pk}/file/"


def honours_url(world, award: int | None = None) -> str:
    return f"/api/v1/enterprises/{world.enterprise.pk}/honours/" + (f"{award}/" if award else "")


def figures_url(world, year: int) -> str:
    return f"/api/v1/enterprises/{world.enterprise.pk}/figures/{year}/"


def honour(code: str = "high_tech") -> Honour:
    return Honour.objects.get(code=code)


def cadre(world, name: str = "陈建华", phone: str = "13805951111") -> EnterpriseLink:
    person = Person.objects.create(name=name, phone=phone)
    return EnterpriseLink.objects.create(
        person=person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )


def town_chief(world):
    """Reads the town's people and so the file, writes nothing to it."""
    return make_user("town_chief", Role.GRID_CHIEF, region=world.town)


# --- Reading the file ---------------------------------------------------------------------------


def test_the_file_has_profile_honours_by_year_figures_links_and_demands(world, client_for):
    services.award_honour(world.enterprise, honour(), 2024, actor=world.admin, note="第十批")
    services.award_honour(world.enterprise, honour("little_giant"), 2024, actor=world.admin)
    services.award_honour(world.enterprise, honour(), 2023, actor=world.admin)
    services.record_year_figures(
        world.enterprise, 2024, output_value="5200.5", tax="310", employees=120, actor=world.admin
    )
    services.record_year_figures(
        world.enterprise, 2023, output_value="4800", tax="280", actor=world.admin
    )
    link = cadre(world)
    world.report(title="用工缺口", enterprise=world.enterprise)
    world.assigned(title="用电报装", enterprise=world.enterprise)
    world.report(title="别家的事")

    response = client_for(world.dispatcher).get(file_url(world))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"enterprise", "may_write", "honours", "figures", "links", "cases"}
    profile = body["enterprise"]
    assert profile["id"] == world.enterprise.pk and profile["name"] == "德化佳诚陶瓷有限公司"
    assert profile["credit_code"] == world.enterprise.credit_code
    assert profile["region"] == {
        "id": world.town.pk,
        "code": world.town.code,
        "name": world.town.name,
    }
    assert profile["chain"] == {"id": world.chain_committee.pk, "name": world.chain_committee.name}
    assert body["may_write"] is True
    assert [year["year"] for year in body["honours"]] == [2024, 2023]
    latest = body["honours"][0]["awards"]
    assert {a["honour"]["code"] for a in latest} == {"high_tech", "little_giant"}
    assert next(a for a in latest if a["honour"]["code"] == "high_tech")["note"] == "第十批"
    assert body["figures"][0] == {
        "year": 2024,
        "output_value": "5200.50",
        "tax": "310.00",
        "employees": 120,
        "updated_at": body["figures"][0]["updated_at"],
    }
    assert [f["year"] for f in body["figures"]] == [2024, 2023]
    assert body["links"] == [
        {
            "id": link.pk,
            "person": link.person_id,
            "name": "陈建华",
            "kind": "linked_cadre",
            "kind_label": "挂钩干部",
            "phone": "13805951111",
            "since": None,
        }
    ]
    assert body["cases"] == {
        "total": 2,
        "by_status": [
            {"status": Status.REPORTED, "status_label": str(Status.REPORTED.label), "count": 1},
            {"status": Status.ASSIGNED, "status_label": str(Status.ASSIGNED.label), "count": 1},
        ],
    }


def test_a_reader_who_may_not_write_sees_masked_phones(world, client_for):
    cadre(world)
    body = client_for(town_chief(world)).get(file_url(world)).json()
    assert body["may_write"] is False
    assert body["links"][0]["phone"] == "138****1111"


def test_the_demand_counts_are_of_the_cases_the_caller_may_see(world, client_for):
    world.report(title="网格里的", enterprise=world.enterprise)
    world.report(title="别处的", enterprise=world.enterprise, region=world.other_grid)
    assert client_for(world.dispatcher).get(file_url(world)).json()["cases"]["total"] == 2
    assert client_for(town_chief(world)).get(file_url(world)).json()["cases"]["total"] == 1


@pytest.mark.parametrize("who", ["other_dispatcher", "handler", "outsider", "other_grid_worker"])
def test_users_who_may_not_open_the_file_get_404(world, client_for, who):
    user = (
        make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town)
        if who == "other_dispatcher"
        else getattr(world, who)
    )
    client = client_for(user)
    assert_error(client.get(file_url(world)), 404, "not_found")
    body = {"honour": "high_tech", "year": 2024}
    assert_error(client.post(honours_url(world), body, format="json"), 404, "not_found")
    put = {"output_value": "1", "tax": "1"}
    assert_error(client.put(figures_url(world, 2024), put, format="json"), 404, "not_found")


def test_the_liaison_and_a_linked_cadre_read_the_file(world, client_for):
    assert client_for(world.liaison).get(file_url(world)).status_code == 200
    user = make_user("guagou", Role.LINKED_CADRE)
    EnterpriseLink.objects.create(
        person=user.person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    assert client_for(user).get(file_url(world)).status_code == 200


def test_another_organisation_or_an_impossible_id_has_no_file(world, client_for):
    client = client_for(world.admin)
    assert_error(client.get(f"/api/v1/enterprises/{world.dept.pk}/file/"), 404, "not_found")
    assert_error(client.get(f"/api/v1/enterprises/{2**63}/file/"), 404, "not_found")
    assert_error(client.get("/api/v1/enterprises/0/file/"), 404, "not_found")


def test_an_anonymous_caller_gets_401(world):
    from rest_framework.test import APIClient

    assert_error(APIClient().get(file_url(world)), 401, "not_authenticated")


def test_the_registry_paths_still_answer(world, client_for):
    client = client_for(world.admin)
    assert client.get("/api/v1/enterprises/").status_code == 200
    detail = client.get(f"/api/v1/enterprises/{world.enterprise.pk}/")
    assert detail.status_code == 200 and detail.json()["id"] == world.enterprise.pk


def test_the_file_costs_the_same_queries_for_few_and_many_rows(world, client_for):
    client = client_for(world.dispatcher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(file_url(world)).status_code == 200
        return len(captured.captured_queries)

    queries()  # the key's and roles' caches
    few = queries()
    for year, code in ((2024, "high_tech"), (2023, "little_giant"), (2022, "high_tech")):
        services.award_honour(world.enterprise, honour(code), year, actor=world.admin)
        services.record_year_figures(
            world.enterprise, year, output_value="1", tax="1", actor=world.admin
        )
    for n in range(3):
        cadre(world, name=f"干部{n}", phone=f"1380595000{n}")
        world.report(title=f"诉求{n}", enterprise=world.enterprise)
    assert queries() == few


# --- Awarding and revoking honours ---------------------------------------------------------------


def test_a_writer_awards_an_honour(world, client_for):
    response = client_for(world.dispatcher).post(
        honours_url(world),
        {"honour": "little_giant", "year": 2024, "note": "第五批"},
        format="json",
    )
    assert response.status_code == 201
    award = HonourAward.objects.get()
    assert response.json() == {
        "id": award.pk,
        "honour": {"code": "little_giant", "name": award.honour.name},
        "year": 2024,
        "note": "第五批",
        "created_at": response.json()["created_at"],
    }
    event = EnterpriseEvent.objects.get()
    assert event.kind == EnterpriseEventKind.HONOUR_AWARDED and event.actor == world.dispatcher


def test_a_reader_who_may_not_write_gets_403_before_the_body_is_read(world, client_for):
    client = client_for(town_chief(world))
    assert_error(client.post(honours_url(world), {}, format="json"), 403, "permission_denied")
    assert_error(client.put(figures_url(world, 2024), {}, format="json"), 403, "permission_denied")
    award = services.award_honour(world.enterprise, honour(), 2024, actor=world.admin)
    assert_error(client.delete(honours_url(world, award.pk)), 403, "permission_denied")
    assert HonourAward.objects.count() == 1


def test_the_liaison_reads_but_may_not_write(world, client_for):
    body = {"honour": "high_tech", "year": 2024}
    response = client_for(world.liaison).post(honours_url(world), body, format="json")
    assert_error(response, 403, "permission_denied")


def test_an_honour_awarded_twice_in_a_year_is_a_400_on_the_year(world, client_for):
    client = client_for(world.dispatcher)
    body = {"honour": "high_tech", "year": 2024}
    assert client.post(honours_url(world), body, format="json").status_code == 201
    body = assert_error(
        client.post(honours_url(world), body, format="json"), 400, "duplicate_award", "year"
    )
    assert "2024" in body["errors"][0]["message"] and body["errors"][0]["message_en"]
    assert HonourAward.objects.count() == 1 and EnterpriseEvent.objects.count() == 1


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"honour": "high_tech", "year": 1900}, "year_out_of_range", "year"),
        ({"honour": "high_tech", "year": 9999}, "year_out_of_range", "year"),
        ({"honour": "no_such", "year": 2024}, "does_not_exist", "honour"),
        ({"year": 2024}, "required", "honour"),
        ({"honour": "high_tech", "year": "二〇二四"}, "invalid", "year"),
        ({"honour": "high_tech", "year": 2024, "note": "长" * 201}, "max_length", "note"),
    ],
)
def test_a_bad_award_is_a_400_naming_the_field(world, client_for, body, code, field):
    response = client_for(world.dispatcher).post(honours_url(world), body, format="json")
    assert_error(response, 400, code, field)
    assert not HonourAward.objects.exists()


def test_a_retired_honour_cannot_be_awarded(world, client_for):
    Honour.objects.filter(code="high_tech").update(is_active=False)
    body = {"honour": "high_tech", "year": 2024}
    response = client_for(world.dispatcher).post(honours_url(world), body, format="json")
    assert_error(response, 400, "honour_inactive", "honour")


def test_a_writer_revokes_an_honour(world, client_for):
    award = services.award_honour(world.enterprise, honour(), 2024, actor=world.admin)
    response = client_for(world.dispatcher).delete(honours_url(world, award.pk))
    assert response.status_code == 204
    assert not HonourAward.objects.exists()
    event = EnterpriseEvent.objects.filter(kind=EnterpriseEventKind.HONOUR_REVOKED).get()
    assert event.data["award"] == award.pk and event.actor == world.dispatcher


def test_an_award_of_another_firm_or_none_is_a_404(world, client_for):
    from orgs.credit_code import make_credit_code
    from orgs.models import Organisation, OrgKind

    other = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name="德化另一家陶瓷公司",
        region=world.town,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y00002"),
    )
    theirs = services.award_honour(other, honour(), 2024, actor=world.admin)
    client = client_for(world.dispatcher)
    assert_error(client.delete(honours_url(world, theirs.pk)), 404, "not_found")
    assert_error(client.delete(honours_url(world, 999999)), 404, "not_found")
    assert HonourAward.objects.filter(pk=theirs.pk).exists()


# --- Recording a year's figures ------------------------------------------------------------------


def test_a_writer_records_and_corrects_a_year(world, client_for):
    client = client_for(world.dispatcher)
    first = client.put(figures_url(world, 2024), {"output_value": 100, "tax": "8"}, format="json")
    assert first.status_code == 200
    assert first.json()["output_value"] == "100.00" and first.json()["employees"] is None
    again = client.put(
        figures_url(world, 2024),
        {"output_value": "120.5", "tax": "9", "employees": 35},
        format="json",
    )
    assert again.status_code == 200
    figures = YearFigures.objects.get()
    assert (figures.output_value, figures.tax, figures.employees) == (
        Decimal("120.50"),
        Decimal("9.00"),
        35,
    )
    kinds = set(EnterpriseEvent.objects.values_list("kind", flat=True))
    assert kinds == {EnterpriseEventKind.FIGURES_RECORDED}


@pytest.mark.parametrize(
    "year, body, code, field",
    [
        (1800, {"output_value": "1", "tax": "1"}, "year_out_of_range", "year"),
        (2999, {"output_value": "1", "tax": "1"}, "year_out_of_range", "year"),
        (10**20, {"output_value": "1", "tax": "1"}, "year_out_of_range", "year"),
        (2024, {"output_value": "-1", "tax": "1"}, "min_value", "output_value"),
        (2024, {"output_value": "1.234", "tax": "1"}, "max_decimal_places", "output_value"),
        (2024, {"output_value": "一百", "tax": "1"}, "invalid", "output_value"),
        (2024, {"output_value": "1"}, "required", "tax"),
        (2024, {"output_value": "1", "tax": "1", "employees": -3}, "min_value", "employees"),
    ],
)
def test_bad_figures_are_a_400_naming_the_field(world, client_for, year, body, code, field):
    response = client_for(world.dispatcher).put(figures_url(world, year), body, format="json")
    assert_error(response, 400, code, field)
    assert not YearFigures.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(world, client_for):
    client = client_for(world.dispatcher)
    response = client.put(figures_url(world, 2024), [1, 2], format="json")
    assert response.status_code == 400
    response = client.post(honours_url(world), "x", format="json")
    assert response.status_code == 400
