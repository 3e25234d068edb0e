"""Whose personal records a user may read: one rule for the registry pages and the API.

People and households are read inside the region subtrees of the caller's region-scoped roles
(dispatcher, leader, grid worker, grid chief, village cadre): a person by ``Person.region``
(where they live or work), a household by ``Household.region``. A person without a region
belongs to no subtree. Administrators and leaders without a region read everything; anyone
else (department and enterprise staff, residents) reads no one.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from people.models import Role, User
from regions.models import Region

PEOPLE_ROLES = frozenset(
    {Role.DISPATCHER, Role.LEADER, Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE}
)


def people_regions(user: User) -> list[Region] | None:
    """The regions whose people and households ``user`` may read; None means everywhere.

    Free of queries once ``user.role_assignments`` is loaded (it joins the regions).
    """
    if user.is_admin:
        return None
    held = [a for a in user.role_assignments if a.role in PEOPLE_ROLES]
    if any(a.role == Role.LEADER and a.region_id is None for a in held):
        return None
    return [a.region for a in held if a.region is not None]


def may_read_people(user: User) -> bool:
    """Whether ``user`` reads any people at all (otherwise a 403, not an empty list)."""
    regions = people_regions(user)
    return regions is None or bool(regions)


def in_regions(regions: list[Region] | None, prefix: str = "") -> Q:
    """Rows whose ``<prefix>path`` lies in one of the subtrees (everything for None)."""
    if regions is None:
        return Q()
    q = Q(pk__in=[])
    for region in regions:
        q |= Q(**{f"{prefix}path__gte": region.path, f"{prefix}path__lt": region.path_range_end})
    return q


def readable(user: User, queryset: QuerySet, region_field: str) -> QuerySet:
    """``queryset`` limited to rows whose ``region_field`` (a Region relation) ``user`` may read."""
    return queryset.filter(in_regions(people_regions(user), f"{region_field}__"))
