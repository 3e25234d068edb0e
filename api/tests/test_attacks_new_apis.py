"""Attacks on the APIs that landed with issue 11 (policies, outreach, projects, the enterprise
file): oversized and deeply nested bodies, wrong types, other offices' ids, drafts, masked data.

Each refusal is the one error shape (``assert_error``) and nothing is half-written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import override_settings
from django.utils import timezone

from api.tests.helpers import assert_error
from enterprises.models import Policy, PolicyEvent, PolicyGrant, PolicyStatus
from outreach.models import BriefingTask, EnterpriseVisit
from outreach.tests.helpers import build, policy
from projects.models import Milestone, Project
from projects.tests.factories import make_project


@pytest.fixture
def ow(world):
    return build(world)


@pytest.fixture
def project(world):
    return make_project(world)


def _post_urls(ow, project) -> list[str]:
    published = policy()
    milestone = project.milestones.order_by("pk").first()
    task = BriefingTask.objects.create(
        policy=published,
        enterprise=ow.firm,
        cadre=ow.cadre.person,
        due_on=timezone.localdate(),
    )
    return [
        # ``publish`` takes no body: it never reads one, whatever its size.
        "/api/v1/policies/",
        f"/api/v1/policies/{published.pk}/grants/",
        f"/api/v1/policies/{published.pk}/push-briefings/",
        f"/api/v1/enterprises/{ow.firm.pk}/visits/",
        f"/api/v1/outreach/briefings/{task.pk}/done/",
        "/api/v1/projects/",
        f"/api/v1/projects/{project.pk}/advance/",
        f"/api/v1/milestones/{milestone.pk}/complete/",
        f"/api/v1/milestones/{milestone.pk}/block/",
        f"/api/v1/milestones/{milestone.pk}/unblock/",
        f"/api/v1/enterprises/{ow.firm.pk}/honours/",
    ]


def test_a_5_mb_body_is_a_413_on_every_new_post_endpoint(world, ow, project, client_for):
    client = client_for(world.admin)
    big = json.dumps({"title": "x" * (5 * 1024 * 1024)})
    for url in _post_urls(ow, project):
        response = client.post(url, big, content_type="application/json")
        assert_error(response, 413, "too_large")


def test_a_deeply_nested_body_is_a_400_on_every_new_post_endpoint(world, ow, project, client_for):
    client = client_for(world.admin)
    deep = "[" * 5000 + "]" * 5000
    for url in _post_urls(ow, project):
        response = client.post(url, deep, content_type="application/json")
        assert_error(response, 400, "too_deep")


def test_a_body_that_is_not_an_object_is_a_400_never_a_500(world, ow, project, client_for):
    client = client_for(world.admin)
    for url in _post_urls(ow, project):
        for raw in ("[]", '"text"', "12", "null"):
            response = client.post(url, raw, content_type="application/json")
            assert 400 <= response.status_code < 500, (url, raw, response.status_code)
            assert "errors" in response.json(), (url, raw)


def test_the_year_figures_put_refuses_a_5_mb_body(world, client_for):
    url = f"/api/v1/enterprises/{world.enterprise.pk}/figures/2025/"
    big = json.dumps({"output": "1" * (5 * 1024 * 1024)})
    response = client_for(world.admin).put(url, big, content_type="application/json")
    assert_error(response, 413, "too_large")


# --- Wrong types ------------------------------------------------------------------------------

GOOD_POLICY = {"title": "设备更新补助", "issuer": "德化县工信局", "valid_from": "2026-01-01"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ["a", "b"]}, "title"),
        ({"valid_from": "01/02/2026"}, "valid_from"),
        ({"valid_from": 20260101}, "valid_from"),
        ({"max_amount": -5}, "max_amount"),
        ({"max_amount": "1e400"}, "max_amount"),
        ({"max_amount": 10**20}, "max_amount"),
        ({"valid_until": "2025-12-31"}, "valid_until"),
        ({"exempt_application": "maybe"}, "exempt_application"),
        ({"owner": "abc"}, "owner"),
        ({"owner": 10**30}, "owner"),
        ({"conditions": "x"}, "conditions"),
        ({"conditions": [{"attribute": "region", "values": [10**30]}]}, "conditions"),
        ({"conditions": [{"attribute": "region", "values": [{"a": 1}]}]}, "conditions"),
        ({"conditions": [{"attribute": "revenue", "minimum": -1}]}, "conditions"),
        ({"conditions": [{"attribute": "revenue", "minimum": 5, "maximum": 1}]}, "conditions"),
        ({"conditions": [{"attribute": "nonsense"}]}, "conditions"),
    ],
)
def test_a_policy_with_a_wrong_value_is_a_400_keyed_by_field_and_saves_nothing(
    world, client_for, changes, field
):
    before = Policy.objects.count(), PolicyEvent.objects.count()
    response = client_for(world.admin).post(
        "/api/v1/policies/", {**GOOD_POLICY, **changes}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    fields = [item["field"] for item in response.json()["errors"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), fields
    assert (Policy.objects.count(), PolicyEvent.objects.count()) == before


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "1" + "0" * 400, "-5", "0", "2.5", "true"])
def test_a_region_condition_with_a_number_that_is_no_id_is_a_400(world, client_for, raw):
    """json reads 1e400 as infinity and 10**400 as an int no database column holds: both were
    a 500 (OverflowError) before the service checked the range."""
    values = f'"conditions": [{{"attribute": "region", "values": [{raw}]}}]'
    body = json.dumps(GOOD_POLICY)[:-1] + f", {values}}}"
    response = client_for(world.admin).post(
        "/api/v1/policies/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    [error] = response.json()["errors"]
    assert error["field"].startswith("conditions"), error
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": -1}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": 10**20}, "amount"),
        ({"granted_on": "2026/01/01"}, "granted_on"),
        ({"enterprise": "one"}, "enterprise"),
        ({"enterprise": 10**30}, "enterprise"),
        ({"note": ["x"]}, "note"),
    ],
)
def test_a_grant_with_a_wrong_value_is_a_400_keyed_by_field(world, client_for, changes, field):
    published = policy()
    data = {"enterprise": world.enterprise.pk, "amount": "5", "granted_on": "2026-01-05"}
    response = client_for(world.admin).post(
        f"/api/v1/policies/{published.pk}/grants/", {**data, **changes}, format="json"
    )
    assert_error(response, 400, response.json()["errors"][0]["code"], field=field)
    assert not PolicyGrant.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"investment": -1}, "investment"),
        ({"investment": "1e400"}, "investment"),
        ({"investment": 10**20}, "investment"),
        ({"signed_on": "2.11.2026"}, "signed_on"),
        ({"name": ["a"]}, "name"),
        ({"enterprise": "x"}, "enterprise"),
        ({"enterprise": 10**30}, "enterprise"),
        ({"milestones": [{"stage": "signed", "title": "x", "planned_days": -3}]}, "milestones"),
        ({"milestones": [{"stage": "signed", "title": "x", "planned_days": 10**12}]}, "milestones"),
        ({"milestones": "none"}, "milestones"),
    ],
)
def test_a_project_with_a_wrong_value_is_a_400_keyed_by_field_and_saves_nothing(
    world, client_for, changes, field
):
    data = {
        "name": "新项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "100",
        "signed_on": "2026-11-02",
        "owner_unit": world.dept.pk,
    }
    response = client_for(world.admin).post("/api/v1/projects/", {**data, **changes}, format="json")
    assert response.status_code == 400, response.content[:300]
    fields = [item["field"] for item in response.json()["errors"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), fields
    assert not Project.objects.exists()


# --- Other offices' ids -----------------------------------------------------------------------


def test_naming_oneself_commissioner_of_another_firm_is_refused(world, ow, client_for):
    """The commissioner is a writer of the project: naming oneself commissioner made any person
    a writer (hence a reader) of a project of any firm, and the 201 named the firm. The
    commissioner must be the firm's own 驻厂专员."""
    data = {
        "name": "探路项目",
        "enterprise": ow.firm.pk,  # ow.commissioner is the 驻厂专员 of ow.other_firm only
        "region": world.town.pk,
        "investment": "100",
        "signed_on": "2026-11-02",
        "owner_unit": world.chain_committee.pk,
        "commissioner": ow.commissioner.person.pk,
    }
    response = client_for(ow.commissioner).post("/api/v1/projects/", data, format="json")
    assert_error(response, 400, "not_commissioner", field="commissioner")
    assert ow.firm.name not in response.content.decode()
    assert not Project.objects.exists()
    # A dispatcher cannot name another firm's commissioner either.
    response = client_for(world.dispatcher).post("/api/v1/projects/", data, format="json")
    assert_error(response, 400, "not_commissioner", field="commissioner")


