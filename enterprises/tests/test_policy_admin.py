"""The admin writes policies with their conditions through the services (events kept), checks
each condition row by the services' rule, and offers no delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enterprises.models import Policy, PolicyEvent, PolicyEventKind, PolicyStatus

pytestmark = pytest.mark.usefixtures("honours")


def form(**extra) -> dict:
    data = {
        "title": "设备更新补助",
        "issuer": "德化县工信局",
        "document_number": "",
        "category": "equipment",
        "valid_from": "2026-01-01",
        "valid_until": "",
        "max_amount": "",
        "amount_note": "",
        "summary": "",
        "full_text": "",
        "manual_conditions": "",
        "owner": "",
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
        "conditions-0-attribute": "honour",
        "conditions-0-values": '["high_tech"]',
        "conditions-0-minimum": "",
        "conditions-0-maximum": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    return {**data, **extra}


def test_the_policy_admin_pages_open(world, client):
    client.force_login(world.admin)
    for name in ["policy", "policygrant", "enterprisetag", "policyevent"]:
        assert client.get(reverse(f"admin:enterprises_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:enterprises_policy_add")).status_code == 200


def test_adding_a_policy_in_the_admin_goes_through_the_service(world, client):
    client.force_login(world.admin)
    response = client.post(reverse("admin:enterprises_policy_add"), form())
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = Policy.objects.get()
    assert policy.status == PolicyStatus.DRAFT and policy.created_by == world.admin
    assert list(policy.conditions.values_list("values", flat=True)) == [["high_tech"]]
    assert PolicyEvent.objects.get().kind == PolicyEventKind.CREATED


def test_a_bad_condition_row_is_an_error_beside_it(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:enterprises_policy_add"), form(**{"conditions-0-values": '["nobel"]'})
    )
    assert response.status_code == 200 and "未知的取值：nobel" in response.content.decode()
    assert not Policy.objects.exists()


def test_publishing_from_the_list_leaves_an_event(world, client):
    client.force_login(world.admin)
    client.post(reverse("admin:enterprises_policy_add"), form())
    policy = Policy.objects.get()
    response = client.post(
        reverse("admin:enterprises_policy_changelist"),
        {"action": "publish", "_selected_action": [policy.pk]},
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
    assert PolicyEvent.objects.filter(kind=PolicyEventKind.PUBLISHED).exists()


def test_changing_a_policy_in_the_admin_replaces_its_conditions(world, client):
    client.force_login(world.admin)
    client.post(reverse("admin:enterprises_policy_add"), form())
    policy = Policy.objects.get()
    condition = policy.conditions.get()
    data = form(
        title="设备更新补助（修订）",
        **{
            "conditions-TOTAL_FORMS": "2",
            "conditions-INITIAL_FORMS": "1",
            "conditions-0-id": str(condition.pk),
            "conditions-0-policy": str(policy.pk),
            "conditions-0-DELETE": "on",
            "conditions-1-attribute": "employees",
            "conditions-1-values": "[]",
            "conditions-1-minimum": "50",
            "conditions-1-maximum": "",
        },
    )
    response = client.post(reverse("admin:enterprises_policy_change", args=[policy.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.title == "设备更新补助（修订）"
    assert list(policy.conditions.values_list("attribute", flat=True)) == ["employees"]
    assert PolicyEvent.objects.filter(kind=PolicyEventKind.UPDATED).get().data["changed"] == [
        "title"
    ]
