"""match, firms_for, policies_for and exempt_list: each condition attribute, both directions,
the honour window, the latest figures, a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from enterprises import policies as services
from enterprises.matching import (
    Words,
    evaluation_year,
    exempt_list,
    firms_for,
    match,
    policies_for,
)
from enterprises.models import (
    EnterpriseTag,
    Honour,
    HonourAward,
    Policy,
    PolicyCondition,
    PolicyStatus,
    YearFigures,
)
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind

pytestmark = pytest.mark.usefixtures("honours")

ON = date(2026, 6, 1)


def firm(world, name: str, number: int, **fields) -> Organisation:
    fields.setdefault("region", world.town)
    return Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name=name,
        credit_code=make_credit_code("9", "1", "350526", f"MA2Y1{number:04d}"),
        chain=world.chain_committee,
        **fields,
    )


def award(enterprise, code: str, year: int) -> None:
    HonourAward.objects.create(
        enterprise=enterprise, honour=Honour.objects.get(code=code), year=year
    )


def figures(enterprise, year: int, output: str, tax: str = "10", employees=None) -> None:
    YearFigures.objects.create(
        enterprise=enterprise,
        year=year,
        output_value=Decimal(output),
        tax=Decimal(tax),
        employees=employees,
    )


def policy(*conditions: dict, **fields) -> Policy:
    p = Policy.objects.create(
        title=fields.pop("title", "测试政策"),
        issuer="德化县工信局",
        valid_from=fields.pop("valid_from", date(2026, 1, 1)),
        status=fields.pop("status", PolicyStatus.PUBLISHED),
        **fields,
    )
    for c in conditions:
        PolicyCondition.objects.create(policy=p, **c)
    return p


@pytest.fixture
def firms(world):
    a = firm(
        world,
        "甲瓷业",
        1,
        industry="日用陶瓷",
        size="medium",
        park="城东工业园区",
        chain_position="midstream",
        is_above_scale=True,
        employees=300,
    )
    b = firm(
        world,
        "乙文创",
        2,
        industry="陶瓷文创",
        size="small",
        park="陶瓷科技园",
        chain_position="downstream",
        employees=40,
        region=world.other_town,
    )
    c = firm(
        world,
        "丙设备",
        3,
        industry="陶瓷机械",
        size="micro",
        chain_position="upstream",
        region=None,
    )
    return a, b, c


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"attribute": "industry", "values": ["日用陶瓷", "陶瓷文创"]}, "ab"),
        ({"attribute": "size", "values": ["small", "micro"]}, "bc"),
        ({"attribute": "park", "values": ["陶瓷科技园"]}, "b"),
        ({"attribute": "chain_position", "values": ["upstream"]}, "c"),
        ({"attribute": "above_scale", "values": [True]}, "a"),
        ({"attribute": "above_scale", "values": [False]}, "bc"),
        ({"attribute": "honour", "values": ["high_tech", "little_giant"]}, "a"),
        ({"attribute": "tag", "values": ["外贸企业"]}, "b"),
        ({"attribute": "output_value", "minimum": Decimal(2000)}, "a"),
        ({"attribute": "output_value", "maximum": Decimal(2000)}, "b"),
        ({"attribute": "tax", "minimum": Decimal(50), "maximum": Decimal(100)}, "a"),
        ({"attribute": "employees", "maximum": Decimal(50)}, "bc"),
    ],
)
def test_each_attribute_selects_its_firms(world, firms, condition, expected):
    a, b, c = firms
    award(a, "high_tech", 2025)
    figures(a, 2025, "5200", "80")
    figures(b, 2025, "800", "12")
    EnterpriseTag.objects.create(name="外贸企业").enterprises.add(b)
    c.employees = 12
    c.save()
    p = policy(condition)
    names = {"a": a.pk, "b": b.pk, "c": c.pk}
    found = match([p], [a, b, c], on=ON)[p.pk]
    assert found == {names[x] for x in expected}


def test_region_conditions_take_the_whole_subtree(world, firms):
    a, b, c = firms
    p = policy({"attribute": "region", "values": [world.county.pk]})
    q = policy({"attribute": "region", "values": [world.other_town.pk]})
    found = match([p, q], [a, b, c], on=ON)
    assert found == {p.pk: {a.pk, b.pk}, q.pk: {b.pk}}


def test_all_conditions_must_hold_and_none_means_everyone(world, firms):
    a, b, c = firms
    both = policy(
        {"attribute": "industry", "values": ["日用陶瓷", "陶瓷文创"]},
        {"attribute": "size", "values": ["small"]},
    )
    anyone = policy()
    found = match([both, anyone], [a, b, c], on=ON)
    assert found[both.pk] == {b.pk}
    assert found[anyone.pk] == {a.pk, b.pk, c.pk}


def test_an_honour_counts_for_its_year_and_the_two_after(world, firms):
    a, *_ = firms
    award(a, "high_tech", 2023)
    p = policy({"attribute": "honour", "values": ["high_tech"]})
    assert match([p], [a], on=date(2026, 6, 1))[p.pk] == set()
    p.valid_from = date(2025, 1, 1)
    assert match([p], [a], on=date(2025, 6, 1))[p.pk] == {a.pk}


def test_the_evaluation_year_stays_within_the_policy(world):
    p = Policy(valid_from=date(2024, 3, 1), valid_until=date(2025, 12, 31))
    assert evaluation_year(p, date(2027, 1, 1)) == 2025
    assert evaluation_year(p, date(2023, 1, 1)) == 2024
    assert evaluation_year(p, date(2024, 7, 1)) == 2024


def test_numbers_read_the_latest_figures_and_employees_fall_back(world, firms):
    a, b, c = firms
    figures(a, 2024, "9000")
    figures(a, 2025, "1500", employees=20)
    p = policy({"attribute": "output_value", "minimum": Decimal(2000)})
    staff = policy({"attribute": "employees", "minimum": Decimal(100)})
    found = match([p, staff], [a, b, c], on=ON)
    assert found[p.pk] == set()  # 2025's 1500 counts, not 2024's 9000
    assert found[staff.pk] == set()  # the figures' 20 wins over the file's 300
    figures(b, 2025, "100", employees=None)
    assert match([staff], [b], on=ON)[staff.pk] == set()  # b's file says 40


def test_policies_for_lists_the_published_ones_in_force(world, firms):
    a, b, c = firms
    fits = policy({"attribute": "industry", "values": ["日用陶瓷"]}, title="适用")
    policy(
        {"attribute": "industry", "values": ["日用陶瓷"]}, title="草稿", status=PolicyStatus.DRAFT
    )
    policy(
        {"attribute": "industry", "values": ["日用陶瓷"]},
        title="过期",
        valid_until=date(2026, 3, 1),
    )
    policy({"attribute": "industry", "values": ["陶瓷文创"]}, title="别家")
    assert [p.title for p in policies_for(a, on=ON)] == ["适用"]
    assert firms_for(fits, on=ON) == [a.pk]


def test_matching_runs_in_a_fixed_number_of_queries(world, firms, django_assert_max_num_queries):
    for n in range(10, 30):
        f = firm(world, f"企业{n}", n, industry="日用陶瓷")
        award(f, "high_tech", 2025)
        figures(f, 2025, "3000")
        EnterpriseTag.objects.get_or_create(name="外贸企业")[0].enterprises.add(f)
    ps = [
        policy(
            {"attribute": "honour", "values": ["high_tech"]},
            {"attribute": "region", "values": [world.county.pk]},
        ),
        policy({"attribute": "tag", "values": ["外贸企业"]}),
        policy({"attribute": "output_value", "minimum": Decimal(100)}),
    ]
    with django_assert_max_num_queries(6):
        found = match(ps, on=ON)
    assert len(found[ps[1].pk]) == 20


def test_the_exempt_list_names_the_facts_that_qualify(world, firms):
    a, b, c = firms
    award(a, "high_tech", 2025)
    figures(a, 2025, "5200")
    p = policy(
        {"attribute": "honour", "values": ["high_tech", "little_giant"]},
        {"attribute": "output_value", "minimum": Decimal(2000)},
        exempt_application=True,
        max_amount=Decimal(20),
    )
    rows = exempt_list(p, on=ON)
    assert [(r.name, r.credit_code, r.amount) for r in rows] == [
        ("甲瓷业", a.credit_code, Decimal(20))
    ]
    assert rows[0].facts == ["高新技术企业（2025）", "上年产值 5200 万元（2025）"]
    assert exempt_list(p, visible={b.pk}, on=ON) == []


def test_conditions_read_in_words(world):
    conditions = [
        PolicyCondition(attribute="honour", values=["above_scale_industry", "high_tech"]),
        PolicyCondition(attribute="output_value", minimum=Decimal(2000)),
        PolicyCondition(attribute="employees", minimum=Decimal(10), maximum=Decimal(300)),
        PolicyCondition(attribute="size", values=["small", "micro"]),
        PolicyCondition(attribute="region", values=[world.town.pk]),
        PolicyCondition(attribute="above_scale", values=[True]),
    ]
    words = Words(conditions)
    assert [words.describe(c) for c in conditions] == [
        "荣誉资质：规上工业企业 或 高新技术企业",
        "上年产值 ≥ 2000 万元",
        "从业人数 10–300 人",
        "规模：小型 或 微型",
        "所在区域：浔中镇",
        "规模以上企业",
    ]


def test_a_tag_service_feeds_matching(world, firms):
    a, b, c = firms
    services.tag_enterprise(a, "出口白瓷", actor=world.dispatcher)
    p = policy({"attribute": "tag", "values": ["出口白瓷"]})
    assert match([p], on=ON)[p.pk] == {a.pk}
