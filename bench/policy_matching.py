"""Policy matching at county scale (issue 11): every policy × every enterprise in under 1 s.

Builds (bulk inserts, not timed) 10,000 enterprises over a county of towns and villages, with
1–3 honour awards for a third of them, two years of figures each, a tag for one in five, and
30 published policies mixing every condition attribute. Then times
``enterprises.matching.match(policies)`` — load every firm's attributes in a fixed number of
queries, index them, intersect per policy — and the two other entry points
(``policies_for`` one firm, ``exempt_list`` one policy), medians of 5 runs.

    .venv/bin/python bench/policy_matching.py --db sqlite
    .venv/bin/python bench/policy_matching.py --db postgres --enterprises 10000 --runs 5
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    QueryCounter,
    add_database_arguments,
    database_url,
    database_version,
    load_average,
    print_table,
    setup_django,
    summary,
)

INDUSTRIES = ["日用陶瓷", "工艺陶瓷", "陶瓷文创", "陶瓷机械", "包装物流", "原料加工"]
PARKS = ["城东工业园区", "陶瓷科技园", "葛坑工业集中区", "上埠片区", ""]
SIZES = ["large", "medium", "small", "micro"]
POSITIONS = ["upstream", "midstream", "downstream", "service"]
TAGS = ["外贸企业", "出口白瓷", "新招引项目", "以旧换新参与", "数字化改造"]
HONOURS = [
    "above_scale_industry",
    "little_giant",
    "provincial_specialised",
    "high_tech",
    "tech_sme",
]


def build(count: int, rng: random.Random) -> list[int]:
    """The county, ``count`` enterprises with their files, 30 policies; the policies' ids."""
    from enterprises.models import (
        EnterpriseTag,
        Honour,
        HonourAward,
        Policy,
        PolicyCondition,
        PolicyStatus,
        YearFigures,
    )
    from enterprises.reference import ensure_honours
    from orgs.credit_code import make_credit_code
    from orgs.models import Organisation, OrgKind
    from regions.models import Region, RegionLevel

    ensure_honours()
    county = Region.objects.create(name="德化县", code="350526", level=RegionLevel.COUNTY)
    towns, villages = [], []
    for t in range(18):
        town = Region.objects.create(
            name=f"镇{t}", code=f"350526{t:03d}", level=RegionLevel.TOWN, parent=county
        )
        towns.append(town)
        for v in range(10):
            villages.append(
                Region.objects.create(
                    name=f"村{t}-{v}",
                    code=f"350526{t:03d}{v:03d}",
                    level=RegionLevel.VILLAGE,
                    parent=town,
                )
            )
    firms = [
        Organisation(
            kind=OrgKind.ENTERPRISE,
            name=f"德化{n}号陶瓷有限公司",
            credit_code=make_credit_code("9", "1", "350526", f"B{n:08d}"),
            region=rng.choice(villages),
            industry=rng.choice(INDUSTRIES),
            size=rng.choice(SIZES),
            park=rng.choice(PARKS),
            chain_position=rng.choice(POSITIONS),
            employees=rng.randint(5, 1500),
            is_above_scale=rng.random() < 0.3,
        )
        for n in range(count)
    ]
    Organisation.objects.bulk_create(firms, batch_size=1000)
    honours = {h.code: h for h in Honour.objects.all()}
    awards, figures = [], []
    for firm in firms:
        if rng.random() < 1 / 3:
            for code in rng.sample(HONOURS, rng.randint(1, 3)):
                awards.append(
                    HonourAward(enterprise=firm, honour=honours[code], year=rng.randint(2022, 2026))
                )
        output = Decimal(rng.randint(100, 50000))
        for year in (2024, 2025):
            figures.append(
                YearFigures(
                    enterprise=firm,
                    year=year,
                    output_value=output,
                    tax=(output * Decimal("0.05")).quantize(Decimal("0.01")),
                    employees=firm.employees,
                )
            )
    HonourAward.objects.bulk_create(awards, batch_size=2000)
    YearFigures.objects.bulk_create(figures, batch_size=2000)
    tags = [EnterpriseTag.objects.create(name=name) for name in TAGS]
    through = EnterpriseTag.enterprises.through
    through.objects.bulk_create(
        [
            through(enterprisetag_id=rng.choice(tags).pk, organisation_id=firm.pk)
            for firm in firms
            if rng.random() < 0.2
        ],
        batch_size=2000,
    )
    ids = []
    for n in range(30):
        policy = Policy.objects.create(
            title=f"惠企政策{n}",
            issuer="德化县工业和信息化局",
            valid_from=date(2025, 1, 1),
            status=PolicyStatus.PUBLISHED,
            exempt_application=n % 3 == 0,
            max_amount=Decimal(rng.randint(5, 100)),
        )
        ids.append(policy.pk)
        pool: list[dict[str, Any]] = [
            {"attribute": "industry", "values": rng.sample(INDUSTRIES, 2)},
            {"attribute": "size", "values": rng.sample(SIZES, 2)},
            {"attribute": "chain_position", "values": rng.sample(POSITIONS, 2)},
            {"attribute": "region", "values": [rng.choice(towns).pk, rng.choice(towns).pk]},
            {"attribute": "honour", "values": rng.sample(HONOURS, 2)},
            {"attribute": "tag", "values": [rng.choice(TAGS)]},
            {"attribute": "above_scale", "values": [True]},
            {"attribute": "output_value", "minimum": Decimal(rng.randint(500, 5000))},
            {"attribute": "tax", "minimum": Decimal(10), "maximum": Decimal(2000)},
            {"attribute": "employees", "minimum": Decimal(rng.randint(10, 100))},
            {"attribute": "park", "values": rng.sample(PARKS[:4], 2)},
        ]
        PolicyCondition.objects.bulk_create(
            PolicyCondition(policy=policy, **condition)
            for condition in rng.sample(pool, rng.randint(1, 4))
        )
    return ids


