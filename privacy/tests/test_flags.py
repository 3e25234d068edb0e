"""A case's privacy flags after intake (``privacy.services.set_case_flags``): who may set them,
one log row per flag changed, none when nothing changes, and no move of the loop."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Case
from privacy.models import CasePrivacyChange, PrivacyFlag
from privacy.services import set_case_flags

pytestmark = pytest.mark.django_db


def _loaded(case: Case) -> Case:
    return Case.objects.select_related("region").get(pk=case.pk)


def test_the_desk_hides_a_case_and_the_change_is_logged_not_moved(world):
    case = _loaded(world.assigned())
    version, events = case.version, case.events.count()
    rows = set_case_flags(case, actor=world.dispatcher, is_public=False, reason="涉及个人隐私")
    assert [(r.flag, r.value, r.reason) for r in rows] == [
        (PrivacyFlag.IS_PUBLIC, False, "涉及个人隐私")
    ]
    case.refresh_from_db()
    assert case.is_public is False and case.anonymous_to_unit is False
    # No state, no move: the version and the timeline stay as they were.
    assert case.version == version and case.events.count() == events


def test_both_flags_at_once_and_nothing_logged_when_nothing_changes(world):
    case = _loaded(world.report())
    rows = set_case_flags(case, actor=world.operator, is_public=False, anonymous_to_unit=True)
    assert {r.flag for r in rows} == {PrivacyFlag.IS_PUBLIC, PrivacyFlag.ANONYMOUS_TO_UNIT}
    assert set_case_flags(case, actor=world.operator, is_public=False, anonymous_to_unit=True) == []
    assert CasePrivacyChange.objects.filter(case=case).count() == 2


@pytest.mark.parametrize("who", ["handler", "grid_worker", "leader", "outsider"])
def test_a_unit_grid_staff_or_a_leader_may_not_set_them(world, who):
    case = _loaded(world.assigned())
    with pytest.raises(PermissionDenied):
        set_case_flags(case, actor=getattr(world, who), anonymous_to_unit=True)
    case.refresh_from_db()
    assert case.anonymous_to_unit is False
    assert not CasePrivacyChange.objects.filter(case=case).exists()


def test_a_dispatcher_of_another_place_may_not_set_them(world):
    from cases.tests.world import make_user
    from people.models import Role

    elsewhere = make_user("privacy-far", Role.DISPATCHER, region=world.other_town)
    with pytest.raises(PermissionDenied):
        set_case_flags(_loaded(world.report()), actor=elsewhere, is_public=False)


def test_a_reason_too_long_is_refused(world):
    case = _loaded(world.report())
    with pytest.raises(ValidationError) as refused:
        set_case_flags(case, actor=world.dispatcher, is_public=False, reason="长" * 201)
    assert "reason" in refused.value.message_dict
    case.refresh_from_db()
    assert case.is_public is True


def test_the_log_is_append_only(world):
    [row] = set_case_flags(_loaded(world.report()), actor=world.admin, is_public=False)
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()
