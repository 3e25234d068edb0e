"""``POST /api/v1/cases/`` with what the case's type asks for at intake: a dispute's
``parties``, an infringement case's ``ip_facts`` and the ``household`` it names — recorded in the
report's transaction, so a refused party or fact, or a household elsewhere, saves no case (and
no idempotency record)."""

from __future__ import annotations

import json

import pytest

from api.models import IdempotencyRecord
from api.tests.helpers import assert_error, case_url
from cases.models import Case, Via
from disputes.models import DisputeEvent, DisputeParty, PartyRole
from households.tests.helpers import Families, build
from ip.models import InfringementFacts, IpEvent, RightType

URL = "/api/v1/cases/"
APPLICANT = {"role": PartyRole.APPLICANT, "name": "张大山", "phone": "13905958801"}
RESPONDENT = {
    "role": PartyRole.RESPONDENT,
    "name": "李小河",
    "phone": "13905958802",
    "id_number": "350526196505120015",
    "address": "浔中村第一网格12号",
}
FACTS = {
    "right_holder": "德化佳诚陶瓷有限公司",
    "infringer": "某网店",
    "right_type": RightType.DESIGN_PATENT,
    "registration_number": "ZL202630000001.X",
}


@pytest.fixture
def hh(world) -> Families:
    return build(world)


def new_case(world, type_code: str = "dispute", **overrides) -> dict:
    return {
        "case_type": type_code,
        "region": world.grid.code,
        "title": "宅基地边界纠纷",
        "description": "两户因宅基地边界争执，请求调解。",
        "requester_name": "张大山",
        "requester_phone": "13905958801",
        **overrides,
    }


def post(client, data, **headers):
    return client.post(URL, data, format="json", **headers)


def nothing_saved() -> None:
    assert not Case.objects.exists() and not IdempotencyRecord.objects.exists()
    assert not DisputeParty.objects.exists() and not DisputeEvent.objects.exists()
    assert not InfringementFacts.objects.exists() and not IpEvent.objects.exists()


# --- Made together ----------------------------------------------------------------------------


def test_a_dispute_comes_with_its_parties_and_household(world, hh, client_for):
    client = client_for(world.grid_worker)
    body = new_case(world, parties=[APPLICANT, RESPONDENT], household=hh.home.pk)
    response = post(client, body)
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.household == hh.home and case.reported_by == world.grid_worker
    parties = list(DisputeParty.objects.filter(case=case).order_by("ordering"))
    assert [(p.role, p.name, p.phone, p.id_number) for p in parties] == [
        (PartyRole.APPLICANT, "张大山", "13905958801", ""),
        (PartyRole.RESPONDENT, "李小河", "13905958802", "350526196505120015"),
    ]
    event = DisputeEvent.objects.get(case=case)
    assert (event.actor, event.via) == (world.grid_worker, Via.API)
    # The detail keeps its shape; the parties are read where they always were.
    assert "parties" not in response.json() and "ip_facts" not in response.json()
    listed = client.get(case_url(case.pk, "parties")).json()
    assert [p["name"] for p in listed["parties"]] == ["张大山", "李小河"]


def test_the_parties_are_masked_for_a_reader_who_may_not_contact_them(world, client_for):
    case_id = post(
        client_for(world.grid_worker), new_case(world, parties=[APPLICANT, RESPONDENT])
    ).json()["id"]
    listed = client_for(world.leader).get(case_url(case_id, "parties")).json()
    assert listed["contacts_masked"] is True
    assert [p["phone"] for p in listed["parties"]] == ["139****8801", "139****8802"]


def test_an_infringement_case_comes_with_its_facts(world, client_for):
    client = client_for(world.dispatcher)
    response = post(client, new_case(world, "ip_infringement", ip_facts=FACTS))
    assert response.status_code == 201, response.content
    facts = InfringementFacts.objects.get(case_id=response.json()["id"])
    assert (facts.holder_name, facts.infringer_name, facts.right_type) == (
        "德化佳诚陶瓷有限公司",
        "某网店",
        RightType.DESIGN_PATENT,
    )
    assert facts.registration_number == "ZL202630000001.X"
    assert IpEvent.objects.get(case_id=response.json()["id"]).via == Via.API


def test_without_the_new_fields_nothing_changes(world, client_for):
    response = post(client_for(world.grid_worker), new_case(world))
    assert response.status_code == 201
    assert not DisputeParty.objects.exists() and Case.objects.get().household is None
    # An empty list names no parties.
    assert post(client_for(world.grid_worker), new_case(world, parties=[])).status_code == 201


# --- Refused, nothing saved -------------------------------------------------------------------


