"""The Dehua chain's enterprise files: honours and 2024/2025 output value and tax, entered by
the chain committee's dispatcher through the services (so each leaves its event)."""

from __future__ import annotations

import random
from decimal import Decimal

from demo.county import County
from enterprises import services
from enterprises.models import Honour
from enterprises.reference import ensure_honours

YEARS = (2024, 2025)


def fill_enterprise_files(county: County, rng: random.Random) -> None:
    """Give every chain enterprise its yearly figures, the bigger ones a few honours."""
    ensure_honours()
    honours = {h.code: h for h in Honour.objects.all()}
    actor = county.users["chain_dispatcher"]
    for firm in county.enterprises:
        staff = firm.employees or 20
        output = Decimal(staff * rng.randint(18, 45))  # 万元 a year per employee, roughly
        for year in YEARS:
            output = (output * Decimal(rng.uniform(0.92, 1.15))).quantize(Decimal("0.01"))
            services.record_year_figures(
                firm,
                year,
                output_value=output,
                tax=(output * Decimal(rng.uniform(0.03, 0.07))).quantize(Decimal("0.01")),
                employees=staff,
                actor=actor,
            )
        codes = []
        if firm.is_above_scale:
            codes.append("above_scale_industry")
        if staff >= 100:
            codes += rng.sample(["high_tech", "provincial_specialised", "tech_sme"], 2)
        if staff >= 300:
            codes.append(rng.choice(["little_giant", "provincial_leader"]))
        for code in codes:
            services.award_honour(firm, honours[code], rng.choice(YEARS), actor=actor)
