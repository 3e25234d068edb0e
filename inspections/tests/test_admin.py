"""The admin: every inspections model listed, read-only (writes go through the services)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from inspections.tests.helpers import finding, inspect


@pytest.fixture
def admin_client_(iw) -> Client:
    inspect(iw, findings=[finding()])
    client = Client()
    client.force_login(iw.world.admin)
    return client


@pytest.mark.parametrize("model", ["campaign", "inspection", "finding", "inspectionevent"])
def test_each_model_is_listed_and_read_only(admin_client_, model):
    assert admin_client_.get(reverse(f"admin:inspections_{model}_changelist")).status_code == 200
    assert admin_client_.get(reverse(f"admin:inspections_{model}_add")).status_code == 403
