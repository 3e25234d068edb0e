import pytest

from households.models import HouseholdEvent, HouseholdMember

pytestmark = pytest.mark.django_db


def test_the_admin_lists_open(hh, client):
    client.force_login(hh.world.admin)
    for name in ("assistanceplan", "planreview", "householdvisit", "tagperiod", "householdevent"):
        assert client.get(f"/admin/households/{name}/").status_code == 200
        assert client.get(f"/admin/households/{name}/add/").status_code == 403


def test_a_member_added_in_the_admin_goes_through_the_service(hh, client):
    client.force_login(hh.world.admin)
    response = client.post(
        "/admin/households/householdmember/add/",
        {"household": hh.home.pk, "name": "李小芳", "relation": "女儿", "birth_year": 2008},
    )
    assert response.status_code == 302, response.content[:2000]
    assert HouseholdMember.objects.get().name == "李小芳"
    assert HouseholdEvent.objects.get().kind == "member.added"
