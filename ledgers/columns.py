"""The columns of each ledger: Chinese headers (the file format users fill in), rules and help.

The headers are the contract with the people who keep the ledgers, so they are plain strings,
never translated; the help shown in templates is.
"""

from typing import Any

from django.utils.translation import gettext_lazy, override

from cases.models import Channel, Priority
from ledgers.reader import Column
from orgs.models import ChainPosition, EnterpriseSize
from people.models import EnterpriseLinkKind


def labels(choices: Any, *, short: bool = False) -> list[str]:
    """The Chinese words a ledger uses for a TextChoices' members, whatever the UI language."""
    with override("zh-hans"):
        words = [str(label) for label in choices.labels]
    return [word.split("(")[0].split("（")[0] for word in words] if short else words


ENTERPRISE_COLUMNS = [
    Column(
        "企业名称",
        "name",
        required=True,
        help=gettext_lazy("营业执照上的企业全称，不超过150字。"),
        example="德化佳诚陶瓷有限公司",
    ),
    Column(
        "统一社会信用代码",
        "credit_code",
        required=True,
        text=True,
        help=gettext_lazy(
            "18位，按 GB 32100 校验最后一位。系统中已有该代码时，更新该企业的资料（空白单元格不覆盖原值）。"
        ),
        example="91350526MA2Y00001U",
    ),
    Column(
        "行业",
        "industry",
        help=gettext_lazy("如 日用陶瓷制造，不超过50字。"),
        example="日用陶瓷制造",
    ),
    Column(
        "规模",
        "size",
        choices=labels(EnterpriseSize),
        help=gettext_lazy("企业规模。"),
        example="小型",
    ),
    Column("所在园区", "park", help=gettext_lazy("不超过100字。"), example="德化陶瓷产业园"),
    Column(
        "产业链环节",
        "chain_position",
        choices=labels(ChainPosition, short=True),
        help=gettext_lazy("企业在产业链中的位置。"),
        example="中游",
    ),
    Column(
        "所在区域",
        "region",
        help=gettext_lazy("区划代码，或系统中唯一的区域名称（重名时必须填代码）。"),
        example="350526100",
    ),
    Column("从业人数", "employees", help=gettext_lazy("非负整数。"), example="120"),
    Column(
        "所属产业链党委",
        "chain",
        help=gettext_lazy("系统中产业链党委的名称或简称。"),
        example="德化县陶瓷产业链党委",
    ),
    Column(
        "联系电话",
        "phone",
        help=gettext_lazy("手机或座机，可带区号和分机，不超过30个字符。"),
        example="0595-23500000",
    ),
]


PEOPLE_COLUMNS = [
    Column("姓名", "name", required=True, help=gettext_lazy("不超过50字。"), example="林晓峰"),
    Column(
        "手机号",
        "phone",
        required=True,
        text=True,
        help=gettext_lazy("以1开头的11位手机号码。"),
        example="13905951234",
    ),
    Column(
        "身份证号",
        "id_number",
        text=True,
        help=gettext_lazy("18位居民身份证号码，按 GB 11643 校验最后一位（X 大小写均可）。"),
        example="350526198503150017",
    ),
    Column(
        "所在区域",
        "region",
        help=gettext_lazy("区划代码，或系统中唯一的区域名称。"),
        example="350526100",
    ),
    Column(
        "所在单位",
        "organisation",
        help=gettext_lazy("系统中组织的名称、简称或统一社会信用代码。"),
        example="德化县人力资源和社会保障局",
    ),
    Column("职务", "position", help=gettext_lazy("不超过50字。"), example="副局长"),
    Column(
        "党员",
        "is_party_member",
        choices=["是", "否"],
        help=gettext_lazy("是否中共党员，空白按“否”。"),
        example="是",
    ),
    Column(
        "联系企业",
        "enterprises",
        text=True,
        help=gettext_lazy(
            "所联系企业的统一社会信用代码；多家企业用顿号或逗号分隔。企业须已在系统中。"
        ),
        example="91350526MA2Y00001U",
    ),
    Column(
        "联系类型",
        "link_kind",
        choices=labels(EnterpriseLinkKind),
        help=gettext_lazy("填写了联系企业时必填。"),
        example="挂钩干部",
    ),
]


CASE_COLUMNS = [
    Column(
        "事项类型",
        "case_type",
        required=True,
        help=gettext_lazy("事项类型名称（或代码），见“事项类型与分类”表。"),
        example="企业诉求",
    ),
    Column(
        "分类",
        "category",
        help=gettext_lazy("该事项类型下的分类名称（或代码），见“事项类型与分类”表。"),
        example="人力人才",
    ),
    Column(
        "标题",
        "title",
        required=True,
        help=gettext_lazy("不超过200字。"),
        example="招工难，急需熟练注浆工",
    ),
    Column(
        "诉求内容",
        "description",
        required=True,
        help=gettext_lazy("诉求的具体内容。"),
        example="企业扩产后缺熟练注浆工20名，希望协助对接职业院校和劳务市场。",
    ),
    Column(
        "来源渠道",
        "channel",
        required=True,
        choices=labels(Channel),
        help=gettext_lazy("诉求的来源。"),
        example="走访",
    ),
    Column(
        "发生地",
        "region",
        required=True,
        help=gettext_lazy("区划代码，或系统中唯一的区域名称。"),
        example="350526100",
    ),
    Column("诉求人", "requester_name", help=gettext_lazy("不超过50字。"), example="陈立新"),
    Column(
        "联系电话",
        "requester_phone",
        help=gettext_lazy("手机或座机，不超过20个字符。"),
        example="13905951234",
    ),
    Column(
        "涉及企业",
        "enterprise",
        text=True,
        help=gettext_lazy("企业的统一社会信用代码，企业须已在系统中。"),
        example="91350526MA2Y00001U",
    ),
    Column(
        "受理时间",
        "received_at",
        help=gettext_lazy(
            "台账上的原受理时间，仅作记录（存入扩展信息）；系统的受理时间是导入的时间。"
        ),
        example="2024-05-06 09:30",
    ),
    Column(
        "紧急程度",
        "priority",
        choices=labels(Priority),
        help=gettext_lazy("空白时取该事项类型的默认紧急程度。"),
        example="一般",
    ),
]
