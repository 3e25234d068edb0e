"""The policy API: list with filters and search, detail with conditions, scoped matches, a
firm's policies, create / publish / grant for writers, the error bodies, query counts."""

from __future__ import annotations

from datetime import date

import pytest

from cases.tests.world import make_user
from enterprises import policies as services
from enterprises.models import Honour, HonourAward, Policy, PolicyGrant, PolicyStatus
from enterprises.reference import ensure_honours
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import Role

BASE = "/api/v1/policies/"


@pytest.fixture(autouse=True)
def honours(db) -> None:
    ensure_honours()


def make_policy(world, *, publish=True, **fields) -> Policy:
    values = {
        "title": "德化县陶瓷企业设备更新补助",
        "issuer": "德化县工业和信息化局",
        "category": "equipment",
        "valid_from": date(2026, 1, 1),
        "summary": "购置陶瓷生产设备按投资额给予补助",
        **fields,
    }
    policy = services.create_policy(
        actor=world.admin,
        conditions=[{"attribute": "honour", "values": ["high_tech"]}],
        **values,
    )
    if publish:
        services.publish_policy(policy, actor=world.admin)
    return policy


def qualify(enterprise) -> None:
    HonourAward.objects.create(
        enterprise=enterprise, honour=Honour.objects.get(code="high_tech"), year=2026
    )


def test_the_list_filters_and_searches(world, client_for):
    make_policy(world, title="新招员工一次性用工补贴", category="employment")
    make_policy(world, title="设备更新补助", exempt_application=True)
    make_policy(world, title="草稿", publish=False)
    api = client_for(world.handler)
    titles = lambda **q: [p["title"] for p in api.get(BASE, q).json()]  # noqa: E731
    assert sorted(titles()) == ["新招员工一次性用工补贴", "设备更新补助"]
    assert titles(category="employment") == ["新招员工一次性用工补贴"]
    assert titles(exempt_application="true") == ["设备更新补助"]
    assert titles(q="用工") == ["新招员工一次性用工补贴"]
    assert titles(valid_now="true") != []
    assert "草稿" in [p["title"] for p in client_for(world.dispatcher).get(BASE).json()]


def test_a_bad_filter_is_a_400_in_both_languages(world, client_for):
    response = client_for(world.handler).get(BASE, {"category": "lottery"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "category" and error["code"] == "invalid_choice"
    assert error["message"] and error["message_en"]


def test_the_detail_has_the_conditions_in_words(world, client_for):
    policy = make_policy(world, manual_conditions="近三年无重大安全事故\n\n依法纳税")
    data = client_for(world.liaison).get(f"{BASE}{policy.pk}/").json()
    assert data["title"] == policy.title and data["status"] == "published"
    assert data["conditions"] == [
        {
            "attribute": "honour",
            "attribute_label": "荣誉资质",
            "values": ["high_tech"],
            "minimum": None,
            "maximum": None,
            "text": "荣誉资质：高新技术企业",
        }
    ]
    assert data["manual_conditions"] == ["近三年无重大安全事故", "依法纳税"]


def test_a_draft_is_a_404_for_readers(world, client_for):
    policy = make_policy(world, publish=False)
    assert client_for(world.handler).get(f"{BASE}{policy.pk}/").status_code == 404
    assert client_for(world.dispatcher).get(f"{BASE}{policy.pk}/").status_code == 200


def test_matches_are_scoped_and_hidden_from_liaisons(world, client_for):
    qualify(world.enterprise)
    other = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name="龙浔瓷业有限公司",
        region=world.other_town,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y20001"),
    )
    qualify(other)
    policy = make_policy(world)
    url = f"{BASE}{policy.pk}/matches/"
    town = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    assert client_for(town).get(url).json() == {
        "policy": policy.pk,
        "enterprises": [
            {
                "id": world.enterprise.pk,
                "name": world.enterprise.name,
                "credit_code": world.enterprise.credit_code,
            }
        ],
    }
    everyone = client_for(world.admin).get(url).json()["enterprises"]
    assert {e["id"] for e in everyone} == {world.enterprise.pk, other.pk}
    assert client_for(world.liaison).get(url).status_code == 403


def test_a_firms_policies_and_grants_are_read_within_its_file_scope(world, client_for):
    qualify(world.enterprise)
    policy = make_policy(world)
    make_policy(world, title="别的政策", publish=False)
    services.record_grant(policy, world.enterprise, "8", date(2026, 2, 1), actor=world.admin)
    url = f"/api/v1/enterprises/{world.enterprise.pk}/policies/"
    data = client_for(world.liaison).get(url).json()
    assert [p["id"] for p in data["policies"]] == [policy.pk]
    assert data["grants"][0]["amount"] == "8.00" and data["grants"][0]["policy"] == policy.pk
    other = make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town)
    assert client_for(other).get(url).status_code == 404
    assert client_for(world.handler).get(url).status_code == 404


