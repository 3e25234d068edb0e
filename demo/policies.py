"""The Dehua ceramic chain's policies (惠企政策), in the words of the county's reports: equipment
purchase subsidies, the new-hire reward, the “六德同心才聚德化” talent policy, the 家装厨卫
“焕新” trade-in, loan interest subsidies, R&D deduction coaching, the “德化白瓷” geographical
mark and an exempt-application (免申即享) reward for above-scale firms. Entered and published
by the chain committee's dispatcher through ``enterprises.policies`` (so each leaves its
events), with tags on a few firms and grants to some of the firms that qualify.

Amounts the reports do not give (a subsidy's rate or cap) are illustrative, and say so in
``amount_note``; the 5,000 万元 talent fund is the reports' own figure.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from demo.county import County
from enterprises import policies as services
from enterprises.matching import firms_for
from enterprises.models import Policy

# Firm (by its name's distinctive part) → the tags the chain committee put on it.
TAGS: dict[str, list[str]] = {
    "陆升": ["外贸企业"],
    "佳诚": ["外贸企业", "以旧换新参与企业"],
    "家和日用瓷": ["以旧换新参与企业"],
    "茶韵": ["以旧换新参与企业"],
    "白瓷跨境": ["外贸企业"],
    "瓷光智能装备": ["新招引项目"],
    "金鼎": ["外贸企业"],
}

ILLUSTRATIVE = "（演示数据，标准以正式文件为准）"


def _specs(county: County, start: date) -> list[dict[str, Any]]:
    """The policies, each with its conditions; ``key`` is the category cases cite it by."""
    units = county.units
    return [
        {
            "key": "equipment",
            "title": "德化县陶瓷企业生产设备购置补助",
            "issuer": "德化县工业和信息化局",
            "owner": units.get("gxj"),
            "document_number": f"德工信〔{start.year}〕12号",
            "category": "equipment",
            "max_amount": Decimal("100"),
            "amount_note": "按设备投资额的10%给予补助，单家企业最高100万元" + ILLUSTRATIVE,
            "summary": "回应链上企业“对企业购置陶瓷生产设备有哪些具体的补贴政策和扶持措施？”"
            "的关切：购置自动化成型、施釉、窑炉等陶瓷生产设备，可按投资额申请补助。",
            "manual_conditions": "设备已购置并投入使用\n提供购置发票和付款凭证\n近三年无重大安全事故",
            "conditions": [
                {"attribute": "chain_position", "values": ["upstream", "midstream"]},
                {"attribute": "output_value", "minimum": Decimal("2000")},
            ],
        },
        {
            "key": "employment",
            "title": "新招员工稳岗奖励和一次性吸纳就业补贴",
            "issuer": "德化县人力资源和社会保障局",
            "owner": units.get("rsj"),
            "category": "employment",
            "exempt_application": True,
            "max_amount": Decimal("10"),
            "amount_note": "新招员工稳定就业满3个月，每人奖励1000元，单家企业最高10万元"
            + ILLUSTRATIVE,
            "summary": "回应“现在就业形势比较严峻，县里有没有相关的新招员工奖励政策？”："
            "链上企业新招员工稳定就业满3个月可按人申领奖励，符合条件的企业免申即享。",
            "manual_conditions": "新招员工已参加社会保险满3个月",
            "conditions": [
                {"attribute": "region", "values": [county.region.pk]},
                {"attribute": "employees", "minimum": Decimal("50")},
            ],
        },
        {
            "key": "talent",
            "title": "“六德同心才聚德化”人才政策",
            "issuer": "中共德化县委人才工作领导小组",
            "owner": units.get("zzb"),
            "category": "talent",
            "amount_note": "县里每年专门设立5000万元人才工作专项资金用于招才引智；"
            "引进人才可申领安家补贴和生活补助",
            "summary": "针对人才短缺、人才服务不够到位等问题，通过线上、线下双向引才；"
            "葛坑镇工作专班上门开展人才政策宣讲，“面对面讲、手把手教”。",
            "manual_conditions": "引进人才与企业签订3年以上劳动合同\n人才认定材料齐全",
            "conditions": [
                {
                    "attribute": "honour",
                    "values": ["high_tech", "provincial_specialised", "little_giant", "tech_sme"],
                },
            ],
        },
        {
            "key": "trade_in",
            "title": "家装厨卫“焕新”以旧换新活动参与企业支持",
            "issuer": "德化县商务局",
            "category": "trade_in",
            "max_amount": Decimal("20"),
            "amount_note": "参与企业按以旧换新销售额给予活动补助，最高20万元" + ILLUSTRATIVE,
            "summary": "紧盯家装厨卫“焕新”政策窗口，组织餐具茶具企业参与以旧换新，"
            "帮助企业抢抓市场机遇。",
            "conditions": [
                {"attribute": "industry", "values": ["日用陶瓷", "茶具"]},
                {"attribute": "tag", "values": ["以旧换新参与企业"]},
            ],
        },
        {
            "key": "finance",
            "title": "陶瓷企业技改贷款贴息",
            "issuer": "德化县金融工作服务中心",
            "owner": units.get("jrb"),
            "category": "finance",
            "max_amount": Decimal("50"),
            "amount_note": "符合条件的技改贷款按实际付息额的50%给予贴息，最高50万元" + ILLUSTRATIVE,
            "summary": "符合条件的技改贷款可按实际付息额给予贴息；已将技改项目纳入融资白名单。",
            "manual_conditions": "贷款用于技改项目\n提供贷款合同和付息凭证",
            "conditions": [
                {"attribute": "above_scale", "values": [True]},
                {"attribute": "chain_position", "values": ["midstream"]},
            ],
        },
        {
            "key": "innovation",
            "title": "研发费用加计扣除政策辅导",
            "issuer": "国家税务总局德化县税务局",
            "owner": units.get("sw"),
            "category": "innovation",
            "summary": "税务局上门辅导研发费用归集和加计扣除申报，讲解政策口径并发放操作指引。",
            "conditions": [
                {"attribute": "honour", "values": ["high_tech", "tech_sme"]},
            ],
        },
        {
            "key": "market",
            "title": "“德化白瓷”地理标志商标授权使用",
            "issuer": "德化县市场监督管理局",
            "category": "market",
            "summary": "产业链党委联动县法院、版权局等多部门共建陶瓷设计版权交易平台，推动"
            "侵权纠纷调处、联合执法与地标授权使用，已授权68家企业使用“德化白瓷”地标商标。",
            "manual_conditions": "产品经检验符合地理标志产品标准",
            "conditions": [
                {"attribute": "industry", "values": ["工艺陶瓷", "日用陶瓷", "陶瓷文创", "茶具"]},
            ],
        },
        {
            "key": "above_scale",
            "title": "规上工业企业增产增效奖励",
            "issuer": "德化县工业和信息化局",
            "owner": units.get("gxj"),
            "category": "other",
            "exempt_application": True,
            "max_amount": Decimal("20"),
            "amount_note": "产值同比增长的规上工业企业奖励20万元" + ILLUSTRATIVE,
            "summary": "2024年德化陶瓷产业集群规模达663亿元，占全县工业总产值85%以上；"
            "对规上工业企业增产增效给予奖励，免申即享。",
            "conditions": [
                {"attribute": "honour", "values": ["above_scale_industry"]},
                {"attribute": "output_value", "minimum": Decimal("5000")},
            ],
        },
    ]


def load_policies(county: County, rng: random.Random) -> list[Policy]:
    """Tag a few chain firms, enter and publish the chain's policies, record some grants; the
    policies of the categories cases cite go into ``county.policies``."""
    actor = county.users["chain_dispatcher"]
    for firm in county.enterprises:
        for part, tags in TAGS.items():
            if part in firm.name:
                for tag in tags:
                    services.tag_enterprise(firm, tag, actor=actor)
    today = timezone.localdate()
    # In force for the whole replayed year, so answers can cite them.
    start = date(today.year - 1, 1, 1)
    chain = {firm.pk: firm for firm in county.enterprises}
    made = []
    for spec in _specs(county, start):
        spec = {**spec}
        key = spec.pop("key")
        policy = services.create_policy(
            actor=actor, valid_from=start, valid_until=date(today.year + 1, 12, 31), **spec
        )
        policy = services.publish_policy(policy, actor=actor)
        county.policies[key] = policy
        made.append(policy)
        if policy.max_amount is None:
            continue
        qualified = [pk for pk in firms_for(policy) if pk in chain]
        for pk in qualified[: rng.randint(1, 3)]:
            firm = chain[pk]
            amount = (policy.max_amount * Decimal(rng.uniform(0.3, 1))).quantize(Decimal("0.01"))
            services.record_grant(
                policy,
                firm,
                amount,
                today - timedelta(days=rng.randint(10, 200)),
                "首批兑现",
                actor=actor,
            )
    return made
