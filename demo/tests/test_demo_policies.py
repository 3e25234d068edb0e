"""The demo's policies on a freshly built county: published through the services, each
matching a sensible part of the chain, tags and grants in place, the cited categories filled."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.reference import ensure_reference_data
from demo.county import CountyBuilder
from demo.enterprise_file import fill_enterprise_files
from demo.policies import load_policies
from enterprises.matching import match
from enterprises.models import EnterpriseTag, PolicyEvent, PolicyGrant, PolicyStatus

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # builds a demo county


def test_the_chain_gets_its_policies_tags_and_grants():
    ensure_reference_data()
    county = CountyBuilder(random.Random(7), joined=timezone.now() - timedelta(days=400)).build()
    fill_enterprise_files(county, random.Random(11))
    policies = load_policies(county, random.Random(5))
    assert 6 <= len(policies) <= 10
    assert all(p.status == PolicyStatus.PUBLISHED for p in policies)
    assert {"equipment", "employment", "talent", "trade_in", "finance", "innovation"} <= set(
        county.policies
    )
    chain = {firm.pk for firm in county.enterprises}
    found = match(policies)
    for policy in policies:
        qualified = found[policy.pk] & chain
        # Each policy fits some of the chain, none fits all of it (the talent policy aside).
        assert qualified, policy.title
        assert len(qualified) < len(chain) or policy.category == "talent", policy.title
    assert EnterpriseTag.objects.get(name="以旧换新参与企业").enterprises.count() == 3
    assert PolicyGrant.objects.exists()
    assert PolicyEvent.objects.filter(kind="policy.published").count() == len(policies)
