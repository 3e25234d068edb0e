"""The demo county's knowledge base (知识库) and saved replies (常用回复): what the hotline and the
units answer most — unemployment benefit, resident health insurance, school transfers, street
lights, wage arrears — kept by the 德化县 departments that answer them, entered and published
through ``knowledge.services`` (so each leaves its events). One article is past its review date
(待复核) and one still a draft; a few residents found their answer without filing a case.

Telephone numbers and amounts are illustrative, and say so.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine

from cases.models import Category, EventKind
from demo.county import County
from knowledge import services
from knowledge.models import Article, ArticleKind, ReplyScope, SavedReply

ILLUSTRATIVE = "（演示数据，以实际公布为准）"


@dataclass(frozen=True)
class _Spec:
    unit: str | None  # the department key in demo.places.DEPARTMENTS; None: the office
    title: str
    kind: str
    body: str
    keywords: str
    category: str | None = None  # a category name of the 民情诉求 or 矛盾纠纷 type
    public: bool = True
    due: bool = False  # its review date passed: the list shows it 待复核
    draft: bool = False


ARTICLES = [
    _Spec(
        "rsj",
        "失业保险金申领办法",
        ArticleKind.POLICY,
        "参保缴费满1年、非本人意愿中断就业并已办理失业登记的人员，可申领失业保险金。\n"
        "办理渠道：登录“闽政通”App搜索“失业保险金申领”，或携带身份证到县人社局社保服务窗口办理。\n"
        "审核通过后次月起按月发放至本人社会保障卡金融账户。" + ILLUSTRATIVE,
        "失业金、失业补助、领失业金",
        "社会保障与就业",
    ),
    _Spec(
        "rsj",
        "灵活就业人员参加养老保险",
        ArticleKind.GUIDE,
        "个体工商户和灵活就业人员可按年或按月缴纳城镇职工基本养老保险，缴费基数在全省统一的"
        "上下限之间自行选择。\n携带身份证到县人社局社保服务窗口或通过“闽政通”App办理参保登记。"
        + ILLUSTRATIVE,
        "社保、养老保险、灵活就业、个体户参保",
        "社会保障与就业",
    ),
    _Spec(
        "rsj",
        "农民工欠薪投诉处理口径",
        ArticleKind.POLICY,
        "接到欠薪诉求后，一个工作日内联系诉求人核实用工单位、欠薪人数和金额；涉及在建工程项目的，"
        "同步通知住建部门督促总包单位从农民工工资专用账户支付；逾期不支付的，依法立案查处。",
        "欠薪、拖欠工资、讨薪",
        "劳动工资纠纷",
        public=False,
    ),
    _Spec(
        "sw",
        "城乡居民医保缴费指南",
        ArticleKind.GUIDE,
        "每年9月至12月缴纳下一年度城乡居民基本医疗保险费。\n"
        "缴费渠道：“闽税通”App、“i泉州”App、各合作银行网点及村（社区）代收点。\n"
        "新生儿、新迁入人员可在办理户籍后随时参保缴费。" + ILLUSTRATIVE,
        "医保、交医保、医疗保险缴费",
        "医疗卫生",
    ),
    _Spec(
        "jyj",
        "义务教育阶段学生转学办理",
        ArticleKind.GUIDE,
        "义务教育阶段学生转学，由家长向转入学校提出申请，转入学校同意后在全国中小学生学籍信息"
        "管理系统中发起转学申请，转出学校和两地教育局审核通过即可。\n"
        "每学期开学前两周集中办理，需提供户口簿或居住证明。",
        "转学、孩子上学、插班",
        "教育文化与体育",
    ),
    _Spec(
        "zjj",
        "路灯不亮怎么报修",
        ArticleKind.CONTACT,
        "城区道路路灯故障可拨打县城市管理服务热线报修，维修人员一般在三个工作日内到场处理；"
        "乡村道路路灯由所在乡镇负责维护，可向村（社区）或乡镇综治中心反映。" + ILLUSTRATIVE,
        "路灯、路灯不亮、路灯坏了",
        "城乡建设与管理",
    ),
    _Spec(
        "zjj",
        "商品房漏水、物业维修问题",
        ArticleKind.FAQ,
        "保修期内（防水工程5年）的渗漏由开发企业负责维修；保修期外的共用部位维修可申请使用"
        "住宅专项维修资金，由业主委员会或物业服务企业组织申请。\n"
        "物业服务企业不履行维修义务的，可向县住建局物业管理股投诉。",
        "漏水、物业、维修基金",
        "城乡建设与管理",
    ),
    _Spec(
        "zjj",
        "公共租赁住房申请条件",
        ArticleKind.POLICY,
        "（草稿，待住建局核定后发布）本县城镇户籍中等偏下收入住房困难家庭，可向户籍所在地社区"
        "提交公共租赁住房申请。",
        "公租房、廉租房",
        "城乡建设与管理",
        draft=True,
    ),
    _Spec(
        "yjj",
        "居民燃气安全自查要点",
        ArticleKind.GUIDE,
        "使用燃气前检查软管是否老化、接口是否松动；用完关闭灶具阀门和表前阀；发现燃气泄漏"
        "不要开关电器，立即开窗通风，到室外拨打燃气公司抢修电话。",
        "燃气、煤气泄漏、燃气安全",
        "公共安全与治安",
        due=True,
    ),
    _Spec(
        None,
        "连心桥热线与常用部门电话",
        ArticleKind.CONTACT,
        "连心桥诉求热线：工作日 8:00–17:30 人工接听，其他时间可留言，次日回复。\n"
        "县人社局社保服务窗口、县住建局物业管理股、县教育局学籍管理办公室电话见县政府网站"
        "“办事指南”栏目。" + ILLUSTRATIVE,
        "热线、电话、联系方式",
    ),
]

REPLIES: list[dict[str, Any]] = [
    {
        "actor": "dispatcher",
        "scope": ReplyScope.OFFICE,
        "title": "请补充信息",
        "text": "{requester_name}您好，为尽快办理您反映的事项（编号{case_number}），"
        "请补充：具体地点、发生时间和联系方式。谢谢配合！",
        "move_kind": EventKind.INFO_REQUESTED,
        "auto_fill": True,
    },
    {
        "actor": "dispatcher",
        "scope": ReplyScope.OFFICE,
        "title": "不予受理告知",
        "text": "{requester_name}您好，您反映的事项（编号{case_number}）属于司法程序或"
        "其他法定途径处理的范围，本平台不予受理，建议您通过相应途径依法反映。",
        "move_kind": EventKind.REJECTED,
    },
    {
        "actor": "rsj_handler",
        "scope": ReplyScope.UNIT,
        "unit": "rsj",
        "title": "人社局办结答复",
        "text": "{requester_name}您好：您反映的诉求（编号{case_number}）已由{unit}办理，"
        "办理情况如下：\n\n如有疑问，可到县人社局社保服务窗口咨询。{today}",
        "move_kind": EventKind.ANSWERED,
        "auto_fill": True,
    },
    {
        "actor": "zjj_handler",
        "scope": ReplyScope.UNIT,
        "unit": "zjj",
        "title": "住建局办结答复",
        "text": "{requester_name}您好：您反映的问题（编号{case_number}）已由{unit}"
        "安排人员现场核查处理，处理结果如下：\n\n感谢您对城市建设管理工作的支持。",
        "move_kind": EventKind.ANSWERED,
        "auto_fill": True,
    },
    {
        "actor": "rsj_handler",
        "scope": ReplyScope.PERSONAL,
        "title": "结束语",
        "text": "感谢您对人社工作的理解和支持！办理期限内（{deadline}前）如有进展将及时告知您。",
    },
]

# A resident's question and the article that answered it (自助解答), days before ``now``.
SELF_SERVED = [
    ("失业了怎么领失业金", "失业保险金申领办法", 20),
    ("医保今年什么时候交", "城乡居民医保缴费指南", 12),
    ("孩子转学要什么手续", "义务教育阶段学生转学办理", 6),
    ("小区路灯不亮找谁", "路灯不亮怎么报修", 2),
]


def load_knowledge(
    county: County, rng: random.Random, now: datetime
) -> tuple[list[Article], list[SavedReply]]:
    """The articles, the saved replies and a few residents' self-service answers."""
    dispatcher = county.users["dispatcher"]
    today = now.date()
    categories = {c.name: c for c in Category.objects.all()}
    articles: dict[str, Article] = {}
    for spec in ARTICLES:
        unit = county.units[spec.unit] if spec.unit else None
        actor = county.users.get(f"{spec.unit}_handler", dispatcher) if spec.unit else dispatcher
        review_by = (
            today - timedelta(days=rng.randint(3, 20))
            if spec.due
            else date(today.year + 1, rng.randint(1, 12), 1)
        )
        article = services.create_article(
            actor=actor,
            title=spec.title,
            body=spec.body,
            kind=spec.kind,
            keywords=spec.keywords,
            category=categories.get(spec.category) if spec.category else None,
            owner_unit=unit,
            review_by=review_by,
            is_public=spec.public,
        )
        if not spec.draft:
            article = services.publish_article(article, actor=actor)
        articles[spec.title] = article
    replies = []
    for made in REPLIES:
        fields = {**made}
        actor = county.users[fields.pop("actor")]
        unit = county.units[fields.pop("unit")] if "unit" in fields else None
        replies.append(services.create_reply(actor=actor, owner_unit=unit, **fields))
    residents = list(county.residents.values())
    if residents:
        for query, title, days in SELF_SERVED:
            moment = now - timedelta(days=days, hours=rng.randint(0, 8))
            with time_machine.travel(moment.astimezone(UTC), tick=False):
                services.record_self_service(
                    articles[title], user=rng.choice(residents), query=query
                )
    return list(articles.values()), replies
