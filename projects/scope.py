"""Who may read a project and who may change it: one rule for pages, API, admin and the board.

Writers: administrators; the project's commissioner (驻厂专员, by person); the staff of its owner
unit and of its firm's chain committee (any role held over that organisation); dispatchers and
leaders over its place (a leader without a region everywhere). Readers: the writers, every
region-scoped role over its place, and whoever may open the firm's file
(``enterprises.scope.may_read_file``: its liaison, its linked cadres, …).

``visible_projects_q`` is the same rule as a filter; the tests hold the two together.
"""

from __future__ import annotations

from django.db.models import Q

from enterprises.scope import WRITER_ROLES, may_read_file
from orgs.models import OrgKind
from people.models import REGION_ROLES, EnterpriseLink, Role, RoleAssignment, User
from people.scope import PEOPLE_ROLES
from projects.models import Project, ProjectQuerySet

# Who changes a project by holding a role over its place.
PLACE_WRITERS = frozenset({Role.DISPATCHER, Role.LEADER})
# The units that may lead a project's service (its owner unit).
OWNER_KINDS = frozenset(
    {OrgKind.CHAIN_COMMITTEE, OrgKind.DEPARTMENT, OrgKind.WORKING_GROUP, OrgKind.TOWN_GOVERNMENT}
)


def _everywhere(assignment: RoleAssignment) -> bool:
    return assignment.role == Role.LEADER and assignment.region_id is None


def _covers(assignment: RoleAssignment, path: str | None) -> bool:
    region = assignment.region
    return region is not None and path is not None and region.path <= path < region.path_range_end


def _unit_ids(user: User) -> set[int]:
    return {a.organisation_id for a in user.role_assignments if a.organisation_id}


def may_write(user: User, project: Project) -> bool:
    """Whether ``user`` may change ``project`` (``region`` and ``enterprise`` loaded: no query)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if user.person_id is not None and project.commissioner_id == user.person_id:
        return True
    units = _unit_ids(user)
    if project.owner_unit_id in units or (
        project.enterprise.chain_id is not None and project.enterprise.chain_id in units
    ):
        return True
    return any(
        a.role in PLACE_WRITERS and (_everywhere(a) or _covers(a, project.region.path))
        for a in user.role_assignments
    )


def may_register(user: User) -> bool:
    """Whether ``user`` could be a writer of some new project, so may open the form (which
    lists the county's firms): administrators, dispatchers and leaders, the staff of a unit
    that may own one, linked cadres (a firm's commissioner). Residents and liaisons may not."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return any(
        a.role in PLACE_WRITERS
        or (a.organisation is not None and a.organisation.kind in OWNER_KINDS)
        or (a.role == Role.LINKED_CADRE and user.person_id is not None)
        for a in user.role_assignments
    )


def may_read(user: User, project: Project) -> bool:
    """Whether ``user`` may see ``project``; at most one query (a linked cadre's links)."""
    if may_write(user, project):
        return True
    if any(
        a.role in REGION_ROLES and _covers(a, project.region.path) for a in user.role_assignments
    ):
        return True
    return may_read_file(user, project.enterprise)


def _path_q(assignment: RoleAssignment, field: str) -> Q:
    region = assignment.region
    assert region is not None
    return Q(**{f"{field}__path__gte": region.path, f"{field}__path__lt": region.path_range_end})


def visible_projects_q(user: User) -> Q | None:
    """``may_read`` as a filter, or None for everything."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_admin or any(_everywhere(a) for a in user.role_assignments):
        return None
    q = Q(pk__in=[])
    if user.person_id is not None:
        q |= Q(commissioner_id=user.person_id)
    units = _unit_ids(user)
    if units:
        q |= Q(owner_unit_id__in=units) | Q(enterprise__chain_id__in=units)
    for a in user.role_assignments:
        if a.region_id is None:
            if a.role == Role.ENTERPRISE_LIAISON and a.organisation_id:
                q |= Q(enterprise_id=a.organisation_id)
            continue
        if a.role in REGION_ROLES:
            q |= _path_q(a, "region")
        # The firm's file: region roles over the firm's own place (it may differ from the site).
        if a.role in PEOPLE_ROLES | WRITER_ROLES:
            q |= _path_q(a, "enterprise__region")
    if user.person_id is not None and any(
        a.role == Role.LINKED_CADRE for a in user.role_assignments
    ):
        q |= Q(
            enterprise_id__in=EnterpriseLink.objects.filter(person_id=user.person_id).values(
                "enterprise_id"
            )
        )
    return q


def visible_projects(user: User, queryset: ProjectQuerySet | None = None) -> ProjectQuerySet:
    queryset = Project.objects.all() if queryset is None else queryset
    q = visible_projects_q(user)
    return queryset if q is None else queryset.filter(q)