def test_a_writer_creates_publishes_and_grants(world, client_for):
    api = client_for(world.dispatcher)
    response = api.post(
        BASE,
        {
            "title": "新招员工一次性用工补贴",
            "issuer": "德化县人力资源和社会保障局",
            "category": "employment",
            "valid_from": "2026-01-01",
            "max_amount": "10",
            "conditions": [
                {"attribute": "region", "values": [world.town.pk]},
                {"attribute": "employees", "minimum": "10"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft" and data["conditions"][1]["text"] == "从业人数 ≥ 10 人"
    pk = data["id"]
    assert api.post(f"{BASE}{pk}/publish/").json()["status"] == "published"
    response = api.post(
        f"{BASE}{pk}/grants/",
        {"enterprise": world.enterprise.pk, "amount": "6.5", "granted_on": "2026-02-01"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["amount"] == "6.50"
    assert PolicyGrant.objects.get().created_by == world.dispatcher


def test_service_errors_come_back_keyed_by_field(world, client_for):
    api = client_for(world.dispatcher)
    response = api.post(
        BASE,
        {
            "title": "政策",
            "issuer": "人社局",
            "valid_from": "2026-02-01",
            "valid_until": "2026-01-01",
            "conditions": [{"attribute": "honour", "values": ["nobel"]}],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["conditions"]["code"] == "unknown_value"
    assert errors["conditions"]["message"] == "第 1 条条件：未知的取值：nobel。"
    assert errors["valid_until"]["code"] == "invalid_dates"
    response = api.post(BASE, {"title": "x", "conditions": [{"attribute": "x"}]}, format="json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"issuer", "valid_from", "conditions.0.attribute"} <= fields
    policy = make_policy(world)
    response = api.post(f"{BASE}{policy.pk}/publish/")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "status",
        "code": "not_draft",
        "message": "只有草稿可以发布。",
        "message_en": response.json()["errors"][0]["message_en"],
    }
    assert not Policy.objects.filter(status=PolicyStatus.DRAFT).exists()


@pytest.mark.parametrize("who", ["handler", "liaison"])
def test_readers_may_not_write(world, client_for, who):
    api = client_for(getattr(world, who))
    response = api.post(
        BASE, {"title": "x", "issuer": "y", "valid_from": "2026-01-01"}, format="json"
    )
    assert response.status_code == 403
    policy = make_policy(world, publish=False)
    assert api.post(f"{BASE}{policy.pk}/publish/").status_code == 404


def test_lists_run_in_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    for n in range(6):
        make_policy(world, title=f"政策{n}")
    api = client_for(world.handler)
    api.get(BASE)
    with django_assert_max_num_queries(6):
        assert len(api.get(BASE, {"q": "政策"}).json()) == 6
    policy = Policy.objects.first()
    with django_assert_max_num_queries(10):
        assert api.get(f"{BASE}{policy.pk}/").status_code == 200
