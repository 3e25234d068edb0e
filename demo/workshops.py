"""The demo county's common-prosperity workshops (共富工坊) and jobs for special groups, entered
through ``workshops.services`` on the controlled clock.

- Every workshop organisation the county builder made (``demo.places.WORKSHOPS``) gets its file:
  its type (from the builder's ``industry`` "共富工坊·<type>"), a party member who leads it and
  the town's cadre who is its contact.
- The three workshops of seed 001 (Yongchun's 甜蜜站, 青创园, 金斗犁) are added in the demo towns
  that have households (上埠镇, 虎踞镇), with the seed's numbers where it gives them (甜蜜站:
  45 households, output 30 万元; 青创园: 50 households, output 200 万元). The seed names the
  six types but not each workshop's; the types here are our reading of their stories.
- Each workshop reports the quarters of this year that have ended; the workshops with
  households in their town help a few of them.
- A few postings for households tagged 残疾, 低保 or 脱贫户, and some placements, each of a member
  of working age (registered through ``households.services`` when the household has none).

``load_workshops`` is not wired into ``demo.load.load`` yet; call it after the county is built,
inside the load's transaction, with the load's ``now``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import time_machine

from cases.models import Via
from demo import fake
from demo.county import County
from households import services as households
from orgs.models import Organisation, OrgKind
from people.models import Household, HouseholdTag, Person
from workshops import services
from workshops.models import JobPosting, WorkshopProfile, WorkshopType

# (name, town key, village key, type, households helped, output 万元, description): seed 001.
SEED_WORKSHOPS = (
    (
        "甜蜜站共富工坊",
        "shangbu",
        "shankou",
        WorkshopType.BRAND,
        45,
        Decimal("30"),
        "党员领办蜜蜂标准化养殖，统一“蜜礼”品牌与包装，邀请蜜蜂产业协会专家开展实操培训。",
    ),
    (
        "青创园共富工坊",
        "huju",
        "yinhu",
        WorkshopType.INDUSTRY,
        50,
        Decimal("200"),
        "聚焦麻糍加工销售，“订单农业+就地用工”，与农户签订糯米、芋头、花生保价采购协议。",
    ),
    (
        "金斗犁共富工坊",
        "shangbu",
        "huanshan",
        WorkshopType.AGRI_TOURISM,
        None,
        None,
        "茶园技术指导，送茶苗和有机肥，高于市场价10%-15%保底收购。",
    ),
)
TYPES = {str(label): value for value, label in WorkshopType.choices}

# (title, positions, wage, tags, employer: a seed workshop's name or None for a firm).
POSTINGS = (
    ("蜂蜜分装工", 4, "计件，月均2500元", ("残疾", "低保"), "甜蜜站共富工坊"),
    ("麻糍包装工", 6, "2800元/月，包午餐", ("脱贫户", "低保"), "青创园共富工坊"),
    ("采茶工（季节性）", 10, "120元/天", ("脱贫户", "残疾", "低保"), "金斗犁共富工坊"),
)


def _quarters(now: datetime) -> list[int]:
    """The quarters of this year that have ended (none in the first quarter: last year's 4th)."""
    return list(range(1, (now.month - 1) // 3 + 1))


def _town_contact(county: County, town_key: str) -> Person | None:
    gov = county.town_govs.get(town_key)
    return Person.objects.filter(organisation=gov).order_by("pk").first() if gov else None


def _leader(rng: random.Random, org: Organisation) -> Person:
    # A registry row: people are created directly (no service moves them).
    return Person.objects.create(
        name=fake.person_name(rng),
        phone=fake.mobile(rng),
        region=org.region,
        position="工坊领办人",
        is_party_member=True,
    )


def _households(county: County, town_key: str) -> list[Household]:
    town = county.towns[town_key]
    return [
        h
        for region_id, rows in sorted(county.households.items())
        for h in rows
        if h.region.path.startswith(town.path)
    ]


def load_workshops(county: County, rng: random.Random, now: datetime) -> int:
    """File the workshops, enter their figures and helped households, post jobs and place
    people; returns how many workshops were filed."""
    with time_machine.travel(now.astimezone(UTC), tick=False):
        return _load(county, rng, now)


def _load(county: County, rng: random.Random, now: datetime) -> int:
    if WorkshopProfile.objects.exists():
        return 0  # loaded once only
    seeds = {}
    for name, t, v, type_, helped, output, text in SEED_WORKSHOPS:
        village = county.villages[(t, v)]
        # A registry row, as the county builder makes the other workshop organisations.
        org = Organisation.objects.create(
            kind=OrgKind.WORKSHOP,
            name=name,
            industry=f"共富工坊·{WorkshopType(type_).label}",
            region=village,
            parent=county.village_committees.get((t, v)),
        )
        seeds[name] = (org, t, helped, output, text)
    county_region = county.region
    orgs = (
        Organisation.objects.filter(
            kind=OrgKind.WORKSHOP,
            region__path__gte=county_region.path,
            region__path__lt=county_region.path_range_end,
        )
        .select_related("region")
        .order_by("pk")
    )
    profiles: dict[str, WorkshopProfile] = {}
    firms = county.rural_enterprises or county.enterprises
    for org in orgs:
        assert org.region is not None
        town_key = county.town_of(org.region)
        seed = seeds.get(org.name)
        label = org.industry.removeprefix("共富工坊·")
        profiles[org.name] = services.register_workshop(
            org,
            type=TYPES.get(label, WorkshopType.INDUSTRY),
            leader=_leader(rng, org),
            township_contact=_town_contact(county, town_key),
            partner=rng.choice(firms) if firms and rng.random() < 0.4 else None,
            jobs=rng.randint(8, 60),
            description=seed[4] if seed else "",
            actor=None,
        )
    quarters = _quarters(now)
    for name, profile in profiles.items():
        seed = seeds.get(name)
        helped = seed[2] if seed and seed[2] else rng.randint(15, 120)
        output = seed[3] if seed and seed[3] else Decimal(rng.randint(20, 400))
        for q in quarters:
            share = Decimal(q) / 4
            services.record_figures(
                profile,
                year=now.year,
                quarter=q,
                jobs=max(1, round(profile.jobs * (0.7 + 0.1 * q))),
                # The seed's count stands all year; the others grow towards theirs.
                households=helped if seed and seed[2] else max(1, round(helped * (0.6 + 0.1 * q))),
                income=(output * share * Decimal("0.3")).quantize(Decimal("0.01")),
                output=(output * share).quantize(Decimal("0.01")),
                actor=None,
            )
        town_key = county.town_of(profile.region)
        nearby = _households(county, town_key)
        for h in rng.sample(nearby, min(len(nearby), rng.randint(3, 8))):
            services.add_household(
                profile,
                h,
                since=(now - timedelta(days=rng.randint(60, 600))).date(),
                actor=None,
            )
    _jobs(county, rng, now, profiles)
    return len(profiles)


def _jobs(
    county: County, rng: random.Random, now: datetime, profiles: dict[str, WorkshopProfile]
) -> None:
    tags = {t.name: t for t in HouseholdTag.objects.all()}
    for title, positions, wage, tag_names, employer in POSTINGS:
        profile = profiles.get(employer)
        if profile is None:
            continue
        posted_on: date = (now - timedelta(days=rng.randint(20, 90))).date()
        posting = services.post_job(
            profile.organisation,
            title=title,
            positions=positions,
            region=profile.town,
            tags=[tags[n] for n in tag_names if n in tags],
            posted_on=posted_on,
            wage=wage,
            place=profile.region.name,
            actor=None,
        )
        matched = list(services.matching_households(posting).select_related("region"))
        for h in rng.sample(matched, min(len(matched), rng.randint(1, max(1, positions // 2)))):
            placed_on = posted_on + timedelta(days=rng.randint(3, 15))
            member = _working_member(county, rng, posting, h, placed_on)
            services.place(posting, member, placed_on=placed_on, actor=None)


def _working_member(
    county: County, rng: random.Random, posting: JobPosting, h: Household, on: date
) -> Any:
    """A member of ``h`` the posting matches; one of working age is registered first (by the
    county dispatcher, through the households service) when the household has none."""
    found = services.matching_members(posting, on).filter(household=h).first()
    if found is not None:
        return found
    return households.add_member(
        h,
        name=fake.person_name(rng),
        relation=rng.choice(("子女", "配偶", "户主")),
        birth_year=on.year - rng.randint(20, 55),
        phone=fake.mobile(rng) if rng.random() < 0.5 else "",
        actor=county.users["dispatcher"],
        via=Via.WEB,
    )
