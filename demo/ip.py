"""The demo county's intellectual property (seed: 陶瓷设计版权交易平台 … 已处理侵权纠纷11起,
开展打击盗版执法行动5次,授权68家企业使用地理标志证明商标), made through ``ip/services.py``.

- licences to use the 德化白瓷 / 德化陶瓷 geographic-indication marks, granted this year to the
  ceramic chain's firms: the seed's 68, but the demo county has 43 chain firms (demo/places.py),
  so each of those gets one and ``load_ip`` returns how many; one is suspended after a failed
  spot check;
- design-patent and copyright (作品登记) registrations of several firms;
- three joint enforcement actions of the copyright office and the market regulator, linked to the
  county's existing ip_infringement cases, whose facts are recorded.

The seed gives no licence numbers, so they follow the office's pattern ``DHBC-<year>-<nnn>``.
``load_ip`` is not part of ``demo.load.load`` yet; call it after the county and its cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import time_machine
from django.utils import timezone

from cases.models import Case
from demo.county import County
from ip import services
from ip.models import GiLicence, LicenceStatus, RegistrationKind, RightType
from people.models import User

GI_LICENCES = 68  # 授权68家企业 (seed)
MARKS = ("德化白瓷", "德化陶瓷")
DESIGNS = ("如意茶具", "梅兰竹菊花瓶", "青白瓷香炉", "白瓷观音坐像", "中式餐具套组", "陶瓷台灯")
WORKS = ("《何朝宗风格观音》雕塑", "《丝路瓷韵》纹样", "《德化窑》系列插画", "《白瓷书房》摆件")
INFRINGERS = ("泉州某陶瓷经营部", "晋江某贸易商行", "某电商店铺“瓷韵之家”", "永春某工艺品厂")
RIGHT_OF_CATEGORY = {
    "外观设计侵权": RightType.DESIGN_PATENT,
    "著作权侵权": RightType.COPYRIGHT,
    "商标侵权": RightType.TRADEMARK,
    "地理标志滥用": RightType.GI_MARK,
}


@dataclass(frozen=True)
class _Action:
    days_ago: int
    place: str
    result: str
    seized: str


ACTIONS = (
    _Action(
        150,
        "浔中镇陶瓷街及周边门店",
        "联合检查陶瓷销售门店 26 家，发现销售仿冒外观设计茶具门店 2 家，责令下架并立案调查。",
        "仿冒茶具 320 套",
    ),
    _Action(
        90,
        "龙浔镇电商产业园",
        "对 12 家电商企业开展打击盗版专项检查，删除侵权商品链接 46 条。",
        "盗版雕塑作品 85 件",
    ),
    _Action(
        30,
        "三班镇陶瓷原料市场",
        "查处擅自使用“德化白瓷”地理标志证明商标的外地产品，暂扣标识包装。",
        "冒用地标包装盒 1200 个",
    ),
)


@dataclass
class IpDemo:
    licences: int
    registrations: int
    actions: int
    facts: int


def load_ip(county: County, rng: random.Random, now: datetime) -> IpDemo:
    """Create the demo's IP records (idempotent: nothing if licences exist already)."""
    if GiLicence.objects.exists():
        return IpDemo(0, 0, 0, 0)
    office = county.units["bqj"]
    regulator = county.units["scjg"]
    officer: User = county.handlers.get(office.pk) or county.users["admin"]
    dispatcher = county.users["dispatcher"]
    with time_machine.travel(now, tick=False):
        today = timezone.localdate()
        licences = _licences(county, rng, officer, today)
        registrations = _registrations(county, rng, officer, today)
        cases = list(
            Case.objects.filter(case_type__code="ip_infringement")
            .select_related("category", "enterprise", "region", "case_type")
            .order_by("reported_at", "pk")[:11]
        )
        facts = _facts(cases, dispatcher)
        actions = 0
        for i, plan in enumerate(ACTIONS):
            acted_on = today - timedelta(days=plan.days_ago)
            services.create_action(
                actor=officer,
                acted_on=acted_on,
                place=plan.place,
                region=county.region,
                units=[office, regulator],
                result=plan.result,
                seized=plan.seized,
                cases=cases[i :: len(ACTIONS)][:2],
            )
            actions += 1
    return IpDemo(licences, registrations, actions, facts)


def _licences(county: County, rng: random.Random, officer: User, today: date) -> int:
    firms = sorted(county.enterprises, key=lambda firm: firm.pk)[:GI_LICENCES]
    start = date(today.year, 1, 1)
    span = max((today - start).days, 1)
    made = []
    for n, firm in enumerate(firms, start=1):
        valid_from = start + timedelta(days=rng.randrange(span))
        made.append(
            services.create_licence(
                actor=officer,
                licensee=firm,
                mark_name=MARKS[0] if rng.random() < 0.75 else MARKS[1],
                number=f"DHBC-{today.year}-{n:03d}",
                valid_from=valid_from,
                valid_until=date(valid_from.year + 3, valid_from.month, 1) - timedelta(days=1),
            )
        )
    if made:
        services.change_licence_status(
            made[-1],
            actor=officer,
            status=LicenceStatus.SUSPENDED,
            reason="产品质量抽检不合格，整改期间暂停使用地理标志证明商标。",
        )
    return len(made)


def _registrations(county: County, rng: random.Random, officer: User, today: date) -> int:
    firms = sorted(county.enterprises, key=lambda firm: firm.pk)[:8]
    count = 0
    for i, firm in enumerate(firms):
        registered_on = today - timedelta(days=rng.randrange(30, 900))
        services.create_registration(
            actor=officer,
            enterprise=firm,
            kind=RegistrationKind.DESIGN,
            title=DESIGNS[i % len(DESIGNS)],
            number=f"ZL{registered_on.year}30{rng.randrange(100000, 999999)}.{rng.randrange(10)}",
            registered_on=registered_on,
        )
        count += 1
        if i % 2 == 0:
            registered_on = today - timedelta(days=rng.randrange(30, 600))
            services.create_registration(
                actor=officer,
                enterprise=firm,
                kind=RegistrationKind.COPYRIGHT,
                title=WORKS[(i // 2) % len(WORKS)],
                number=f"闽作登字-{registered_on.year}-F-{rng.randrange(10**7, 10**8)}",
                registered_on=registered_on,
                note="陶瓷设计版权交易平台登记",
            )
            count += 1
    return count


def _facts(cases: list[Case], actor: User) -> int:
    for i, case in enumerate(cases):
        right = RIGHT_OF_CATEGORY.get(
            case.category.name if case.category else "", RightType.DESIGN_PATENT
        )
        services.record_infringement_facts(
            case,
            actor=actor,
            right_type=right,
            holder_enterprise=case.enterprise,
            holder_name="" if case.enterprise else "德化县陶瓷行业协会",
            infringer_name=INFRINGERS[i % len(INFRINGERS)],
        )
    return len(cases)
