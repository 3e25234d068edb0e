"""The admin: every outreach model listed; a rhythm changed there goes through set_rhythm."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from outreach.models import OutreachEvent, OutreachEventKind, Period, VisitRhythm


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize(
    "model", ["visitrhythm", "enterprisevisit", "briefingtask", "outreachevent"]
)
def test_each_model_is_listed(admin_client_, model):
    answer = admin_client_.get(reverse(f"admin:outreach_{model}_changelist"))
    assert answer.status_code == 200


def test_a_rhythm_changed_in_the_admin_leaves_its_event(admin_client_):
    rhythm = VisitRhythm.objects.get(link_kind="resident_commissioner")
    url = reverse("admin:outreach_visitrhythm_change", args=[rhythm.pk])
    assert admin_client_.get(url).status_code == 200
    answer = admin_client_.post(url, {"period": Period.QUARTER})
    assert answer.status_code == 302
    rhythm.refresh_from_db()
    assert rhythm.period == Period.QUARTER
    assert OutreachEvent.objects.filter(kind=OutreachEventKind.RHYTHM_CHANGED).count() == 1
