"""The reference data every installation starts with: case types, their words, categories
and time limits (docs/DOMAIN.md defaults; administrators edit them in the admin afterwards)."""

from typing import NotRequired, TypedDict

from django.db import transaction

from cases.models import (
    CaseType,
    Category,
    EscalationStep,
    EscalationTarget,
    LimitUnit,
    Priority,
    Stage,
    TimeLimit,
)


class CaseTypeSpec(TypedDict):
    code: str
    name: str
    ordering: int
    has_mediation: NotRequired[bool]
    labels: dict[str, str]  # status → the type's word for the step
    categories: list[str]


CASE_TYPES: list[CaseTypeSpec] = [
    {
        "code": "enterprise_demand",
        "name": "企业诉求",
        "ordering": 1,
        "labels": {
            "reported": "受理",
            "triaged": "研判",
            "assigned": "交办",
            "in_progress": "办理",
            "answered": "答复",
            "verified": "回访",
            "closed": "销号",
        },
        "categories": [
            "融资需求",
            "土地供应",
            "人力人才",
            "向上申请",
            "公共服务",
            "公用设施",
            "行政审批",
            "配套建设",
            "安全生产",
            "环境保护",
            "政策落实",
            "企业权益",
            "其他服务",
        ],
    },
    {
        "code": "resident_issue",
        "name": "民情诉求",
        "ordering": 2,
        "labels": {
            "reported": "收集",
            "triaged": "汇总研判",
            "assigned": "交办",
            "in_progress": "办理",
            "answered": "反馈",
            "verified": "回访",
            "closed": "销号",
        },
        "categories": [
            "社会保障与就业",
            "教育文化与体育",
            "医疗卫生",
            "环境保护与资源利用",
            "城乡建设与管理",
            "交通运输与物流",
            "商贸服务与消费者权益保护",
            "公共安全与治安",
            "司法服务与法律援助",
            "行政管理与公共服务",
            "其他",
        ],
    },
    {
        "code": "dispute",
        "name": "矛盾纠纷",
        "ordering": 3,
        "has_mediation": True,
        "labels": {
            "reported": "摸排",
            "triaged": "研判",
            "assigned": "交办调解",
            "in_progress": "调解",
            "answered": "调处完毕",
            "verified": "回访",
            "closed": "结案",
        },
        "categories": [
            "邻里纠纷",
            "婚姻家庭纠纷",
            "土地山林纠纷",
            "劳动工资纠纷",
            "合同纠纷",
            "交通事故纠纷",
            "物业纠纷",
            "其他纠纷",
        ],
    },
    {
        "code": "hazard",
        "name": "安全隐患",
        "ordering": 4,
        "labels": {
            "reported": "发现",
            "triaged": "核实",
            "assigned": "交办整改",
            "in_progress": "整改中",
            "answered": "整改完成",
            "verified": "复查",
            "closed": "销号",
        },
        "categories": [
            "消防安全",
            "窑炉燃气",
            "用电安全",
            "危化品",
            "房屋安全",
            "道路交通",
            "其他隐患",
        ],
    },
    {
        "code": "ip_infringement",
        "name": "侵权纠纷",
        "ordering": 5,
        "has_mediation": True,
        "labels": {
            "reported": "受理",
            "triaged": "研判",
            "assigned": "交办",
            "in_progress": "查处",
            "answered": "处理完毕",
            "verified": "回访",
            "closed": "结案",
        },
        "categories": ["外观设计侵权", "著作权侵权", "商标侵权", "地理标志滥用", "其他侵权"],
    },
]

# The urgency tiers' clocks: (finish amount, its unit, sign-for working hours, first-contact
# working hours) per priority — docs/DOMAIN.md §2: emergency same day, ordinary 5 working days,
# complex 15 with approval; a unit contacts the requester within hours of the dispatch.
DEFAULT_LIMITS = {
    Priority.URGENT: (4, LimitUnit.WORKING_HOURS, 1, 2),
    Priority.IMPORTANT: (3, LimitUnit.WORKING_DAYS, 2, 8),
    Priority.NORMAL: (5, LimitUnit.WORKING_DAYS, 2, 8),
    Priority.COMPLEX: (15, LimitUnit.WORKING_DAYS, 4, 16),
}


# The default escalation ladder (逐级督办), for every type without one of its own: (stage, level,
# working hours from the stage's deadline — negative before it —, who is told). Before any rung
# the sweep reminds the handler (催办) and, the working day after the deadline, writes the
# supervision notice (督办) — docs/DOMAIN.md; the ladder tells the people above in turn. The
# office edits the rungs (EscalationStep).
DEFAULT_LADDER = [
    (Stage.SIGN, 1, 0, EscalationTarget.HANDLER),
    (Stage.SIGN, 2, 4, EscalationTarget.UNIT_HEAD),
    (Stage.CONTACT, 1, 0, EscalationTarget.HANDLER),
    (Stage.FINISH, 1, 0, EscalationTarget.UNIT_HEAD),
    (Stage.FINISH, 2, 8, EscalationTarget.BOARD),
    (Stage.FINISH, 3, 40, EscalationTarget.LEADER),
]


def ensure_default_ladder() -> None:
    """Create the default ladder if the office has no rung at all (never overwrite edits)."""
    if EscalationStep.objects.exists():
        return
    EscalationStep.objects.bulk_create(
        EscalationStep(stage=stage, level=level, offset_hours=offset, target=target)
        for stage, level, offset, target in DEFAULT_LADDER
    )


@transaction.atomic
def ensure_reference_data() -> dict[str, CaseType]:
    """Create the case types, categories and limits that are missing; never overwrite edits."""
    types: dict[str, CaseType] = {}
    for spec in CASE_TYPES:
        case_type, _ = CaseType.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "step_labels": spec["labels"],
                "ordering": spec["ordering"],
                "has_mediation": spec.get("has_mediation", False),
            },
        )
        types[spec["code"]] = case_type
        for index, name in enumerate(spec["categories"], start=1):
            Category.objects.get_or_create(
                case_type=case_type, code=f"{index:02d}", defaults={"name": name}
            )
        for priority, (amount, unit, response, contact) in DEFAULT_LIMITS.items():
            TimeLimit.objects.get_or_create(
                case_type=case_type,
                priority=priority,
                defaults={
                    "amount": amount,
                    "unit": unit,
                    "response_hours": response,
                    "contact_hours": contact,
                },
            )
    ensure_default_ladder()
    return types