def test_another_grid_reads_no_project_and_moves_no_milestone(world, project, client_for):
    milestone = project.milestones.order_by("pk").first()
    for user in (world.other_grid_worker, world.resident, world.outsider):
        client = client_for(user)
        assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 404
        assert client.get("/api/v1/projects/").json()["results"] == []
        for action in ("complete", "block", "unblock"):
            url = f"/api/v1/milestones/{milestone.pk}/{action}/"
            response = client.post(url, {"reason": "x"}, format="json")
            assert response.status_code == 404, (user, action)
        response = client.post(f"/api/v1/projects/{project.pk}/advance/", {}, format="json")
        assert response.status_code == 404
    milestone.refresh_from_db()
    assert milestone.status == "pending"


def test_a_reader_who_may_not_write_a_project_gets_a_403(world, project, client_for):
    milestone = project.milestones.order_by("pk").first()
    response = client_for(world.liaison).post(  # the firm's liaison reads its projects
        f"/api/v1/milestones/{milestone.pk}/complete/", {}, format="json"
    )
    assert response.status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).status == "pending"


def test_a_firms_liaison_sees_no_project_of_another_firm(world, ow, client_for):
    other = make_project(world, enterprise=ow.other_firm, region=world.other_town)
    client = client_for(world.liaison)
    assert client.get(f"/api/v1/projects/{other.pk}/").status_code == 404
    assert other.pk not in [p["id"] for p in client.get("/api/v1/projects/").json()["results"]]


