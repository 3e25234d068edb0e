"""What a case's type asks for at intake, on the desk and on the grid worker's report: a
dispute's parties, an infringement case's facts and the household the case names, recorded in
the report's transaction — a refused party or fact, or a household elsewhere, saves no case."""

from __future__ import annotations

import re
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Channel, Status, Via
from cases.tests.helpers import local
from disputes.models import DisputeEvent, DisputeParty, PartyRole
from households.tests.helpers import Families, build
from ip.models import InfringementFacts, IpEvent, RightType
from people.models import Household

DESK = reverse("desk:desk")
GRID = reverse("grid:report")
APPLICANT = {"role": PartyRole.APPLICANT, "name": "张大山", "phone": "13905958801"}
RESPONDENT = {
    "role": PartyRole.RESPONDENT,
    "name": "李小河",
    "phone": "13905958802",
    "id_number": "350526196505120015",
    "address": "浔中村第一网格12号",
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 24, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def hh(world) -> Families:
    return build(world)


def rows(*parties: dict, prefix: str = "party") -> dict[str, str]:
    """The formset's fields for ``parties`` (one row each, in order)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(parties)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for index, party in enumerate(parties):
        for field in ("role", "name", "phone", "id_number", "address"):
            data[f"{prefix}-{index}-{field}"] = party.get(field, "")
    return data


def desk_call(world, type_code: str = "dispute", **overrides) -> dict:
    data = {
        "form_token": str(uuid.uuid4()),
        "requester_phone": "13700001111",
        "requester_name": "陈先生",
        "channel": Channel.HOTLINE,
        "case_type": world.types[type_code].pk,
        "place": "德化县 › 浔中镇 › 浔中村",
        "region": world.village.pk,
        "address": "",
        "category": "",
        "title": "",
        "description": "两户因宅基地边界争执，请求调解。",
        "priority": "",
        "answer": "",
        "outcome": "register",
    }
    data.update(overrides)
    return data


def grid_report(world, type_code: str = "dispute", **overrides) -> dict:
    data = {
        "case_type": world.types[type_code].pk,
        "category": "",
        "region": world.grid.pk,
        "description": "两户因宅基地边界争执，双方情绪激动。",
        "requester_name": "张大山",
        "requester_phone": "13905958801",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def nothing_saved() -> None:
    assert not Case.objects.exists()
    assert not DisputeParty.objects.exists() and not DisputeEvent.objects.exists()
    assert not InfringementFacts.objects.exists() and not IpEvent.objects.exists()


def section(body: str, name: str) -> str:
    """The opening tag of the page's section for ``name`` (parties, facts)."""
    match = re.search(rf'<section[^>]*data-intake-section="{name}"[^>]*>', body)
    assert match, name
    return match.group(0)


# --- The desk ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["operator", "dispatcher"])
def test_the_desk_registers_a_dispute_with_its_parties_and_household_in_one_go(
    world, hh, client, who
):
    user = getattr(world, who)
    if who == "operator":
        # An operator reads no households: the case names none, the parties are still theirs.
        data = desk_call(world, **rows(APPLICANT, RESPONDENT))
    else:
        data = desk_call(world, household=hh.home.pk, **rows(APPLICANT, RESPONDENT))
    client.force_login(user)
    response = client.post(DESK, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.status == Status.REPORTED and case.reported_by == user
    assert case.household == (hh.home if who == "dispatcher" else None)
    parties = list(DisputeParty.objects.filter(case=case).order_by("ordering"))
    assert [(p.role, p.name, p.phone) for p in parties] == [
        (PartyRole.APPLICANT, "张大山", "13905958801"),
        (PartyRole.RESPONDENT, "李小河", "13905958802"),
    ]
    assert parties[1].id_number == "350526196505120015"
    [event] = DisputeEvent.objects.filter(case=case)
    assert (event.actor, event.via) == (user, Via.WEB)
    # The log keeps no contacts.
    assert "13905958801" not in str(event.data)


def test_the_desk_names_the_parties_before_assigning(world, client):
    category = world.category("dispute")
    data = desk_call(
        world,
        outcome="assign",
        category=category.pk,
        lead_unit=world.dept.pk,
        **rows(APPLICANT, RESPONDENT),
    )
    client.force_login(world.dispatcher)
    assert client.post(DESK, data).status_code == 302
    case = Case.objects.get()
    assert case.status == Status.ASSIGNED and case.lead_unit == world.dept
    assert DisputeParty.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    "bad, message",
    [
        ({**RESPONDENT, "phone": "abc"}, "只能包含数字"),
        ({**RESPONDENT, "id_number": "12345"}, "应为18位"),
        ({**RESPONDENT, "role": ""}, "请选择当事人身份。"),
        ({**RESPONDENT, "name": ""}, "请填写当事人姓名或名称。"),
        ({**APPLICANT, "name": "王五"}, "请至少登记一名对方当事人。"),
    ],
)
def test_a_bad_party_shows_the_whole_form_again_and_saves_nothing(world, client, bad, message):
    client.force_login(world.dispatcher)
    response = client.post(DESK, desk_call(world, **rows(APPLICANT, bad)))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    # What was typed is still there, and the section stays open for the dispute.
    assert 'value="张大山"' in body and "两户因宅基地边界争执" in body
    assert " hidden" not in section(body, "parties")
    nothing_saved()


def test_too_many_rows_are_refused(world, client):
    client.force_login(world.dispatcher)
    data = desk_call(world, **rows(APPLICANT, RESPONDENT))
    data["party-TOTAL_FORMS"] = "100000"
    response = client.post(DESK, data)
    assert response.status_code == 400
    nothing_saved()


def test_rows_left_blank_name_no_parties(world, client):
    client.force_login(world.dispatcher)
    blank = {"role": PartyRole.APPLICANT}
    assert client.post(DESK, desk_call(world, **rows(blank, blank))).status_code == 302
    assert Case.objects.count() == 1 and not DisputeParty.objects.exists()


def test_parties_of_a_type_without_mediation_are_ignored(world, client):
    """A section the page hid for the chosen type is not read, whatever it holds."""
    client.force_login(world.dispatcher)
    data = desk_call(world, "resident_issue", **rows(APPLICANT, {**RESPONDENT, "phone": "x"}))
    assert client.post(DESK, data).status_code == 302
    assert Case.objects.count() == 1 and not DisputeParty.objects.exists()


def test_the_same_form_sent_twice_makes_one_case_with_one_set_of_parties(world, client):
    client.force_login(world.dispatcher)
    data = desk_call(world, **rows(APPLICANT, RESPONDENT))
    assert client.post(DESK, data).status_code == 302
    assert client.post(DESK, data).status_code == 302
    case = Case.objects.get()
    assert DisputeParty.objects.filter(case=case).count() == 2
    assert DisputeEvent.objects.filter(case=case).count() == 1


def ip_fields(**overrides) -> dict[str, str]:
    data = {
        "ip-right_type": RightType.DESIGN_PATENT,
        "ip-holder_enterprise": "",
        "ip-holder_name": "德化佳诚陶瓷有限公司",
        "ip-infringer_name": "某网店",
        "ip-infringer_enterprise": "",
        "ip-registration_number": "ZL202630000001.X",
    }
    data.update(overrides)
    return data


def test_the_desk_records_an_infringement_cases_facts(world, client):
    client.force_login(world.operator)
    data = desk_call(world, "ip_infringement", **ip_fields(), **rows(APPLICANT, RESPONDENT))
    assert client.post(DESK, data).status_code == 302
    case = Case.objects.get()
    facts = InfringementFacts.objects.get(case=case)
    assert (facts.right_type, facts.holder_name, facts.infringer_name) == (
        RightType.DESIGN_PATENT,
        "德化佳诚陶瓷有限公司",
        "某网店",
    )
    assert facts.registration_number == "ZL202630000001.X"
    [event] = IpEvent.objects.filter(case=case)
    assert (event.actor, event.via) == (world.operator, Via.WEB)
    # An infringement needs mediation too: its parties came in the same step.
    assert DisputeParty.objects.filter(case=case).count() == 2


def test_the_facts_may_follow_on_the_case_page(world, client):
    client.force_login(world.dispatcher)
    data = desk_call(world, "ip_infringement", **ip_fields(**{"ip-right_type": ""}))
    for field in ("holder_name", "infringer_name", "registration_number"):
        data[f"ip-{field}"] = ""
    assert client.post(DESK, data).status_code == 302
    assert Case.objects.count() == 1 and not InfringementFacts.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"ip-right_type": ""}, "请选择权利类型。"),
        ({"ip-right_type": "nonsense"}, "选择一个有效的选项"),
        ({"ip-holder_name": ""}, "请选择权利人企业或填写权利人名称。"),
        ({"ip-infringer_name": ""}, "请填写侵权人。"),
        ({"ip-registration_number": "9" * 61}, "60"),
    ],
)
def test_incomplete_facts_save_nothing(world, client, overrides, message):
    client.force_login(world.dispatcher)
    response = client.post(DESK, desk_call(world, "ip_infringement", **ip_fields(**overrides)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert " hidden" not in section(response.content.decode(), "facts")
    nothing_saved()


def test_a_household_of_another_town_is_refused(world, hh, client):
    client.force_login(world.dispatcher)  # reads both towns' households
    response = client.post(DESK, desk_call(world, household=hh.other_home.pk))
    assert response.status_code == 400
    assert "只能选择本人可查看的、位于事项发生地的户。" in response.content.decode()
    nothing_saved()


@pytest.mark.parametrize("value", ["999999999", "-1", "abc", "9" * 19, "1\x00"])
def test_an_unknown_household_is_refused(world, client, value):
    client.force_login(world.dispatcher)
    response = client.post(DESK, desk_call(world, household=value))
    assert response.status_code == 400
    nothing_saved()


def test_a_household_the_operator_does_not_read_is_refused(world, hh, client):
    client.force_login(world.operator)
    response = client.post(DESK, desk_call(world, household=hh.home.pk))
    assert response.status_code == 400
    assert "只能选择本人可查看的、位于事项发生地的户。" in response.content.decode()
    nothing_saved()


def test_the_sections_follow_the_type_and_the_page_keeps_to_the_csp(world, client):
    client.force_login(world.dispatcher)
    body = client.get(DESK).content.decode()
    # The form opens on the first type (not a dispute): both sections hidden, the map there.
    assert " hidden" in section(body, "parties") and " hidden" in section(body, "facts")
    assert 'id="intake-sections"' in body and "data-add-party" in body
    assert 'name="party-TOTAL_FORMS"' in body and "party-__prefix__-name" in body
    assert not re.search(r"\son[a-z]+=", body)  # no inline handlers
    scripts = re.findall(r"<script[^>]*>", body)
    assert all(
        "nonce=" in tag or "src=" in tag or 'type="application/json"' in tag for tag in scripts
    )
    world.report("dispute", actor=world.dispatcher)  # the last type used is preselected
    body = client.get(DESK).content.decode()
    assert " hidden" not in section(body, "parties") and " hidden" in section(body, "facts")


# --- The household picker ---------------------------------------------------------------------


def test_the_desk_picker_lists_the_households_of_the_place_masked(world, hh, client):
    Household.objects.create(head_name="李秋月", region=world.other_grid)
    for n in range(5):
        Household.objects.create(head_name=f"李{n}号", region=world.grid)
    client.force_login(world.dispatcher)
    url = reverse("desk:households")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"region": world.village.pk, "household_q": "李"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{hh.home.pk}"' in body and "李**户 · 第一网格" in body
    assert "李春生" not in body and "李秋" not in body  # masked; the other town's left out
    assert body.count("<option") == 1 + 6
    # Session, user, roles, the place, the households, the menu's unread count: however many.
    assert len(queries) == 6, [q["sql"] for q in queries]
    # By phone too; nothing found says so.
    assert (
        f'value="{hh.home.pk}"'
        in client.get(
            url, {"region": world.village.pk, "household_q": "13905950001"}
        ).content.decode()
    )
    # Refreshed as one types on, the options keep the household chosen.
    body = client.get(
        url, {"region": world.village.pk, "household_q": "李", "household": hh.home.pk}
    ).content.decode()
    assert f'value="{hh.home.pk}" selected' in body
    body = client.get(url, {"region": world.village.pk, "household_q": "无此人"}).content.decode()
    assert "该地点没有可选择的户。" in body


@pytest.mark.parametrize(
    "params, status, message",
    [
        ({"household_q": "李"}, 200, "请先选择地点。"),
        ({"region": "abc", "household_q": "李"}, 200, "请先选择地点。"),
        ({"region": "9" * 30, "household_q": "李"}, 200, "请先选择地点。"),
        ({"household_q": "李" * 31}, 400, "查找内容最多 30 个字。"),
        ({"household_q": "李\x00"}, 400, "查找内容最多 30 个字。"),
    ],
)
def test_the_picker_refuses_bad_input_in_chinese(world, client, params, status, message):
    client.force_login(world.dispatcher)
    response = client.get(reverse("desk:households"), params)
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_picker_is_for_the_desk_and_the_grid_only(world, client):
    client.force_login(world.resident)
    assert client.get(reverse("desk:households")).status_code == 403
    assert client.get(reverse("grid:households")).status_code == 403


def test_the_grid_picker_stays_in_the_workers_grids(world, hh, client):
    client.force_login(world.grid_worker)
    url = reverse("grid:households")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url, {"region": world.grid.pk}).content.decode()
    assert f'value="{hh.home.pk}"' in body
    assert len(queries) == 6, [q["sql"] for q in queries]
    # Another town's place is not one of theirs: nothing is listed from it.
    body = client.get(url, {"region": world.other_grid.pk}).content.decode()
    assert "请先选择地点。" in body and f'value="{hh.other_home.pk}"' not in body


# --- The grid worker's report ----------------------------------------------------------------


def test_a_grid_worker_reports_a_dispute_with_its_parties_and_household(world, hh, client):
    client.force_login(world.grid_worker)
    data = grid_report(world, household=hh.home.pk, **rows(APPLICANT, RESPONDENT))
    response = client.post(GRID, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("grid:report-done", args=[case.pk])
    assert case.household == hh.home and case.channel == Channel.GRID
    assert [p.name for p in DisputeParty.objects.filter(case=case)] == ["张大山", "李小河"]
    assert DisputeEvent.objects.get(case=case).actor == world.grid_worker
    # Sent again with its token: the same case, nothing recorded twice.
    assert client.post(GRID, data).status_code == 302
    assert Case.objects.count() == 1 and DisputeEvent.objects.count() == 1


def test_a_bad_party_on_the_grid_report_saves_nothing(world, client):
    client.force_login(world.grid_worker)
    data = grid_report(world, **rows(APPLICANT, {**RESPONDENT, "phone": "call me"}))
    response = client.post(GRID, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "只能包含数字" in body and 'value="张大山"' in body
    nothing_saved()


def test_a_household_of_another_town_is_refused_on_the_grid_report(world, hh, client):
    client.force_login(world.grid_worker)
    response = client.post(GRID, grid_report(world, household=hh.other_home.pk))
    assert "只能选择本人可查看的、位于事项发生地的户。" in response.content.decode()
    nothing_saved()


def test_the_grid_report_shows_the_parties_for_a_dispute(world, client):
    client.force_login(world.grid_worker)
    body = client.get(GRID + "?type=dispute").content.decode()
    assert " hidden" not in section(body, "parties")
    assert 'name="party-0-name"' in body and 'name="household_q"' in body
    assert 'data-intake-section="facts"' not in body  # the facts are the desk's
    body = client.get(GRID + "?type=hazard").content.decode()
    assert " hidden" in section(body, "parties")


# --- The case page ----------------------------------------------------------------------------


def test_the_parties_are_masked_on_the_case_page_for_a_reader_who_may_not_write(world, client):
    client.force_login(world.grid_worker)
    client.post(GRID, grid_report(world, **rows(APPLICANT, RESPONDENT)))
    case = Case.objects.get()
    page = reverse("caseviews:case-detail", args=[case.pk])
    body = client.get(page).content.decode()
    assert "13905958802" in body  # the reporter contacts them
    client.force_login(world.leader)  # reads every case, contacts nobody
    response = client.get(page)
    body = response.content.decode()
    assert response.status_code == 200 and "李小河" in body
    assert "13905958802" not in body and "139****8802" in body
    assert "350526196505120015" not in body
    assert 'id="dispute-parties-form"' not in body


# --- The intake services ----------------------------------------------------------------------


def test_only_the_reporter_names_the_parties_at_intake_and_only_once(world):
    from django.core.exceptions import PermissionDenied

    from disputes.services import set_parties_at_intake

    case = world.report(
        "dispute", actor=world.operator, region=world.village, channel=Channel.HOTLINE
    )
    with pytest.raises(PermissionDenied):
        set_parties_at_intake(case, actor=world.dispatcher, parties=[APPLICANT, RESPONDENT])
    set_parties_at_intake(case, actor=world.operator, parties=[APPLICANT, RESPONDENT])
    with pytest.raises(PermissionDenied):  # afterwards the case page's writers change them
        set_parties_at_intake(case, actor=world.operator, parties=[APPLICANT, RESPONDENT])
    assert DisputeParty.objects.filter(case=case).count() == 2


def test_only_the_reporter_records_the_facts_at_intake_while_the_case_is_new(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    from cases import services
    from ip.services import record_facts_at_intake

    facts = {"right_type": RightType.TRADEMARK, "holder_name": "甲", "infringer_name": "乙"}
    case = world.report(
        "ip_infringement", actor=world.operator, region=world.village, channel=Channel.HOTLINE
    )
    with pytest.raises(PermissionDenied):
        record_facts_at_intake(case, actor=world.handler, **facts)
    services.triage_case(case, actor=world.dispatcher)
    with pytest.raises(PermissionDenied):
        record_facts_at_intake(case, actor=world.operator, **facts)
    other = world.report(
        "dispute", actor=world.operator, region=world.village, channel=Channel.HOTLINE
    )
    with pytest.raises(ValidationError) as refused:
        record_facts_at_intake(other, actor=world.operator, **facts)
    assert refused.value.error_dict["ip_facts"][0].code == "not_ip_case"
    assert not InfringementFacts.objects.exists()