def timed(runs: int, call: Callable[[], object]) -> tuple[list[float], int]:
    """Seconds of each run, and the queries of the last one."""
    times, counter = [], QueryCounter()
    for _ in range(runs):
        counter.count = 0
        with counter.counting():
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
    return times, counter.count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser, name="lianxin_bench_policies")
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    setup_django(database_url(args), fresh=not args.keep, options=args.db_option)

    from django.db import transaction

    from enterprises.matching import exempt_list, match, policies_for
    from enterprises.models import Policy
    from orgs.models import Organisation

    started = time.perf_counter()
    with transaction.atomic():
        ids = build(args.enterprises, random.Random(args.seed))
    built = time.perf_counter() - started
    policies = list(Policy.objects.filter(pk__in=ids).prefetch_related("conditions"))
    on = date(2026, 6, 1)
    found: dict[int, set[int]] = {}

    def run_match() -> None:
        found.clear()
        found.update(match(policies, on=on))

    firm = Organisation.objects.enterprises().order_by("pk")[0]
    exempt = next(p for p in policies if p.exempt_application)
    rows = []
    for label, call in [
        (f"match(30 policies × {args.enterprises:,} firms)", run_match),
        ("policies_for(one firm)", lambda: policies_for(firm, on=on)),
        ("exempt_list(one policy)", lambda: exempt_list(exempt, on=on)),
    ]:
        times, queries = timed(args.runs, call)
        median, low, high = summary(times)
        rows.append((label, f"{median:.3f}", f"{low:.3f}–{high:.3f}", queries))
    matched = sorted(len(v) for v in found.values())
    print(
        f"{database_version()}, {args.enterprises:,} enterprises, 30 policies, built in "
        f"{built:.1f} s; firms per policy: min {matched[0]:,}, median {matched[15]:,}, "
        f"max {matched[-1]:,}; load average {load_average()}"
    )
    print_table(["call", "median s", "min–max s", "queries"], rows)


if __name__ == "__main__":
    main()