def test_another_office_reads_no_visits_and_logs_none(world, ow, client_for):
    for user in (ow.commissioner, world.other_grid_worker, world.liaison, world.resident):
        client = client_for(user)
        assert client.get(f"/api/v1/enterprises/{ow.firm.pk}/visits/").status_code == 404
        response = client.post(
            f"/api/v1/enterprises/{ow.firm.pk}/visits/",
            {"visited_on": "2026-01-05", "findings": "x"},
            format="json",
        )
        assert response.status_code == 404, user
    assert not EnterpriseVisit.objects.exists()


def test_residents_and_liaisons_get_no_coverage_and_no_matched_firms(world, client_for):
    published = policy()
    for user in (world.resident, world.liaison):
        client = client_for(user)
        assert client.get("/api/v1/outreach/coverage/").status_code == 403
        assert client.get(f"/api/v1/policies/{published.pk}/matches/").status_code == 403


def test_a_linked_cadre_reads_only_their_own_firms_policies(world, ow, client_for):
    client = client_for(ow.cadre)
    assert client.get(f"/api/v1/enterprises/{ow.firm.pk}/policies/").status_code == 200
    assert client.get(f"/api/v1/enterprises/{ow.other_firm.pk}/policies/").status_code == 404
    assert client.get(f"/api/v1/enterprises/{ow.other_firm.pk}/file/").status_code == 404


def test_a_briefing_cannot_be_tied_to_another_firms_visit(world, ow, client_for):
    published = policy()
    task = BriefingTask.objects.create(
        policy=published, enterprise=ow.firm, cadre=ow.cadre.person, due_on=timezone.localdate()
    )
    from outreach import services

    other_visit = services.log_visit(
        ow.other_firm,
        visited_on=timezone.localdate(),
        visitors=[ow.commissioner.person],
        findings="订单正常。",
        actor=ow.commissioner,
    )
    response = client_for(ow.cadre).post(
        f"/api/v1/outreach/briefings/{task.pk}/done/", {"visit": other_visit.pk}, format="json"
    )
    # The same answer as for a visit that does not exist: no probing of other firms' visits.
    assert_error(response, 400, "does_not_exist", field="visit")
    task.refresh_from_db()
    assert task.status == "pending"


