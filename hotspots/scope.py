"""Who reads hot-spot and repeat-demand alerts and who handles them.

Readers: administrators and county-wide leaders see every alert; dispatchers and leaders held
over a region see the alerts whose place lies in it (one range condition on the region path,
as ``cases/scope.py``). Handlers (知悉, 关闭): administrators and the dispatchers over the
place. A repeat demand is also read and handled by the department heads of the lead unit of
its latest case (they are told of it). Anyone else gets a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.scope import sees_everything
from hotspots.models import HotSpot, RepeatAlert
from people.models import Role, User

READER_ROLES = frozenset({Role.DISPATCHER, Role.LEADER})
HANDLER_ROLES = frozenset({Role.DISPATCHER})


def may_open(user: User) -> bool:
    """Whether ``user`` sees the hot-spot pages at all (no query once the roles are loaded)."""
    return user.is_authenticated and (
        sees_everything(user) or any(a.role in READER_ROLES for a in user.role_assignments)
    )


def _place_q(user: User, roles: frozenset[str]) -> Q | None:
    """The alerts whose place lies under one of the user's regions for ``roles``; None: all."""
    if user.is_admin:
        return None
    q = Q(pk__in=[])
    for a in user.role_assignments:
        if a.role not in roles:
            continue
        if a.role == Role.LEADER and a.region_id is None:
            return None
        if a.region is not None:
            q |= Q(place__path__gte=a.region.path, place__path__lt=a.region.path_range_end)
    return q


def visible_hotspots(user: User) -> QuerySet[HotSpot]:
    alerts = HotSpot.objects.select_related("place", "category__case_type")
    if not may_open(user):
        return alerts.none()
    q = _place_q(user, READER_ROLES)
    return alerts if q is None else alerts.filter(q)


def may_handle(user: User, hotspot: HotSpot) -> bool:
    """Whether ``user`` may acknowledge or close ``hotspot`` (``place`` loaded; no query)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    place = hotspot.place
    return any(
        a.role in HANDLER_ROLES
        and a.region is not None
        and a.region.path <= place.path < a.region.path_range_end
        for a in user.role_assignments
    )


# Repeat demands (重复诉求) are read and handled by the same dispatchers and leaders over their
# place, and by the department heads of the lead unit of their latest case.
REPEAT_UNIT_ROLES = frozenset({Role.DEPT_HEAD})


def may_open_repeats(user: User) -> bool:
    return user.is_authenticated and (
        sees_everything(user)
        or any(a.role in READER_ROLES | REPEAT_UNIT_ROLES for a in user.role_assignments)
    )


def visible_repeats(user: User) -> QuerySet[RepeatAlert]:
    alerts = RepeatAlert.objects.select_related("place", "category", "lead_unit", "latest_case")
    if not may_open_repeats(user):
        return alerts.none()
    q = _place_q(user, READER_ROLES)
    if q is None:
        return alerts
    units = {
        a.organisation_id
        for a in user.role_assignments
        if a.role in REPEAT_UNIT_ROLES and a.organisation_id
    }
    if units:
        q |= Q(lead_unit_id__in=units)
    return alerts.filter(q)


def may_handle_repeat(user: User, alert: RepeatAlert) -> bool:
    """知悉 and 关闭: administrators, the dispatchers over the place, the lead unit's heads."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    place = alert.place
    for a in user.role_assignments:
        if a.role in REPEAT_UNIT_ROLES and a.organisation_id == alert.lead_unit_id:
            return True
        if (
            a.role in HANDLER_ROLES
            and a.region is not None
            and a.region.path <= place.path < a.region.path_range_end
        ):
            return True
    return False
