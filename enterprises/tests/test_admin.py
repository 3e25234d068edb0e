"""The admin writes awards and figures through the services (events kept) and refuses bad years."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enterprises.models import EnterpriseEvent, Honour, HonourAward, YearFigures

pytestmark = pytest.mark.usefixtures("honours")


def test_the_admin_lists_open(world, client):
    client.force_login(world.admin)
    for name in ["honour", "honouraward", "yearfigures", "enterpriseevent"]:
        assert client.get(reverse(f"admin:enterprises_{name}_changelist")).status_code == 200


def test_adding_figures_in_the_admin_goes_through_the_service(world, client):
    client.force_login(world.admin)
    add = reverse("admin:enterprises_yearfigures_add")
    data = {"enterprise": world.enterprise.pk, "year": 2024, "output_value": "10", "tax": "1"}
    assert client.post(add, data).status_code == 302
    assert YearFigures.objects.get().year == 2024
    assert EnterpriseEvent.objects.get().actor == world.admin
    response = client.post(add, {**data, "year": 1900})
    assert response.status_code == 200 and "年度须在" in response.content.decode()


def test_awards_added_and_deleted_in_the_admin_leave_events(world, client):
    client.force_login(world.admin)
    honour = Honour.objects.get(code="high_tech")
    data = {"enterprise": world.enterprise.pk, "honour": honour.pk, "year": 2024, "note": ""}
    assert client.post(reverse("admin:enterprises_honouraward_add"), data).status_code == 302
    award = HonourAward.objects.get()
    delete = reverse("admin:enterprises_honouraward_delete", args=[award.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not HonourAward.objects.exists()
    assert EnterpriseEvent.objects.count() == 2
