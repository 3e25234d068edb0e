"""The demo's IP records (demo/ip.py), made through the services on a built demo county."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services as engine
from cases.models import CaseType, Channel
from cases.reference import ensure_reference_data
from demo.county import CountyBuilder
from demo.ip import GI_LICENCES, load_ip
from ip.models import EnforcementAction, GiLicence, InfringementFacts, IpEvent, LicenceStatus


@pytest.mark.slow
def test_the_demo_licenses_the_chain_and_links_actions_to_infringement_cases(db, client):
    ensure_reference_data()
    rng = random.Random(7)
    now = timezone.now().replace(second=0, microsecond=0)
    county = CountyBuilder(rng, joined=now - timedelta(days=400)).build()
    case_type = CaseType.objects.get(code="ip_infringement")
    for i, firm in enumerate(county.enterprises[:4]):
        engine.report_case(
            actor=county.users["dispatcher"],
            case_type=case_type,
            region=firm.region or county.region,
            title=f"仿冒外观设计{i}",
            description="某店铺销售仿冒我司外观设计的茶具。",
            channel=Channel.HOTLINE,
            requester_name="林先生",
            requester_phone="13905950000",
            enterprise=firm,
            category=case_type.categories.order_by("code").first(),
        )
    made = load_ip(county, rng, now)
    assert made.licences == min(GI_LICENCES, len(county.enterprises))
    assert GiLicence.objects.count() == made.licences
    assert GiLicence.objects.filter(status=LicenceStatus.SUSPENDED).count() == 1
    assert made.registrations >= 8 and made.facts == 4
    assert InfringementFacts.objects.count() == 4
    assert EnforcementAction.objects.count() == 3
    assert EnforcementAction.objects.filter(cases__isnull=False).distinct().count() >= 2
    assert IpEvent.objects.filter(kind="licence_created").count() == made.licences
    assert load_ip(county, rng, now).licences == 0  # once only
    # The copyright office's handler reads them on the IP pages.
    client.force_login(county.handlers[county.units["bqj"].pk])
    overview = client.get("/ip/")
    assert overview.status_code == 200
    assert sum(n for _, _, n in overview.context["overview"].licences) == made.licences
    assert client.get("/ip/licences/").status_code == 200