def test_drafts_are_not_listed_searched_or_read_by_readers(world, client_for):
    draft = policy(status=PolicyStatus.DRAFT, title="草稿补助秘密条款")
    client = client_for(world.grid_worker)
    assert client.get(f"/api/v1/policies/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/policies/{draft.pk}/matches/").status_code == 404
    listed = client.get("/api/v1/policies/", {"q": "草稿补助"}).json()
    assert draft.pk not in [p["id"] for p in listed]
    listed = client.get("/api/v1/policies/", {"status": "draft"}).json()
    assert listed == []


@pytest.mark.parametrize("q", ["%", "_", "\\", "%_%", "' OR 1=1 --", "x" * 10_000])
def test_policy_search_takes_wildcards_literally_and_long_input(world, client_for, q):
    policy(title="设备更新补助")
    response = client_for(world.grid_worker).get("/api/v1/policies/", {"q": q})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json() == []


@override_settings(LANGUAGE_CODE="zh-hans")
def test_a_push_for_a_draft_is_refused_by_field(world, client_for):
    draft = policy(status=PolicyStatus.DRAFT)
    response = client_for(world.admin).post(
        f"/api/v1/policies/{draft.pk}/push-briefings/",
        {"due_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert_error(response, 400, "not_published", field="policy")


# --- Query counts -------------------------------------------------------------------------------


def _firms(world, start: int, n: int):
    from orgs.credit_code import make_credit_code
    from orgs.models import Organisation, OrgKind

    return [
        Organisation.objects.create(
            kind=OrgKind.ENTERPRISE,
            name=f"查询企业{i}",
            region=world.town,
            credit_code=make_credit_code("9", "1", "350526", f"MA2Y6{i:04d}"),
        )
        for i in range(start, start + n)
    ]


def _count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_briefing_list_and_the_matches_do_not_grow_with_rows(world, ow, client_for):
    published = policy()
    client = client_for(ow.cadre)
    writer = client_for(world.dispatcher)
    briefings = "/api/v1/outreach/briefings/"
    matches = f"/api/v1/policies/{published.pk}/matches/"
    for firm in _firms(world, 0, 2):
        BriefingTask.objects.create(
            policy=published, enterprise=firm, cadre=ow.cadre.person, due_on=date(2027, 1, 1)
        )
    client.get(briefings), writer.get(matches)  # warm: the key's first use is recorded once
    few = _count(client, briefings), _count(writer, matches)
    for firm in _firms(world, 2, 18):
        BriefingTask.objects.create(
            policy=published, enterprise=firm, cadre=ow.cadre.person, due_on=date(2027, 1, 1)
        )
    assert (_count(client, briefings), _count(writer, matches)) == few
    assert len(client.get(briefings).json()["results"]) == 20


def test_coverage_does_not_grow_with_the_firms(world, ow, client_for):
    from people.models import EnterpriseLink, EnterpriseLinkKind

    client = client_for(world.dispatcher)
    url = "/api/v1/outreach/coverage/"

    def link(firms) -> None:
        for firm in firms:
            EnterpriseLink.objects.create(
                person=ow.cadre.person, enterprise=firm, kind=EnterpriseLinkKind.LINKED_CADRE
            )

    link(_firms(world, 0, 2))
    client.get(url)  # warm: the key's first use is recorded once
    few = _count(client, url)
    link(_firms(world, 2, 18))
    assert _count(client, url) == few


def test_a_push_for_a_draft_by_a_non_writer_is_a_404_like_a_missing_policy(world, client_for):
    draft = policy(status=PolicyStatus.DRAFT)
    client = client_for(world.grid_worker)
    body = {"due_on": timezone.localdate().isoformat()}
    response = client.post(f"/api/v1/policies/{draft.pk}/push-briefings/", body, format="json")
    assert response.status_code == 404
    published = policy()
    response = client.post(f"/api/v1/policies/{published.pk}/push-briefings/", body, format="json")
    assert response.status_code == 403
    assert not BriefingTask.objects.exists()
