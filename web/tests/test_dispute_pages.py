"""The case page's dispute partial (parties masked as requesters are, agreements, the writer's
forms), its POSTs and the agreement's scoped download."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from cases import services as engine
from disputes import services
from disputes.models import DisputeParty, MediationAgreement
from disputes.tests.factories import dispute_case, html, parties, pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def render_partial(case, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template('{% include "web/disputes/_case_parties.html" %}')
    return template.render(Context({"case": case, "request": request, "csrf_token": "x"}))


def assigned_dispute(world):
    case = dispute_case(world)
    case = engine.triage_case(case, actor=world.dispatcher, category=world.category("dispute"))
    return engine.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)


# --- The partial --------------------------------------------------------------------------------


def test_a_writer_sees_the_contacts_and_the_forms(world):
    case = dispute_case(world)
    services.set_parties(case, actor=world.dispatcher, parties=parties())
    page = render_partial(case, world.dispatcher)
    assert "张三" in page and "13912345678" in page
    assert 'id="dispute-parties-form"' in page and 'id="dispute-agreement-form"' in page
    assert reverse("disputes:case-parties", args=[case.pk]) in page


def test_a_reader_who_may_not_contact_sees_them_masked_and_no_form(world):
    case = dispute_case(world)
    services.set_parties(case, actor=world.dispatcher, parties=parties())
    page = render_partial(case, world.leader)
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "德化县浔中镇浔中村12号" not in page
    assert "dispute-parties-form" not in page


def test_nothing_for_a_case_type_without_mediation(world):
    assert render_partial(world.report(), world.dispatcher).strip() == ""


def test_the_partial_lists_the_agreements_with_their_download(world, media):
    case = dispute_case(world)
    agreement = services.attach_agreement(
        case, actor=world.dispatcher, file=pdf(), signed_on=date(2026, 1, 5)
    )
    page = render_partial(case, world.leader)
    assert reverse("disputes:agreement-file", args=[case.pk, agreement.pk]) in page
    assert "2026-01-05" in page


# --- The POSTs ----------------------------------------------------------------------------------


def post_rows(rows):
    data = {}
    for index, row in enumerate(rows):
        for field, value in row.items():
            data[f"{field}_{index}"] = value
    data.update({"role_9": "", "name_9": ""})  # a spare blank row is left out
    return data


def test_the_lead_unit_posts_the_parties_and_returns_to_the_case(world, client):
    case = assigned_dispute(world)
    client.force_login(world.handler)
    response = client.post(reverse("disputes:case-parties", args=[case.pk]), post_rows(parties()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("caseviews:case-detail", args=[case.pk]))
    assert DisputeParty.objects.filter(case=case).count() == 2


def test_a_refused_list_is_a_message(world, client):
    case = dispute_case(world)
    client.force_login(world.dispatcher)
    response = client.post(
        reverse("disputes:case-parties", args=[case.pk]), post_rows(parties()[:1])
    )
    assert response.status_code == 302
    assert ["请至少登记一名对方当事人。"] == [str(m) for m in get_messages(response.wsgi_request)]
    assert not DisputeParty.objects.filter(case=case).exists()


def test_another_grids_case_is_a_404(world, client):
    case = dispute_case(world)
    client.force_login(world.other_grid_worker)
    url = reverse("disputes:case-parties", args=[case.pk])
    assert client.post(url, post_rows(parties())).status_code == 404


def test_a_reader_who_may_not_act_is_a_403(world, client):
    case = dispute_case(world)
    client.force_login(world.leader)
    url = reverse("disputes:case-parties", args=[case.pk])
    assert client.post(url, post_rows(parties())).status_code == 403


def test_an_html_upload_is_refused(world, client, media):
    case = dispute_case(world)
    client.force_login(world.dispatcher)
    response = client.post(
        reverse("disputes:case-agreement", args=[case.pk]),
        {"file": html(), "signed_on": "2026-01-05"},
    )
    assert response.status_code == 302
    assert not MediationAgreement.objects.exists()
    assert "类型不支持" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_an_agreement_is_uploaded_and_downloaded_as_an_attachment(world, client, media):
    case = dispute_case(world)
    client.force_login(world.dispatcher)
    client.post(
        reverse("disputes:case-agreement", args=[case.pk]),
        {"file": pdf(), "signed_on": "2026-01-05"},
    )
    agreement = MediationAgreement.objects.get(case=case)
    url = reverse("disputes:agreement-file", args=[case.pk, agreement.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(world.other_grid_worker)
    assert client.get(url).status_code == 404
