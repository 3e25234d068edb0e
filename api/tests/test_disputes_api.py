"""The disputes API: a case's parties (GET masked for a reader who may not contact, PUT the
whole list) and its mediation agreements (GET, multipart POST)."""

from __future__ import annotations

from datetime import date

import pytest

from disputes import services
from disputes.models import DisputeEvent, DisputeParty, MediationAgreement
from disputes.tests.factories import dispute_case, html, parties, pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def parties_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/parties/"


def agreements_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/agreements/"


def test_put_replaces_the_parties(world, client_for):
    case = dispute_case(world)
    response = client_for(world.dispatcher).put(
        parties_url(case), {"parties": parties()}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["contacts_masked"] is False
    assert [p["name"] for p in body["parties"]] == ["张三", "李四"]
    assert body["parties"][0]["phone"] == "13912345678"
    assert DisputeEvent.objects.get(case=case).via == "api"


def test_get_masks_the_contacts_for_a_reader_who_may_not_contact(world, client_for):
    case = dispute_case(world)
    services.set_parties(case, actor=world.dispatcher, parties=parties())
    body = client_for(world.leader).get(parties_url(case)).json()
    assert body["contacts_masked"] is True
    assert body["parties"][0]["phone"] == "139****5678"
    assert (
        body["parties"][0]["id_number"].startswith("3505")
        and "*" in body["parties"][0]["id_number"]
    )


def test_a_refused_list_is_a_precise_400(world, client_for):
    case = dispute_case(world)
    response = client_for(world.dispatcher).put(
        parties_url(case), {"parties": parties(phone="12ab")}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("parties", "phone")]
    assert errors[0]["message"].startswith("第1行：联系电话：")
    assert not DisputeParty.objects.filter(case=case).exists()


def test_an_unknown_organisation_id_is_a_400(world, client_for):
    case = dispute_case(world)
    response = client_for(world.dispatcher).put(
        parties_url(case), {"parties": parties(organisation=999999)}, format="json"
    )
    assert response.status_code == 400


def test_scope(world, client_for):
    case = dispute_case(world)
    assert client_for(world.other_grid_worker).get(parties_url(case)).status_code == 404
    response = client_for(world.leader).put(
        parties_url(case), {"parties": parties()}, format="json"
    )
    assert response.status_code == 403
    # A case whose type needs no mediation has no parties.
    assert client_for(world.dispatcher).get(parties_url(world.report())).status_code == 404


def test_an_agreement_is_posted_and_listed(world, client_for, media):
    case = dispute_case(world)
    client = client_for(world.dispatcher)
    response = client.post(
        agreements_url(case), {"file": pdf(), "signed_on": "2026-01-05"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "调解协议.pdf"
    listed = client_for(world.leader).get(agreements_url(case)).json()
    assert [a["signed_on"] for a in listed] == ["2026-01-05"]
    download = client_for(world.leader).get(listed[0]["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_html_agreement_is_a_400(world, client_for, media):
    case = dispute_case(world)
    response = client_for(world.dispatcher).post(
        agreements_url(case), {"file": html(), "signed_on": "2026-01-05"}, format="multipart"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "file_type")]
    assert not MediationAgreement.objects.exists()


def test_agreements_are_refused_outside_the_case(world, client_for, media):
    case = dispute_case(world)
    services.attach_agreement(case, actor=world.dispatcher, file=pdf(), signed_on=date(2026, 1, 5))
    assert client_for(world.other_grid_worker).get(agreements_url(case)).status_code == 404
