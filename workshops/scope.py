"""Who reads and writes which workshops and job postings: one rule for pages, API and services.

- Everything: administrators, the staff of the unit that keeps the workshops (the county
  organisation department, 组织部: ``Organisation.keeps_workshops``), leaders and dispatchers
  without a region or over the county.
- A region subtree: leaders, dispatchers, grid staff and town-government staff read the
  workshops and postings of their region (a town's staff their town).
- A workshop's own: the party member who leads it, and anyone holding a role over it.
- Writers are the readers except leaders, who read only.
- Households are shown unmasked only to those who may contact them (``people.scope``).
"""

from __future__ import annotations

from django.db.models import Q

from orgs.models import OrgKind
from people.models import Household, Role, User
from people.scope import people_regions
from regions.models import Region

REGION_ROLES = frozenset(
    {Role.LEADER, Role.DISPATCHER, Role.GRID_WORKER, Role.GRID_CHIEF, Role.VILLAGE_CADRE}
)
UNIT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})


def _everything(user: User) -> bool:
    if user.is_admin:
        return True
    for a in user.role_assignments:
        if a.role in (Role.LEADER, Role.DISPATCHER) and (
            a.region_id is None
            and a.organisation_id is None
            or a.region is not None
            and a.region.parent_id is None
        ):
            return True
        org = a.organisation
        if a.role in UNIT_ROLES and org is not None and org.keeps_workshops:
            return True
    return False


def regions_of(user: User) -> list[Region]:
    found = [a.region for a in user.role_assignments if a.role in REGION_ROLES and a.region]
    for a in user.role_assignments:
        org = a.organisation
        if a.role in UNIT_ROLES and org is not None and org.kind == OrgKind.TOWN_GOVERNMENT:
            if org.region is not None:
                found.append(org.region)
    return found


def _own_orgs(user: User) -> set[int]:
    return {
        a.organisation.pk
        for a in user.role_assignments
        if a.organisation is not None and a.organisation.kind == OrgKind.WORKSHOP
    }


def in_regions(regions: list[Region], field: str) -> Q:
    q = Q(pk__in=[])
    for r in regions:
        q |= Q(**{f"{field}__path__gte": r.path, f"{field}__path__lt": r.path_range_end})
    return q


def may_open(user: User) -> bool:
    """Whether the workshop pages are for the user at all (their workshops may still be none)."""
    if not user.is_authenticated:
        return False
    return (
        _everything(user)
        or bool(regions_of(user))
        or bool(_own_orgs(user))
        or (user.person_id is not None and _leads_any(user))
    )


def in_menu(user: User) -> bool:
    """Whether the menu offers the workshop pages: ``may_open`` without its queries (a workshop
    leader without a role finds the pages from the workshop's own link)."""
    if not user.is_authenticated:
        return False
    if _everything(user) or _own_orgs(user):
        return True
    return any(
        a.role in REGION_ROLES
        and a.region_id is not None
        or a.role in UNIT_ROLES
        and a.organisation is not None
        and a.organisation.kind == OrgKind.TOWN_GOVERNMENT
        for a in user.role_assignments
    )


def _leads_any(user: User) -> bool:
    from workshops.models import WorkshopProfile

    return WorkshopProfile.objects.filter(leader_id=user.person_id).exists()


def workshops_q(user: User) -> Q | None:
    """The workshops (``WorkshopProfile``) the user reads; None: every one."""
    if _everything(user):
        return None
    q = in_regions(regions_of(user), "region") | Q(organisation_id__in=_own_orgs(user))
    if user.person_id is not None:
        q |= Q(leader_id=user.person_id)
    return q


def postings_q(user: User) -> Q | None:
    """The job postings the user reads: in their region (the posting's own, or its employer's),
    or offered by a workshop of theirs; None: every one."""
    if _everything(user):
        return None
    regions = regions_of(user)
    q = in_regions(regions, "region") | in_regions(regions, "employer__region")
    q |= Q(employer_id__in=_own_orgs(user))
    if user.person_id is not None:
        q |= Q(employer__workshop__leader_id=user.person_id)
    return q


def may_write(user: User) -> bool:
    """Readers but leaders write (the row itself is checked by ``workshops_q``)."""
    if user.is_admin:
        return True
    held = {a.role for a in user.role_assignments}
    return bool(held - {Role.LEADER}) or (user.person_id is not None and _leads_any(user))


def may_contact(user: User, household: Household) -> bool:
    """Whether ``user`` sees the household unmasked (``household.region`` loaded; no query)."""
    regions = people_regions(user)
    if regions is None:
        return True
    path = household.region.path
    return any(r.path <= path < r.path_range_end for r in regions)
