"""The project services under attack: the commissioner is a writer of the project, so naming a
commissioner who is not the firm's own cadre is refused (it made anyone a writer)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.tests.world import make_user
from people.models import EnterpriseLink, EnterpriseLinkKind, Role
from projects.models import Project
from projects.scope import may_register
from projects.tests.factories import make_commissioner, make_project


def test_a_commissioner_of_no_link_to_the_firm_is_refused(world):
    stranger = make_user("stranger", Role.LINKED_CADRE, organisation=world.other_dept)
    with pytest.raises(ValidationError) as caught:
        make_project(world, actor=stranger, commissioner=stranger)
    assert [e.code for e in caught.value.error_dict["commissioner"]] == ["not_commissioner"]
    with pytest.raises(ValidationError):
        make_project(world, commissioner=stranger)  # a dispatcher neither
    assert not Project.objects.exists()


def test_the_firms_liaison_cannot_be_named_commissioner(world):
    with pytest.raises(ValidationError):
        make_project(world, commissioner=world.liaison)
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "kind", [EnterpriseLinkKind.RESIDENT_COMMISSIONER, EnterpriseLinkKind.LINKED_CADRE]
)
def test_a_cadre_linked_to_the_firm_may_be_named_and_registers(world, kind):
    cadre = make_user("cadre", Role.LINKED_CADRE, organisation=world.other_dept)
    assert cadre.person is not None
    EnterpriseLink.objects.create(person=cadre.person, enterprise=world.enterprise, kind=kind)
    project = make_project(world, actor=cadre, commissioner=cadre)
    assert project.commissioner == cadre.person


def test_who_may_open_the_registration_form(world):
    assert may_register(world.admin) and may_register(world.dispatcher)
    assert may_register(world.handler) and may_register(make_commissioner(world))
    for user in (world.resident, world.liaison, world.grid_worker, world.outsider):
        assert not may_register(user), user


def test_the_admin_refuses_a_commissioner_of_another_firm_as_a_form_error(world, client):
    stranger = make_user("stranger", Role.LINKED_CADRE, organisation=world.other_dept)
    client.force_login(world.admin)
    data = {
        "name": "陶瓷窑炉智能控制系统项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "800",
        "signed_on": "2026-11-02",
        "owner_unit": world.chain_committee.pk,
        "commissioner": stranger.person.pk,
    }
    response = client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200
    assert "驻厂专员须为该企业的驻厂专员或挂钩干部。" in response.content.decode()
    assert not Project.objects.exists()