@pytest.mark.parametrize(
    "parties, code, field",
    [
        ([APPLICANT, {**RESPONDENT, "phone": "abc"}], "phone", "parties"),
        ([APPLICANT, {**RESPONDENT, "id_number": "350526196505120011"}], "id_number", "parties"),
        ([APPLICANT], "respondent_required", "parties"),
        ([RESPONDENT], "applicant_required", "parties"),
        ([APPLICANT, {**RESPONDENT, "role": "judge"}], "invalid_choice", "parties.1.role"),
        ([APPLICANT, {**RESPONDENT, "name": ""}], "blank", "parties.1.name"),
        ([APPLICANT, {**RESPONDENT, "name": "李" * 151}], "max_length", "parties.1.name"),
        ([APPLICANT, {**RESPONDENT, "name": "李\x00"}], "null_characters_not_allowed", None),
        ([APPLICANT, {**RESPONDENT, "organisation": 2**63}], "does_not_exist", None),
        ([APPLICANT, "李小河"], "invalid", "parties.1"),
        ("张大山 vs 李小河", "not_a_list", "parties"),
        ({"0": APPLICANT}, "not_a_list", "parties"),
        ([APPLICANT] * 51, "max_length", "parties"),
    ],
)
def test_a_bad_party_is_a_precise_400_and_saves_nothing(world, client_for, parties, code, field):
    client = client_for(world.grid_worker)
    response = post(client, new_case(world, parties=parties), HTTP_IDEMPOTENCY_KEY="k-1")
    body = assert_error(response, 400, code)
    if field:
        assert field in [item["field"] for item in body["errors"]], body
    nothing_saved()


def test_parties_for_a_type_without_mediation_are_refused(world, client_for):
    response = post(
        client_for(world.grid_worker),
        new_case(world, "resident_issue", parties=[APPLICANT, RESPONDENT]),
    )
    error = assert_error(response, 400, "no_mediation", field="parties")["errors"][0]
    assert error["message"] == "该类事项无需调解，不能登记当事人。"
    nothing_saved()


def test_facts_for_another_type_are_refused(world, client_for):
    response = post(client_for(world.dispatcher), new_case(world, "dispute", ip_facts=FACTS))
    error = assert_error(response, 400, "not_ip_case", field="ip_facts")["errors"][0]
    assert error["message"] == "只有侵权纠纷事项可以记录侵权事实。"
    nothing_saved()


@pytest.mark.parametrize(
    "facts, code, field",
    [
        ({**FACTS, "infringer": ""}, "blank", "ip_facts.infringer"),
        (
            {k: v for k, v in FACTS.items() if k != "right_holder"},
            "required",
            "ip_facts.right_holder",
        ),
        ({**FACTS, "right_type": "moral_right"}, "invalid_choice", "ip_facts.right_type"),
        ({**FACTS, "registration_number": "9" * 61}, "max_length", "ip_facts.registration_number"),
        ("侵权", "invalid", "ip_facts"),
        ([FACTS], "invalid", "ip_facts"),
    ],
)
def test_bad_facts_are_a_precise_400_and_save_nothing(world, client_for, facts, code, field):
    response = post(
        client_for(world.dispatcher), new_case(world, "ip_infringement", ip_facts=facts)
    )
    assert_error(response, 400, code, field=field)
    nothing_saved()


def test_a_household_of_another_town_is_refused(world, hh, client_for):
    client = client_for(world.dispatcher)  # reads both towns' households
    response = post(client, new_case(world, household=hh.other_home.pk))
    assert_error(response, 400, "household_elsewhere", field="household")
    nothing_saved()


def test_a_household_the_caller_does_not_read_does_not_exist_for_them(world, hh, client_for):
    client = client_for(world.other_grid_worker)
    body = new_case(world, region=world.other_grid.code, household=hh.home.pk)
    assert_error(post(client, body), 400, "does_not_exist", field="household")
    nothing_saved()


@pytest.mark.parametrize(
    "value, code",
    [
        ("abc", "invalid"),
        (0, "does_not_exist"),
        (2**63, "does_not_exist"),
        (999999, "does_not_exist"),
    ],
)
def test_a_bad_household_id_is_a_400(world, client_for, value, code):
    response = post(client_for(world.grid_worker), new_case(world, household=value))
    assert_error(response, 400, code, field="household")
    nothing_saved()


def test_a_5_mb_body_of_parties_is_capped_before_it_is_read(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    parties = [APPLICANT, {**RESPONDENT, "address": "路" * (5 * 1024 * 1024 // 3)}]
    body = json.dumps(new_case(world, parties=parties)).encode()
    assert len(body) > 5_000_000
    response = client_for(world.grid_worker).post(URL, data=body, content_type="application/json")
    assert_error(response, 413, "too_large", field=None)
    nothing_saved()


# --- Idempotency ------------------------------------------------------------------------------


def test_a_retry_makes_one_case_and_one_set_of_parties(world, client_for):
    client = client_for(world.grid_worker)
    body = new_case(world, parties=[APPLICANT, RESPONDENT])
    first = post(client, body, HTTP_IDEMPOTENCY_KEY="party-1")
    again = post(client, body, HTTP_IDEMPOTENCY_KEY="party-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotency-Replayed"] == "true"
    assert Case.objects.count() == 1 and DisputeEvent.objects.count() == 1
    assert DisputeParty.objects.count() == 2
    # Other parties under the same key are another request.
    other = new_case(world, parties=[APPLICANT, {**RESPONDENT, "name": "王五"}])
    assert_error(post(client, other, HTTP_IDEMPOTENCY_KEY="party-1"), 409, "idempotency_key_reused")


def test_a_refused_body_leaves_the_key_free_for_the_fixed_one(world, client_for):
    client = client_for(world.grid_worker)
    bad = new_case(world, parties=[APPLICANT])
    assert_error(post(client, bad, HTTP_IDEMPOTENCY_KEY="party-2"), 400, "respondent_required")
    nothing_saved()
    fixed = new_case(world, parties=[APPLICANT, RESPONDENT])
    assert post(client, fixed, HTTP_IDEMPOTENCY_KEY="party-2").status_code == 201
    assert DisputeParty.objects.count() == 2
