import pytest
from django.core.exceptions import ValidationError

from people.models import Role, RoleAssignment


def test_a_user_loads_its_roles_once(world, django_assert_num_queries):
    user = world.grid_worker
    with django_assert_num_queries(1):
        assert user.has_role(Role.GRID_WORKER)
        assert not user.has_role(Role.DISPATCHER)
        assert not user.is_admin


def test_a_region_role_needs_a_region_and_an_org_role_an_organisation(world):
    with pytest.raises(ValidationError) as error:
        RoleAssignment(user=world.outsider, role=Role.GRID_WORKER).full_clean()
    assert "region" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        RoleAssignment(user=world.outsider, role=Role.DEPT_HANDLER).full_clean()
    assert "organisation" in error.value.message_dict


def test_a_resident_role_takes_no_scope_and_a_leader_may_have_none(world):
    with pytest.raises(ValidationError):
        RoleAssignment(user=world.outsider, role=Role.RESIDENT, region=world.county).full_clean()
    RoleAssignment(user=world.outsider, role=Role.LEADER).full_clean()
